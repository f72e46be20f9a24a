// Sheet "USt-Sätze": per partner, year and VAT rate of the tender the net (joint and
// solo) summed from Positionen and the VAT rounded once per partner, year and rate
// (CALCULATION.md §4). Haushaltsjahre sums these rows, so its width does not grow with
// the number of rates and every sheet prints at 100 %.
import type ExcelJS from "exceljs";
import type { VatLine } from "../domain/calculation";
import type { CostSplitContext } from "./cost-split-context";
import {
  HEADER_ROW,
  POSITION_COLUMNS,
  SHEET,
  VAT_RATE_COLUMNS as COL,
  type RowRange,
} from "./cost-split-layout";
import {
  cellRef,
  centsToCellNumber,
  decimalToCellNumber,
  rangeRef,
  roundedMoneyTimes,
  type FormulaCell,
} from "./formulas";
import { SheetWriter, type CellInput } from "./sheet-writer";
import type { ColumnSpec } from "./workbook-style";

const VAT_NOTE =
  "Umsatzsteuer je Partner, Jahr und Steuersatz einmal kaufmännisch auf Cent gerundet (wie eine Jahresrechnung). " +
  "Die Formel rechnet in ganzen Cent (ROUND(Netto*100;0)*19/100), damit keine Gleitkomma-Rundungsfehler entstehen.";

const COLUMNS: ColumnSpec[] = [
  { header: "Partner", width: 7, kind: "text" },
  { header: "Schulträger", width: 22, kind: "text" },
  { header: "Jahr", width: 6, kind: "year" },
  { header: "USt-Satz", width: 8, kind: "percent" },
  {
    header: "Netto",
    width: 13,
    kind: "money",
    note: "Summe Netto (gemeinsam) der Positionen dieses Jahres und Steuersatzes.",
  },
  { header: "USt", width: 12, kind: "money", note: VAT_NOTE },
  { header: "Netto allein", width: 13, kind: "money" },
  { header: "USt allein", width: 12, kind: "money", note: VAT_NOTE },
];

function lineOf(lines: readonly VatLine[], rate: string): VatLine | undefined {
  return lines.find((line) => line.rate === rate);
}

function netAndVat(
  positions: RowRange | null,
  row: number,
  rate: string,
  sumColumn: number,
  netColumn: number,
  line: VatLine | undefined,
): [CellInput, CellInput] {
  if (!positions) return [0, 0];
  const ratesRange = rangeRef(POSITION_COLUMNS.vatRate, positions.first, positions.last, {
    sheet: SHEET.positions,
    absolute: true,
  });
  const sumRange = rangeRef(sumColumn, positions.first, positions.last, {
    sheet: SHEET.positions,
    absolute: true,
  });
  const net: FormulaCell = {
    formula: `SUMIF(${ratesRange},${cellRef(COL.rate, row)},${sumRange})`,
    result: centsToCellNumber(line?.net ?? 0n),
  };
  const vat: FormulaCell = {
    formula: roundedMoneyTimes(cellRef(netColumn, row), rate),
    result: centsToCellNumber(line?.vat ?? 0n),
  };
  return [net, vat];
}

export async function writeVatRatesSheet(
  sheet: ExcelJS.Worksheet,
  context: CostSplitContext,
): Promise<void> {
  const { tender, layout } = context;
  const writer = new SheetWriter(sheet, COLUMNS);
  writer.title(`Umsatzsteuer je Steuersatz – ${context.documentLabel}`);
  writer.header();
  for (const partner of tender.partners) {
    for (const year of partner.years) {
      const rows = layout.vatRateRowsOf(partner.code, year.year);
      if (writer.currentRow !== rows.first) throw new Error("USt-Sätze: rows out of step");
      const positions = layout.positionsOf(partner.code, year.year);
      for (const rate of layout.vatRates) {
        const row = writer.currentRow;
        writer.row([
          partner.code,
          partner.name,
          year.year,
          decimalToCellNumber(rate),
          ...netAndVat(
            positions,
            row,
            rate,
            POSITION_COLUMNS.net,
            COL.net,
            lineOf(year.vatByRate, rate),
          ),
          ...netAndVat(
            positions,
            row,
            rate,
            POSITION_COLUMNS.soloNet,
            COL.soloNet,
            lineOf(year.soloVatByRate, rate),
          ),
        ]);
        await writer.pause();
      }
    }
  }
  writer.autoFilter(HEADER_ROW, writer.currentRow - 1);
  writer.commit();
}
