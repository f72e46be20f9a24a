// Allocation weights per key (CALCULATION.md §5), as exact integers for the
// largest remainder method plus the exact display text of each weight.

import type { CostKey, PlanCommonCost } from "./plan";
import { decimalToString, parseDecimal, scaleToIntegers, ZERO_DECIMAL } from "./decimal";
import { formatMoney, type Cents } from "./money";

export interface ParticipantFacts {
  code: string;
  /** directNet over the term (key "volume"). */
  directNet: Cents;
  /** Total quantity in the tender (key "quantity"). */
  quantity: number;
  /** Σ pupils of all its schools (key "pupils"). */
  pupils: bigint;
  population: number;
}

export interface CostWeights {
  /** Integer weights aligned with the participants; ratios are exact. */
  weights: bigint[];
  /** Display text of each weight, in the key's own unit. */
  texts: string[];
  sumText: string;
}

/** Integer weights for one key; for "custom" a missing participant weighs 0. */
export function costWeights(
  cost: PlanCommonCost,
  participants: readonly ParticipantFacts[],
): CostWeights {
  const key = cost.key;
  if (key === "custom") {
    const decimals = participants.map((p) => {
      const text = cost.weights?.[p.code];
      return text === undefined ? ZERO_DECIMAL : parseDecimal(text);
    });
    const weights = scaleToIntegers(decimals);
    const scale = decimals.reduce((max, d) => Math.max(max, d.scale), 0);
    const sum = weights.reduce((a, b) => a + b, 0n);
    return {
      weights,
      texts: decimals.map(decimalToString),
      sumText: decimalToString({ units: sum, scale }),
    };
  }
  const weights = participants.map((p) => integerWeight(key, p));
  const sum = weights.reduce((a, b) => a + b, 0n);
  const text = key === "volume" ? formatMoney : (w: bigint) => w.toString();
  return { weights, texts: weights.map(text), sumText: text(sum) };
}

function integerWeight(key: Exclude<CostKey, "custom">, p: ParticipantFacts): bigint {
  switch (key) {
    case "volume":
      return p.directNet;
    case "quantity":
      return BigInt(p.quantity);
    case "pupils":
      return p.pupils;
    case "population":
      return BigInt(p.population);
    case "equal":
      return 1n;
  }
}
