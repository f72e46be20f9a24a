// Percentages the committee reads: a part of a whole in per mille (one decimal of a
// percent), from exact cents. The one rounding is named: half away from zero.
import { roundHalfAwayFromZero, type Cents } from "./money";

/**
 * part / whole × 1000, rounded half away from zero (73n = 7,3 %); null when the whole is
 * not positive (nothing to compare with).
 */
export function permilleOf(part: Cents, whole: Cents): bigint | null {
  return whole > 0n ? roundHalfAwayFromZero(part * 1000n, whole) : null;
}
