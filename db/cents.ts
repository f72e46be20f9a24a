// Exact conversion between plan money strings ("520.00", "12.5", "12") and integer
// cents as stored in the database. String arithmetic only: no floats, no rounding.

const MONEY_PATTERN = /^(\d+)(?:\.(\d{1,2}))?$/;

/** "520.00" → 52000. Throws on a sign, an exponent, more than two decimals or an unsafe size. */
export function centsFromMoneyString(value: string): number {
  const match = MONEY_PATTERN.exec(value);
  if (!match) throw new Error(`Ungültiger Geldbetrag: "${value}" (erwartet z. B. "520.00")`);
  const [, euros, fraction = ""] = match;
  const cents = BigInt(euros) * 100n + BigInt(fraction.padEnd(2, "0"));
  if (cents > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`Geldbetrag zu groß: "${value}"`);
  return Number(cents);
}

/** 52000 → "520.00"; negative amounts get a leading "-". */
export function moneyStringFromCents(cents: number): string {
  if (!Number.isSafeInteger(cents)) throw new Error(`Kein ganzzahliger Centbetrag: ${cents}`);
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(cents);
  const rest = abs % 100;
  const euros = (abs - rest) / 100; // exact: an integer multiple of 100 divided by 100
  return `${sign}${euros}.${String(rest).padStart(2, "0")}`;
}

/** Non-negative bigint cents as the INTEGER columns store them; throws beyond JavaScript's safe integers. */
export function storedCents(cents: bigint): number {
  if (cents < 0n || cents > BigInt(Number.MAX_SAFE_INTEGER))
    throw new RangeError(`cents out of range: ${cents}`);
  return Number(cents);
}
