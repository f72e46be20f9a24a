// Framework quantities, estimated contract value and thresholds (CALCULATION.md §6).

import { onePlus, pow10, type ExactDecimal } from "./decimal";
import { divCeil, type Cents } from "./money";
import { compareCodes } from "./allocate";

/** maxQuantity = ceil(Q × (1 + reserve)), exactly. */
export function maxQuantity(quantity: number, reserve: ExactDecimal): number {
  const factor = onePlus(reserve);
  return Number(divCeil(BigInt(quantity) * factor.units, pow10(factor.scale)));
}

export function euProcedureRequired(estimatedValueNet: Cents, euThresholdNet: Cents): boolean {
  return estimatedValueNet >= euThresholdNet;
}

export interface LotValue {
  code: string;
  estimatedValueNet: Cents;
}

/**
 * Small-lot exemption (§3 (9) VgV), only where an EU procedure is required: lots
 * below the limit in ascending value (ties: code ascending) are marked while the
 * running sum stays <= quota × total; the first lot that does not fit stops it.
 * Returns the exempt lot codes.
 */
export function smallLotExemptions(
  lots: readonly LotValue[],
  total: Cents,
  smallLotLimitNet: Cents,
  smallLotQuota: ExactDecimal,
): Set<string> {
  const exempt = new Set<string>();
  const candidates = lots
    .filter((lot) => lot.estimatedValueNet < smallLotLimitNet)
    .sort((a, b) =>
      a.estimatedValueNet !== b.estimatedValueNet
        ? a.estimatedValueNet < b.estimatedValueNet
          ? -1
          : 1
        : compareCodes(a.code, b.code),
    );
  // running <= quota × total  ⇔  running × 10^s <= quotaUnits × total (exact)
  const scale = pow10(smallLotQuota.scale);
  const allowed = smallLotQuota.units * total;
  let running = 0n;
  for (const lot of candidates) {
    if ((running + lot.estimatedValueNet) * scale > allowed) break;
    running += lot.estimatedValueNet;
    exempt.add(lot.code);
  }
  return exempt;
}
