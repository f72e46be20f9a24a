// The "Plan-Ist" sheet for the finance workbook: per partner and year the planned
// demand against the call-offs, both at the awarded prices, then the use of each
// framework agreement's maximum. Every cached value is a figure of the engine (see
// domain/plan-vs-actual.ts); sums and differences are live formulas an auditor can follow.
// Works with the streaming writer and with an in-memory workbook alike.
import type ExcelJS from "exceljs";
import { remainingQuantity } from "../domain/call-offs";
import type { PlanVsActual, SideFigures } from "../domain/plan-vs-actual";
import { centsToCellNumber, cellRef, type FormulaCell } from "./formulas";
import { SheetWriter, type CellInput } from "./sheet-writer";
import { worksheetOptions, type ColumnSpec } from "./workbook-style";

export const PLAN_VS_ACTUAL_SHEET = "Plan-Ist";
const HEADER_ROW = 2;

const PLAN_NOTE = "Plan: Bedarf, auf dem der Zuschlag beruht (beim Zuschlag eingefroren).";
const ACTUAL_NOTE = "Ist: Abrufe, nach dem Jahr des Abrufdatums.";

const COLUMNS: readonly ColumnSpec[] = [
  { header: "Partner", width: 7, kind: "text" },
  { header: "Schulträger", width: 20, kind: "text" },
  { header: "Jahr", width: 6, kind: "year" },
  { header: "Menge Plan", width: 7, kind: "integer", note: PLAN_NOTE },
  { header: "Menge Ist", width: 7, kind: "integer", note: ACTUAL_NOTE },
  {
    header: "Netto Plan",
    width: 11,
    kind: "money",
    note: "Menge × Zuschlagspreis (netto), je Produktgruppe.",
  },
  { header: "Netto Ist", width: 11, kind: "money" },
  {
    header: "Brutto Plan",
    width: 11,
    kind: "money",
    note: "Netto + Umsatzsteuer, je Partner, Jahr und Steuersatz einmal kaufmännisch gerundet.",
  },
  { header: "Brutto Ist", width: 11, kind: "money" },
  {
    header: "Anteil Gemeinkosten (Plan)",
    width: 11,
    kind: "money",
    note: "Anteil an den Gemeinkosten nach dem Schlüssel der Ausschreibung auf den geplanten Bedarf, im Startjahr gebucht. Plan und Ist tragen denselben Anteil: wer zuerst abruft, trägt nicht die ganzen Gemeinkosten.",
  },
  { header: "Gesamt Plan", width: 11, kind: "money" },
  { header: "Gesamt Ist", width: 11, kind: "money" },
  { header: "Abweichung", width: 11, kind: "money", note: "Gesamt Ist − Gesamt Plan (brutto)." },
];

/** The categories below the partners, in the partner table's columns (widths from there). */
const CATEGORY_COLUMNS: readonly ColumnSpec[] = [
  { header: "Produktgruppe", width: 0, kind: "text" },
  { header: "Bezeichnung", width: 0, kind: "text" },
  { header: "Los", width: 0, kind: "text" },
  { header: "Höchstmenge", width: 0, kind: "integer", note: "Mit dem Zuschlag eingefroren." },
  { header: "Menge Plan", width: 0, kind: "integer" },
  { header: "Menge Ist", width: 0, kind: "integer" },
  { header: "Verfügbar", width: 0, kind: "integer", note: "Höchstmenge − abgerufen." },
  {
    header: "Ausschöpfung",
    width: 0,
    kind: "percent",
    note: "Abgerufen ÷ Höchstmenge; Warnung ab 80 % und 95 %.",
  },
  { header: "Zuschlagspreis netto", width: 0, kind: "money" },
];
const CATEGORY_COL = { maxQuantity: 4, calledOff: 6 } as const;

// 1-based column numbers of the partner table.
export const PLAN_VS_ACTUAL_COLUMNS = {
  planQuantity: 4,
  actualQuantity: 5,
  planNet: 6,
  actualNet: 7,
  planGross: 8,
  actualGross: 9,
  common: 10,
  planTotal: 11,
  actualTotal: 12,
  difference: 13,
} as const;
const COL = PLAN_VS_ACTUAL_COLUMNS;

function formula(text: string, result: number): FormulaCell {
  return { formula: text, result };
}

const ref = (column: number, row: number) => cellRef(column, row);

/** The figure cells of one row: inputs from the engine, totals and difference as formulas. */
function figureCells(row: number, planned: SideFigures, actual: SideFigures): CellInput[] {
  const money = centsToCellNumber;
  return [
    planned.quantity,
    actual.quantity,
    money(planned.directNet),
    money(actual.directNet),
    money(planned.directGross),
    money(actual.directGross),
    // The same share on both sides (domain/plan-vs-actual.ts): the plan's split.
    money(planned.commonCostShare),
    formula(`${ref(COL.planGross, row)}+${ref(COL.common, row)}`, money(planned.totalGross)),
    formula(`${ref(COL.actualGross, row)}+${ref(COL.common, row)}`, money(actual.totalGross)),
    formula(
      `${ref(COL.actualTotal, row)}-${ref(COL.planTotal, row)}`,
      money(actual.totalGross - planned.totalGross),
    ),
  ];
}

/** Sum rows: every figure column adds up the given rows (a range or a list). */
function sumCells(
  row: number,
  rows: { from: number; to: number } | number[],
  planned: SideFigures,
  actual: SideFigures,
): CellInput[] {
  const cached = figureCells(row, planned, actual);
  return cached.map((cell, index) => {
    const column = COL.planQuantity + index;
    const result = typeof cell === "number" ? cell : ((cell as FormulaCell).result as number);
    const text = Array.isArray(rows)
      ? rows.length === 0
        ? "0"
        : rows.map((r) => ref(column, r)).join("+")
      : `SUM(${ref(column, rows.from)}:${ref(column, rows.to)})`;
    return formula(text, result);
  });
}

export interface PlanVsActualSheetOptions {
  /** Shown in the title and the printed header, e.g. "Kostenaufteilung RV-2027 – …". */
  documentLabel?: string;
}

type WorkbookLike = Pick<ExcelJS.Workbook, "addWorksheet"> | ExcelJS.stream.xlsx.WorkbookWriter;

/** Adds the sheet "Plan-Ist" to `workbook` and writes it completely. */
export function addPlanVsActualSheet(
  workbook: WorkbookLike,
  data: PlanVsActual,
  options: PlanVsActualSheetOptions = {},
): ExcelJS.Worksheet {
  const label = options.documentLabel ?? `Plan-Ist ${data.tenderCode} – ${data.tenderName}`;
  const sheet = workbook.addWorksheet(
    PLAN_VS_ACTUAL_SHEET,
    worksheetOptions({ documentLabel: label, frozenRows: HEADER_ROW, frozenColumns: 3 }),
  );
  const writer = new SheetWriter(sheet, COLUMNS);
  writer.title(`Plan-Ist ${data.tenderCode} – ${data.tenderName} (zu Zuschlagspreisen)`);
  writer.header();

  const subtotalRows: number[] = [];
  for (const partner of data.partners) {
    const first = writer.currentRow;
    for (const year of partner.years) {
      const row = writer.currentRow;
      writer.row([
        partner.code,
        partner.name,
        year.year,
        ...figureCells(row, year.planned, year.actual),
      ]);
    }
    const row = writer.currentRow;
    subtotalRows.push(row);
    writer.row(
      [
        partner.code,
        `Summe ${partner.name}`,
        "",
        ...sumCells(row, { from: first, to: row - 1 }, partner.planned, partner.actual),
      ],
      {
        total: true,
      },
    );
  }
  const totalRow = writer.currentRow;
  writer.row(
    [
      "",
      "Summe aller Schulträger",
      "",
      ...sumCells(totalRow, subtotalRows, data.totals.planned, data.totals.actual),
    ],
    {
      total: true,
    },
  );
  writer.autoFilter(HEADER_ROW, totalRow);

  const problems = [data.commonCostProblems.planned, data.commonCostProblems.actual].filter(
    (p): p is string => p !== null,
  );
  for (const problem of new Set(problems)) writer.row(["Hinweis", problem]);

  writer.blank();
  writer.header(CATEGORY_COLUMNS);
  for (const category of data.categories) {
    const row = writer.currentRow;
    const use = { maxQuantity: category.maxQuantity, calledOff: category.calledOffQuantity };
    const max = ref(CATEGORY_COL.maxQuantity, row);
    const calledOff = ref(CATEGORY_COL.calledOff, row);
    writer.row([
      category.code,
      category.name,
      category.lot,
      { value: category.maxQuantity, kind: "integer" },
      { value: category.plannedQuantity, kind: "integer" },
      { value: category.calledOffQuantity, kind: "integer" },
      {
        value: formula(`MAX(0,${max}-${calledOff})`, remainingQuantity(use)),
        kind: "integer",
      },
      {
        value: formula(
          `IF(${max}=0,0,${calledOff}/${max})`,
          category.maxQuantity === 0 ? 0 : category.calledOffQuantity / category.maxQuantity,
        ),
        kind: "percent",
      },
      { value: centsToCellNumber(category.unitPriceNet), kind: "money" },
    ]);
  }
  writer.commit();
  return sheet;
}
