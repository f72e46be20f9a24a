// German labels used in the workbooks (rates, keys, dates). Display text only: the
// cells themselves hold numbers.
import Decimal from "decimal.js";
import type { CostKey } from "../domain/plan";

/** "0.19" → "19 %", "0.075" → "7,5 %". */
export function percentLabel(fraction: string): string {
  return `${new Decimal(fraction).times(100).toFixed().replace(".", ",")} %`;
}

export const COST_KEY_LABELS: Record<CostKey, string> = {
  volume: "Auftragsvolumen (netto)",
  quantity: "Stückzahl",
  pupils: "Schülerzahl",
  population: "Einwohnerzahl",
  equal: "zu gleichen Teilen",
  custom: "festgelegte Gewichte",
};

const BERLIN = new Intl.DateTimeFormat("en-CA", {
  timeZone: "Europe/Berlin",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hourCycle: "h23",
});

/**
 * xlsx has no time zones: a date cell is a wall-clock time. exceljs writes a Date's
 * UTC fields, so this returns a Date whose UTC fields are the German wall clock.
 */
export function berlinWallClock(at: Date): Date {
  const parts = Object.fromEntries(BERLIN.formatToParts(at).map((p) => [p.type, p.value]));
  return new Date(
    Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second),
  );
}

/** "28.11.2026, 17:50" in German time. */
export function germanDateTime(at: Date): string {
  const wall = berlinWallClock(at);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(wall.getUTCDate())}.${two(wall.getUTCMonth() + 1)}.${wall.getUTCFullYear()}, ${two(wall.getUTCHours())}:${two(wall.getUTCMinutes())}`;
}
