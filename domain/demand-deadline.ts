// The demand deadline is stored as Berlin wall-clock time ("2027-03-31T18:00"), the way
// the coordinator enters and reads it; comparisons need the instant. Intl knows the
// Europe/Berlin rules (CET/CEST), so no time-zone library is needed.
import { z } from "zod";

export const DEADLINE_TIME_ZONE = "Europe/Berlin";
export const DEMAND_DEADLINE_SETTING = "demandDeadline";

const LOCAL_PATTERN = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;

/** Validates the value of an `<input type="datetime-local">` (seconds dropped). */
export const deadlineInputSchema = z
  .string()
  .trim()
  .transform((s) => s.slice(0, 16))
  .refine((s) => LOCAL_PATTERN.test(s) && berlinLocalToInstant(s) !== null, {
    message: "Bitte Datum und Uhrzeit der Frist angeben (TT.MM.JJJJ, HH:MM).",
  });

/** Minutes Berlin is ahead of UTC at that instant (60 in winter, 120 in summer). */
function berlinOffsetMinutes(instant: number): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: DEADLINE_TIME_ZONE,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
  }).formatToParts(new Date(instant));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"));
  return Math.round((wall - Math.floor(instant / 60_000) * 60_000) / 60_000);
}

/**
 * "2027-03-31T18:00" in Berlin → the instant. Two passes settle the offset around the
 * DST switch; a wall time that does not exist (the skipped spring hour) lands an hour
 * later. Returns null for malformed or impossible dates.
 */
export function berlinLocalToInstant(local: string): Date | null {
  const m = LOCAL_PATTERN.exec(local);
  if (!m) return null;
  const [year, month, day, hour, minute] = m.slice(1).map(Number);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59) return null;
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  if (new Date(wall).getUTCDate() !== day) return null; // 31 February and the like
  let instant = wall - berlinOffsetMinutes(wall) * 60_000;
  instant = wall - berlinOffsetMinutes(instant) * 60_000;
  return new Date(instant);
}

/** The instant as Berlin wall-clock time in the `datetime-local` format. */
export function instantToBerlinLocal(instant: Date): string {
  const shifted = new Date(instant.getTime() + berlinOffsetMinutes(instant.getTime()) * 60_000);
  return shifted.toISOString().slice(0, 16);
}

/** "31.03.2027, 18:00 Uhr" */
export function formatBerlinDateTime(instant: Date): string {
  const text = new Intl.DateTimeFormat("de-DE", {
    timeZone: DEADLINE_TIME_ZONE,
    day: "2-digit",
    month: "2-digit",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
  }).format(instant);
  return `${text} Uhr`;
}
