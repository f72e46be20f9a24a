// An Excel template of a grid of whole numbers: rows identified by codes (e.g. school ×
// category), one column per year, an optional free-text column. Shared by every template
// of that shape (the demand template today; an inventory template can reuse it with its
// own `GridTemplateKind`). Two halves:
// - build: a visible data sheet whose rows SHOW their codes, an instruction sheet, and a
//   very hidden "_meta" sheet with the codes, names and values of every row at download
//   time (so an upload can tell the user's edits from changes others made since);
// - read: a pure `(kind, bytes, owner) → result` that maps every row by the codes it
//   shows (never by its position), validates "_meta" with zod, reports any cell filled
//   outside the table, and returns what the file holds next to what it held at download.
import ExcelJS from "exceljs";
import { z } from "zod";
import { parseGermanWholeNumber } from "../domain/german-input";

export const META_SHEET = "_meta";

/** What differs between two templates of the same shape. */
export interface GridTemplateKind {
  /** Stored in _meta; an upload with another format is refused. */
  format: string;
  dataSheet: string;
  guideSheet: string;
  /** The dimensions that identify a row, each shown as a code column and a name column. */
  keys: readonly {
    codeHeader: string;
    nameHeader: string;
    codeWidth: number;
    nameWidth: number;
  }[];
  unitHeader: string | null;
  /** The free-text column, or null for none. */
  note: { header: string; maxLength: number } | null;
  maxValue: number;
  /** German name of this template in messages ("Bedarfsvorlage"). */
  templateName: string;
}

/** Shown in a code cell whose code is empty (a row without a school). */
export const EMPTY_CODE = "–";

export const LAYOUT = { headerRow: 4, firstDataRow: 5 } as const;

/** Column numbers (1-based) of a kind with `columnCount` value columns. */
export function gridColumns(kind: GridTemplateKind, columnCount: number) {
  const codeColumns = kind.keys.map((_, i) => 1 + 2 * i);
  const nameColumns = kind.keys.map((_, i) => 2 + 2 * i);
  const unitColumn = kind.unitHeader === null ? null : 2 * kind.keys.length + 1;
  const firstValueColumn = 2 * kind.keys.length + (kind.unitHeader === null ? 1 : 2);
  const sumColumn = firstValueColumn + columnCount;
  const noteColumn = kind.note ? sumColumn + 1 : null;
  return {
    codeColumns,
    nameColumns,
    unitColumn,
    firstValueColumn,
    sumColumn,
    noteColumn,
    lastColumn: noteColumn ?? sumColumn,
  };
}

/** Rows of the _meta sheet: key/value pairs on top, then one row per data row. */
export const META = {
  formatRow: 1,
  ownerRow: 2,
  columnsRow: 3,
  generatedRow: 4,
  lineHeaderRow: 6,
  firstLineRow: 7,
} as const;

export function columnLetter(column: number): string {
  let n = column;
  let s = "";
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

const ref = (row: number, column: number) => `${columnLetter(column)}${row}`;

// ---- Building ---------------------------------------------------------------------

export interface GridTemplateRow {
  /** One code per key; "" for none (e.g. without a school). */
  codes: readonly string[];
  names: readonly string[];
  unit: string;
  values: readonly number[];
  note: string;
}

export interface GridTemplateInput {
  owner: { code: string; name: string };
  /** Value column labels: the years. */
  columns: readonly number[];
  rows: readonly GridTemplateRow[];
  generatedAt: Date;
  title: string;
  subtitle: string;
  guide: readonly [text: string, bold?: boolean][];
}

const INPUT_FILL: ExcelJS.Fill = {
  type: "pattern",
  pattern: "solid",
  fgColor: { argb: "FFFFF7BF" },
};
const HEADER_FILL: ExcelJS.Fill = {
  type: "pattern",
  pattern: "solid",
  fgColor: { argb: "FFE5E6E7" },
};
const CODE_FONT: Partial<ExcelJS.Font> = { name: "Consolas", color: { argb: "FF505A5F" } };
const THIN: Partial<ExcelJS.Borders> = {
  top: { style: "thin", color: { argb: "FFB1B4B6" } },
  bottom: { style: "thin", color: { argb: "FFB1B4B6" } },
  left: { style: "thin", color: { argb: "FFB1B4B6" } },
  right: { style: "thin", color: { argb: "FFB1B4B6" } },
};

export const TOTAL_LABEL = "Summe";

export async function buildGridTemplate(
  kind: GridTemplateKind,
  input: GridTemplateInput,
): Promise<Buffer> {
  const years = input.columns;
  const cols = gridColumns(kind, years.length);
  const workbook = new ExcelJS.Workbook();
  workbook.creator = "Verbundkauf";
  workbook.created = input.generatedAt;
  const guide = workbook.addWorksheet(kind.guideSheet, {
    properties: { tabColor: { argb: "FF1D70B8" } },
    pageSetup: { ...TEMPLATE_PAGE, orientation: "portrait" },
  });
  const sheet = workbook.addWorksheet(kind.dataSheet, {
    views: [{ state: "frozen", xSplit: cols.firstValueColumn - 1, ySplit: LAYOUT.headerRow }],
    // Names beside the quantities on every page: header rows repeat, the sheet fits the width.
    pageSetup: {
      ...TEMPLATE_PAGE,
      orientation: "landscape",
      printTitlesRow: `1:${LAYOUT.headerRow}`,
    },
  });
  const meta = workbook.addWorksheet(META_SHEET, { state: "veryHidden" });

  input.guide.forEach(([text, bold], i) => {
    const cell = guide.getCell(i + 1, 1);
    cell.value = text;
    cell.alignment = { wrapText: true, vertical: "top" };
    if (bold) cell.font = { bold: true, size: i === 0 ? 14 : 12 };
    // Wrapped instructions need their height: about 60 characters per line at this width.
    const lines = Math.max(1, Math.ceil(text.length / 60));
    if (lines > 1) guide.getRow(i + 1).height = lines * 15 + 2;
  });
  guide.getColumn(1).width = 75;

  sheet.getCell(1, 1).value = input.title;
  sheet.getCell(1, 1).font = { bold: true, size: 14 };
  sheet.getCell(2, 1).value = input.subtitle;
  const header: [number, string][] = [
    ...kind.keys.flatMap((k, i): [number, string][] => [
      [cols.codeColumns[i], k.codeHeader],
      [cols.nameColumns[i], k.nameHeader],
    ]),
    ...(cols.unitColumn && kind.unitHeader
      ? [[cols.unitColumn, kind.unitHeader] as [number, string]]
      : []),
    ...years.map((y, i): [number, string] => [cols.firstValueColumn + i, String(y)]),
    [cols.sumColumn, TOTAL_LABEL],
    ...(cols.noteColumn && kind.note
      ? [[cols.noteColumn, kind.note.header] as [number, string]]
      : []),
  ];
  for (const [column, text] of header) {
    const cell = sheet.getCell(LAYOUT.headerRow, column);
    cell.value = text;
    cell.font = { bold: true };
    cell.fill = HEADER_FILL;
    cell.border = THIN;
    const numeric = column >= cols.firstValueColumn && column <= cols.sumColumn;
    cell.alignment = { vertical: "middle", horizontal: numeric ? "right" : "left" };
  }
  kind.keys.forEach((k, i) => {
    sheet.getColumn(cols.codeColumns[i]).width = k.codeWidth;
    sheet.getColumn(cols.nameColumns[i]).width = k.nameWidth;
  });
  // Widths fit A4 landscape at 100 % even where the default font is replaced by a wider
  // one (LibreOffice without Calibri), so the print never shrinks below 9 pt.
  if (cols.unitColumn) sheet.getColumn(cols.unitColumn).width = 7;
  years.forEach((_, i) => (sheet.getColumn(cols.firstValueColumn + i).width = 7));
  sheet.getColumn(cols.sumColumn).width = 7;
  if (cols.noteColumn) sheet.getColumn(cols.noteColumn).width = 18;

  // _meta: key/value pairs, then codes, names and values of every data row at download.
  meta.getCell(META.formatRow, 1).value = "format";
  meta.getCell(META.formatRow, 2).value = kind.format;
  meta.getCell(META.ownerRow, 1).value = "owner";
  meta.getCell(META.ownerRow, 2).value = input.owner.code;
  meta.getCell(META.columnsRow, 1).value = "columns";
  years.forEach((y, i) => (meta.getCell(META.columnsRow, 2 + i).value = y));
  meta.getCell(META.generatedRow, 1).value = "generatedAt";
  meta.getCell(META.generatedRow, 2).value = input.generatedAt.toISOString();
  const metaHeader = [
    "row",
    ...kind.keys.map((_, i) => `code${i + 1}`),
    ...kind.keys.map((_, i) => `name${i + 1}`),
    ...years.map(String),
    "note",
  ];
  metaHeader.forEach((text, i) => (meta.getCell(META.lineHeaderRow, i + 1).value = text));

  const firstYear = columnLetter(cols.firstValueColumn);
  const lastYear = columnLetter(cols.sumColumn - 1);
  const validation = (promptTitle: string): ExcelJS.DataValidation => ({
    type: "whole",
    operator: "between",
    formulae: [0, kind.maxValue],
    allowBlank: true,
    showErrorMessage: true,
    errorStyle: "stop",
    errorTitle: "Ungültige Menge",
    error: `Bitte eine ganze Zahl von 0 bis ${kind.maxValue.toLocaleString("de-DE")} eintragen (ohne Nachkommastellen).`,
    showInputMessage: true,
    promptTitle,
    prompt: "Ganze Zahl ≥ 0; leer bedeutet 0.",
  });
  let row = LAYOUT.firstDataRow;
  input.rows.forEach((line, index) => {
    const r = sheet.getRow(row);
    kind.keys.forEach((_, i) => {
      const code = r.getCell(cols.codeColumns[i]);
      code.value = line.codes[i] === "" ? EMPTY_CODE : line.codes[i];
      code.font = CODE_FONT;
      r.getCell(cols.nameColumns[i]).value = line.names[i];
    });
    if (cols.unitColumn) r.getCell(cols.unitColumn).value = line.unit;
    line.values.forEach((q, i) => {
      const cell = r.getCell(cols.firstValueColumn + i);
      cell.value = q === 0 ? null : q; // empty means 0, and keeps the sheet readable
      cell.protection = { locked: false };
      cell.fill = INPUT_FILL;
      cell.numFmt = "#,##0";
      cell.dataValidation = validation(`${line.names[line.names.length - 1]} ${years[i]}`);
    });
    r.getCell(cols.sumColumn).value = {
      formula: `SUM(${firstYear}${row}:${lastYear}${row})`,
      result: line.values.reduce((a, b) => a + b, 0),
    } as ExcelJS.CellFormulaValue;
    r.getCell(cols.sumColumn).numFmt = "#,##0";
    if (cols.noteColumn && kind.note) {
      const note = r.getCell(cols.noteColumn);
      note.value = line.note === "" ? null : line.note;
      note.protection = { locked: false };
      note.fill = INPUT_FILL;
      note.alignment = { wrapText: true, vertical: "top" };
      note.dataValidation = {
        type: "textLength",
        operator: "lessThanOrEqual",
        formulae: [kind.note.maxLength],
        allowBlank: true,
        showErrorMessage: true,
        errorStyle: "stop",
        errorTitle: "Text zu lang",
        error: `Höchstens ${kind.note.maxLength.toLocaleString("de-DE")} Zeichen.`,
      };
    }
    for (let c = 1; c <= cols.lastColumn; c++) r.getCell(c).border = THIN;

    const m = meta.getRow(META.firstLineRow + index);
    m.values = [row, ...line.codes, ...line.names, ...line.values, line.note];
    row++;
  });

  // Totals per year (formulas with cached results, so viewers without recalculation agree).
  const lastDataRow = row - 1;
  const totals = sheet.getRow(row);
  totals.getCell(cols.nameColumns[0]).value = TOTAL_LABEL;
  totals.font = { bold: true };
  const yearTotals = years.map((_, i) => input.rows.reduce((s, r) => s + r.values[i], 0));
  [...yearTotals, yearTotals.reduce((a, b) => a + b, 0)].forEach((total, i) => {
    const col = columnLetter(cols.firstValueColumn + i);
    const cell = totals.getCell(cols.firstValueColumn + i);
    cell.value =
      lastDataRow >= LAYOUT.firstDataRow
        ? ({
            formula: `SUM(${col}${LAYOUT.firstDataRow}:${col}${lastDataRow})`,
            result: total,
          } as ExcelJS.CellFormulaValue)
        : 0;
    cell.numFmt = "#,##0";
    cell.border = { top: { style: "double" } };
  });

  // Sheet protection keeps codes, names and formulas intact; it is not a security
  // boundary (no password: the upload validates every cell and maps rows by code).
  const options: Partial<ExcelJS.WorksheetProtection> = {
    selectLockedCells: true,
    selectUnlockedCells: true,
    formatColumns: true,
    formatRows: true,
  };
  await sheet.protect("", options);
  await guide.protect("", options);
  await meta.protect("", options);
  workbook.views = [
    { activeTab: 1, x: 0, y: 0, width: 20000, height: 12000, firstSheet: 0, visibility: "visible" },
  ];
  nameFonts(guide);
  nameFonts(sheet);
  return Buffer.from((await workbook.xlsx.writeBuffer()) as ArrayBuffer);
}

/** Print setup of both visible sheets: A4, fit to the page width, as many pages down as needed. */
const TEMPLATE_PAGE: Partial<ExcelJS.PageSetup> = {
  paperSize: 9,
  fitToPage: true,
  fitToWidth: 1,
  fitToHeight: 0,
  margins: { left: 0.4, right: 0.4, top: 0.6, bottom: 0.6, header: 0.3, footer: 0.3 },
};

/** Every written cell gets a named font (LibreOffice falls back to a serif face otherwise). */
function nameFonts(sheet: ExcelJS.Worksheet): void {
  sheet.eachRow((row) =>
    row.eachCell((cell) => {
      cell.font = { ...cell.font, name: "Arial", size: cell.font?.size ?? 10 };
    }),
  );
}

// ---- Reading ----------------------------------------------------------------------

export const MAX_TEMPLATE_BYTES = 5 * 1024 * 1024;
/** More rows than any plan has (400 partners' schools × categories fit easily). */
const MAX_META_LINES = 20_000;
const MAX_SHEET_ROW = 1_048_576;

export interface TemplateError {
  /** Sheet name, or "" for problems with the file as a whole. */
  sheet: string;
  /** A1 reference such as "D7", or "" for the file or sheet as a whole. */
  cell: string;
  message: string;
}

/** One row of the template as the upload holds it, next to what it held at download. */
export interface GridTemplateLine {
  codes: string[];
  names: string[];
  /** The row it stands in now (it may have moved). */
  row: number;
  values: number[];
  downloaded: number[];
  valueRefs: string[];
  /** The free text (null without a note column). */
  note: string | null;
  downloadedNote: string | null;
  noteRef: string | null;
}

export type GridTemplateRead =
  | { ok: true; owner: string; generatedAt: string; columns: number[]; lines: GridTemplateLine[] }
  | { ok: false; errors: TemplateError[] };

export const NOT_EXCEL =
  "Die Datei ist keine Excel-Arbeitsmappe (.xlsx). Bitte die heruntergeladene Vorlage verwenden.";

const fileError = (message: string): { ok: false; errors: TemplateError[] } => ({
  ok: false,
  errors: [{ sheet: "", cell: "", message }],
});

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
export function plainValue(value: ExcelJS.CellValue): Plain {
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

/** A _meta cell as zod sees it: text, number or undefined (never an exceljs object). */
function metaCell(sheet: ExcelJS.Worksheet, row: number, column: number): unknown {
  const v = plainValue(sheet.getCell(row, column).value);
  return v.kind === "text" ? v.value : v.kind === "number" ? v.value : undefined;
}

const codeSchema = z
  .union([z.string(), z.number().int().nonnegative().transform(String), z.undefined()])
  .transform((v) => (v ?? "").trim())
  .pipe(z.string().max(40));
const nameSchema = z
  .union([z.string(), z.number().transform(String), z.undefined()])
  .transform((v) => (v ?? "").trim())
  .pipe(z.string().max(500));
const noteTextSchema = (max: number) =>
  z
    .union([z.string(), z.number().transform(String), z.undefined()])
    .transform((v) => (v ?? "").replace(/\r\n/g, "\n").trim())
    .pipe(z.string().max(max));

/** The _meta sheet, validated like every other input (a crafted file gets a 422, never a 500). */
function metaSchemas(kind: GridTemplateKind) {
  const head = z.object({
    format: z.literal(kind.format),
    owner: z.string().trim().min(1).max(40),
    columns: z
      .array(z.number().int().min(1900).max(2200))
      .min(1)
      .max(50)
      .refine((ys) => ys.every((y, i) => i === 0 || y === ys[i - 1] + 1), "Jahre lückenlos"),
    generatedAt: z.iso.datetime(),
  });
  const line = (columnCount: number) =>
    z.object({
      row: z.number().int().min(LAYOUT.firstDataRow).max(MAX_SHEET_ROW),
      codes: z.array(codeSchema).length(kind.keys.length),
      names: z.array(nameSchema).length(kind.keys.length),
      values: z
        .array(
          z
            .union([z.number(), z.undefined()])
            .transform((v) => v ?? 0)
            .pipe(z.number().int().min(0).max(kind.maxValue)),
        )
        .length(columnCount),
      note: kind.note ? noteTextSchema(kind.note.maxLength) : z.undefined(),
    });
  return { head, line };
}

function valueOf(
  kind: GridTemplateKind,
  v: Plain,
): { ok: true; value: number } | { ok: false; message: string } {
  const range = `Bitte eine ganze Zahl von 0 bis ${kind.maxValue.toLocaleString("de-DE")} eintragen.`;
  switch (v.kind) {
    case "empty":
      return { ok: true, value: 0 };
    case "number":
      if (!Number.isFinite(v.value)) return { ok: false, message: range };
      if (v.value < 0)
        return { ok: false, message: "Keine negativen Mengen: bitte 0 oder mehr eintragen." };
      if (!Number.isInteger(v.value))
        return { ok: false, message: "Bitte eine ganze Zahl ohne Nachkommastellen eintragen." };
      if (v.value > kind.maxValue)
        return {
          ok: false,
          message: `Höchstens ${kind.maxValue.toLocaleString("de-DE")} eintragen.`,
        };
      return { ok: true, value: v.value };
    case "text":
      return parseGermanWholeNumber(v.value, { empty: 0, max: kind.maxValue, message: range });
    case "other":
      return { ok: false, message: `Hier steht ${v.what}. ${range}` };
  }
}

export interface OwnerCheck {
  code: string;
  /** The German refusal for a template of another owner. */
  wrongOwner: (found: string) => string;
}

/**
 * Reads an uploaded template. Pure: bytes and plain data in, a plain result out (no I/O),
 * so it can run in a worker thread. Every problem is listed with sheet and cell.
 */
export async function readGridTemplate(
  kind: GridTemplateKind,
  bytes: Uint8Array,
  owner: OwnerCheck,
): Promise<GridTemplateRead> {
  const notATemplate = `Diese Datei ist keine ${kind.templateName} von Verbundkauf. Bitte laden Sie die Vorlage über „Excel-Vorlage herunterladen“ herunter und tragen Sie dort Ihre Werte ein.`;
  const damaged = (where: string) =>
    fileError(
      `Die ${kind.templateName} ist beschädigt (${where} im versteckten Blatt „${META_SHEET}“). Bitte eine neue Vorlage herunterladen und Ihre Werte dort eintragen.`,
    );
  if (bytes.length === 0) return fileError("Die Datei ist leer.");
  if (bytes.length > MAX_TEMPLATE_BYTES) return fileError("Die Datei ist größer als 5 MB.");
  if (!looksLikeXlsx(bytes)) return fileError(NOT_EXCEL);

  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch {
    return fileError(
      "Die Datei ist beschädigt oder keine gültige Excel-Arbeitsmappe und konnte nicht gelesen werden.",
    );
  }
  // A zip without any worksheet (a .docx, .odt, .ods or plain zip renamed to .xlsx).
  if (workbook.worksheets.length === 0) return fileError(NOT_EXCEL);

  const meta = workbook.getWorksheet(META_SHEET);
  if (!meta) return fileError(notATemplate);
  const format = metaCell(meta, META.formatRow, 2);
  if (format !== kind.format) {
    if (typeof format === "string" && format.startsWith(kind.format.replace(/@\d+$/, "@")))
      return fileError(
        `Diese Vorlage hat ein älteres Format. Bitte eine neue Vorlage herunterladen und Ihre Werte dort eintragen.`,
      );
    return fileError(notATemplate);
  }
  const columns: unknown[] = [];
  for (let c = 2; c <= Math.min(meta.getRow(META.columnsRow).cellCount, 60); c++)
    columns.push(metaCell(meta, META.columnsRow, c));
  const schemas = metaSchemas(kind);
  const head = schemas.head.safeParse({
    format,
    owner: metaCell(meta, META.ownerRow, 2),
    columns,
    generatedAt: metaCell(meta, META.generatedRow, 2),
  });
  if (!head.success) return damaged("Kopfdaten");
  if (head.data.owner !== owner.code) return fileError(owner.wrongOwner(head.data.owner));
  const years = head.data.columns;

  // Trailing empty rows (a spreadsheet program may write some) do not count.
  let lastLineRow = meta.rowCount;
  while (
    lastLineRow >= META.firstLineRow &&
    [1, 2, 3].every((c) => metaCell(meta, lastLineRow, c) === undefined)
  )
    lastLineRow--;
  const lineCount = lastLineRow - META.firstLineRow + 1;
  if (lineCount < 1 || lineCount > MAX_META_LINES) return damaged("Zeilenliste");
  const k = kind.keys.length;
  const lineSchema = schemas.line(years.length);
  const metaLines: z.output<typeof lineSchema>[] = [];
  for (let r = META.firstLineRow; r <= lastLineRow; r++) {
    const cell = (c: number) => metaCell(meta, r, c);
    const parsed = lineSchema.safeParse({
      row: cell(1),
      codes: kind.keys.map((_, i) => cell(2 + i)),
      names: kind.keys.map((_, i) => cell(2 + k + i)),
      values: years.map((_, i) => cell(2 + 2 * k + i)),
      note: kind.note ? cell(2 + 2 * k + years.length) : undefined,
    });
    if (!parsed.success) return damaged(`Zeile ${r}`);
    metaLines.push(parsed.data);
  }
  const keyOf = (codes: readonly string[]) => codes.join("\u0000");
  const byCodes = new Map(metaLines.map((l) => [keyOf(l.codes), l]));
  if (byCodes.size !== metaLines.length) return damaged("doppelte Zeilen");

  const sheet = workbook.getWorksheet(kind.dataSheet);
  if (!sheet)
    return fileError(`Das Blatt „${kind.dataSheet}“ fehlt. Bitte eine neue Vorlage herunterladen.`);
  const cols = gridColumns(kind, years.length);
  const errors: TemplateError[] = [];
  const error = (cell: string, message: string) =>
    errors.push({ sheet: kind.dataSheet, cell, message });

  // The columns must still be the years the template was made for.
  years.forEach((year, i) => {
    const col = cols.firstValueColumn + i;
    const header = plainValue(sheet.getCell(LAYOUT.headerRow, col).value);
    const shown =
      header.kind === "number"
        ? header.value
        : header.kind === "text"
          ? Number(header.value.trim())
          : NaN;
    if (shown !== year)
      error(
        ref(LAYOUT.headerRow, col),
        `Hier muss das Jahr ${year} stehen. Bitte keine Spalten einfügen, löschen oder verschieben.`,
      );
  });
  if (errors.length > 0) return { ok: false, errors };

  // Every filled cell of the sheet, by row: whatever is not part of the table is reported.
  const filled = new Map<number, Map<number, Plain>>();
  sheet.eachRow({ includeEmpty: false }, (row, r) => {
    row.eachCell({ includeEmpty: false }, (cell, c) => {
      if (cell.isMerged && cell.master !== cell) return;
      const v = plainValue(cell.value);
      if (v.kind === "empty") return;
      if (!filled.has(r)) filled.set(r, new Map());
      filled.get(r)!.set(c, v);
    });
  });
  const outside = (r: number, c: number) =>
    error(
      ref(r, c),
      `Diese Zelle liegt außerhalb der Tabelle und wird nicht gelesen. Bitte Werte nur in die gelben Felder eintragen (und die Zelle leeren).`,
    );
  const text = (v: Plain | undefined) =>
    v?.kind === "text" ? v.value.trim() : v?.kind === "number" ? String(v.value) : "";

  const lines: GridTemplateLine[] = [];
  const seenAt = new Map<string, number>();
  let totalsSeen = false;
  for (const r of [...filled.keys()].sort((a, b) => a - b)) {
    const cells = filled.get(r)!;
    if (r < LAYOUT.headerRow) {
      for (const c of cells.keys()) if (c !== 1 || r > 2) outside(r, c);
      continue;
    }
    if (r === LAYOUT.headerRow) {
      for (const c of cells.keys()) if (c > cols.lastColumn) outside(r, c);
      continue;
    }
    for (const c of cells.keys()) if (c > cols.lastColumn) outside(r, c);
    const shownCodes = cols.codeColumns.map((c) => text(cells.get(c)));
    if (shownCodes.every((code) => code === "")) {
      const isTotals = !totalsSeen && text(cells.get(cols.nameColumns[0])) === TOTAL_LABEL;
      if (isTotals) {
        totalsSeen = true;
        for (const c of cells.keys())
          if (c !== cols.nameColumns[0] && (c < cols.firstValueColumn || c > cols.sumColumn))
            outside(r, c);
        continue;
      }
      const first = Math.min(...[...cells.keys()].filter((c) => c <= cols.lastColumn));
      if (Number.isFinite(first))
        error(
          ref(r, first),
          `Zeile ${r} hat keine Kürzel (${kind.keys.map((key) => key.codeHeader).join(", ")}) und kann keiner Zeile der Vorlage zugeordnet werden. Bitte keine Zeilen einfügen; Werte nur in die vorhandenen Zeilen eintragen.`,
        );
      continue;
    }
    const codes = shownCodes.map((code) => (code === EMPTY_CODE ? "" : code));
    const shownCodeText = shownCodes.join(" / ");
    const metaLine = byCodes.get(keyOf(codes));
    const codeRef = ref(r, cols.codeColumns[0]);
    if (!metaLine) {
      error(
        codeRef,
        `Zeile ${r}: die Kürzel ${shownCodeText} gehören zu keiner Zeile dieser Vorlage. Bitte keine Kürzel ändern und keine Zeilen einfügen.`,
      );
      continue;
    }
    const earlier = seenAt.get(keyOf(codes));
    if (earlier !== undefined) {
      error(
        codeRef,
        `Zeile ${r} hat dieselben Kürzel (${shownCodeText}) wie Zeile ${earlier}. Bitte keine Zeilen kopieren; jede Zeile darf nur einmal vorkommen.`,
      );
      continue;
    }
    seenAt.set(keyOf(codes), r);
    // The names must still belong to the codes: a sort of only some columns would
    // otherwise pair values with the wrong line.
    const shownNames = cols.nameColumns.map((c) => text(cells.get(c)));
    const wrongName = shownNames.findIndex((name, i) => name !== metaLine.names[i]);
    if (wrongName >= 0) {
      error(
        ref(r, cols.nameColumns[wrongName]),
        `Zeile ${r}: „${shownNames[wrongName] || "(leer)"}“ passt nicht zum Kürzel ${shownCodes[wrongName]} („${metaLine.names[wrongName]}“). Wurden Spalten einzeln sortiert oder verschoben? Bitte eine neue Vorlage herunterladen.`,
      );
      continue;
    }
    const values: number[] = [];
    const valueRefs: string[] = [];
    years.forEach((_, i) => {
      const c = cols.firstValueColumn + i;
      const checked = valueOf(kind, cells.get(c) ?? { kind: "empty" });
      valueRefs.push(ref(r, c));
      if (checked.ok) values.push(checked.value);
      else error(ref(r, c), checked.message);
    });
    let note: string | null = null;
    let noteRef: string | null = null;
    if (cols.noteColumn && kind.note) {
      noteRef = ref(r, cols.noteColumn);
      const n = cells.get(cols.noteColumn) ?? { kind: "empty" };
      if (n.kind === "other") error(noteRef, "Bitte hier nur Text eintragen.");
      else {
        const parsed = noteTextSchema(kind.note.maxLength).safeParse(
          n.kind === "empty" ? "" : n.kind === "number" ? String(n.value) : n.value,
        );
        if (parsed.success) note = parsed.data;
        else error(noteRef, `Höchstens ${kind.note.maxLength.toLocaleString("de-DE")} Zeichen.`);
      }
    }
    lines.push({
      codes,
      names: metaLine.names,
      row: r,
      values,
      downloaded: metaLine.values,
      valueRefs,
      note,
      downloadedNote: kind.note ? (metaLine.note ?? "") : null,
      noteRef,
    });
  }
  // A row that was deleted is not read as "no demand": the file is refused.
  for (const l of metaLines) {
    if (seenAt.has(keyOf(l.codes))) continue;
    const codes = l.codes.map((c) => (c === "" ? EMPTY_CODE : c)).join(" / ");
    error(
      "",
      `Die Zeile „${l.names.join(" – ")}“ (Kürzel ${codes}, ursprünglich Zeile ${l.row}) fehlt. Bitte keine Zeilen löschen; laden Sie im Zweifel eine neue Vorlage herunter.`,
    );
  }
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    owner: head.data.owner,
    generatedAt: head.data.generatedAt,
    columns: years,
    lines,
  };
}
