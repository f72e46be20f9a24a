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
  { header: "Partner", width: 9, kind: "text" },
  { header: "Schulträger", width: 26, kind: "text" },
  { header: "Jahr", width: 8, kind: "year" },
  { header: "Menge Plan", width: 11, kind: "integer", note: PLAN_NOTE },
  { header: "Menge Ist", width: 11, kind: "integer", note: ACTUAL_NOTE },
  {
    header: "Netto Plan",
    width: 15,
    kind: "money",
    note: "Menge × Zuschlagspreis (netto), je Produktgruppe.",
  },
  { header: "Netto Ist", width: 15, kind: "money" },
  {
    header: "USt Plan",
    width: 13,
    kind: "money",
    note: "Je Partner, Jahr und Steuersatz einmal kaufmännisch gerundet.",
  },
  { header: "USt Ist", width: 13, kind: "money" },
  { header: "Brutto Plan", width: 15, kind: "money" },
  { header: "Brutto Ist", width: 15, kind: "money" },
  {
    header: "Gemeinkosten Plan",
    width: 15,
    kind: "money",
    note: "Anteil an den Gemeinkosten nach dem Schlüssel der Ausschreibung, im Startjahr gebucht.",
  },
  {
    header: "Gemeinkosten Ist",
    width: 15,
    kind: "money",
    note: "Dieselben Gemeinkosten, verteilt auf die Schulträger, die abgerufen haben (Schlüssel Volumen: Ist-Volumen).",
  },
  { header: "Gesamt Plan", width: 15, kind: "money" },
  { header: "Gesamt Ist", width: 15, kind: "money" },
  { header: "Abweichung", width: 15, kind: "money", note: "Gesamt Ist − Gesamt Plan (brutto)." },
];

const CATEGORY_COLUMNS: readonly ColumnSpec[] = [
  { header: "Produktgruppe", width: 9, kind: "text" },
  { header: "Bezeichnung", width: 26, kind: "text" },
  { header: "Los", width: 8, kind: "text" },
  { header: "Zuschlagspreis netto", width: 11, kind: "money" },
  { header: "Höchstmenge", width: 11, kind: "integer", note: "Mit dem Zuschlag eingefroren." },
  { header: "Menge Plan", width: 15, kind: "integer" },
  { header: "Menge Ist", width: 15, kind: "integer" },
  { header: "Verfügbar", width: 13, kind: "integer", note: "Höchstmenge − abgerufen." },
  {
    header: "Ausschöpfung",
    width: 13,
    kind: "percent",
    note: "Abgerufen ÷ Höchstmenge; Warnung ab 80 % und 95 %.",
  },
];

// 1-based column numbers of the partner table.
const COL = {
  planQuantity: 4,
  actualQuantity: 5,
  planNet: 6,
  actualNet: 7,
  planVat: 8,
  actualVat: 9,
  planGross: 10,
  actualGross: 11,
  planCommon: 12,
  actualCommon: 13,
  planTotal: 14,
  actualTotal: 15,
  difference: 16,
} as const;

function formula(text: string, result: number): FormulaCell {
  return { formula: text, result };
}

const ref = (column: number, row: number) => cellRef(column, row);

/** The figure cells of one row: inputs from the engine, gross, totals and difference as formulas. */
function figureCells(row: number, planned: SideFigures, actual: SideFigures): CellInput[] {
  const money = centsToCellNumber;
  return [
    planned.quantity,
    actual.quantity,
    money(planned.directNet),
    money(actual.directNet),
    money(planned.directVat),
    money(actual.directVat),
    formula(`${ref(COL.planNet, row)}+${ref(COL.planVat, row)}`, money(planned.directGross)),
    formula(`${ref(COL.actualNet, row)}+${ref(COL.actualVat, row)}`, money(actual.directGross)),
    money(planned.commonCostShare),
    money(actual.commonCostShare),
    formula(`${ref(COL.planGross, row)}+${ref(COL.planCommon, row)}`, money(planned.totalGross)),
    formula(`${ref(COL.actualGross, row)}+${ref(COL.actualCommon, row)}`, money(actual.totalGross)),
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
    writer.row([
      category.code,
      category.name,
      category.lot,
      { value: centsToCellNumber(category.unitPriceNet), kind: "money" },
      { value: category.maxQuantity, kind: "integer" },
      { value: category.plannedQuantity, kind: "integer" },
      { value: category.calledOffQuantity, kind: "integer" },
      {
        value: formula(`MAX(0,${ref(5, row)}-${ref(7, row)})`, remainingQuantity(use)),
        kind: "integer",
      },
      {
        value: formula(
          `IF(${ref(5, row)}=0,0,${ref(7, row)}/${ref(5, row)})`,
          category.maxQuantity === 0 ? 0 : category.calledOffQuantity / category.maxQuantity,
        ),
        kind: "percent",
      },
    ]);
  }
  writer.commit();
  return sheet;
}
