import Decimal from "decimal.js";

// de-DE display formats. Money arrives as integer cents and is formatted with integer
// arithmetic only; nothing here rounds.

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ".");
}

function toBigInt(value: number | bigint, what: string): bigint {
  if (typeof value === "bigint") return value;
  if (!Number.isSafeInteger(value)) throw new Error(`${what} must be a safe integer, got ${value}`);
  return BigInt(value);
}

/** 123456 → "1.234,56 €"; -5 → "-0,05 €". */
export function formatCents(cents: number | bigint): string {
  const value = toBigInt(cents, "Cents");
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const euros = abs / 100n;
  const rest = abs % 100n;
  return `${negative ? "-" : ""}${groupThousands(euros.toString())},${rest.toString().padStart(2, "0")} €`;
}

/** 12345 → "12.345". */
export function formatInteger(value: number | bigint): string {
  const n = toBigInt(value, "Value");
  return (n < 0n ? "-" : "") + groupThousands((n < 0n ? -n : n).toString());
}

/** A decimal fraction as percent: "0.1" → "10 %", "0.125" → "12,5 %". */
export function formatPercent(fraction: string): string {
  return `${new Decimal(fraction).times(100).toFixed().replace(".", ",")} %`;
}

/** A decimal string in German notation: "1.5" → "1,5". */
export function formatDecimal(value: string): string {
  const [whole, fraction] = new Decimal(value).toFixed().split(".");
  const sign = whole.startsWith("-") ? "-" : "";
  const grouped = groupThousands(whole.replace("-", ""));
  return fraction ? `${sign}${grouped},${fraction}` : `${sign}${grouped}`;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const BERLIN_DATE = new Intl.DateTimeFormat("de-DE", {
  timeZone: "Europe/Berlin",
  day: "2-digit",
  month: "2-digit",
  year: "numeric",
});
const BERLIN_DATE_TIME = new Intl.DateTimeFormat("de-DE", {
  timeZone: "Europe/Berlin",
  day: "2-digit",
  month: "2-digit",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});

/** "2026-11-28" → "28.11.2026"; a full timestamp is shown as its date in Germany. */
export function formatDate(value: string): string {
  const match = ISO_DATE.exec(value);
  if (match) return `${match[3]}.${match[2]}.${match[1]}`;
  return BERLIN_DATE.format(new Date(value));
}

/** An ISO timestamp as German local time: "28.11.2026, 14:05". */
export function formatDateTime(value: string): string {
  return BERLIN_DATE_TIME.format(new Date(value));
}

const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/;

/**
 * The demand deadline setting: an ISO date ("2026-11-28" → "28.11.2026") or Berlin
 * wall-clock time ("2027-03-31T18:00" → "31.03.2027, 18:00 Uhr"); anything else as is.
 */
export function formatDeadline(value: string): string {
  if (ISO_DATE.test(value)) return formatDate(value);
  const match = LOCAL_DATE_TIME.exec(value);
  if (match) return `${match[3]}.${match[2]}.${match[1]}, ${match[4]}:${match[5]} Uhr`;
  return value;
}
