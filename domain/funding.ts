// Funding programmes (Förderprogramme), CALCULATION.md §12: a pure function from the
// programmes and each tender's joint prices and quantities to the grants.
//
// Exact throughout: the funding per unit is a rational number (rate × price × (1 + VAT),
// capped per device), summed over the eligible categories of a partner's year over one
// common denominator and rounded once, commercially. Budgets are used up in the order
// §12 fixes: year ascending, then tenders in plan order, then programmes in plan order.

import type { PlanFundingProgramme } from "./plan";
import type { FundingCalculation, FundingGrant, FundingProgrammeCalculation } from "./calculation";
import {
  decimalToString,
  normalizeDecimal,
  parseDecimal,
  pow10,
  type ExactDecimal,
} from "./decimal";
import { parseMoney, roundHalfAwayFromZero, type Cents } from "./money";
import { compareCodes } from "./allocate";

/** One participant of a tender as funding needs it. */
export interface FundingParticipant {
  code: string;
  /** Quantities at [categoryIndex * termYears + yearOffset] (as TenderDemand has them). */
  cells: ArrayLike<number>;
  /** directGross per year offset of the term. */
  directGross: readonly Cents[];
}

/** One tender as funding needs it. */
export interface FundingTender {
  code: string;
  startYear: number;
  termYears: number;
  /** The tender's categories (lot order). */
  categoryCodes: readonly string[];
  /** Joint unit price (net) per category. */
  jointPrices: readonly Cents[];
  /** VAT rate per category. */
  vatRates: readonly ExactDecimal[];
  /** Participants, by code ascending. */
  participants: readonly FundingParticipant[];
}

export interface FundingOutcome {
  calculation: FundingCalculation;
  /** granted[t][participantIndex][yearOffset]: Σ over programmes, aligned with the inputs. */
  granted: Cents[][][];
}

interface CompiledProgramme {
  plan: PlanFundingProgramme;
  rate: ExactDecimal;
  cap: Cents | null;
  categories: ReadonlySet<string>;
  /** Remaining budget per partner code; undefined without budgets (unlimited). */
  remaining: Map<string, Cents> | undefined;
  granted: Map<string, Cents>;
}

/**
 * The funding per unit of each category of a tender under one programme, as numerators
 * over one common denominator (exact): min(rate × price × (1 + vat), cap).
 */
interface UnitFunding {
  denominator: bigint;
  /** Per tender category; null when the category is not eligible. */
  numerators: (bigint | null)[];
  /** Uncapped gross per unit (price × (1 + vat)) over `grossDenominator`, for display. */
  grossNumerators: (bigint | null)[];
  grossDenominator: bigint;
}

function unitFunding(programme: CompiledProgramme, tender: FundingTender): UnitFunding {
  const vatScale = tender.vatRates.reduce((max, r) => Math.max(max, r.scale), 0);
  const grossDenominator = pow10(vatScale);
  const denominator = pow10(programme.rate.scale) * grossDenominator;
  const numerators: (bigint | null)[] = [];
  const grossNumerators: (bigint | null)[] = [];
  tender.categoryCodes.forEach((code, c) => {
    if (!programme.categories.has(code)) {
      numerators.push(null);
      grossNumerators.push(null);
      return;
    }
    const vat = tender.vatRates[c];
    // price × (1 + vat) over 10^vatScale
    const gross =
      tender.jointPrices[c] * (grossDenominator + vat.units * pow10(vatScale - vat.scale));
    grossNumerators.push(gross);
    let numerator = programme.rate.units * gross;
    if (programme.cap !== null) {
      const capNumerator = programme.cap * denominator;
      if (capNumerator < numerator) numerator = capNumerator;
    }
    numerators.push(numerator);
  });
  return { denominator, numerators, grossNumerators, grossDenominator };
}

function min(a: Cents, b: Cents): Cents {
  return a < b ? a : b;
}

/**
 * §12 for every tender, participant, year and programme. `partnerCodes`: every partner
 * of the plan (the programme rows list them all, by code ascending).
 */
export function calculateFunding(
  programmes: readonly PlanFundingProgramme[],
  tenders: readonly FundingTender[],
  partnerCodes: readonly string[],
): FundingOutcome {
  const granted: Cents[][][] = tenders.map((tender) =>
    tender.participants.map(() => new Array<Cents>(tender.termYears).fill(0n)),
  );
  const compiled: CompiledProgramme[] = programmes.map((plan) => {
    let remaining: Map<string, Cents> | undefined;
    if (plan.budgets !== undefined) {
      remaining = new Map();
      for (const [code, amount] of Object.entries(plan.budgets))
        remaining.set(code, parseMoney(amount));
    }
    return {
      plan,
      rate: normalizeDecimal(parseDecimal(plan.rate)),
      cap: plan.maxPerUnitGross === undefined ? null : parseMoney(plan.maxPerUnitGross),
      categories: new Set(plan.categories),
      remaining,
      granted: new Map(),
    };
  });

  const grants: FundingGrant[] = [];
  if (compiled.length > 0) {
    // Unit funding per (tender, programme), only where some category is eligible.
    const units: (UnitFunding | null)[][] = tenders.map((tender) =>
      compiled.map((programme) =>
        tender.categoryCodes.some((code) => programme.categories.has(code))
          ? unitFunding(programme, tender)
          : null,
      ),
    );
    const years = new Set<number>();
    for (const tender of tenders)
      for (let y = 0; y < tender.termYears; y++) years.add(tender.startYear + y);
    const yearOrder = [...years].sort((a, b) => a - b);

    for (const year of yearOrder) {
      tenders.forEach((tender, t) => {
        const y = year - tender.startYear;
        if (y < 0 || y >= tender.termYears) return;
        compiled.forEach((programme, f) => {
          const unit = units[t][f];
          if (unit === null || year < programme.plan.fromYear || year > programme.plan.toYear)
            return;
          tender.participants.forEach((participant, i) => {
            let requestedNumerator = 0n;
            let grossNumerator = 0n;
            let eligibleQuantity = 0;
            for (let c = 0; c < unit.numerators.length; c++) {
              const numerator = unit.numerators[c];
              if (numerator === null) continue;
              const q = participant.cells[c * tender.termYears + y];
              if (q === 0) continue;
              const quantity = BigInt(q);
              eligibleQuantity += q;
              requestedNumerator += quantity * numerator;
              grossNumerator += quantity * unit.grossNumerators[c]!;
            }
            if (eligibleQuantity === 0) return;
            const requested = roundHalfAwayFromZero(requestedNumerator, unit.denominator);
            const alreadyGranted = granted[t][i][y];
            let amount = min(requested, participant.directGross[y] - alreadyGranted);
            let remainingAfter: Cents | null = null;
            if (programme.remaining !== undefined) {
              const left = programme.remaining.get(participant.code) ?? 0n;
              amount = min(amount, left);
              if (amount < 0n) amount = 0n;
              remainingAfter = left - amount;
              if (programme.remaining.has(participant.code))
                programme.remaining.set(participant.code, remainingAfter);
            }
            if (amount < 0n) amount = 0n;
            granted[t][i][y] = alreadyGranted + amount;
            programme.granted.set(
              participant.code,
              (programme.granted.get(participant.code) ?? 0n) + amount,
            );
            grants.push({
              programme: programme.plan.code,
              tender: tender.code,
              partner: participant.code,
              year,
              eligibleGross: roundHalfAwayFromZero(grossNumerator, unit.grossDenominator),
              requestedGross: requested,
              grantedGross: amount,
              remainingAfterGross: remainingAfter,
            });
          });
        });
      });
    }
  }

  const sortedCodes = [...partnerCodes].sort(compareCodes);
  const programmeRows: FundingProgrammeCalculation[] = compiled.map((programme) => ({
    code: programme.plan.code,
    name: programme.plan.name,
    rate: decimalToString(programme.rate),
    fromYear: programme.plan.fromYear,
    toYear: programme.plan.toYear,
    categories: [...programme.plan.categories],
    maxPerUnitGross: programme.cap,
    partners: sortedCodes.map((code) => {
      const grantedGross = programme.granted.get(code) ?? 0n;
      if (programme.remaining === undefined)
        return { code, budgetGross: null, grantedGross, remainingGross: null };
      const budgetText = programme.plan.budgets?.[code];
      const budgetGross = budgetText === undefined ? 0n : parseMoney(budgetText);
      return { code, budgetGross, grantedGross, remainingGross: budgetGross - grantedGross };
    }),
  }));
  return { calculation: { programmes: programmeRows, grants }, granted };
}
