// The committee summary as plain, JSON-safe data: what the loader sends to the page.
// Money stays exact: whole cents as decimal integer strings (bigint does not survive
// the loader's JSON), turned back with BigInt() for display and into numbers only by
// the charts, for plotting.
import type { CategoryCalculation, TenderCalculation } from "../../domain/calculation";
import { roundHalfAwayFromZero, type Cents } from "../../domain/money";
import { permilleOf } from "../../domain/shares";
import type { CentsText } from "./charts/bar-chart-figure";

export interface PartnerSummaryRow {
  code: string;
  name: string;
  quantity: number;
  directGross: CentsText;
  commonCostShare: CentsText;
  totalGross: CentsText;
  soloGross: CentsText;
  savingsGross: CentsText;
  /** Savings as a share of what the partner would pay alone, per mille; null without solo cost. */
  savingsPermille: string | null;
  /** §12: funding granted and the own contribution (Eigenanteil). */
  fundingGross: CentsText;
  ownGross: CentsText;
}

export interface SummaryView {
  tender: {
    code: string;
    name: string;
    startYear: number;
    endYear: number;
    termYears: number;
    reserve: string;
  };
  keyFigures: {
    quantity: number;
    directNet: CentsText;
    directGross: CentsText;
    estimatedValueNet: CentsText;
    euThresholdNet: CentsText;
    euProcedureRequired: boolean;
    soloGross: CentsText;
    savingsGross: CentsText;
    /** Savings against buying alone, in per mille (one decimal of a percent); null when nothing is bought. */
    savingsPermille: string | null;
    participants: { code: string; name: string }[];
  };
  partners: PartnerSummaryRow[];
  /** The totals row of the partner table (the engine's tender totals). */
  partnerTotals: Omit<PartnerSummaryRow, "code" | "name">;
  /** What the glossary explains with this tender's own figures. */
  glossary: {
    reserve: string;
    /** Cost keys used by this tender's common cost items, in item order, without repeats. */
    costKeys: string[];
  };
  lots: {
    code: string;
    name: string;
    directNet: CentsText;
    estimatedValueNet: CentsText;
    smallLotExempt: boolean;
  }[];
  categories: {
    code: string;
    name: string;
    lot: string;
    quantity: number;
    maxQuantity: number;
    basePriceNet: CentsText;
    unitPriceNet: CentsText;
    averageSoloPriceNet: CentsText | null;
  }[];
  savings: {
    soloDirectGross: CentsText;
    directGross: CentsText;
    tierSavings: CentsText;
    procedures: number;
    soloProcessCostGross: CentsText;
    soloProcessCostsAvoided: CentsText;
    commonCosts: CentsText;
    procedureSavings: CentsText;
    savingsGross: CentsText;
  };
}

const text = (cents: Cents): CentsText => cents.toString();

/**
 * What the participants would pay per unit buying alone: the average of their solo
 * unit prices weighted by their quantities, Σ q[p][c] × solo[p][c] / Q[c], rounded
 * commercially to whole cents. null when no participant orders the category.
 */
export function averageSoloPriceNet(
  category: Pick<CategoryCalculation, "soloPrices">,
): Cents | null {
  let quantity = 0n;
  let amount = 0n;
  for (const solo of category.soloPrices) {
    quantity += BigInt(solo.quantity);
    amount += BigInt(solo.quantity) * solo.unitPriceNet;
  }
  return quantity === 0n ? null : roundHalfAwayFromZero(amount, quantity);
}

/** savings / solo in per mille, rounded commercially to one decimal of a percent (e.g. 73n = 7,3 %). */
export function savingsPermille(savingsGross: Cents, soloGross: Cents): Cents | null {
  return permilleOf(savingsGross, soloGross);
}

function summaryRow(figures: {
  quantity: number;
  directGross: Cents;
  commonCostShare: Cents;
  totalGross: Cents;
  soloGross: Cents;
  savingsGross: Cents;
  fundingGross: Cents;
  ownGross: Cents;
}): Omit<PartnerSummaryRow, "code" | "name"> {
  const permille = savingsPermille(figures.savingsGross, figures.soloGross);
  return {
    quantity: figures.quantity,
    directGross: text(figures.directGross),
    commonCostShare: text(figures.commonCostShare),
    totalGross: text(figures.totalGross),
    soloGross: text(figures.soloGross),
    savingsGross: text(figures.savingsGross),
    savingsPermille: permille === null ? null : text(permille),
    fundingGross: text(figures.fundingGross),
    ownGross: text(figures.ownGross),
  };
}

export function buildSummaryView(tender: TenderCalculation): SummaryView {
  const lotDirectNet = new Map<string, Cents>();
  for (const category of tender.categories) {
    // Exact: direct net is Σ quantity × joint unit price without rounding (§4).
    lotDirectNet.set(
      category.lot,
      (lotDirectNet.get(category.lot) ?? 0n) + BigInt(category.quantity) * category.unitPriceNet,
    );
  }
  const permille = savingsPermille(tender.totals.savingsGross, tender.totals.soloGross);
  return {
    tender: {
      code: tender.code,
      name: tender.name,
      startYear: tender.startYear,
      endYear: tender.startYear + tender.termYears - 1,
      termYears: tender.termYears,
      reserve: tender.reserve,
    },
    keyFigures: {
      quantity: tender.totals.quantity,
      directNet: text(tender.totals.directNet),
      directGross: text(tender.totals.directGross),
      estimatedValueNet: text(tender.estimatedValueNet),
      euThresholdNet: text(tender.euThresholdNet),
      euProcedureRequired: tender.euProcedureRequired,
      soloGross: text(tender.totals.soloGross),
      savingsGross: text(tender.totals.savingsGross),
      savingsPermille: permille === null ? null : text(permille),
      participants: tender.participants.map(({ code, name }) => ({ code, name })),
    },
    partners: tender.partners.map((p) => ({ code: p.code, name: p.name, ...summaryRow(p) })),
    partnerTotals: summaryRow(tender.totals),
    glossary: {
      reserve: tender.reserve,
      costKeys: [...new Set(tender.commonCosts.map((c) => c.key))],
    },
    lots: tender.lots.map((lot) => ({
      code: lot.code,
      name: lot.name,
      directNet: text(lotDirectNet.get(lot.code) ?? 0n),
      estimatedValueNet: text(lot.estimatedValueNet),
      smallLotExempt: lot.smallLotExempt,
    })),
    categories: tender.categories.map((c) => {
      const average = averageSoloPriceNet(c);
      return {
        code: c.code,
        name: c.name,
        lot: c.lot,
        quantity: c.quantity,
        maxQuantity: c.maxQuantity,
        basePriceNet: text(c.basePriceNet),
        unitPriceNet: text(c.unitPriceNet),
        averageSoloPriceNet: average === null ? null : text(average),
      };
    }),
    savings: {
      soloDirectGross: text(tender.savings.soloDirectGross),
      directGross: text(tender.savings.directGross),
      tierSavings: text(tender.savings.tierSavings),
      procedures: tender.participants.length,
      soloProcessCostGross: text(tender.soloProcessCostGross),
      soloProcessCostsAvoided: text(tender.savings.soloProcessCostsAvoided),
      commonCosts: text(tender.savings.commonCosts),
      procedureSavings: text(tender.savings.procedureSavings),
      savingsGross: text(tender.savings.savingsGross),
    },
  };
}
