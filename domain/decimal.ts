// Exact decimals for rates, discounts, reserve, quotas and weights.
// A decimal string "0.085" becomes units 85n at scale 3 (value = units / 10^scale),
// so every product and comparison stays exact; no floats, no decimal.js in hot loops.

export interface ExactDecimal {
  readonly units: bigint;
  readonly scale: number;
}

/** Plan decimal syntax (CALCULATION.md §7): digits, optionally a point and more digits. */
export const DECIMAL_PATTERN = /^\d+(?:\.\d+)?$/;

const POWERS_OF_TEN: bigint[] = [1n];

/** 10^n as bigint (cached; scales are small). */
export function pow10(n: number): bigint {
  for (let i = POWERS_OF_TEN.length; i <= n; i++) POWERS_OF_TEN.push(POWERS_OF_TEN[i - 1] * 10n);
  return POWERS_OF_TEN[n];
}

export const ZERO_DECIMAL: ExactDecimal = { units: 0n, scale: 0 };

/** Parses a plan decimal string exactly; throws on anything else (validate first). */
export function parseDecimal(text: string): ExactDecimal {
  if (!DECIMAL_PATTERN.test(text)) throw new Error(`Not a decimal string: ${JSON.stringify(text)}`);
  const point = text.indexOf(".");
  if (point < 0) return { units: BigInt(text), scale: 0 };
  const fraction = text.slice(point + 1);
  return { units: BigInt(text.slice(0, point) + fraction), scale: fraction.length };
}

/** The same value with trailing zeros removed, so equal values compare equal as keys. */
export function normalizeDecimal(d: ExactDecimal): ExactDecimal {
  let { units, scale } = d;
  while (scale > 0 && units % 10n === 0n) {
    units /= 10n;
    scale--;
  }
  return { units, scale };
}

/** Canonical text: "0.19" for 0.190, "1" for 1.0, "0" for 0.000. */
export function decimalToString(d: ExactDecimal): string {
  const { units, scale } = normalizeDecimal(d);
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, "0");
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale);
  return (negative ? "-" : "") + whole + (scale > 0 ? "." + fraction : "");
}

/** Units of d expressed at a larger (or equal) scale. */
export function unitsAtScale(d: ExactDecimal, scale: number): bigint {
  if (scale < d.scale)
    throw new Error("unitsAtScale: target scale smaller than the decimal's scale");
  return d.units * pow10(scale - d.scale);
}

export function compareDecimal(a: ExactDecimal, b: ExactDecimal): -1 | 0 | 1 {
  const scale = Math.max(a.scale, b.scale);
  const x = unitsAtScale(a, scale);
  const y = unitsAtScale(b, scale);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** 1 - d, exactly (used for discounts: price factor). */
export function oneMinus(d: ExactDecimal): ExactDecimal {
  return { units: pow10(d.scale) - d.units, scale: d.scale };
}

/** 1 + d, exactly (used for the reserve). */
export function onePlus(d: ExactDecimal): ExactDecimal {
  return { units: pow10(d.scale) + d.units, scale: d.scale };
}

/**
 * Scales decimals to integers by one common power of ten, keeping their ratios exact:
 * 0.5 and 2 → 5n and 20n. Used for custom allocation weights.
 */
export function scaleToIntegers(values: readonly ExactDecimal[]): bigint[] {
  const scale = values.reduce((max, d) => Math.max(max, d.scale), 0);
  return values.map((d) => unitsAtScale(d, scale));
}
