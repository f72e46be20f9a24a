// Sheet "Haushaltsjahre": per partner and year net, VAT (rounded once per partner,
// year and rate, CALCULATION.md §4), gross, the common-cost share (booked in the
// start year, §5) and the solo comparison — all as formulas over Positionen.
import type ExcelJS from "exceljs";
import type { PartnerYearCalculation, VatLine } from "../domain/calculation";
import type { Cents } from "../domain/money";
import type { CostSplitContext } from "./cost-split-context";
import {
  COMMON_COST_COLUMNS,
  HEADER_ROW,
  POSITION_COLUMNS,
  SHEET,
  type BudgetYearColumns,
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
import { percentLabel } from "./german-text";
import { SheetWriter, type CellInput } from "./sheet-writer";
import { fundingOfYearCell } from "./cost-split-funding";
import type { ColumnSpec } from "./workbook-style";

const VAT_NOTE =
  "Umsatzsteuer je Partner, Jahr und Steuersatz einmal kaufmännisch auf Cent gerundet (wie eine Jahresrechnung). " +
  "Die Formel rechnet in ganzen Cent (ROUND(Netto*100;0)*19/100), damit keine Gleitkomma-Rundungsfehler entstehen.";

/** The funding columns after the last column (budgetYearColumns().count + 1 and + 2). */
const FUNDING_YEAR_COLUMNS: ColumnSpec[] = [
  {
    header: "Förderung",
    width: 15,
    kind: "money",
    note: "Bewilligte Förderung dieses Jahres (Blatt Förderung).",
  },
  {
    header: "Eigenanteil",
    width: 15,
    kind: "money",
    note: "Gesamt brutto − Förderung: was der Partner in diesem Jahr selbst zahlt.",
  },
];

function columnSpecs(columns: BudgetYearColumns, vatRates: readonly string[]): ColumnSpec[] {
  const specs: ColumnSpec[] = [];
  const put = (column: number, spec: ColumnSpec) => (specs[column - 1] = spec);
  put(columns.partner, { header: "Partner", width: 10, kind: "text" });
  put(columns.partnerName, { header: "Schulträger", width: 26, kind: "text" });
  put(columns.year, { header: "Haushaltsjahr", width: 9, kind: "year" });
  put(columns.quantity, { header: "Menge", width: 9, kind: "integer" });
  put(columns.net, {
    header: "Netto",
    width: 15,
    kind: "money",
    note: "Summe Netto (gemeinsam) der Positionen dieses Jahres.",
  });
  for (const rate of vatRates) {
    put(columns.rateNet.get(rate)!, {
      header: `davon Netto ${percentLabel(rate)}`,
      width: 15,
      kind: "money",
    });
    put(columns.rateVat.get(rate)!, {
      header: `USt ${percentLabel(rate)}`,
      width: 13,
      kind: "money",
      note: VAT_NOTE,
    });
  }
  put(columns.vat, { header: "USt", width: 13, kind: "money" });
  put(columns.gross, { header: "Brutto", width: 15, kind: "money" });
  put(columns.commonCostShare, {
    header: "Anteil Gemeinkosten",
    width: 14,
    kind: "money",
    note: "Der ganze Anteil an den Gemeinkosten wird im ersten Jahr der Laufzeit gebucht (Blatt Gemeinkosten).",
  });
  put(columns.total, { header: "Gesamt brutto", width: 15, kind: "money" });
  put(columns.soloNet, {
    header: "Netto (allein)",
    width: 15,
    kind: "money",
    note: "Summe Netto (allein) der Positionen.",
  });
  for (const rate of vatRates) {
    put(columns.soloRateNet.get(rate)!, {
      header: `davon Netto allein ${percentLabel(rate)}`,
      width: 15,
      kind: "money",
    });
    put(columns.soloRateVat.get(rate)!, {
      header: `USt allein ${percentLabel(rate)}`,
      width: 13,
      kind: "money",
      note: VAT_NOTE,
    });
  }
  put(columns.soloVat, { header: "USt (allein)", width: 13, kind: "money" });
  put(columns.soloGross, { header: "Brutto (allein)", width: 15, kind: "money" });
  specs.push(...FUNDING_YEAR_COLUMNS);
  return specs;
}

function sumOfCells(columns: readonly number[], row: number, result: Cents): FormulaCell | number {
  if (columns.length === 0) return centsToCellNumber(result);
  return {
    formula: columns.map((c) => cellRef(c, row)).join("+"),
    result: centsToCellNumber(result),
  };
}

function vatOf(lines: readonly VatLine[], rate: string): VatLine | undefined {
  return lines.find((line) => line.rate === rate);
}

/** net and VAT columns of one rate, for joint or solo prices. */
function rateCells(
  positions: RowRange,
  row: number,
  rate: string,
  netColumn: number,
  sumColumn: number,
  line: VatLine | undefined,
): [FormulaCell, FormulaCell] {
  const ratesRange = rangeRef(POSITION_COLUMNS.vatRate, positions.first, positions.last, {
    sheet: SHEET.positions,
    absolute: true,
  });
  const sumRange = rangeRef(sumColumn, positions.first, positions.last, {
    sheet: SHEET.positions,
    absolute: true,
  });
  return [
    {
      formula: `SUMIF(${ratesRange},${decimalToCellNumber(rate)},${sumRange})`,
      result: centsToCellNumber(line?.net ?? 0n),
    },
    {
      formula: roundedMoneyTimes(cellRef(netColumn, row), rate),
      result: centsToCellNumber(line?.vat ?? 0n),
    },
  ];
}

function yearRow(
  context: CostSplitContext,
  partnerCode: string,
  partnerName: string,
  year: PartnerYearCalculation,
  row: number,
): CellInput[] {
  const { layout, tender } = context;
  const columns = layout.budgetYearColumns;
  const cells: CellInput[] = new Array(columns.count).fill(null);
  cells[columns.partner - 1] = partnerCode;
  cells[columns.partnerName - 1] = partnerName;
  cells[columns.year - 1] = year.year;

  const positions = layout.positionsOf(partnerCode, year.year);
  const positionSum = (column: number, result: Cents | number): CellInput => {
    const value = typeof result === "bigint" ? centsToCellNumber(result) : result;
    if (!positions) return value; // no positions in this year: nothing to sum
    return {
      formula: `SUM(${rangeRef(column, positions.first, positions.last, { sheet: SHEET.positions })})`,
      result: value,
    };
  };
  cells[columns.quantity - 1] = positionSum(POSITION_COLUMNS.quantity, year.quantity);
  cells[columns.net - 1] = positionSum(POSITION_COLUMNS.net, year.directNet);
  cells[columns.soloNet - 1] = positionSum(POSITION_COLUMNS.soloNet, year.soloNet);

  for (const rate of layout.vatRates) {
    const joint = vatOf(year.vatByRate, rate);
    const solo = vatOf(year.soloVatByRate, rate);
    const netColumn = columns.rateNet.get(rate)!;
    const vatColumn = columns.rateVat.get(rate)!;
    const soloNetColumn = columns.soloRateNet.get(rate)!;
    const soloVatColumn = columns.soloRateVat.get(rate)!;
    if (positions) {
      [cells[netColumn - 1], cells[vatColumn - 1]] = rateCells(
        positions,
        row,
        rate,
        netColumn,
        POSITION_COLUMNS.net,
        joint,
      );
      [cells[soloNetColumn - 1], cells[soloVatColumn - 1]] = rateCells(
        positions,
        row,
        rate,
        soloNetColumn,
        POSITION_COLUMNS.soloNet,
        solo,
      );
    } else {
      cells[netColumn - 1] =
        cells[vatColumn - 1] =
        cells[soloNetColumn - 1] =
        cells[soloVatColumn - 1] =
          0;
    }
  }
  cells[columns.vat - 1] = sumOfCells([...columns.rateVat.values()], row, year.directVat);
  cells[columns.gross - 1] = sumOfCells([columns.net, columns.vat], row, year.directGross);
  cells[columns.soloVat - 1] = sumOfCells([...columns.soloRateVat.values()], row, year.soloVat);
  cells[columns.soloGross - 1] = sumOfCells(
    [columns.soloNet, columns.soloVat],
    row,
    year.soloNet + year.soloVat,
  );

  // §5: the whole share is booked in the start year; the other years carry 0. The
  // partner's share of each item is referred to directly (no lookup by code).
  const shareRows = layout.commonCostShareRowsOf(partnerCode);
  if (year.year === tender.startYear && shareRows.length > 0) {
    cells[columns.commonCostShare - 1] = {
      formula: shareRows
        .map((shareRow) =>
          cellRef(COMMON_COST_COLUMNS.share, shareRow, { sheet: SHEET.commonCosts }),
        )
        .join("+"),
      result: centsToCellNumber(year.commonCostShare),
    };
  } else {
    cells[columns.commonCostShare - 1] = centsToCellNumber(year.commonCostShare);
  }
  cells[columns.total - 1] = sumOfCells(
    [columns.gross, columns.commonCostShare],
    row,
    year.directGross + year.commonCostShare,
  );
  // §12, at the end: Förderung (sum of the sheet Förderung) and Eigenanteil.
  cells.push(fundingOfYearCell(context, partnerCode, year.year, year.fundingGross), {
    formula: `${cellRef(columns.total, row)}-${cellRef(columns.count + 1, row)}`,
    result: centsToCellNumber(year.ownGross),
  });
  return cells;
}

export async function writeBudgetYearsSheet(
  sheet: ExcelJS.Worksheet,
  context: CostSplitContext,
): Promise<void> {
  const { tender, layout } = context;
  const writer = new SheetWriter(sheet, columnSpecs(layout.budgetYearColumns, layout.vatRates));
  writer.title(`Haushaltsjahre – ${context.documentLabel}`);
  writer.header();
  for (const partner of tender.partners) {
    for (const year of partner.years) {
      const row = layout.budgetYearRow(partner.code, year.year);
      if (writer.currentRow !== row) throw new Error("Haushaltsjahre: rows out of step");
      writer.row(yearRow(context, partner.code, partner.name, year, row));
      await writer.pause();
    }
  }
  writer.autoFilter(HEADER_ROW, writer.currentRow - 1);
  writer.commit();
}
