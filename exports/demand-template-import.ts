// Reads an uploaded demand template (see demand-template.ts) back into cells. Every
// cell is checked; any error means no values at all, only the list of errors with
// sheet, cell reference and a German message.
import ExcelJS from "exceljs";
import { checkQuantityNumber, justificationSchema, parseQuantityText } from "../domain/demand-grid";
import {
  columnLetter,
  DEMAND_TEMPLATE,
  type TemplateVariant,
  LAYOUT,
  META,
  META_SHEET,
} from "./demand-template";

export const MAX_TEMPLATE_BYTES = 5 * 1024 * 1024;

export interface TemplateError {
  /** Sheet name, or "" for problems with the file as a whole. */
  sheet: string;
  /** A1 reference such as "D7", or "" for the file or sheet as a whole. */
  cell: string;
  message: string;
}

export interface TemplateCell {
  schoolCode: string | null;
  categoryCode: string;
  year: number;
  quantity: number;
  /** Where it came from, for messages ("D7"). */
  ref: string;
}

export interface TemplateNote {
  schoolCode: string | null;
  categoryCode: string;
  text: string;
  ref: string;
}

export type TemplateParseResult =
  | { ok: true; cells: TemplateCell[]; notes: TemplateNote[] }
  | { ok: false; errors: TemplateError[] };

/** What the upload must match: the partner and its current schools, categories and years. */
export interface TemplateExpectation {
  partner: { code: string; name: string };
  schoolCodes: ReadonlySet<string>;
  categoryCodes: ReadonlySet<string>;
  years: readonly number[];
}

const fileError = (message: string): TemplateParseResult => ({
  ok: false,
  errors: [{ sheet: "", cell: "", message }],
});

const NOT_DEMAND_TEMPLATE =
  "Diese Datei ist keine Bedarfsvorlage von Verbundkauf. Bitte laden Sie die Vorlage über „Excel-Vorlage herunterladen“ herunter und tragen Sie dort Ihre Mengen ein.";

/** An xlsx file is a zip archive: it starts with "PK\x03\x04". */
export function looksLikeXlsx(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 4 &&
    bytes[0] === 0x50 &&
    bytes[1] === 0x4b &&
    bytes[2] === 0x03 &&
    bytes[3] === 0x04
  );
}

type Plain =
  | { kind: "empty" }
  | { kind: "number"; value: number }
  | { kind: "text"; value: string }
  | { kind: "other"; what: string };

/** A cell value without exceljs' wrappers: formulas count by their cached result. */
function plainValue(value: ExcelJS.CellValue): Plain {
  if (value === null || value === undefined) return { kind: "empty" };
  if (typeof value === "number") return { kind: "number", value };
  if (typeof value === "string")
    return value.trim() === "" ? { kind: "empty" } : { kind: "text", value };
  if (typeof value === "boolean") return { kind: "other", what: "ein Wahrheitswert" };
  if (value instanceof Date) return { kind: "other", what: "ein Datum" };
  if (typeof value === "object") {
    if ("richText" in value) return plainValue(value.richText.map((t) => t.text).join(""));
    if ("formula" in value || "sharedFormula" in value) {
      const result = (value as ExcelJS.CellFormulaValue).result;
      if (result === undefined) return { kind: "other", what: "eine Formel ohne Ergebnis" };
      if (typeof result === "object" && result !== null && "error" in result)
        return { kind: "other", what: `ein Fehlerwert (${result.error})` };
      return plainValue(result as ExcelJS.CellValue);
    }
    if ("error" in value) return { kind: "other", what: `ein Fehlerwert (${value.error})` };
    if ("text" in value && typeof value.text === "string") return plainValue(value.text); // hyperlink
  }
  return { kind: "other", what: "kein Zahlenwert" };
}

const metaText = (meta: ExcelJS.Worksheet, row: number, col: number): string => {
  const v = plainValue(meta.getCell(row, col).value);
  return v.kind === "text" ? v.value.trim() : v.kind === "number" ? String(v.value) : "";
};

export async function parseDemandTemplate(
  bytes: Uint8Array,
  expected: TemplateExpectation,
  variant: TemplateVariant = DEMAND_TEMPLATE,
): Promise<TemplateParseResult> {
  const DATA_SHEET = variant.dataSheet;
  const NOT_A_TEMPLATE = variant.notATemplate ?? NOT_DEMAND_TEMPLATE;
  if (bytes.length === 0) return fileError("Die Datei ist leer.");
  if (bytes.length > MAX_TEMPLATE_BYTES) return fileError("Die Datei ist größer als 5 MB.");
  if (!looksLikeXlsx(bytes))
    return fileError(
      "Die Datei ist keine Excel-Arbeitsmappe (.xlsx). Bitte die heruntergeladene Vorlage verwenden.",
    );

  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch {
    return fileError(
      "Die Datei ist beschädigt oder keine gültige Excel-Arbeitsmappe und konnte nicht gelesen werden.",
    );
  }

  const meta = workbook.getWorksheet(META_SHEET);
  if (!meta || metaText(meta, META.formatRow, 2) !== variant.format)
    return fileError(NOT_A_TEMPLATE);
  const partnerCode = metaText(meta, META.partnerRow, 2);
  if (partnerCode !== expected.partner.code) {
    return fileError(
      `Diese Vorlage gehört zu einem anderen Schulträger (${partnerCode || "unbekannt"}), nicht zu ${expected.partner.name}. Es wurde nichts geändert.`,
    );
  }
  const sheet = workbook.getWorksheet(DATA_SHEET);
  if (!sheet)
    return fileError(`Das Blatt „${DATA_SHEET}“ fehlt. Bitte eine neue Vorlage herunterladen.`);

  const errors: TemplateError[] = [];
  const years: number[] = [];
  for (let col = 2; ; col++) {
    const v = plainValue(meta.getCell(META.yearsRow, col).value);
    if (v.kind !== "number") break;
    years.push(v.value);
  }
  const noteColumnValue = plainValue(meta.getCell(META.noteColumnRow, 2).value);
  const noteColumn = noteColumnValue.kind === "number" ? noteColumnValue.value : 0;
  if (years.length === 0 || noteColumn !== LAYOUT.firstYearColumn + years.length + 1)
    return fileError(NOT_A_TEMPLATE);

  // The columns must still be the years the template was made for, and still planned.
  years.forEach((year, i) => {
    const col = LAYOUT.firstYearColumn + i;
    const ref = `${columnLetter(col)}${LAYOUT.headerRow}`;
    const header = plainValue(sheet.getCell(LAYOUT.headerRow, col).value);
    const shown =
      header.kind === "number"
        ? header.value
        : header.kind === "text"
          ? Number(header.value.trim())
          : NaN;
    if (shown !== year)
      errors.push({
        sheet: DATA_SHEET,
        cell: ref,
        message: `Hier muss das Jahr ${year} stehen. Bitte keine Spalten einfügen oder löschen.`,
      });
    else if (!expected.years.includes(year)) {
      errors.push({
        sheet: DATA_SHEET,
        cell: ref,
        message: `Das Jahr ${year} gehört nicht mehr zum Planungszeitraum. Bitte eine neue Vorlage herunterladen.`,
      });
    }
  });

  const cells: TemplateCell[] = [];
  const notes: TemplateNote[] = [];
  const seen = new Set<string>();
  for (let metaRow = META.firstLineRow; ; metaRow++) {
    const rowValue = plainValue(meta.getCell(metaRow, 1).value);
    if (rowValue.kind !== "number") break;
    const row = rowValue.value;
    const school = metaText(meta, metaRow, 2);
    const category = metaText(meta, metaRow, 3);
    const rowRef = `${columnLetter(LAYOUT.schoolColumn)}${row}`;
    if (seen.has(`${school}|${category}`)) return fileError(NOT_A_TEMPLATE);
    seen.add(`${school}|${category}`);
    if (school !== "" && !expected.schoolCodes.has(school)) {
      errors.push({
        sheet: DATA_SHEET,
        cell: rowRef,
        message: `Die Schule dieser Zeile (${school}) gehört nicht (mehr) zu ${expected.partner.name}. Bitte eine neue Vorlage herunterladen.`,
      });
      continue;
    }
    if (!expected.categoryCodes.has(category)) {
      errors.push({
        sheet: DATA_SHEET,
        cell: rowRef,
        message: `Die Produktgruppe dieser Zeile (${category}) gibt es nicht mehr. Bitte eine neue Vorlage herunterladen.`,
      });
      continue;
    }
    const schoolCode = school === "" ? null : school;
    years.forEach((year, i) => {
      const col = LAYOUT.firstYearColumn + i;
      const ref = `${columnLetter(col)}${row}`;
      const v = plainValue(sheet.getCell(row, col).value);
      const checked =
        v.kind === "empty"
          ? ({ ok: true, value: 0 } as const)
          : v.kind === "number"
            ? checkQuantityNumber(v.value)
            : v.kind === "text"
              ? parseQuantityText(v.value)
              : ({
                  ok: false,
                  message: `Hier steht ${v.what}. Bitte eine ganze Zahl von 0 bis 100.000 eintragen.`,
                } as const);
      if (checked.ok)
        cells.push({ schoolCode, categoryCode: category, year, quantity: checked.value, ref });
      else errors.push({ sheet: DATA_SHEET, cell: ref, message: checked.message });
    });
    const noteRef = `${columnLetter(noteColumn)}${row}`;
    const n = plainValue(sheet.getCell(row, noteColumn).value);
    const text = n.kind === "text" ? n.value : n.kind === "number" ? String(n.value) : "";
    if (n.kind === "other")
      errors.push({
        sheet: DATA_SHEET,
        cell: noteRef,
        message: "Bitte als Begründung nur Text eintragen.",
      });
    else {
      const parsed = justificationSchema.safeParse(text);
      if (parsed.success)
        notes.push({ schoolCode, categoryCode: category, text: parsed.data, ref: noteRef });
      else
        errors.push({ sheet: DATA_SHEET, cell: noteRef, message: parsed.error.issues[0].message });
    }
  }
  if (seen.size === 0) return fileError(NOT_A_TEMPLATE);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, cells, notes };
}
