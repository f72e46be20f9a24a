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

export const TITLE_STYLE: Partial<ExcelJS.Style> = { font: { bold: true, size: 13 } };

export const HEADER_STYLE: Partial<ExcelJS.Style> = {
  font: { bold: true },
  fill: { type: "pattern", pattern: "solid", fgColor: { argb: "FFDDE6F0" } },
  border: { bottom: THIN },
  alignment: { vertical: "top", wrapText: true },
};

const TOTAL_FONT: Partial<ExcelJS.Font> = { bold: true };
const TOTAL_BORDER: Partial<ExcelJS.Borders> = { top: THIN };

export const TEXT_STYLE: Partial<ExcelJS.Style> = {};
export const MONEY_STYLE: Partial<ExcelJS.Style> = { numFmt: MONEY_FORMAT };
export const EXACT_MONEY_STYLE: Partial<ExcelJS.Style> = { numFmt: EXACT_MONEY_FORMAT };
export const PERCENT_STYLE: Partial<ExcelJS.Style> = { numFmt: PERCENT_FORMAT };
export const INTEGER_STYLE: Partial<ExcelJS.Style> = { numFmt: INTEGER_FORMAT };
export const WEIGHT_STYLE: Partial<ExcelJS.Style> = { numFmt: WEIGHT_FORMAT };
export const DATE_TIME_STYLE: Partial<ExcelJS.Style> = {
  numFmt: DATE_TIME_FORMAT,
  alignment: { horizontal: "left" },
};
export const WRAP_STYLE: Partial<ExcelJS.Style> = {
  alignment: { vertical: "top", wrapText: true },
};
/** Years without a thousands separator ("2027", not "2.027"). */
export const YEAR_STYLE: Partial<ExcelJS.Style> = {
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
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0, // as many pages down as needed
      printTitlesRow: setup.frozenRows > 0 ? `1:${setup.frozenRows}` : undefined,
      margins: { left: 0.5, right: 0.5, top: 0.75, bottom: 0.75, header: 0.3, footer: 0.3 },
    },
    headerFooter: {
      oddHeader: `&L${escapeHeaderFooter(setup.documentLabel)}&R&A`,
      oddFooter: "&LVerbundkauf&CSeite &P von &N&R&D",
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
