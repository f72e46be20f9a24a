// Plan against actual (Plan-Ist) of a tender after the award. Both sides are priced by
// the same engine (calculatePlan), never by rules of their own: we build a plan in
// which every awarded category's price is fixed (base price = awarded net unit price,
// no tiers, the VAT rate frozen with the award) and whose demand is
//   - planned: the partners' demand the award was based on (frozen with the award),
//   - actual:  the call-offs, summed per partner, category and year of the call-off date.
// The engine then gives per partner and year net, VAT (rounded per partner, year and
// rate as on an invoice), gross and the common-cost split (CALCULATION.md §4, §5).
// Only awarded lots take part; lots still open are listed, not priced.
import { calculatePlan, PlanCalculationError } from "./calculate";
import type { Figures, PartnerCalculation, TenderCalculation } from "./calculation";
import { AllocationError, compareCodes } from "./allocate";
import { formatMoney, parseMoney, type Cents } from "./money";
import type {
  Plan,
  PlanCategory,
  PlanCommonCost,
  PlanDemandLine,
  PlanLot,
  PlanPartner,
  PlanTender,
} from "./plan";

export interface QuantityLine {
  partner: string;
  category: string;
  year: number;
  quantity: number;
}

export interface AwardedCategoryPrice {
  category: string;
  name: string;
  unit?: string | null;
  lot: string;
  vatRate: string;
  unitPriceNet: Cents;
  maxQuantity: number;
}

export interface PlanVsActualInput {
  /** The current plan (partners, schools, the tender's common costs, settings). */
  plan: Plan;
  tenderCode: string;
  /** Awarded categories in lot order, then the order each lot lists them. */
  awarded: readonly AwardedCategoryPrice[];
  planned: readonly QuantityLine[];
  calledOff: readonly QuantityLine[];
}

/**
 * A plan with one tender: the awarded lots of `tenderCode`, each awarded category at
 * its awarded price without tiers, and `demand` as the only demand. Custom weights are
 * kept for participants only (a weight for a non-participant is an invalid plan).
 */
export function awardedPricePlan(
  plan: Plan,
  tenderCode: string,
  awarded: readonly AwardedCategoryPrice[],
  demand: readonly QuantityLine[],
  options: { commonCosts: boolean } = { commonCosts: true },
): Plan {
  const tender = plan.tenders?.find((t) => t.code === tenderCode);
  if (!tender) throw new PlanCalculationError(`Tender ${tenderCode} is not in the plan`);
  const years = new Set(Array.from({ length: tender.termYears }, (_, i) => tender.startYear + i));
  const awardedCodes = new Set(awarded.map((a) => a.category));

  const lots: PlanLot[] = [];
  for (const category of awarded) {
    let lot = lots.find((l) => l.code === category.lot);
    if (!lot) {
      const name = tender.lots.find((l) => l.code === category.lot)?.name ?? category.lot;
      lot = { code: category.lot, name, categories: [] };
      lots.push(lot);
    }
    lot.categories.push(category.category);
  }
  const categories: PlanCategory[] = awarded.map((a) => ({
    code: a.category,
    name: a.name,
    ...(a.unit ? { unit: a.unit } : {}),
    basePriceNet: formatMoney(a.unitPriceNet),
    vatRate: a.vatRate,
    tiers: [],
  }));

  const lines = sumLines(
    demand.filter((l) => l.quantity > 0 && awardedCodes.has(l.category) && years.has(l.year)),
  );
  const participants = new Set(lines.map((l) => l.partner));
  // A partner removed from the plan after the award keeps its figures under its code.
  const partners: PlanPartner[] = [...plan.partners];
  for (const code of participants)
    if (!partners.some((p) => p.code === code)) partners.push({ code, name: code });

  const commonCosts: PlanCommonCost[] = options.commonCosts
    ? (tender.commonCosts ?? []).map((cost) =>
        cost.weights === undefined
          ? cost
          : {
              ...cost,
              weights: Object.fromEntries(
                Object.entries(cost.weights).filter(([code]) => participants.has(code)),
              ),
            },
      )
    : [];
  const derivedTender: PlanTender = { ...tender, lots, commonCosts };
  return {
    format: plan.format,
    ...(plan.settings ? { settings: plan.settings } : {}),
    partners,
    schools: plan.schools ?? [],
    categories,
    demand: lines,
    tenders: [derivedTender],
  };
}

function sumLines(lines: readonly QuantityLine[]): PlanDemandLine[] {
  const sums = new Map<string, PlanDemandLine>();
  for (const line of lines) {
    const key = `${line.partner}\u0000${line.category}\u0000${line.year}`;
    const sum = sums.get(key);
    if (sum) sum.quantity += line.quantity;
    else
      sums.set(key, {
        partner: line.partner,
        category: line.category,
        year: line.year,
        quantity: line.quantity,
      });
  }
  return [...sums.values()];
}

export interface PricedSide {
  tender: TenderCalculation;
  /** German: why the common costs are not split on this side (then every share is 0). */
  commonCostProblem: string | null;
}

/** Runs the engine on one side; without participants or with weights summing to 0 the common costs stay unsplit. */
export function priceSide(
  plan: Plan,
  tenderCode: string,
  awarded: readonly AwardedCategoryPrice[],
  demand: readonly QuantityLine[],
  emptyMessage: string,
): PricedSide {
  const hasQuantities = demand.some((l) => l.quantity > 0);
  const withoutCosts = () =>
    calculatePlan(awardedPricePlan(plan, tenderCode, awarded, demand, { commonCosts: false }))
      .tenders[0];
  const hasCommonCosts =
    (plan.tenders?.find((t) => t.code === tenderCode)?.commonCosts ?? []).length > 0;
  if (!hasQuantities)
    return { tender: withoutCosts(), commonCostProblem: hasCommonCosts ? emptyMessage : null };
  try {
    return {
      tender: calculatePlan(awardedPricePlan(plan, tenderCode, awarded, demand)).tenders[0],
      commonCostProblem: null,
    };
  } catch (error) {
    if (!(error instanceof PlanCalculationError || error instanceof AllocationError)) throw error;
    return {
      tender: withoutCosts(),
      commonCostProblem:
        "Die Gemeinkosten lassen sich nicht verteilen: die Gewichte eines Schlüssels ergeben für die beteiligten Schulträger 0.",
    };
  }
}

// ---- The comparison -------------------------------------------------------------------

/** A partner's figures on one side (plan or actual); solo price and savings do not apply. */
export type SideFigures = Omit<Figures, "soloGross" | "savingsGross" | "fundingGross" | "ownGross">;

export interface YearComparison {
  year: number;
  planned: SideFigures;
  actual: SideFigures;
}

export interface PartnerCategoryComparison {
  category: string;
  plannedQuantity: number;
  calledOffQuantity: number;
  plannedNet: Cents;
  actualNet: Cents;
}

export interface PartnerComparison {
  code: string;
  name: string;
  planned: SideFigures;
  actual: SideFigures;
  /** actual.totalGross − planned.totalGross. */
  differenceGross: Cents;
  years: YearComparison[];
  categories: PartnerCategoryComparison[];
}

export interface CategoryComparison {
  code: string;
  name: string;
  unit: string | null;
  lot: string;
  unitPriceNet: Cents;
  maxQuantity: number;
  plannedQuantity: number;
  calledOffQuantity: number;
}

export interface PlanVsActual {
  tenderCode: string;
  tenderName: string;
  years: number[];
  categories: CategoryComparison[];
  /** Participants of either side, by code ascending. */
  partners: PartnerComparison[];
  totals: { planned: SideFigures; actual: SideFigures; differenceGross: Cents };
  commonCostsTotal: Cents;
  commonCostProblems: { planned: string | null; actual: string | null };
}

const ZERO_SIDE: SideFigures = {
  quantity: 0,
  directNet: 0n,
  directVat: 0n,
  directGross: 0n,
  commonCostShare: 0n,
  totalGross: 0n,
};

function sideOf(partner: PartnerCalculation | undefined): SideFigures {
  if (!partner) return ZERO_SIDE;
  const { quantity, directNet, directVat, directGross, commonCostShare, totalGross } = partner;
  return { quantity, directNet, directVat, directGross, commonCostShare, totalGross };
}

function yearSide(partner: PartnerCalculation | undefined, year: number): SideFigures {
  const row = partner?.years.find((y) => y.year === year);
  if (!row) return ZERO_SIDE;
  return {
    quantity: row.quantity,
    directNet: row.directNet,
    directVat: row.directVat,
    directGross: row.directGross,
    commonCostShare: row.commonCostShare,
    totalGross: row.directGross + row.commonCostShare,
  };
}

function categoryFigures(
  partner: PartnerCalculation | undefined,
  category: string,
): { quantity: number; net: Cents } {
  let quantity = 0;
  let net = 0n;
  for (const year of partner?.years ?? []) {
    for (const position of year.positions) {
      if (position.category !== category) continue;
      quantity += position.quantity;
      net += position.net;
    }
  }
  return { quantity, net };
}

const NO_PLANNED = "Keine geplanten Mengen in den vergebenen Losen: Gemeinkosten nicht verteilt.";
const NO_CALL_OFFS = "Noch keine Abrufe.";

/**
 * The actual side bears the common costs as planned: each partner's share by the tender's
 * key on the plan, booked in the start year. Splitting them by call-offs would charge the
 * whole common cost to whoever happens to call off first.
 */
function withPlannedCommonCosts(actual: SideFigures, planned: SideFigures): SideFigures {
  return {
    ...actual,
    commonCostShare: planned.commonCostShare,
    totalGross: actual.directGross + planned.commonCostShare,
  };
}

export function comparePlanVsActual(input: PlanVsActualInput): PlanVsActual {
  const { plan, tenderCode, awarded } = input;
  const tender = plan.tenders?.find((t) => t.code === tenderCode);
  if (!tender) throw new PlanCalculationError(`Tender ${tenderCode} is not in the plan`);
  const planned = priceSide(plan, tenderCode, awarded, input.planned, NO_PLANNED);
  const actual = priceSide(plan, tenderCode, awarded, input.calledOff, NO_CALL_OFFS);

  const codes = new Set([...planned.tender.partners, ...actual.tender.partners].map((p) => p.code));
  const nameOf = (code: string) => plan.partners.find((p) => p.code === code)?.name ?? code;
  const partners: PartnerComparison[] = [...codes].sort(compareCodes).map((code) => {
    const p = planned.tender.partners.find((x) => x.code === code);
    const a = actual.tender.partners.find((x) => x.code === code);
    const plannedSide = sideOf(p);
    const actualSide = withPlannedCommonCosts(sideOf(a), plannedSide);
    return {
      code,
      name: nameOf(code),
      planned: plannedSide,
      actual: actualSide,
      differenceGross: actualSide.totalGross - plannedSide.totalGross,
      years: planned.tender.years.map((year) => ({
        year,
        planned: yearSide(p, year),
        actual: withPlannedCommonCosts(yearSide(a, year), yearSide(p, year)),
      })),
      categories: awarded.map((c) => {
        const pf = categoryFigures(p, c.category);
        const af = categoryFigures(a, c.category);
        return {
          category: c.category,
          plannedQuantity: pf.quantity,
          calledOffQuantity: af.quantity,
          plannedNet: pf.net,
          actualNet: af.net,
        };
      }),
    };
  });

  const totalsOf = (t: TenderCalculation): SideFigures => ({
    quantity: t.totals.quantity,
    directNet: t.totals.directNet,
    directVat: t.totals.directVat,
    directGross: t.totals.directGross,
    commonCostShare: t.totals.commonCostShare,
    totalGross: t.totals.totalGross,
  });
  const plannedTotals = totalsOf(planned.tender);
  const actualTotals = withPlannedCommonCosts(totalsOf(actual.tender), plannedTotals);
  const quantityOf = (lines: readonly QuantityLine[], category: string) =>
    lines.filter((l) => l.category === category).reduce((sum, l) => sum + l.quantity, 0);
  return {
    tenderCode,
    tenderName: tender.name,
    years: planned.tender.years,
    categories: awarded.map((c) => ({
      code: c.category,
      name: c.name,
      unit: c.unit ?? null,
      lot: c.lot,
      unitPriceNet: c.unitPriceNet,
      maxQuantity: c.maxQuantity,
      plannedQuantity:
        planned.tender.categories.find((x) => x.code === c.category)?.quantity ??
        quantityOf(input.planned, c.category),
      calledOffQuantity:
        actual.tender.categories.find((x) => x.code === c.category)?.quantity ??
        quantityOf(input.calledOff, c.category),
    })),
    partners,
    totals: {
      planned: plannedTotals,
      actual: actualTotals,
      differenceGross: actualTotals.totalGross - plannedTotals.totalGross,
    },
    commonCostsTotal: (tender.commonCosts ?? []).reduce(
      (sum, cost) => sum + parseMoney(cost.amountGross),
      0n,
    ),
    // The actual side bears the planned split, so it has the planned side's problem, if any.
    commonCostProblems: { planned: planned.commonCostProblem, actual: planned.commonCostProblem },
  };
}
