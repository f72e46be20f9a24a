// Sheet "Gemeinkosten": each common cost item with its key, every participant's
// weight, the exact share and the cents it gets by the largest remainder method
// (Hare–Niemeyer, CALCULATION.md §5). The exact share is a live formula; which
// participant gets a left-over cent is a ranking, not a formula, so the floor and
// the remainder cent are the engine's values, explained in a note.
import type ExcelJS from "exceljs";
import Decimal from "decimal.js";
import type { CommonCostCalculation, CommonCostShareCalculation } from "../domain/calculation";
import type { CostSplitContext } from "./cost-split-context";
import {
  COMMON_COST_COLUMNS as COL,
  HEADER_ROW,
  OVERVIEW_COLUMNS,
  SHEET,
} from "./cost-split-layout";
import {
  cellRef,
  centsToCellNumber,
  decimalToCellNumber,
  rangeRef,
  type FormulaCell,
} from "./formulas";
import { COST_KEY_LABELS } from "./german-text";
import { SheetWriter, type CellInput } from "./sheet-writer";
import type { ColumnSpec } from "./workbook-style";

const REMAINDER_NOTE =
  "Verfahren der größten Reste (Hare–Niemeyer): Jeder Partner erhält zuerst seinen exakten Anteil auf volle Cent " +
  "abgerundet. Die übrigen Cent gehen einzeln an die Partner mit den größten Nachkommaresten (bei gleichem Rest " +
  "nach Partnerkürzel aufsteigend). So ergibt die Summe der Anteile genau den Betrag. Die Verteilung ist eine " +
  "Rangfolge und daher als Wert eingetragen.";

const COLUMNS: ColumnSpec[] = [
  { header: "Nr.", width: 4, kind: "integer" },
  { header: "Posten", width: 18, kind: "wrap" },
  { header: "Schlüssel", width: 14, kind: "wrap" },
  { header: "Betrag brutto", width: 12, kind: "money" },
  { header: "Partner", width: 7, kind: "text" },
  { header: "Schulträger", width: 20, kind: "text" },
  {
    header: "Gewicht",
    width: 11,
    kind: "weight",
    note: "Gewicht nach dem Schlüssel: Auftragsvolumen = Direkt netto (Übersicht), Stückzahl = Menge (Übersicht), sonst Schülerzahl, Einwohnerzahl, 1 oder das festgelegte Gewicht.",
  },
  {
    header: "Anteil exakt",
    width: 15,
    kind: "exactMoney",
    note: "Betrag × Gewicht ÷ Summe der Gewichte (ungerundet).",
  },
  { header: "abgerundet", width: 12, kind: "money", note: REMAINDER_NOTE },
  { header: "Restcent", width: 8, kind: "money", note: REMAINDER_NOTE },
  {
    header: "Anteil",
    width: 12,
    kind: "money",
    note: "Abgerundeter Anteil + Restcent: der Betrag, den der Partner trägt.",
  },
];

/** The exact share in euros as the cell's cached value (nearest double to the fraction). */
function exactShareNumber(share: CommonCostShareCalculation): number {
  return new Decimal(share.exactShareNumerator.toString())
    .div(share.exactShareDenominator.toString())
    .div(100)
    .toNumber();
}

/** Volume and quantity weights are figures of Übersicht: refer to them so the chain stays visible. */
function weightCell(
  item: CommonCostCalculation,
  share: CommonCostShareCalculation,
  context: CostSplitContext,
): CellInput {
  const value = decimalToCellNumber(share.weight);
  const column =
    item.key === "volume"
      ? OVERVIEW_COLUMNS.directNet
      : item.key === "quantity"
        ? OVERVIEW_COLUMNS.quantity
        : null;
  if (column === null) return value;
  const row = context.layout.overviewRowOf(share.partner);
  return { formula: cellRef(column, row, { sheet: SHEET.overview }), result: value };
}

export async function writeCommonCostsSheet(
  sheet: ExcelJS.Worksheet,
  context: CostSplitContext,
): Promise<void> {
  const { tender, layout } = context;
  const writer = new SheetWriter(sheet, COLUMNS);
  writer.title(`Gemeinkosten – ${context.documentLabel}`);
  writer.header();
  const names = new Map(tender.participants.map((p) => [p.code, p.name]));
  const sumRows: number[] = [];

  for (const [index, item] of tender.commonCosts.entries()) {
    const rows = layout.commonCostItems[index];
    for (const share of item.shares) {
      const row = writer.currentRow;
      const exact: FormulaCell = {
        formula: `${cellRef(COL.amount, row)}*${cellRef(COL.weight, row)}/${cellRef(COL.weight, rows.sumRow, { absolute: true })}`,
        result: exactShareNumber(share),
      };
      writer.row([
        index + 1,
        item.label,
        COST_KEY_LABELS[item.key],
        centsToCellNumber(item.amountGross),
        share.partner,
        names.get(share.partner) ?? "",
        weightCell(item, share, context),
        exact,
        centsToCellNumber(share.floorCents),
        centsToCellNumber(share.remainderCents),
        {
          formula: `${cellRef(COL.floorShare, row)}+${cellRef(COL.remainderCent, row)}`,
          result: centsToCellNumber(share.cents),
        },
      ]);
      await writer.pause();
    }
    if (writer.currentRow !== rows.sumRow) throw new Error("Gemeinkosten: rows out of step");
    const sum = (column: number, result: number): CellInput =>
      rows.shares
        ? { formula: `SUM(${rangeRef(column, rows.shares.first, rows.shares.last)})`, result }
        : result;
    const sharesTotal = item.shares.reduce((total, share) => total + share.cents, 0n);
    const floorTotal = item.shares.reduce((total, share) => total + share.floorCents, 0n);
    sumRows.push(
      writer.row(
        [
          index + 1,
          `Summe ${item.label}`,
          COST_KEY_LABELS[item.key],
          centsToCellNumber(item.amountGross),
          null,
          null,
          sum(COL.weight, decimalToCellNumber(item.weightSum)),
          sum(COL.exactShare, centsToCellNumber(item.amountGross)),
          sum(COL.floorShare, centsToCellNumber(floorTotal)),
          sum(COL.remainderCent, centsToCellNumber(sharesTotal - floorTotal)),
          sum(COL.share, centsToCellNumber(sharesTotal)),
        ],
        { total: true },
      ),
    );
  }

  if (writer.currentRow !== layout.commonCostTotalRow)
    throw new Error("Gemeinkosten: total row out of step");
  const total = tender.commonCostsTotal;
  const sumOfSums = (column: number): CellInput =>
    sumRows.length > 0
      ? {
          formula: sumRows.map((row) => cellRef(column, row)).join("+"),
          result: centsToCellNumber(total),
        }
      : 0;
  writer.row(
    [
      null,
      "Gemeinkosten gesamt",
      null,
      sumOfSums(COL.amount),
      null,
      null,
      null,
      null,
      null,
      null,
      sumOfSums(COL.share),
    ],
    {
      total: true,
    },
  );
  writer.autoFilter(HEADER_ROW, layout.commonCostTotalRow - 1);
  writer.commit();
}
