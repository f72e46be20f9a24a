// Strict parsers for numbers typed in German forms ("7.500,00", "6,5").
// Pure string arithmetic: no floats ever touch a value. A parser either gives the
// exact value or a German message; it never guesses (for example "7.50" is refused,
// because a German reader means seven thousand five hundred or made a typo).
import Decimal from "decimal.js";

export type ParseOutcome<T> = { ok: true; value: T } | { ok: false; message: string };

// Integer part: plain digits, or 1–3 digits followed by groups of ".ddd".
// Fraction: a comma and at least one digit.
const GERMAN_NUMBER = /^(\d+|\d{1,3}(?:\.\d{3})+)(?:,(\d+))?$/;

/** Trims, drops a trailing "€" or "%" (with or without space) and normalises odd spaces. */
function clean(text: string, suffix: "€" | "%"): string {
  const normalised = text.replace(/[\u00a0\u202f]/g, " ").trim();
  return normalised.endsWith(suffix) ? normalised.slice(0, -1).trimEnd() : normalised;
}

interface GermanDecimalParts {
  integer: string;
  fraction: string;
}

function splitGermanNumber(text: string): GermanDecimalParts | undefined {
  const match = GERMAN_NUMBER.exec(text);
  if (!match) return undefined;
  return { integer: match[1].replace(/\./g, ""), fraction: match[2] ?? "" };
}

/**
 * "7.500,00", "7500,00", "7500", "0,5 €" → cents as bigint (750000n, 750000n, 750000n, 50n).
 * At most two decimals; no sign; thousands dots only in groups of three.
 */
export function parseGermanMoney(text: string): ParseOutcome<bigint> {
  const cleaned = clean(text, "€");
  if (cleaned === "") return { ok: false, message: "Bitte einen Betrag eingeben." };
  if (cleaned.startsWith("-")) return { ok: false, message: "Der Betrag darf nicht negativ sein." };
  const parts = splitGermanNumber(cleaned);
  if (!parts) {
    return { ok: false, message: "Bitte einen Betrag wie 7.500,00 eingeben (Komma vor den Cent)." };
  }
  if (parts.fraction.length > 2) {
    return { ok: false, message: "Höchstens zwei Nachkommastellen (Cent) eingeben." };
  }
  const cents = BigInt(parts.integer) * 100n + BigInt(parts.fraction.padEnd(2, "0"));
  if (cents > BigInt(Number.MAX_SAFE_INTEGER))
    return { ok: false, message: "Der Betrag ist zu groß." };
  return { ok: true, value: cents };
}

export interface WholeNumberOptions {
  /** Smallest allowed value; default 0. */
  min?: number;
  /** Largest allowed value; default Number.MAX_SAFE_INTEGER. */
  max?: number;
  /** The value of an empty field; without it an empty field is refused. */
  empty?: number;
  /** Message for an empty field, a value below `min`, and anything that is no number. */
  message?: string;
  /** Message for a value below `min`, when it should differ from `message`. */
  belowMin?: string;
}

const WHOLE_NUMBER = /^(\d+|\d{1,3}(?:\.\d{3})+)$/;

/**
 * The one parser for every quantity a user types (demand cells, template text cells,
 * call-offs, maximum quantities, tier thresholds): "1000", "1.000" and "12.345.678"
 * are whole numbers with German thousands dots; "1.00", "1.0000", "1,5", "-3" are
 * refused with a German message, never read as 1 (as `Number("1.000")` would).
 */
export function parseGermanWholeNumber(
  text: string,
  options: WholeNumberOptions = {},
): ParseOutcome<number> {
  const min = options.min ?? 0;
  const max = options.max ?? Number.MAX_SAFE_INTEGER;
  const general =
    options.message ?? `Bitte eine ganze Zahl ab ${groupThousands(String(min))} eingeben.`;
  const cleaned = text.replace(/[\u00a0\u202f ]/g, "").trim();
  if (cleaned === "") {
    return options.empty !== undefined
      ? { ok: true, value: options.empty }
      : { ok: false, message: general };
  }
  if (/^[-\u2212]\s*\d/.test(cleaned))
    return { ok: false, message: "Keine negativen Mengen: bitte 0 oder mehr eingeben." };
  if (!WHOLE_NUMBER.test(cleaned)) {
    if (/^\d+(?:[.,]\d+)+$/.test(cleaned))
      return {
        ok: false,
        message:
          "Bitte eine ganze Zahl ohne Nachkommastellen eingeben (Tausenderpunkt wie in 1.000).",
      };
    return { ok: false, message: general };
  }
  const digits = cleaned.replace(/\./g, "");
  // Compare as digit strings first: a huge input must not round on its way to a number.
  const value = digits.length > 16 ? Infinity : Number(digits);
  if (value > max)
    return { ok: false, message: `Höchstens ${groupThousands(String(max))} eingeben.` };
  if (value < min) return { ok: false, message: options.belowMin ?? general };
  return { ok: true, value };
}

export interface DecimalOptions {
  /** Most digits after the comma; default 6. */
  maxDecimals?: number;
}

/**
 * A non-negative German decimal ("1,5", "1.000", "60") → a plan decimal string
 * ("1.5", "1000", "60"), as CALCULATION.md §7 writes rates and weights.
 */
export function parseGermanDecimal(
  text: string,
  options: DecimalOptions = {},
): ParseOutcome<string> {
  const maxDecimals = options.maxDecimals ?? 6;
  const cleaned = clean(text, "%");
  if (cleaned === "") return { ok: false, message: "Bitte eine Zahl eingeben." };
  if (cleaned.startsWith("-")) return { ok: false, message: "Die Zahl darf nicht negativ sein." };
  const parts = splitGermanNumber(cleaned);
  if (!parts)
    return {
      ok: false,
      message: "Bitte eine Zahl wie 12,5 eingeben (Komma als Dezimaltrennzeichen).",
    };
  if (parts.fraction.length > maxDecimals) {
    return { ok: false, message: `Höchstens ${maxDecimals} Nachkommastellen eingeben.` };
  }
  const integer = parts.integer.replace(/^0+(?=\d)/, "");
  return { ok: true, value: parts.fraction ? `${integer}.${parts.fraction}` : integer };
}

export interface PercentOptions {
  /** Largest allowed percentage, e.g. 100 for a reserve (≤ 1). */
  max: number;
  /** Whether `max` itself is allowed (a discount must stay below 100 %). */
  maxInclusive: boolean;
}

/**
 * "6,5" or "6,5 %" → the fraction "0.065" (exact decimal division by 100).
 * Up to four decimals in percent, i.e. six in the fraction.
 */
export function parseGermanPercent(text: string, options: PercentOptions): ParseOutcome<string> {
  const parsed = parseGermanDecimal(text, { maxDecimals: 4 });
  if (!parsed.ok) return parsed;
  const percent = new Decimal(parsed.value);
  const tooLarge = options.maxInclusive
    ? percent.greaterThan(options.max)
    : percent.greaterThanOrEqualTo(options.max);
  if (tooLarge) {
    const limit = `${options.max} %`;
    return {
      ok: false,
      message: options.maxInclusive
        ? `Höchstens ${limit} eingeben.`
        : `Der Wert muss unter ${limit} liegen.`,
    };
  }
  return { ok: true, value: percent.dividedBy(100).toFixed() };
}

// ---- The other direction: values back into form fields -----------------------

function groupThousands(integer: string): string {
  return integer.replace(/\B(?=(\d{3})+(?!\d))/g, ".");
}

/** 750000n → "7.500,00" (for an input's default value; no "€"). */
export function centsToGermanInput(cents: bigint | number): string {
  const value = BigInt(cents);
  const sign = value < 0n ? "-" : "";
  const abs = value < 0n ? -value : value;
  const euros = (abs / 100n).toString();
  const rest = (abs % 100n).toString().padStart(2, "0");
  return `${sign}${groupThousands(euros)},${rest}`;
}

/** A plan decimal ("1.5", "60") → "1,5", "60" (no grouping: weights and rates are short). */
export function decimalToGermanInput(value: string): string {
  return value.replace(".", ",");
}

/** The fraction "0.065" → "6,5" (percent, exact). */
export function fractionToGermanPercentInput(fraction: string): string {
  return decimalToGermanInput(new Decimal(fraction).times(100).toFixed());
}
