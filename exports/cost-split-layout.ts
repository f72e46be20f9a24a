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
  lotName: 2,
  category: 3,
  categoryName: 4,
  unit: 5,
  quantity: 6,
  maxQuantity: 7,
  tierMinQuantity: 8,
  discount: 9,
  basePrice: 10,
  unitPrice: 11,
  estimatedValue: 12,
  vatRate: 13,
} as const;

/** Haushaltsjahre has one net and one VAT column per VAT rate of the tender, joint and solo. */
export interface BudgetYearColumns {
  partner: number;
  partnerName: number;
  year: number;
  quantity: number;
  net: number;
  rateNet: Map<string, number>;
  rateVat: Map<string, number>;
  vat: number;
  gross: number;
  commonCostShare: number;
  total: number;
  soloNet: number;
  soloRateNet: Map<string, number>;
  soloRateVat: Map<string, number>;
  soloVat: number;
  soloGross: number;
  count: number;
}

function budgetYearColumns(vatRates: readonly string[]): BudgetYearColumns {
  let next = 6;
  const take = () => next++;
  const rateNet = new Map<string, number>();
  const rateVat = new Map<string, number>();
  for (const rate of vatRates) {
    rateNet.set(rate, take());
    rateVat.set(rate, take());
  }
  const vat = take();
  const gross = take();
  const commonCostShare = take();
  const total = take();
  const soloNet = take();
  const soloRateNet = new Map<string, number>();
  const soloRateVat = new Map<string, number>();
  for (const rate of vatRates) {
    soloRateNet.set(rate, take());
    soloRateVat.set(rate, take());
  }
  const soloVat = take();
  const soloGross = take();
  return {
    partner: 1,
    partnerName: 2,
    year: 3,
    quantity: 4,
    net: 5,
    rateNet,
    rateVat,
    vat,
    gross,
    commonCostShare,
    total,
    soloNet,
    soloRateNet,
    soloRateVat,
    soloVat,
    soloGross,
    count: next - 1,
  };
}

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
    vatRates: vatRatesOf(tender),
    positions,
    positionsOf: (partner, year) => positionRanges.get(key(partner, year)) ?? null,
    budgetYearColumns: budgetYearColumns(vatRatesOf(tender)),
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
