// Savings breakdown for committees: better tier prices versus avoided procedures.
// Both parts are exact differences of cents, so they add up to savingsGross exactly.

import type { SavingsBreakdown } from "./calculation";
import type { Cents } from "./money";

export interface SavingsInputs {
  soloDirectGross: Cents;
  directGross: Cents;
  /** Number of own procedures avoided (participants, or 1 for a single partner). */
  procedures: number;
  soloProcessCostGross: Cents;
  commonCosts: Cents;
}

export function savingsBreakdown(input: SavingsInputs): SavingsBreakdown {
  const tierSavings = input.soloDirectGross - input.directGross;
  const soloProcessCostsAvoided = BigInt(input.procedures) * input.soloProcessCostGross;
  const procedureSavings = soloProcessCostsAvoided - input.commonCosts;
  return {
    soloDirectGross: input.soloDirectGross,
    directGross: input.directGross,
    tierSavings,
    soloProcessCostsAvoided,
    commonCosts: input.commonCosts,
    procedureSavings,
    savingsGross: tierSavings + procedureSavings,
  };
}
