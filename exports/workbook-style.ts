// Shared look of every workbook the app exports: number formats, header and total
// styles, frozen header, print setup (landscape, fit to width, header and footer).
// The style objects are shared constants on purpose: exceljs de-duplicates styles by
// value, and one object per kind keeps that cheap for large sheets.
import type ExcelJS from "exceljs";

export const MONEY_FORMAT = '#,##0.00 "€"';
/** Exact shares of common costs: more decimals than money, so the cut is visible. */
export const EXACT_MONEY_FORMAT = '#,##0.000000 "€"';
export const PERCENT_FORMAT = "0.00 %";
export const INTEGER_FORMAT = "#,##0";
/** Weights may be decimals (custom keys): show up to four places. */
export const WEIGHT_FORMAT = "#,##0.####";
export const DATE_TIME_FORMAT = "dd.mm.yyyy hh:mm";

const THIN: ExcelJS.Border = { style: "thin", color: { argb: "FF7F7F7F" } };

/**
 * One named font for every cell: without a name LibreOffice falls back to a serif face.
 * Arial is on every Windows machine; LibreOffice and Linux substitute the metric-compatible
 * Liberation Sans, so column widths and wrapped lines come out alike.
 */
export const FONT_NAME = "Arial";
/** Body text in points; sheets are laid out so they print at 100 % (never below 9 pt). */
export const FONT_SIZE = 10;
/** The smallest font size any printed page may show (issue 15). */
export const MIN_PRINT_FONT_SIZE = 9;

const BODY_FONT: Partial<ExcelJS.Font> = { name: FONT_NAME, size: FONT_SIZE };
const BOLD_FONT: Partial<ExcelJS.Font> = { name: FONT_NAME, size: FONT_SIZE, bold: true };

export const TITLE_STYLE: Partial<ExcelJS.Style> = {
  font: { name: FONT_NAME, bold: true, size: 13 },
};

export const HEADER_STYLE: Partial<ExcelJS.Style> = {
  font: BOLD_FONT,
  fill: { type: "pattern", pattern: "solid", fgColor: { argb: "FFDDE6F0" } },
  border: { bottom: THIN },
  alignment: { vertical: "top", wrapText: true },
};

const TOTAL_FONT: Partial<ExcelJS.Font> = BOLD_FONT;
const TOTAL_BORDER: Partial<ExcelJS.Borders> = { top: THIN };

export const TEXT_STYLE: Partial<ExcelJS.Style> = { font: BODY_FONT };
export const MONEY_STYLE: Partial<ExcelJS.Style> = { font: BODY_FONT, numFmt: MONEY_FORMAT };
export const EXACT_MONEY_STYLE: Partial<ExcelJS.Style> = {
  font: BODY_FONT,
  numFmt: EXACT_MONEY_FORMAT,
};
export const PERCENT_STYLE: Partial<ExcelJS.Style> = { font: BODY_FONT, numFmt: PERCENT_FORMAT };
export const INTEGER_STYLE: Partial<ExcelJS.Style> = { font: BODY_FONT, numFmt: INTEGER_FORMAT };
export const WEIGHT_STYLE: Partial<ExcelJS.Style> = { font: BODY_FONT, numFmt: WEIGHT_FORMAT };
export const DATE_TIME_STYLE: Partial<ExcelJS.Style> = {
  font: BODY_FONT,
  numFmt: DATE_TIME_FORMAT,
  alignment: { horizontal: "left" },
};
export const WRAP_STYLE: Partial<ExcelJS.Style> = {
  font: BODY_FONT,
  alignment: { vertical: "top", wrapText: true },
};
/** Years without a thousands separator ("2027", not "2.027"). */
export const YEAR_STYLE: Partial<ExcelJS.Style> = {
  font: BODY_FONT,
  numFmt: "0",
  alignment: { horizontal: "left" },
};

export type CellKind =
  "text" | "money" | "exactMoney" | "percent" | "integer" | "year" | "weight" | "dateTime" | "wrap";

const BODY_STYLES: Record<CellKind, Partial<ExcelJS.Style>> = {
  text: TEXT_STYLE,
  money: MONEY_STYLE,
  exactMoney: EXACT_MONEY_STYLE,
  percent: PERCENT_STYLE,
  integer: INTEGER_STYLE,
  year: YEAR_STYLE,
  weight: WEIGHT_STYLE,
  dateTime: DATE_TIME_STYLE,
  wrap: WRAP_STYLE,
};

const TOTAL_STYLES = Object.fromEntries(
  Object.entries(BODY_STYLES).map(([kind, style]) => [
    kind,
    { ...style, font: TOTAL_FONT, border: TOTAL_BORDER },
  ]),
) as Record<CellKind, Partial<ExcelJS.Style>>;

export function bodyStyle(kind: CellKind): Partial<ExcelJS.Style> {
  return BODY_STYLES[kind];
}

export function totalStyle(kind: CellKind): Partial<ExcelJS.Style> {
  return TOTAL_STYLES[kind];
}

/** In Excel header/footer codes `&` starts a command; a literal ampersand is `&&`. */
export function escapeHeaderFooter(text: string): string {
  return text.replaceAll("&", "&&");
}

export interface SheetSetup {
  /** Shown left in the printed header, e.g. "Kostenaufteilung RV-2027 – Rahmenvertrag Endgeräte". */
  documentLabel: string;
  /** Rows above the data that stay visible when scrolling (title and header row). */
  frozenRows: number;
  /** Columns that stay visible when scrolling right (codes and names). */
  frozenColumns?: number;
  /** Columns printed on every page, e.g. "A:B" (names beside the figures). */
  repeatColumns?: string;
}

/** Page margins in inches (A4 landscape): 0.4" left and right. */
const PAGE_MARGINS = { left: 0.4, right: 0.4, top: 0.75, bottom: 0.75, header: 0.3, footer: 0.3 };

/** Header and footer text in the body font at 10 pt, like the cells. */
const HEADER_FONT = `&"${FONT_NAME},Regular"&10`;

/**
 * Column widths (in Excel's character units) that fit A4 landscape at 100 %:
 * 29.7 cm − 2 × 0.4" = 277 mm ≈ 785 pt; one unit is about 7 px = 5.25 pt plus 5 px
 * padding per column. Builders keep the sum of their widths within this.
 */
export const PRINTABLE_WIDTH = 140;

/** Sum of column widths, to check a sheet against PRINTABLE_WIDTH. */
export function totalWidth(columns: readonly { width: number }[]): number {
  return columns.reduce((sum, column) => sum + (column?.width ?? 0), 0);
}

/** Line height of the bold 10 pt header font in points. */
const HEADER_LINE_HEIGHT = 12.75;

/**
 * Lines a header text needs in a column of `width` units when wrapped at spaces and
 * hyphens: bold Arial 10 takes about one unit per character; a cell has a little padding.
 * Errs on the side of one line more, since a cut header is worse than a tall one.
 */
export function wrappedLines(text: string, width: number): number {
  const perLine = Math.max(1, Math.floor((width - 1) * 0.95));
  let lines = 0;
  for (const paragraph of text.split("\n")) {
    let line = 0;
    lines++;
    for (const word of paragraph.split(/(?<=[ -])/)) {
      const length = word.trimEnd().length;
      if (line > 0 && line + length > perLine) {
        lines++;
        line = 0;
      }
      // A word longer than the line breaks inside the word.
      if (length > perLine) {
        lines += Math.ceil(length / perLine) - 1;
        line = length % perLine;
      } else line += word.length;
    }
  }
  return lines;
}

/** Row height in points for `lines` lines of 10 pt text. */
export function rowHeightForLines(lines: number): number {
  return lines * HEADER_LINE_HEIGHT + 3;
}

/** Row height in points for a header row with these texts in columns of these widths. */
export function headerRowHeight(columns: readonly { header: string; width: number }[]): number {
  const lines = Math.max(1, ...columns.filter(Boolean).map((c) => wrappedLines(c.header, c.width)));
  return rowHeightForLines(lines);
}

/** Worksheet options for exceljs (streaming and in-memory writers alike). */
export function worksheetOptions(setup: SheetSetup): Partial<ExcelJS.AddWorksheetOptions> {
  const frozenColumns = setup.frozenColumns ?? 0;
  return {
    views: [
      { state: "frozen", xSplit: frozenColumns, ySplit: setup.frozenRows, showGridLines: true },
    ],
    pageSetup: {
      orientation: "landscape",
      paperSize: 9, // A4
      // Always 100 %: sheets are laid out to fit the page (PRINTABLE_WIDTH); a sheet that
      // is wider (funding columns, many years) continues on further pages with its code and
      // name columns repeated, instead of shrinking the text below 9 pt.
      fitToPage: false,
      scale: 100,
      printTitlesRow: setup.frozenRows > 0 ? `1:${setup.frozenRows}` : undefined,
      printTitlesColumn:
        setup.repeatColumns ?? (frozenColumns > 0 ? `A:${columnLetter(frozenColumns)}` : undefined),
      margins: PAGE_MARGINS,
    },
    headerFooter: {
      oddHeader: `&L${HEADER_FONT}${escapeHeaderFooter(setup.documentLabel)}&R${HEADER_FONT}&A`,
      oddFooter: `&L${HEADER_FONT}Verbundkauf&C${HEADER_FONT}Seite &P von &N&R${HEADER_FONT}&D`,
    },
  };
}

export interface ColumnSpec {
  header: string;
  width: number;
  kind: CellKind;
  /** Explanation shown as a note on the header cell. */
  note?: string;
}

/** Column letter for a 1-based column number (1 → A, 27 → AA). */
export function columnLetter(column: number): string {
  let n = column;
  let letters = "";
  while (n > 0) {
    const rest = (n - 1) % 26;
    letters = String.fromCharCode(65 + rest) + letters;
    n = Math.floor((n - 1) / 26);
  }
  return letters;
}

/**
 * Makes Arial 10 the workbook's default font (font 0, the "Normal" style). Column widths
 * are counted in digits of the default font: with exceljs's Calibri 11, which LibreOffice
 * replaces by the much wider DejaVu Sans when Calibri is missing, every column came out a
 * third wider and fit-to-width shrank the print to 7 pt. Arial (Liberation Sans) has the
 * same digit width in Excel and LibreOffice. Call before the first cell is written; uses
 * the streaming writer's style registry (no public API for the default font).
 */
export function setDefaultFont(workbook: ExcelJS.stream.xlsx.WorkbookWriter): void {
  const styles = (workbook as unknown as { styles?: { _addFont?: (font: object) => number } })
    .styles;
  if (typeof styles?._addFont !== "function") return;
  const index = styles._addFont({ name: FONT_NAME, size: FONT_SIZE, family: 2 });
  if (index !== 0) throw new Error("setDefaultFont must run before any cell is written");
}
