// After the award: framework agreements with maximum quantities and the call-offs
// (Abrufe) of the partners against them. A framework agreement loses its effect once
// its maximum is reached (CJEU C-23/20), so every call-off is checked against what is
// left, and the coordinator is warned well before (80 % and 95 % use).
// Pure rules and form schemas; storage is db/awards.ts and db/call-offs.ts.
import { z } from "zod";
import { parseDecimal } from "./decimal";
import { moneyField, wholeNumberField } from "./tender-form";
import { maxQuantity } from "./thresholds";

// ---- Use of the maximum quantity -------------------------------------------------

export interface QuantityUse {
  /** The maximum quantity the framework agreement states (frozen with the award). */
  maxQuantity: number;
  /** Called off so far, all partners. */
  calledOff: number;
}

/** Use at or above these percentages raises a warning / a critical warning. */
export const USAGE_WARNING_PERCENT = 80;
export const USAGE_CRITICAL_PERCENT = 95;

export type UsageLevel = "ok" | "warning" | "critical" | "exhausted";

export const USAGE_LEVEL_LABELS: Record<UsageLevel, string> = {
  ok: "im Rahmen",
  warning: `ab ${USAGE_WARNING_PERCENT} % ausgeschöpft`,
  critical: `ab ${USAGE_CRITICAL_PERCENT} % ausgeschöpft`,
  exhausted: "Höchstmenge erreicht",
};

/** What may still be called off; never negative. */
export function remainingQuantity(use: QuantityUse): number {
  return Math.max(0, use.maxQuantity - use.calledOff);
}

/**
 * The warning level, compared exactly in integers (calledOff × 100 ≥ p × max), so
 * 79.99 % is no warning yet and 80 % is. A maximum of 0 leaves nothing: exhausted.
 */
export function usageLevel(use: QuantityUse): UsageLevel {
  if (remainingQuantity(use) === 0) return "exhausted";
  const scaled = use.calledOff * 100;
  if (scaled >= USAGE_CRITICAL_PERCENT * use.maxQuantity) return "critical";
  if (scaled >= USAGE_WARNING_PERCENT * use.maxQuantity) return "warning";
  return "ok";
}

/** The worst of several levels (for one badge per tender). */
export function worstUsageLevel(levels: Iterable<UsageLevel>): UsageLevel {
  const order: UsageLevel[] = ["ok", "warning", "critical", "exhausted"];
  let worst = 0;
  for (const level of levels) worst = Math.max(worst, order.indexOf(level));
  return order[worst];
}

/**
 * Use in tenths of a percent, rounded DOWN, so the figure shown never reaches a
 * threshold the warning has not reached (79,9 % rather than 80,0 %). null for max 0.
 */
export function usagePerMille(use: QuantityUse): number | null {
  if (use.maxQuantity <= 0) return null;
  return Math.floor((use.calledOff * 1000) / use.maxQuantity);
}

const GERMAN_INTEGER = new Intl.NumberFormat("de-DE", {
  useGrouping: true,
  maximumFractionDigits: 0,
});

/** 812 → "81,2 %". */
export function formatPerMille(perMille: number): string {
  return `${GERMAN_INTEGER.format(Math.floor(perMille / 10))},${perMille % 10} %`;
}

export function exceedsMaximumMessage(remaining: number, unit = "Stück"): string {
  return `Abruf überschreitet die Höchstmenge: noch ${GERMAN_INTEGER.format(remaining)} ${unit} verfügbar.`;
}

/** null when the quantity fits into what is left, else the German refusal. */
export function callOffQuantityProblem(
  quantity: number,
  use: QuantityUse,
  unit?: string,
): string | null {
  const remaining = remainingQuantity(use);
  return quantity > remaining ? exceedsMaximumMessage(remaining, unit) : null;
}

// ---- Dates -------------------------------------------------------------------------

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real calendar date in ISO form ("2027-02-30" is not). */
export function isIsoDate(text: string): boolean {
  const match = ISO_DATE.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return (
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
  );
}

/** Today's date in Germany as "YYYY-MM-DD" (the server may run in UTC). */
export function berlinToday(now: Date = new Date()): string {
  // en-CA formats as YYYY-MM-DD.
  return new Intl.DateTimeFormat("en-CA", {
    timeZone: "Europe/Berlin",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(now);
}

/** "2027-03-01" → "01.03.2027". */
export function germanDate(iso: string): string {
  const match = ISO_DATE.exec(iso);
  return match ? `${match[3]}.${match[2]}.${match[1]}` : iso;
}

export function isoDateField(requiredMessage: string) {
  return z
    .string({ error: requiredMessage })
    .trim()
    .refine(isIsoDate, { error: "Bitte ein gültiges Datum angeben (TT.MM.JJJJ)." });
}

export interface CallOffPeriod {
  startYear: number;
  termYears: number;
  /** ISO date of the award. */
  awardDate: string;
}

export function lastYear(period: Pick<CallOffPeriod, "startYear" | "termYears">): number {
  return period.startYear + period.termYears - 1;
}

/** A call-off lies within the agreement's term and not before its award. */
export function callOffDateProblem(date: string, period: CallOffPeriod): string | null {
  if (!isIsoDate(date)) return "Bitte ein gültiges Datum angeben (TT.MM.JJJJ).";
  const year = Number(date.slice(0, 4));
  if (year < period.startYear || year > lastYear(period)) {
    return `Das Abrufdatum liegt außerhalb der Laufzeit des Rahmenvertrags (${period.startYear}–${lastYear(period)}).`;
  }
  // ISO dates compare correctly as text.
  if (date < period.awardDate)
    return `Das Abrufdatum liegt vor dem Zuschlag (${germanDate(period.awardDate)}).`;
  return null;
}

/**
 * The date a new call-off form starts with: today when a call-off may be dated today,
 * else the nearest valid day (the term's first day, or the award date when that is
 * later; the term's last day once the term is over).
 */
export function defaultCallOffDate(
  today: string,
  period: { startYear: number; termYears: number; earliestAwardDate?: string | null },
): string {
  let first = `${period.startYear}-01-01`;
  if (period.earliestAwardDate && period.earliestAwardDate > first)
    first = period.earliestAwardDate;
  const last = `${lastYear(period)}-12-31`;
  if (today < first) return first;
  if (today > last) return last;
  return today;
}

/** An award is recorded after the fact: not in the future. */
export function awardDateProblem(date: string, today: string): string | null {
  if (!isIsoDate(date)) return "Bitte ein gültiges Datum angeben (TT.MM.JJJJ).";
  return date > today ? "Das Zuschlagsdatum darf nicht in der Zukunft liegen." : null;
}

// ---- Maximum quantity before the award ---------------------------------------------

/**
 * The coordinator may change the maximum before the award, but never below the
 * joint quantity Q[c]: the agreement must cover what the partners reported, or their
 * planned call-offs would be refused. Above the engine's maxQuantity is allowed, with
 * a warning: the estimated contract value (§3 VgV) counts the engine's maximum.
 */
export function maxQuantityOverrideProblem(
  maxQuantity: number,
  jointQuantity: number,
): string | null {
  if (!Number.isSafeInteger(maxQuantity) || maxQuantity < 1)
    return "Bitte eine ganze Zahl ab 1 eingeben.";
  if (maxQuantity < jointQuantity) {
    return `Die Höchstmenge muss mindestens die gemeldete Gesamtmenge abdecken (${GERMAN_INTEGER.format(jointQuantity)}).`;
  }
  return null;
}

export function maxQuantityAboveEngineWarning(
  maxQuantity: number,
  engineMaxQuantity: number,
): string | null {
  return maxQuantity > engineMaxQuantity
    ? `Höher als die Höchstmenge aus Bedarf und Reserve (${GERMAN_INTEGER.format(engineMaxQuantity)}): der geschätzte Auftragswert (§ 3 VgV) ist dann zu niedrig angesetzt.`
    : null;
}

// ---- A partner's own share ----------------------------------------------------------

/**
 * What a partner may call off of a category without a warning: its planned quantity
 * (frozen with the award) plus the tender's reserve, rounded up like the framework's
 * maximum (CALCULATION.md §6) — the partner's part of that maximum.
 */
export function partnerShareLimit(planned: number, reserve: string): number {
  return maxQuantity(planned, parseDecimal(reserve));
}

export interface Overdraw {
  partnerCode: string;
  partnerName: string;
  categoryCode: string;
  categoryName: string;
  unit: string | null;
  planned: number;
  limit: number;
  calledOff: number;
}

/** The warning before a call-off that takes a partner beyond its own share. */
export function overdrawWarning(o: {
  partnerName: string;
  categoryName: string;
  unit: string | null;
  planned: number;
  limit: number;
  calledOffAfter: number;
}): string {
  const unit = o.unit ?? "Stück";
  const n = (x: number) => GERMAN_INTEGER.format(x);
  return `Mit diesem Abruf hätte ${o.partnerName} ${n(o.calledOffAfter)} ${unit} ${o.categoryName} abgerufen – mehr als der eigene geplante Anteil (${n(o.planned)} ${unit}, mit Reserve ${n(o.limit)} ${unit}). Die Menge geht zulasten der anderen Schulträger.`;
}

// ---- Form schemas (parsed with conform's parseWithZod from "@conform-to/zod/v4") ----

const MAX_QUANTITY_PER_CALL_OFF = 1_000_000;

function requiredText(message: string, max: number) {
  return z
    .string({ error: message })
    .trim()
    .min(1, { error: message })
    .max(max, { error: `Höchstens ${max} Zeichen.` });
}

export const callOffFormSchema = z.object({
  partner: requiredText("Bitte einen Schulträger wählen.", 20),
  category: requiredText("Bitte eine Produktgruppe wählen.", 20),
  /** Optional: a school of the same partner. */
  school: z.string().trim().max(40).optional(),
  date: isoDateField("Bitte das Abrufdatum angeben."),
  quantity: wholeNumberField("Bitte eine ganze Zahl ab 1 eingeben.", {
    min: 1,
    max: MAX_QUANTITY_PER_CALL_OFF,
  }),
  orderNumber: requiredText("Bitte die Bestellnummer angeben.", 50),
  /** The one-time token of the rendered form (a second post of it stores nothing new). */
  token: formToken(),
  /** "1" after the warning about the partner's own share ("Trotzdem abrufen"). */
  confirmOverdraw: z.string().optional(),
});

function formToken() {
  return z
    .string({ error: "Das Formular ist veraltet. Bitte die Seite neu laden." })
    .regex(/^[A-Za-z0-9_-]{16,64}$/, {
      error: "Das Formular ist veraltet. Bitte die Seite neu laden.",
    });
}

const reasonField = requiredText("Bitte den Grund der Stornierung angeben.", 500);
const callOffIdField = z.number({ error: "Unbekannter Abruf." }).int().min(1);

/** Cancel one call-off (Storno) with a reason. */
export const cancelCallOffSchema = z.object({
  callOffId: callOffIdField,
  reason: reasonField,
  token: formToken(),
});

/** A correction: cancel one call-off and record its replacement, in one step. */
export const correctCallOffSchema = callOffFormSchema.extend({
  callOffId: callOffIdField,
  reason: reasonField,
});

/** Field name of a category's awarded price in the award form. */
export const priceField = (categoryCode: string): string => `price_${categoryCode}`;

/** The award form of one lot: supplier, date and a price per category of the lot. */
export function awardFormSchema(categoryCodes: readonly string[]) {
  const prices = Object.fromEntries(
    categoryCodes.map((code) => [
      priceField(code),
      moneyField("Bitte den Zuschlagspreis (netto) eingeben.").refine((cents) => cents > 0n, {
        error: "Der Zuschlagspreis muss über 0,00 € liegen.",
      }),
    ]),
  );
  return z.object({
    lot: requiredText("Bitte ein Los wählen.", 20),
    supplier: requiredText("Bitte den Auftragnehmer eingeben.", 200),
    awardDate: isoDateField("Bitte das Zuschlagsdatum angeben."),
    ...prices,
  });
}

export const maxQuantityOverrideSchema = z.object({
  category: requiredText("Bitte eine Produktgruppe wählen.", 20),
  /** Empty: back to the maximum from demand and reserve. */
  maxQuantity: wholeNumberField("Bitte eine ganze Zahl ab 1 eingeben.", { min: 1 }).optional(),
});
