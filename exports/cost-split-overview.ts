// Sheet "Übersicht": one row per participant with the figures of result@1 (quantity,
// net, VAT, gross, common-cost share, total, solo cost, savings) and a totals row.
// Every figure is a sum over the partner's rows on Haushaltsjahre.
import type ExcelJS from "exceljs";
import Decimal from "decimal.js";
import type { Figures } from "../domain/calculation";
import type { Cents } from "../domain/money";
import type { CostSplitContext } from "./cost-split-context";
import { FIRST_DATA_ROW, HEADER_ROW, OVERVIEW_COLUMNS as COL, SHEET } from "./cost-split-layout";
import { cellRef, centsToCellNumber, rangeRef, type FormulaCell } from "./formulas";
import { SheetWriter, type CellInput } from "./sheet-writer";
import type { ColumnSpec } from "./workbook-style";

const COLUMNS: ColumnSpec[] = [
  { header: "Partner", width: 7, kind: "text" },
  { header: "Schulträger", width: 22, kind: "text" },
  { header: "Menge", width: 8, kind: "integer" },
  {
    header: "Direkt netto",
    width: 12,
    kind: "money",
    note: "Menge × gemeinsamer Einzelpreis, alle Jahre der Laufzeit.",
  },
  {
    header: "USt",
    width: 12,
    kind: "money",
    note: "Summe der je Jahr und Steuersatz gerundeten Umsatzsteuer.",
  },
  { header: "Direkt brutto", width: 12, kind: "money" },
  {
    header: "Anteil Gemeinkosten",
    width: 12,
    kind: "money",
    note: "Anteil an den Gemeinkosten nach dem Schlüssel jedes Postens, centgenau nach dem Verfahren der größten Reste (Blatt Gemeinkosten).",
  },
  { header: "Gesamt brutto", width: 12, kind: "money" },
  {
    header: "Einzelbeschaffung brutto",
    width: 12,
    kind: "money",
    note: "Was der Partner allein zahlen würde: eigene Menge zu den Preisen der eigenen Staffel (brutto) plus die Kosten eines eigenen Vergabeverfahrens (Blatt Parameter).",
  },
  {
    header: "Ersparnis brutto",
    width: 12,
    kind: "money",
    note: "Einzelbeschaffung − Gesamt; negativ, wenn der Verbund teurer ist.",
  },
  {
    header: "Ersparnis %",
    width: 9,
    kind: "percent",
    note: "Ersparnis im Verhältnis zur Einzelbeschaffung.",
  },
  // §12, at the end: funding and own contribution (Eigenanteil).
  {
    header: "Förderung",
    width: 16,
    kind: "money",
    note: "Bewilligte Förderung über alle Jahre (Blätter Haushaltsjahre und Förderung).",
  },
  {
    header: "Eigenanteil",
    width: 16,
    kind: "money",
    note: "Gesamt brutto − Förderung: was der Partner selbst zahlt.",
  },
];
const FUNDING_COLUMN = COL.savingsPercent + 1;

/** savings / solo as the cell's cached value (0 when there is no solo cost). */
function savingsRatio(savings: Cents, solo: Cents): number {
  return solo === 0n ? 0 : new Decimal(savings.toString()).div(solo.toString()).toNumber();
}

function ratioFormula(row: number, figures: Figures): FormulaCell {
  const solo = cellRef(COL.soloGross, row);
  return {
    formula: `IF(${solo}=0,0,${cellRef(COL.savingsGross, row)}/${solo})`,
    result: savingsRatio(figures.savingsGross, figures.soloGross),
  };
}

function figureCells(
  row: number,
  figures: Figures,
  sum: (column: number) => string,
  soloExtra: string,
): CellInput[] {
  const formula = (expression: string, result: Cents): FormulaCell => ({
    formula: expression,
    result: centsToCellNumber(result),
  });
  return [
    { formula: sum(COL.quantity), result: figures.quantity },
    formula(sum(COL.directNet), figures.directNet),
    formula(sum(COL.directVat), figures.directVat),
    formula(`${cellRef(COL.directNet, row)}+${cellRef(COL.directVat, row)}`, figures.directGross),
    formula(sum(COL.commonCostShare), figures.commonCostShare),
    formula(
      `${cellRef(COL.directGross, row)}+${cellRef(COL.commonCostShare, row)}`,
      figures.totalGross,
    ),
    formula(sum(COL.soloGross) + soloExtra, figures.soloGross),
    formula(`${cellRef(COL.soloGross, row)}-${cellRef(COL.totalGross, row)}`, figures.savingsGross),
    ratioFormula(row, figures),
    formula(sum(FUNDING_COLUMN), figures.fundingGross),
    formula(`${cellRef(COL.totalGross, row)}-${cellRef(FUNDING_COLUMN, row)}`, figures.ownGross),
  ];
}

export async function writeOverviewSheet(
  sheet: ExcelJS.Worksheet,
  context: CostSplitContext,
): Promise<void> {
  const { tender, layout } = context;
  const writer = new SheetWriter(sheet, COLUMNS);
  writer.title(`Übersicht – ${context.documentLabel} (${context.stateLabel})`);
  writer.header();

  const years = layout.budgetYearColumns;
  // Overview column → the Haushaltsjahre column it sums.
  const budgetColumn: Record<number, number> = {
    [COL.quantity]: years.quantity,
    [COL.directNet]: years.net,
    [COL.directVat]: years.vat,
    [COL.commonCostShare]: years.commonCostShare,
    [COL.soloGross]: years.soloGross,
    [FUNDING_COLUMN]: years.funding,
  };
  const processCost = cellRef(layout.soloProcessCostCell.column, layout.soloProcessCostCell.row, {
    sheet: SHEET.parameters,
    absolute: true,
  });

  for (const partner of tender.partners) {
    const row = layout.overviewRowOf(partner.code);
    if (writer.currentRow !== row) throw new Error("Übersicht: rows out of step");
    const range = layout.budgetYearsOf(partner.code);
    const sum = (column: number) =>
      `SUM(${rangeRef(budgetColumn[column], range.first, range.last, { sheet: SHEET.budgetYears })})`;
    writer.row([partner.code, partner.name, ...figureCells(row, partner, sum, `+${processCost}`)]);
    await writer.pause();
  }

  const totalRow = layout.overviewTotalRow;
  if (writer.currentRow !== totalRow) throw new Error("Übersicht: total row out of step");
  const lastPartnerRow = totalRow - 1;
  const columnSum = (column: number) =>
    lastPartnerRow >= FIRST_DATA_ROW
      ? `SUM(${rangeRef(column, FIRST_DATA_ROW, lastPartnerRow)})`
      : "0";
  writer.row([null, "Summe", ...figureCells(totalRow, tender.totals, columnSum, "")], {
    total: true,
  });
  writer.autoFilter(HEADER_ROW, lastPartnerRow);
  writer.commit();
}
