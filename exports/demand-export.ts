// Export of all demand lines (Bedarfsmeldungen) as CSV and as an Excel workbook.
// The rows come either from a plan file (demandRowsFromPlan) or from the database
// with justifications (loadDemandRows in demand-rows.server.ts).
import type { Writable } from "node:stream";
import ExcelJS from "exceljs";
import type { Plan } from "../domain/plan";
import { toCsv, type CsvCell } from "./csv";
import {
  bodyStyle,
  columnLetter,
  HEADER_STYLE,
  TITLE_STYLE,
  headerRowHeight,
  rowHeightForLines,
  setDefaultFont,
  worksheetOptions,
  wrappedLines,
  type ColumnSpec,
} from "./workbook-style";

export interface DemandExportRow {
  partnerCode: string;
  partnerName: string;
  schoolCode: string | null;
  schoolName: string | null;
  categoryCode: string;
  categoryName: string;
  unit: string | null;
  year: number;
  quantity: number;
  justification: string | null;
}

/** The demand lines of a plan file in file order, with the names looked up. */
export function demandRowsFromPlan(plan: Plan): DemandExportRow[] {
  const partners = new Map(plan.partners.map((p) => [p.code, p.name]));
  const schools = new Map((plan.schools ?? []).map((s) => [s.code, s.name]));
  const categories = new Map(plan.categories.map((c) => [c.code, c]));
  return (plan.demand ?? []).map((line) => {
    const category = categories.get(line.category);
    return {
      partnerCode: line.partner,
      partnerName: partners.get(line.partner) ?? "",
      schoolCode: line.school ?? null,
      schoolName: line.school ? (schools.get(line.school) ?? "") : null,
      categoryCode: line.category,
      categoryName: category?.name ?? "",
      unit: category?.unit ?? null,
      year: line.year,
      quantity: line.quantity,
      justification: null,
    };
  });
}

const COLUMNS: readonly ColumnSpec[] = [
  // Widths fit A4 landscape at 100 % (workbook-style PRINTABLE_WIDTH); long names wrap.
  { header: "Partner", width: 7, kind: "text" },
  { header: "Schulträger", width: 20, kind: "wrap" },
  { header: "Schule", width: 10, kind: "text" },
  { header: "Schulname", width: 24, kind: "wrap" },
  { header: "Produktgruppe", width: 11, kind: "text" },
  { header: "Bezeichnung", width: 20, kind: "wrap" },
  { header: "Einheit", width: 7, kind: "text" },
  { header: "Jahr", width: 6, kind: "year" },
  { header: "Menge", width: 7, kind: "integer" },
  { header: "Begründung", width: 26, kind: "wrap" },
];

function rowCells(row: DemandExportRow): (string | number | null)[] {
  return [
    row.partnerCode,
    row.partnerName,
    row.schoolCode,
    row.schoolName,
    row.categoryCode,
    row.categoryName,
    row.unit,
    row.year,
    row.quantity,
    row.justification,
  ];
}

/** `;`-separated, UTF-8 with BOM, CRLF, injection-guarded (see csv.ts). */
export function demandCsv(rows: Iterable<DemandExportRow>): string {
  return toCsv(
    COLUMNS.map((c) => c.header),
    (function* () {
      for (const row of rows) yield rowCells(row) as CsvCell[];
    })(),
  );
}

export interface DemandWorkbookMeta {
  createdAt: Date;
  /** e.g. "Stand 28.11.2026" — shown in the title row. */
  title?: string;
}

const TITLE_ROW = 1;
const HEADER_ROW = 2;

/**
 * Writes the demand workbook to `stream` with exceljs's streaming writer (rows are
 * flushed as they are written, so memory stays flat for any number of lines).
 */
export async function writeDemandWorkbook(
  rows: Iterable<DemandExportRow>,
  stream: Writable,
  meta: DemandWorkbookMeta,
): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream,
    useStyles: true,
    useSharedStrings: false,
  });
  setDefaultFont(workbook);
  workbook.creator = "Verbundkauf";
  workbook.lastModifiedBy = "Verbundkauf";
  workbook.created = meta.createdAt;
  workbook.modified = meta.createdAt;
  Object.assign(workbook, {
    title: "Bedarfsmeldungen",
    subject: "Bedarfsmeldungen aller Schulträger",
  });

  const sheet = workbook.addWorksheet(
    "Bedarf",
    worksheetOptions({
      documentLabel: "Bedarfsmeldungen",
      frozenRows: HEADER_ROW,
      frozenColumns: 2,
    }),
  );
  sheet.columns = COLUMNS.map((c) => ({ width: c.width }));

  const title = sheet.getRow(TITLE_ROW);
  title.getCell(1).value = meta.title ?? "Bedarfsmeldungen";
  title.getCell(1).style = TITLE_STYLE;
  title.commit();

  const header = sheet.getRow(HEADER_ROW);
  COLUMNS.forEach((column, index) => {
    const cell = header.getCell(index + 1);
    cell.value = column.header;
    cell.style = HEADER_STYLE;
  });
  header.height = headerRowHeight(COLUMNS);
  header.commit();

  let rowNumber = HEADER_ROW;
  let sincePause = 0;
  for (const row of rows) {
    rowNumber++;
    const excelRow = sheet.getRow(rowNumber);
    let lines = 1;
    rowCells(row).forEach((value, index) => {
      const cell = excelRow.getCell(index + 1);
      cell.value = value;
      cell.style = bodyStyle(COLUMNS[index].kind);
      if (COLUMNS[index].kind === "wrap" && typeof value === "string")
        lines = Math.max(lines, wrappedLines(value, COLUMNS[index].width));
    });
    if (lines > 1) excelRow.height = rowHeightForLines(lines);
    excelRow.commit();
    // Let the zip stream flush now and then (see SheetWriter.pause).
    if (++sincePause === 500) {
      sincePause = 0;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
  sheet.autoFilter = `A${HEADER_ROW}:${columnLetter(COLUMNS.length)}${Math.max(rowNumber, HEADER_ROW)}`;
  sheet.commit();
  await workbook.commit();
}
