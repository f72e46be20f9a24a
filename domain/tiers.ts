// Volume tiers (CALCULATION.md §3): all-units discounts; the tier with the largest
// minQuantity <= n applies to every unit; below the smallest tier the discount is 0.

import type { PlanTier } from "./plan";
import {
  decimalToString,
  oneMinus,
  parseDecimal,
  ZERO_DECIMAL,
  type ExactDecimal,
} from "./decimal";
import { multiplyRounded, type Cents } from "./money";

export interface Tier {
  minQuantity: number;
  discount: ExactDecimal;
}

/** Tiers sorted by minQuantity descending, so the first match is the one that applies. */
export type TierTable = readonly Tier[];

export function compileTiers(tiers: readonly PlanTier[] | undefined): TierTable {
  return (tiers ?? [])
    .map((t) => ({ minQuantity: t.minQuantity, discount: parseDecimal(t.discount) }))
    .sort((a, b) => b.minQuantity - a.minQuantity);
}

/** The applicable tier for a quantity, or undefined when none applies. */
export function tierFor(table: TierTable, quantity: number): Tier | undefined {
  for (const tier of table) if (tier.minQuantity <= quantity) return tier;
  return undefined;
}

export interface TierPrice {
  /** minQuantity of the applied tier, 0 when none applies. */
  tierMinQuantity: number;
  discount: ExactDecimal;
  /** Canonical decimal text of the discount ("0.085", "0"). */
  discountText: string;
  unitPriceNet: Cents;
}

/** Unit price for a quantity: round(base × (1 − d(n))), commercially rounded to cents. */
export function unitPriceFor(basePriceNet: Cents, table: TierTable, quantity: number): TierPrice {
  const tier = tierFor(table, quantity);
  const discount = tier ? tier.discount : ZERO_DECIMAL;
  return {
    tierMinQuantity: tier ? tier.minQuantity : 0,
    discount,
    discountText: decimalToString(discount),
    unitPriceNet: multiplyRounded(basePriceNet, oneMinus(discount)),
  };
}
