// Largest remainder method (Hare–Niemeyer) in whole cents, CALCULATION.md §5.
// Like dinero.js `allocate`, but with exact tie-breaking: equal remainders go to the
// smaller code in plain character order (never localeCompare).

export interface AllocationShare {
  code: string;
  /** Integer weight (decimal weights are scaled by a common power of ten first). */
  weight: bigint;
  /** Exact share in cents is exactNumerator / weightSum. */
  exactNumerator: bigint;
  floorCents: bigint;
  /** 1n when this share received one of the cents left over after flooring, else 0n. */
  remainderCents: bigint;
  cents: bigint;
}

export interface Allocation {
  amountCents: bigint;
  weightSum: bigint;
  /** In the order the weights were given. */
  shares: AllocationShare[];
}

export class AllocationError extends Error {
  override name = "AllocationError";
}

export function compareCodes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Splits amountCents (>= 0) by integer weights (>= 0, sum > 0) so that the shares
 * add up to the amount exactly; each share is floor or floor + 1 of its exact share.
 */
export function allocateLargestRemainder(
  amountCents: bigint,
  weights: ReadonlyMap<string, bigint> | Readonly<Record<string, bigint>>,
): Allocation {
  const entries: [string, bigint][] =
    weights instanceof Map ? [...weights] : Object.entries(weights);
  if (amountCents < 0n) throw new AllocationError("Amount must not be negative");
  let weightSum = 0n;
  for (const [code, weight] of entries) {
    if (weight < 0n) throw new AllocationError(`Negative weight for ${code}`);
    weightSum += weight;
  }
  if (weightSum === 0n) throw new AllocationError("Weights sum to 0");

  let given = 0n;
  const shares: AllocationShare[] = entries.map(([code, weight]) => {
    const exactNumerator = amountCents * weight;
    const floorCents = exactNumerator / weightSum; // both non-negative: truncation is floor
    given += floorCents;
    return { code, weight, exactNumerator, floorCents, remainderCents: 0n, cents: floorCents };
  });

  // Fewer cents are left than shares with a fractional part, so one each suffices.
  let leftover = amountCents - given;
  if (leftover > 0n) {
    const byRemainder = shares
      .map((share) => ({ share, remainder: share.exactNumerator % weightSum }))
      .sort((a, b) =>
        a.remainder !== b.remainder
          ? a.remainder > b.remainder
            ? -1
            : 1
          : compareCodes(a.share.code, b.share.code),
      );
    for (const { share } of byRemainder) {
      if (leftover === 0n) break;
      share.remainderCents = 1n;
      share.cents += 1n;
      leftover -= 1n;
    }
  }
  return { amountCents, weightSum, shares };
}
