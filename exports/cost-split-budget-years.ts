// Sheet "Haushaltsjahre": per partner and year net, VAT (rounded once per partner, year
// and rate on USt-Sätze, CALCULATION.md §4), gross, the common-cost share (booked in the
// start year, §5) and the solo comparison — all as formulas over Positionen and
// USt-Sätze. Below the partners, one total row per budget year across all partners.
// The columns do not depend on the number of VAT rates, so the sheet prints at 100 %.
import type ExcelJS from "exceljs";
import type { PartnerYearCalculation } from "../domain/calculation";
import type { Cents } from "../domain/money";
import type { CostSplitContext } from "./cost-split-context";
import {
  COMMON_COST_COLUMNS,
  FIRST_DATA_ROW,
  HEADER_ROW,
  POSITION_COLUMNS,
  SHEET,
  VAT_RATE_COLUMNS,
  type BudgetYearColumns,
} from "./cost-split-layout";
import { cellRef, centsToCellNumber, rangeRef, type FormulaCell } from "./formulas";
import { SheetWriter, type CellInput } from "./sheet-writer";
import { fundingOfYearCell } from "./cost-split-funding";
import type { ColumnSpec } from "./workbook-style";

/** Column specs by column number; a new column needs a number in BUDGET_YEAR_COLUMNS and a spec here. */
export function budgetYearColumnSpecs(columns: BudgetYearColumns): ColumnSpec[] {
  const specs: ColumnSpec[] = [];
  const put = (column: number, spec: ColumnSpec) => (specs[column - 1] = spec);
  put(columns.partner, { header: "Partner", width: 7, kind: "text" });
  put(columns.partnerName, { header: "Schulträger", width: 22, kind: "text" });
  put(columns.year, { header: "Jahr", width: 6, kind: "year" });
  put(columns.quantity, { header: "Menge", width: 7, kind: "integer" });
  put(columns.net, {
    header: "Netto",
    width: 12,
    kind: "money",
    note: "Summe Netto (gemeinsam) der Positionen dieses Jahres.",
  });
  put(columns.vat, {
    header: "USt",
    width: 12,
    kind: "money",
    note: "Summe der je Steuersatz gerundeten Umsatzsteuer dieses Jahres (Blatt USt-Sätze).",
  });
  put(columns.gross, { header: "Brutto", width: 12, kind: "money" });
  put(columns.commonCostShare, {
    header: "Anteil Gemeinkosten",
    width: 12,
    kind: "money",
    note: "Der ganze Anteil an den Gemeinkosten wird im ersten Jahr der Laufzeit gebucht (Blatt Gemeinkosten).",
  });
  put(columns.total, { header: "Gesamt brutto", width: 12, kind: "money" });
  put(columns.soloNet, {
    header: "Netto allein",
    width: 12,
    kind: "money",
    note: "Summe Netto (allein) der Positionen: Vergleich Einzelbeschaffung.",
  });
  put(columns.soloVat, { header: "USt allein", width: 12, kind: "money" });
  put(columns.soloGross, { header: "Brutto allein", width: 12, kind: "money" });
  put(columns.funding, {
    header: "Förderung",
    width: 12,
    kind: "money",
    note: "Bewilligte Förderung dieses Jahres (Blatt Förderung).",
  });
  put(columns.own, {
    header: "Eigenanteil",
    width: 12,
    kind: "money",
    note: "Gesamt brutto − Förderung: was der Partner in diesem Jahr selbst zahlt.",
  });
  return specs;
}

function sumOfCells(columns: readonly number[], row: number, result: Cents): FormulaCell {
  return {
    formula: columns.map((c) => cellRef(c, row)).join("+"),
    result: centsToCellNumber(result),
  };
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

  const rates = layout.vatRateRowsOf(partnerCode, year.year);
  const rateSum = (column: number, result: Cents): FormulaCell => ({
    formula: `SUM(${rangeRef(column, rates.first, rates.last, { sheet: SHEET.vatRates })})`,
    result: centsToCellNumber(result),
  });
  cells[columns.vat - 1] = rateSum(VAT_RATE_COLUMNS.vat, year.directVat);
  cells[columns.soloVat - 1] = rateSum(VAT_RATE_COLUMNS.soloVat, year.soloVat);
  cells[columns.gross - 1] = sumOfCells([columns.net, columns.vat], row, year.directGross);
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
  cells[columns.funding - 1] = fundingOfYearCell(
    context,
    partnerCode,
    year.year,
    year.fundingGross,
  );
  cells[columns.own - 1] = {
    formula: `${cellRef(columns.total, row)}-${cellRef(columns.funding, row)}`,
    result: centsToCellNumber(year.ownGross),
  };
  return cells;
}

/** The money and quantity columns that the year totals add up, with the engine figure of a year row. */
function totalledColumns(
  columns: BudgetYearColumns,
): [number, (year: PartnerYearCalculation) => Cents | number][] {
  return [
    [columns.quantity, (y) => y.quantity],
    [columns.net, (y) => y.directNet],
    [columns.vat, (y) => y.directVat],
    [columns.gross, (y) => y.directGross],
    [columns.commonCostShare, (y) => y.commonCostShare],
    [columns.total, (y) => y.directGross + y.commonCostShare],
    [columns.soloNet, (y) => y.soloNet],
    [columns.soloVat, (y) => y.soloVat],
    [columns.soloGross, (y) => y.soloNet + y.soloVat],
    [columns.funding, (y) => y.fundingGross],
    [columns.own, (y) => y.ownGross],
  ];
}

export async function writeBudgetYearsSheet(
  sheet: ExcelJS.Worksheet,
  context: CostSplitContext,
): Promise<void> {
  const { tender, layout } = context;
  const columns = layout.budgetYearColumns;
  const writer = new SheetWriter(sheet, budgetYearColumnSpecs(columns));
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
  const lastPartnerRow = layout.budgetYearsLastRow;
  writer.autoFilter(HEADER_ROW, lastPartnerRow);

  // One total row per budget year across all partners: what the consortium books that year.
  writer.blank();
  for (const year of tender.years) {
    const row = layout.yearTotalRow(year);
    if (writer.currentRow !== row) throw new Error("Haushaltsjahre: total rows out of step");
    const cells: CellInput[] = new Array(columns.count).fill(null);
    cells[columns.partnerName - 1] = `Summe Haushaltsjahr ${year}`;
    cells[columns.year - 1] = year;
    for (const [column, figure] of totalledColumns(columns)) {
      let sum = 0n;
      for (const partner of tender.partners)
        for (const y of partner.years) if (y.year === year) sum += BigInt(figure(y));
      const result = column === columns.quantity ? Number(sum) : centsToCellNumber(sum);
      cells[column - 1] =
        lastPartnerRow >= FIRST_DATA_ROW
          ? {
              formula: `SUMIF(${rangeRef(columns.year, FIRST_DATA_ROW, lastPartnerRow, { absolute: true })},${cellRef(columns.year, row)},${rangeRef(column, FIRST_DATA_ROW, lastPartnerRow)})`,
              result,
            }
          : result;
    }
    writer.row(cells, { total: true });
  }
  writer.commit();
}
