// Builds a cost-split workbook in memory and checks it against the engine's result
// file (result@1) and rich result: shared by the golden-example and the random-plan tests.
import type ExcelJS from "exceljs";
import type { PlanCalculation } from "../../../domain/calculation";
import type { Result, ResultTender } from "../../../domain/result";
import { formatMoney } from "../../../domain/money";
import { writeCostSplitWorkbook, type CostSplitMeta } from "../../../exports/cost-split-workbook";
import {
  LOT_CATEGORY_COLUMNS as LOT,
  LOT_TABLE_COLUMNS as LOT_TABLE,
  SHEET,
} from "../../../exports/cost-split-layout";
import { EU_VERDICT } from "../../../exports/cost-split-lots";
import { loadWorkbook, writeToBuffer } from "./stream-buffer";
import { checkFormulas } from "./formula-check";

export const FIXED_META: CostSplitMeta = {
  createdAt: new Date("2026-11-28T16:30:00Z"),
  appVersion: "0.1.0-test",
};

export async function buildCostSplit(
  calculation: PlanCalculation,
  tenderCode: string,
  meta: CostSplitMeta = FIXED_META,
): Promise<{ buffer: Buffer; workbook: ExcelJS.Workbook }> {
  const buffer = await writeToBuffer((stream) =>
    writeCostSplitWorkbook({ calculation, tenderCode, meta }, stream),
  );
  return { buffer, workbook: await loadWorkbook(buffer) };
}

/** A cell's shown number: the cached result of a formula, else the value. */
export function shown(cell: ExcelJS.Cell): unknown {
  return cell.type === 6 ? cell.result : cell.value;
}

/** Rows whose first cell is `code`, on a sheet: the data rows of one partner, category or lot. */
export function rowsWithCode(sheet: ExcelJS.Worksheet, code: string): ExcelJS.Row[] {
  const rows: ExcelJS.Row[] = [];
  sheet.eachRow((row, rowNumber) => {
    if (rowNumber > 2 && row.getCell(1).value === code) rows.push(row);
  });
  return rows;
}

function findRowByLabel(sheet: ExcelJS.Worksheet, column: number, label: string): ExcelJS.Row {
  let found: ExcelJS.Row | undefined;
  sheet.eachRow((row) => {
    if (!found && row.getCell(column).value === label) found = row;
  });
  if (!found) throw new Error(`${sheet.name}: no row labelled ${label}`);
  return found;
}

/** Money as the engine wrote it ("1234.56") → the exact cell number the workbook must hold. */
const money = (text: string) => Number(text);

/**
 * Asserts that every figure of result@1 for this tender appears, exactly, as a cached
 * value in the workbook, and that HyperFormula recalculates every formula to it.
 */
export function expectWorkbookMatchesResult(
  workbook: ExcelJS.Workbook,
  result: Result,
  calculation: PlanCalculation,
  tenderCode: string,
): void {
  const expected = result.tenders.find((t) => t.code === tenderCode) as ResultTender;
  const rich = calculation.tenders.find((t) => t.code === tenderCode)!;
  const overview = workbook.getWorksheet(SHEET.overview)!;
  const years = workbook.getWorksheet(SHEET.budgetYears)!;
  const lots = workbook.getWorksheet(SHEET.lots)!;
  const commonCosts = workbook.getWorksheet(SHEET.commonCosts)!;

  // Übersicht: one row per participant, in result order, plus the totals row.
  const overviewCodes: unknown[] = [];
  overview.eachRow((row, n) => {
    if (n > 2 && row.getCell(1).value) overviewCodes.push(row.getCell(1).value);
  });
  expect(overviewCodes).toEqual(expected.participants);
  const figureColumns = [
    ["quantity", 3],
    ["directNet", 4],
    ["directVat", 5],
    ["directGross", 6],
    ["commonCostShare", 7],
    ["totalGross", 8],
    ["soloGross", 9],
    ["savingsGross", 10],
  ] as const;
  for (const partner of expected.partners) {
    const [row] = rowsWithCode(overview, partner.code);
    for (const [field, column] of figureColumns) {
      const value = partner[field];
      expect(shown(row.getCell(column)), `${partner.code} ${field}`).toBe(
        typeof value === "number" ? value : money(value),
      );
    }
    const richPartner = rich.partners.find((p) => p.code === partner.code)!;
    expect(row.getCell(2).value).toBe(richPartner.name);

    // Haushaltsjahre: one row per year of the term.
    const yearRows = rowsWithCode(years, partner.code);
    expect(yearRows.map((r) => r.getCell(3).value)).toEqual(partner.years.map((y) => y.year));
    partner.years.forEach((year, index) => {
      const cells = yearRows[index];
      const header = (title: string) => headerColumn(years, title);
      expect(shown(cells.getCell(header("Netto"))), `${partner.code} ${year.year} net`).toBe(
        money(year.directNet),
      );
      expect(shown(cells.getCell(header("USt"))), `${partner.code} ${year.year} vat`).toBe(
        money(year.directVat),
      );
      expect(shown(cells.getCell(header("Brutto"))), `${partner.code} ${year.year} gross`).toBe(
        money(year.directGross),
      );
      expect(shown(cells.getCell(header("Anteil Gemeinkosten")))).toBe(money(year.commonCostShare));
      const richYear = richPartner.years[index];
      expect(shown(cells.getCell(header("Netto allein")))).toBe(
        money(formatMoney(richYear.soloNet)),
      );
      expect(shown(cells.getCell(header("USt allein")))).toBe(money(formatMoney(richYear.soloVat)));
    });
  }
  const totals = findRowByLabel(overview, 2, "Summe");
  for (const [field, column] of figureColumns) {
    const value = expected.totals[field];
    expect(shown(totals.getCell(column)), `totals ${field}`).toBe(
      typeof value === "number" ? value : money(value),
    );
  }

  // Lose: categories, lots, threshold and verdict.
  for (const category of expected.categories) {
    const [row] = rowsWithCode(lots, category.lot).filter(
      (r) => r.getCell(LOT.category).value === category.code,
    );
    expect(shown(row.getCell(LOT.quantity)), `${category.code} quantity`).toBe(category.quantity);
    expect(shown(row.getCell(LOT.maxQuantity)), `${category.code} max`).toBe(category.maxQuantity);
    expect(shown(row.getCell(LOT.tierMinQuantity))).toBe(category.tierMinQuantity);
    expect(shown(row.getCell(LOT.estimatedPrice)), `${category.code} estimate`).toBe(
      money(category.unitPriceNet),
    );
    expect(shown(row.getCell(LOT.unitPrice)), `${category.code} price`).toBe(
      money(category.unitPriceNet),
    );
  }
  for (const lot of expected.lots) {
    const exempt = (r: ExcelJS.Row) => r.getCell(LOT_TABLE.smallLotExempt).value;
    const row = rowsWithCode(lots, lot.code).find(
      (r) => exempt(r) === "ja" || exempt(r) === "nein",
    )!;
    expect(shown(row.getCell(LOT_TABLE.value)), `lot ${lot.code}`).toBe(
      money(lot.estimatedValueNet),
    );
    expect(exempt(row)).toBe(lot.smallLotExempt ? "ja" : "nein");
  }
  const labelled = (label: string) =>
    shown(findRowByLabel(lots, LOT_TABLE.lotName, label).getCell(LOT_TABLE.value));
  expect(labelled("Geschätzter Gesamtwert netto (§ 3 VgV)")).toBe(
    money(expected.estimatedValueNet),
  );
  expect(labelled("EU-Schwellenwert netto")).toBe(money(expected.euThresholdNet));
  expect(labelled("Ergebnis")).toBe(
    expected.euProcedureRequired ? EU_VERDICT.required : EU_VERDICT.national,
  );

  // Gemeinkosten: every share's cents as the engine split them, in the engine's order.
  const shareRows: {
    label: unknown;
    partner: string;
    floor: unknown;
    remainder: unknown;
    cents: unknown;
  }[] = [];
  const sharesByPartner: Record<string, bigint> = {};
  commonCosts.eachRow((row, n) => {
    const partner = row.getCell(5).value;
    if (n <= 2 || typeof partner !== "string") return;
    const cents = shown(row.getCell(11)) as number;
    shareRows.push({
      label: row.getCell(2).value,
      partner,
      floor: row.getCell(9).value,
      remainder: row.getCell(10).value,
      cents,
    });
    sharesByPartner[partner] = (sharesByPartner[partner] ?? 0n) + BigInt(Math.round(cents * 100));
  });
  expect(shareRows).toEqual(
    rich.commonCosts.flatMap((item) =>
      item.shares.map((share) => ({
        label: item.label,
        partner: share.partner,
        floor: money(formatMoney(share.floorCents)),
        remainder: money(formatMoney(share.remainderCents)),
        cents: money(formatMoney(share.cents)),
      })),
    ),
  );
  if (rich.commonCosts.length > 0) {
    for (const partner of expected.partners) {
      expect(formatMoney(sharesByPartner[partner.code] ?? 0n), `shares of ${partner.code}`).toBe(
        partner.commonCostShare,
      );
    }
  }

  // Every formula, recalculated independently, gives its cached value.
  const check = checkFormulas(workbook);
  expect(check.mismatches).toEqual([]);
  if (expected.partners.length > 0) {
    for (const sheet of [
      SHEET.overview,
      SHEET.lots,
      SHEET.budgetYears,
      SHEET.vatRates,
      SHEET.positions,
    ]) {
      expect(check.formulasPerSheet[sheet], `${sheet} has live formulas`).toBeGreaterThan(0);
    }
  }
}

export function headerColumn(sheet: ExcelJS.Worksheet, title: string): number {
  const header = sheet.getRow(2);
  for (let column = 1; column <= header.cellCount; column++) {
    if (header.getCell(column).value === title) return column;
  }
  throw new Error(`${sheet.name}: no column ${title}`);
}
