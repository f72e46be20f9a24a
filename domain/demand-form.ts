// Field names of one grid's form and their parsing. Shared by the editor component
// (which renders the names) and the action (which reads them), so both agree.
import { z } from "zod";
import {
  cellKey,
  lineKey,
  justificationSchema,
  quantityTextSchema,
  type GridValues,
} from "./demand-grid";
import { parseGermanWholeNumber } from "./german-input";

export const quantityField = (year: number, categoryCode: string): string =>
  `qty.${year}.${categoryCode}`;
/** The value the cell had when the form was loaded (for conflict details). */
export const baselineQuantityField = (year: number, categoryCode: string): string =>
  `was.${year}.${categoryCode}`;
export const noteField = (categoryCode: string): string => `note.${categoryCode}`;
export const baselineNoteField = (categoryCode: string): string => `wasnote.${categoryCode}`;

/** The grid's shape as the server knows it now; only these fields are read. */
export interface GridLayout {
  schoolCode: string | null;
  years: readonly number[];
  categoryCodes: readonly string[];
}

export type GridFormResult =
  | { ok: true; version: string; wanted: GridValues; baseline: GridValues }
  | { ok: false; version: string; fieldErrors: Record<string, string> };

const versionSchema = z.string().regex(/^[0-9a-f]{16}$/, "Ungültiger Versionsstand.");
/** The hidden loaded value ("was.*"): read with the same whole-number parser as the cells. */
const baselineQuantitySchema = z.string().transform((text, ctx) => {
  const parsed = parseGermanWholeNumber(text);
  if (parsed.ok) return parsed.value;
  ctx.addIssue({ code: "custom", message: parsed.message });
  return z.NEVER;
});

/**
 * Reads one grid's form. A quantity field that is missing stays out of `wanted` (no
 * change); an invalid one yields a German message keyed by the field name.
 */
export function parseGridForm(
  form: { get(name: string): unknown },
  layout: GridLayout,
): GridFormResult {
  const text = (name: string): string | null => {
    const v = form.get(name);
    return typeof v === "string" ? v : null;
  };
  const version = versionSchema.safeParse(text("version") ?? "");
  const fieldErrors: Record<string, string> = {};
  if (!version.success)
    fieldErrors.version = "Das Formular ist unvollständig. Bitte die Seite neu laden.";
  const wanted: GridValues = { quantities: new Map(), notes: new Map() };
  const baseline: GridValues = { quantities: new Map(), notes: new Map() };
  for (const category of layout.categoryCodes) {
    for (const year of layout.years) {
      const key = cellKey(layout.schoolCode, category, year);
      const raw = text(quantityField(year, category));
      if (raw !== null) {
        const parsed = quantityTextSchema.safeParse(raw);
        if (parsed.success) wanted.quantities.set(key, parsed.data);
        else fieldErrors[quantityField(year, category)] = parsed.error.issues[0].message;
      }
      const wasRaw = text(baselineQuantityField(year, category));
      const was =
        wasRaw === null || wasRaw === "" ? null : baselineQuantitySchema.safeParse(wasRaw);
      if (was?.success) baseline.quantities.set(key, was.data);
    }
    const note = text(noteField(category));
    if (note !== null) {
      const parsed = justificationSchema.safeParse(note);
      if (parsed.success) wanted.notes.set(lineKey(layout.schoolCode, category), parsed.data);
      else fieldErrors[noteField(category)] = parsed.error.issues[0].message;
    }
    const wasNote = text(baselineNoteField(category));
    if (wasNote !== null)
      baseline.notes.set(
        lineKey(layout.schoolCode, category),
        wasNote.replace(/\r\n/g, "\n").trim(),
      );
  }
  if (Object.keys(fieldErrors).length > 0 || !version.success) {
    return { ok: false, version: version.success ? version.data : "", fieldErrors };
  }
  return { ok: true, version: version.data, wanted, baseline };
}
