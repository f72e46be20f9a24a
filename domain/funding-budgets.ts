// Budgets of a funding programme per partner (CALCULATION.md §12), computed once
// from a formula the coordinator picks; the result is shown editable before saving
// and stored as plain amounts (the formula is not plan data). Exact: integer cents
// and bigint arithmetic, the one rounding is named where it happens.
import { allocateLargestRemainder } from "./allocate";
import type { Cents } from "./money";
import { roundHalfAwayFromZero } from "./money";
import { parseDecimal, pow10 } from "./decimal";

export const BUDGET_FORMULAS = ["perPupil", "perInhabitant", "fixed", "totalByPupils"] as const;
export type BudgetFormula = (typeof BUDGET_FORMULAS)[number];

/** German labels for the formula choice. */
export const BUDGET_FORMULA_LABELS: Record<BudgetFormula, string> = {
  perPupil: "Betrag je Schülerin/Schüler",
  perInhabitant: "Betrag je Einwohnerin/Einwohner",
  fixed: "Fester Betrag je Partner",
  totalByPupils: "Gesamtbetrag nach Schülerzahl verteilen",
};

export interface BudgetBasis {
  code: string;
  /** Sum of the partner's schools' pupils. */
  pupils: number;
  population: number;
}

/**
 * The budget of every partner in the order given.
 * - perPupil / perInhabitant: `round(count × amount)`, commercial rounding to whole
 *   cents (half away from zero), once per partner; `amount` is a plan decimal in euros
 *   with up to four decimals ("12.5", "0.125").
 * - fixed: `amount` (whole cents) for every partner.
 * - totalByPupils: `amount` (whole cents) split by pupils with the largest remainder
 *   method of §5, so the budgets add up to the total exactly; with no pupils at all,
 *   every budget is 0.
 */
export function computeBudgets(
  formula: BudgetFormula,
  amountEuro: string,
  partners: readonly BudgetBasis[],
): Map<string, Cents> {
  const amount = parseDecimal(amountEuro);
  // amount in cents as numerator / denominator (exact).
  const numerator = amount.units * 100n;
  const denominator = pow10(amount.scale);
  const budgets = new Map<string, Cents>();
  switch (formula) {
    case "perPupil":
    case "perInhabitant":
      for (const p of partners) {
        const count = BigInt(formula === "perPupil" ? p.pupils : p.population);
        budgets.set(p.code, roundHalfAwayFromZero(count * numerator, denominator));
      }
      return budgets;
    case "fixed":
    case "totalByPupils": {
      if (numerator % denominator !== 0n) {
        throw new RangeError("fixed and total amounts are whole cents");
      }
      const cents = numerator / denominator;
      if (formula === "fixed") {
        for (const p of partners) budgets.set(p.code, cents);
        return budgets;
      }
      const weights = new Map(partners.map((p) => [p.code, BigInt(p.pupils)] as const));
      const sum = [...weights.values()].reduce((a, b) => a + b, 0n);
      if (sum === 0n) {
        for (const p of partners) budgets.set(p.code, 0n);
        return budgets;
      }
      for (const share of allocateLargestRemainder(cents, weights).shares) {
        budgets.set(share.code, share.cents);
      }
      return budgets;
    }
  }
}

/** The year up to which a device funded in `lastFundedYear` stays bound to its purpose. */
export const PURPOSE_BINDING_YEARS = 5;
export function purposeBoundUntil(lastFundedYear: number): number {
  return lastFundedYear + PURPOSE_BINDING_YEARS;
}
