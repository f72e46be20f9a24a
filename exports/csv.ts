// CSV for German Excel: `;` between fields, decimal comma, UTF-8 with BOM (so Excel
// detects the encoding), CRLF line ends and quoting per RFC 4180. Text cells that a
// spreadsheet would run as a formula are neutralized (OWASP "CSV injection").

/** A CSV cell: text, a whole number, or an exact decimal given as a string ("1234.56"). */
export type CsvCell = string | number | { decimal: string } | null | undefined;

export const CSV_SEPARATOR = ";";
export const CSV_LINE_END = "\r\n";
export const UTF8_BOM = "\uFEFF";

/** Characters that make Excel/LibreOffice treat a cell as a formula (or split it). */
const FORMULA_TRIGGERS = new Set(["=", "+", "-", "@", "\u2212"]);
/** Control characters that start a new cell or line in some spreadsheets. */
const CONTROL_STARTS = new Set(["\t", "\r", "\n"]);

/**
 * Prefixes `'` to text that would start a formula; the apostrophe shows it is text.
 * Spreadsheets skip leading blanks and line breaks and read full-width and small-form
 * signs (＝ ＋ － ＠, ﹦ ﹢ ﹣ ﹫) like the ASCII ones, so those count as well.
 */
export function neutralizeFormula(text: string): string {
  if (text.length === 0) return text;
  if (CONTROL_STARTS.has(text[0])) return `'${text}`;
  const first = text.trimStart().charAt(0).normalize("NFKC");
  return FORMULA_TRIGGERS.has(first) ? `'${text}` : text;
}

const DECIMAL_PATTERN = /^-?\d+(\.\d+)?$/;

/** "1234.56" → "1234,56": decimal comma, no thousands separator so that Excel reads a number. */
export function formatDecimalComma(decimal: string): string {
  if (!DECIMAL_PATTERN.test(decimal)) throw new Error(`Not a decimal: ${JSON.stringify(decimal)}`);
  return decimal.replace(".", ",");
}

function needsQuotes(field: string): boolean {
  return /[";\r\n]/.test(field);
}

/** One field as it appears in the file (guarded, then quoted where needed). */
export function csvField(cell: CsvCell): string {
  if (cell === null || cell === undefined) return "";
  if (typeof cell === "number") {
    if (!Number.isSafeInteger(cell))
      throw new Error(`Only whole numbers as plain numbers: ${cell}`);
    return String(cell);
  }
  if (typeof cell === "object") return formatDecimalComma(cell.decimal);
  const guarded = neutralizeFormula(cell);
  return needsQuotes(guarded) ? `"${guarded.replaceAll('"', '""')}"` : guarded;
}

export function csvLine(cells: readonly CsvCell[]): string {
  return cells.map(csvField).join(CSV_SEPARATOR) + CSV_LINE_END;
}

/** The whole document: BOM, header line and one line per row. */
export function toCsv(header: readonly string[], rows: Iterable<readonly CsvCell[]>): string {
  const parts = [UTF8_BOM, csvLine(header)];
  for (const row of rows) parts.push(csvLine(row));
  return parts.join("");
}
