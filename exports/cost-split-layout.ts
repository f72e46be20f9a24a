// Where every figure of the cost-split workbook sits. The streaming writer writes
// each sheet once, top to bottom, and formulas refer to rows of sheets written later
// (Übersicht sums Haushaltsjahre, which sums Positionen), so all row numbers are
// fixed here first, from the engine's result alone.
import type { PartnerCalculation, TenderCalculation } from "../domain/calculation";
import { compareDecimal, parseDecimal } from "../domain/decimal";

export const SHEET = {
  overview: "Übersicht",
  lots: "Lose",
  budgetYears: "Haushaltsjahre",
  vatRates: "USt-Sätze",
  positions: "Positionen",
  commonCosts: "Gemeinkosten",
  parameters: "Parameter",
} as const;

export const TITLE_ROW = 1;
export const HEADER_ROW = 2;
export const FIRST_DATA_ROW = 3;

/** Inclusive row range; `null` stands for "no rows". */
export interface RowRange {
  first: number;
  last: number;
}

export const POSITION_COLUMNS = {
  partner: 1,
  partnerName: 2,
  year: 3,
  lot: 4,
  category: 5,
  categoryName: 6,
  unit: 7,
  quantity: 8,
  vatRate: 9,
  unitPrice: 10,
  net: 11,
  soloUnitPrice: 12,
  soloNet: 13,
} as const;

export const OVERVIEW_COLUMNS = {
  partner: 1,
  partnerName: 2,
  quantity: 3,
  directNet: 4,
  directVat: 5,
  directGross: 6,
  commonCostShare: 7,
  totalGross: 8,
  soloGross: 9,
  savingsGross: 10,
  savingsPercent: 11,
} as const;

export const COMMON_COST_COLUMNS = {
  number: 1,
  label: 2,
  key: 3,
  amount: 4,
  partner: 5,
  partnerName: 6,
  weight: 7,
  exactShare: 8,
  floorShare: 9,
  remainderCent: 10,
  share: 11,
} as const;

export const LOT_CATEGORY_COLUMNS = {
  lot: 1,
  category: 2,
  categoryName: 3,
  unit: 4,
  quantity: 5,
  maxQuantity: 6,
  tierMinQuantity: 7,
  discount: 8,
  basePrice: 9,
  /** The estimate: base price × (1 − discount). */
  estimatedPrice: 10,
  /** The awarded net unit price, empty until the lot is awarded. */
  awardedPrice: 11,
  /** The price every other sheet uses: awarded where awarded, else the estimate. */
  unitPrice: 12,
  estimatedValue: 13,
  vatRate: 14,
} as const;

/** The lot table below the categories on Lose (same sheet, so the same column widths). */
export const LOT_TABLE_COLUMNS = {
  lot: 1,
  categories: 2,
  lotName: 3,
  smallLotExempt: 12,
  value: 13,
} as const;

/**
 * Haushaltsjahre: one row per partner and year, the same columns for any number of VAT
 * rates (the split by rate is on USt-Sätze). To add a column, give it a number here and
 * a spec in cost-split-budget-years.ts; formulas refer to columns by these names.
 */
export const BUDGET_YEAR_COLUMNS = {
  partner: 1,
  partnerName: 2,
  year: 3,
  quantity: 4,
  net: 5,
  vat: 6,
  gross: 7,
  commonCostShare: 8,
  total: 9,
  soloNet: 10,
  soloVat: 11,
  soloGross: 12,
  /** §12: granted funding (sum of the sheet Förderung) and the own contribution. */
  funding: 13,
  own: 14,
} as const;
export type BudgetYearColumns = typeof BUDGET_YEAR_COLUMNS & { count: number };

/** USt-Sätze: per partner, year and VAT rate of the tender, net and VAT, joint and solo. */
export const VAT_RATE_COLUMNS = {
  partner: 1,
  partnerName: 2,
  year: 3,
  rate: 4,
  net: 5,
  vat: 6,
  soloNet: 7,
  soloVat: 8,
} as const;

export interface CommonCostItemRows {
  /** Rows of the participants' shares, by partner code as the engine orders them. */
  shares: RowRange | null;
  sumRow: number;
}

/**
 * Whether `code` can stand as a SUMIF criterion and match exactly itself: criteria
 * treat * ? ~ as wildcards, a leading < > = as a comparison, numbers as numbers, and
 * compare text case-insensitively. Other codes get the engine's value instead.
 * (Money and quantities by partner never need criteria: their rows are contiguous.)
 */
export function isPlainCriterion(code: string, allCodes: readonly string[]): boolean {
  // No spaces either: Excel reads criteria such as "Jan 1" as dates.
  if (!/^[\p{L}_][\p{L}\p{N}_.-]*$/u.test(code)) return false;
  const folded = code.toLocaleUpperCase("de-DE");
  return allCodes.filter((other) => other.toLocaleUpperCase("de-DE") === folded).length === 1;
}

export interface CostSplitLayout {
  tender: TenderCalculation;
  /** The tender's VAT rates, highest first (canonical strings as the engine gives them). */
  vatRates: string[];
  /** All position rows; null when the tender has no demand. */
  positions: RowRange | null;
  /** Positionen rows of one partner and year (contiguous: sorted by partner, year). */
  positionsOf(partner: string, year: number): RowRange | null;
  budgetYearColumns: BudgetYearColumns;
  budgetYearsOf(partner: string): RowRange;
  budgetYearRow(partner: string, year: number): number;
  budgetYearsLastRow: number;
  /** Haushaltsjahre: the total row of each year of the term, across partners (after a blank row). */
  yearTotalRow(year: number): number;
  /** USt-Sätze rows of one partner and year: one per VAT rate of the tender, in vatRates order. */
  vatRateRowsOf(partner: string, year: number): RowRange;
  /** Lose: the row of a category. */
  lotCategoryRow(category: string): number;
  overviewRowOf(partner: string): number;
  overviewTotalRow: number;
  commonCostItems: CommonCostItemRows[];
  /** Rows of all participant shares (sum rows in between carry no partner code). */
  commonCostRows: RowRange | null;
  /** Gemeinkosten rows with this partner's share, one per item. */
  commonCostShareRowsOf(partner: string): number[];
  commonCostTotalRow: number;
  /** Parameter sheet: the cell with the cost of a participant's own procedure. */
  soloProcessCostCell: { row: number; column: number };
}

const key = (partner: string, year: number) => `${partner}\u0000${year}`;

export function vatRatesOf(tender: TenderCalculation): string[] {
  const unique = new Map<string, string>();
  for (const category of tender.categories) unique.set(category.vatRate, category.vatRate);
  return [...unique.values()].sort((a, b) => compareDecimal(parseDecimal(b), parseDecimal(a)));
}

/** Parameter sheet rows, fixed so that other sheets can refer to them. */
export const PARAMETER_ROWS = {
  soloProcessCost: 9,
} as const;

export function costSplitLayout(tender: TenderCalculation): CostSplitLayout {
  const positionRanges = new Map<string, RowRange | null>();
  let row = FIRST_DATA_ROW;
  for (const partner of tender.partners) {
    for (const year of partner.years) {
      const count = year.positions.length;
      positionRanges.set(
        key(partner.code, year.year),
        count > 0 ? { first: row, last: row + count - 1 } : null,
      );
      row += count;
    }
  }
  const positions = row > FIRST_DATA_ROW ? { first: FIRST_DATA_ROW, last: row - 1 } : null;

  const budgetRanges = new Map<string, RowRange>();
  const budgetRows = new Map<string, number>();
  row = FIRST_DATA_ROW;
  for (const partner of tender.partners) {
    const first = row;
    for (const year of partner.years) budgetRows.set(key(partner.code, year.year), row++);
    budgetRanges.set(partner.code, { first, last: row - 1 });
  }
  const budgetYearsLastRow = row - 1;
  const yearTotalRows = new Map<number, number>();
  row = budgetYearsLastRow + 2;
  for (const year of tender.years) yearTotalRows.set(year, row++);

  const vatRates = vatRatesOf(tender);
  const vatRateRows = new Map<string, RowRange>();
  row = FIRST_DATA_ROW;
  for (const partner of tender.partners) {
    for (const year of partner.years) {
      vatRateRows.set(key(partner.code, year.year), {
        first: row,
        last: row + vatRates.length - 1,
      });
      row += vatRates.length;
    }
  }
  const categoryRows = new Map(
    tender.categories.map((category, index) => [category.code, FIRST_DATA_ROW + index]),
  );

  const overviewRows = new Map<string, number>();
  tender.partners.forEach((partner: PartnerCalculation, index) =>
    overviewRows.set(partner.code, FIRST_DATA_ROW + index),
  );
  const overviewTotalRow = FIRST_DATA_ROW + tender.partners.length;

  const commonCostItems: CommonCostItemRows[] = [];
  const shareRows = new Map<string, number[]>();
  row = FIRST_DATA_ROW;
  for (const item of tender.commonCosts) {
    item.shares.forEach((share, index) => {
      const rows = shareRows.get(share.partner) ?? [];
      rows.push(row + index);
      shareRows.set(share.partner, rows);
    });
    const count = item.shares.length;
    const shares = count > 0 ? { first: row, last: row + count - 1 } : null;
    row += count;
    commonCostItems.push({ shares, sumRow: row++ });
  }
  const commonCostRows = row > FIRST_DATA_ROW ? { first: FIRST_DATA_ROW, last: row - 1 } : null;

  return {
    tender,
    vatRates,
    positions,
    positionsOf: (partner, year) => positionRanges.get(key(partner, year)) ?? null,
    budgetYearColumns: { ...BUDGET_YEAR_COLUMNS, count: Object.keys(BUDGET_YEAR_COLUMNS).length },
    budgetYearsOf: (partner) => {
      const range = budgetRanges.get(partner);
      if (!range) throw new Error(`No budget-year rows for ${partner}`);
      return range;
    },
    budgetYearRow: (partner, year) => {
      const found = budgetRows.get(key(partner, year));
      if (found === undefined) throw new Error(`No budget-year row for ${partner} ${year}`);
      return found;
    },
    budgetYearsLastRow,
    yearTotalRow: (year) => {
      const found = yearTotalRows.get(year);
      if (found === undefined) throw new Error(`No total row for ${year}`);
      return found;
    },
    vatRateRowsOf: (partner, year) => {
      const found = vatRateRows.get(key(partner, year));
      if (!found) throw new Error(`No VAT rows for ${partner} ${year}`);
      return found;
    },
    lotCategoryRow: (category) => {
      const found = categoryRows.get(category);
      if (found === undefined) throw new Error(`No Lose row for ${category}`);
      return found;
    },
    overviewRowOf: (partner) => {
      const found = overviewRows.get(partner);
      if (found === undefined) throw new Error(`No overview row for ${partner}`);
      return found;
    },
    overviewTotalRow,
    commonCostItems,
    commonCostRows,
    commonCostShareRowsOf: (partner) => shareRows.get(partner) ?? [],
    commonCostTotalRow: row,
    soloProcessCostCell: { row: PARAMETER_ROWS.soloProcessCost, column: 2 },
  };
}
