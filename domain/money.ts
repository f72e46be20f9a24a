// Money is whole cents as bigint everywhere in the engine and in its rich result:
// sums over many lines and large prices may pass 2^53, where numbers lose cents.
// Rounding happens only in the named functions below.

import { pow10, type ExactDecimal } from "./decimal";

export type Cents = bigint;

/** Plan money syntax: digits with at most two decimals (CALCULATION.md §7). */
export const MONEY_PATTERN = /^\d+(?:\.\d{1,2})?$/;

/** "520.00" → 52000n, "12.5" → 1250n, "7" → 700n. Throws on anything else (validate first). */
export function parseMoney(text: string): Cents {
  if (!MONEY_PATTERN.test(text)) throw new Error(`Not a money string: ${JSON.stringify(text)}`);
  const point = text.indexOf(".");
  if (point < 0) return BigInt(text) * 100n;
  const fraction = text.slice(point + 1).padEnd(2, "0");
  return BigInt(text.slice(0, point)) * 100n + BigInt(fraction);
}

/**
 * Commercial rounding (kaufmännisch) of numerator/denominator to a whole number:
 * half away from zero, exactly. Denominator must be positive.
 */
export function roundHalfAwayFromZero(numerator: bigint, denominator: bigint): bigint {
  if (denominator <= 0n)
    throw new RangeError("roundHalfAwayFromZero: denominator must be positive");
  const negative = numerator < 0n;
  const magnitude = negative ? -numerator : numerator;
  // floor(|n|/d + 1/2) = floor((2|n| + d) / 2d)
  const rounded = (2n * magnitude + denominator) / (2n * denominator);
  return negative ? -rounded : rounded;
}

/** floor(n / d) for d > 0 (bigint division truncates towards zero). */
export function divFloor(numerator: bigint, denominator: bigint): bigint {
  const q = numerator / denominator;
  return numerator % denominator !== 0n && numerator < 0n !== denominator < 0n ? q - 1n : q;
}

/** ceil(n / d) for d > 0. */
export function divCeil(numerator: bigint, denominator: bigint): bigint {
  return -divFloor(-numerator, denominator);
}

/** cents × rate, commercially rounded to whole cents (e.g. VAT, discounted prices). */
export function multiplyRounded(cents: Cents, rate: ExactDecimal): Cents {
  return roundHalfAwayFromZero(cents * rate.units, pow10(rate.scale));
}

/** For files: "1234.50", "-0.05", "0.00" (exactly two decimals, "-" when negative). */
export function formatMoney(cents: Cents): string {
  const negative = cents < 0n;
  const magnitude = negative ? -cents : cents;
  const euros = magnitude / 100n;
  const rest = magnitude % 100n;
  return `${negative ? "-" : ""}${euros}.${rest < 10n ? "0" : ""}${rest}`;
}

const GERMAN_INTEGER = new Intl.NumberFormat("de-DE", {
  useGrouping: true,
  maximumFractionDigits: 0,
});

/**
 * For the UI in de-DE: "1.234,50 €", "-0,05 €" (plain space before €). The euros are
 * grouped by Intl on the bigint integer part; the cents are appended as digits, so
 * no float ever touches the amount.
 */
export function formatEuro(cents: Cents): string {
  const negative = cents < 0n;
  const magnitude = negative ? -cents : cents;
  const rest = magnitude % 100n;
  return `${negative ? "-" : ""}${GERMAN_INTEGER.format(magnitude / 100n)},${rest < 10n ? "0" : ""}${rest} €`;
}
