// Sheet "Förderung" of the cost-split workbook (CALCULATION.md §12): one row per
// participant, budget year and funding programme of this tender, with the eligible
// amount, what was requested, the bounds and what was granted. The granted cell is a
// live formula: MIN(requested; budget left before; direct gross of the year minus
// what earlier programmes granted for that year), the budget left after is before −
// granted, and the columns Förderung/Eigenanteil on Haushaltsjahre and Übersicht sum
// these rows. Cached values are the engine's figures. The budget left before comes
// from the engine: budgets run over all tenders in the order §12 fixes, so it may
// reflect grants of other tenders.
import type ExcelJS from "exceljs";
import type { FundingCalculation, FundingGrant, TenderCalculation } from "../domain/calculation";
import type { Cents } from "../domain/money";
import type { CostSplitContext } from "./cost-split-context";
import { FIRST_DATA_ROW, HEADER_ROW, SHEET, type RowRange } from "./cost-split-layout";
import {
  cellRef,
  centsToCellNumber,
  decimalToCellNumber,
  rangeRef,
  type FormulaCell,
} from "./formulas";
import { SheetWriter, type CellInput } from "./sheet-writer";
import type { ColumnSpec } from "./workbook-style";

export const FUNDING_SHEET = "Förderung";

export const FUNDING_COLUMNS = {
  partner: 1,
  partnerName: 2,
  year: 3,
  programme: 4,
  rate: 5,
  eligibleGross: 6,
  requestedGross: 7,
  directGross: 8,
  directLeft: 9,
  budgetBefore: 10,
  grantedGross: 11,
  budgetAfter: 12,
} as const;
const COL = FUNDING_COLUMNS;

const COLUMNS: ColumnSpec[] = [
  { header: "Partner", width: 10, kind: "text" },
  { header: "Schulträger", width: 26, kind: "text" },
  { header: "Haushaltsjahr", width: 9, kind: "year" },
  { header: "Förderprogramm", width: 14, kind: "text" },
  { header: "Fördersatz", width: 10, kind: "percent" },
  {
    header: "Förderfähig brutto",
    width: 16,
    kind: "money",
    note: "Menge × gemeinsamer Einzelpreis × (1 + USt) der förderfähigen Produktgruppen dieses Jahres, einmal gerundet.",
  },
  {
    header: "Beantragt",
    width: 15,
    kind: "money",
    note: "Σ Menge × Förderung je Gerät (Fördersatz × Bruttopreis, höchstens der Höchstbetrag je Gerät), einmal kaufmännisch gerundet.",
  },
  {
    header: "Direkt brutto (Jahr)",
    width: 16,
    kind: "money",
    note: "Direkte Bruttokosten des Partners in diesem Jahr (Blatt Haushaltsjahre). Gemeinkosten werden nie gefördert.",
  },
  {
    header: "Davon noch förderbar",
    width: 16,
    kind: "money",
    note: "Direkt brutto abzüglich dessen, was frühere Programme (Planreihenfolge) für dasselbe Jahr bewilligt haben.",
  },
  {
    header: "Budget vorher",
    width: 15,
    kind: "money",
    note: "Restbudget des Partners im Programm vor dieser Bewilligung, nach allen früheren Bewilligungen (Jahre aufsteigend, dann Ausschreibungen in Planreihenfolge). Leer: Programm ohne Budgets.",
  },
  {
    header: "Bewilligt",
    width: 15,
    kind: "money",
    note: "MIN(Beantragt; Budget vorher; Davon noch förderbar).",
  },
  { header: "Budget danach", width: 15, kind: "money", note: "Budget vorher − Bewilligt." },
];

export interface FundingSheetLayout {
  /** This tender's grants in sheet order: partner (tender order), year, programme (plan order). */
  grants: FundingGrant[];
  /** Rows of one partner and year; null when it has none. */
  rowsOf(partner: string, year: number): RowRange | null;
  /** Rows of one partner; null when it has none. */
  partnerRowsOf(partner: string): RowRange | null;
  totalRow: number;
}

const layouts = new WeakMap<TenderCalculation, FundingSheetLayout>();

export function fundingSheetLayout(
  tender: TenderCalculation,
  funding: FundingCalculation,
): FundingSheetLayout {
  const known = layouts.get(tender);
  if (known) return known;
  const programmeOrder = new Map(funding.programmes.map((p, index) => [p.code, index]));
  const partnerOrder = new Map(tender.partners.map((p, index) => [p.code, index]));
  const grants = funding.grants
    .filter((g) => g.tender === tender.code && partnerOrder.has(g.partner))
    .sort(
      (a, b) =>
        partnerOrder.get(a.partner)! - partnerOrder.get(b.partner)! ||
        a.year - b.year ||
        (programmeOrder.get(a.programme) ?? 0) - (programmeOrder.get(b.programme) ?? 0),
    );
  const byYear = new Map<string, RowRange>();
  const byPartner = new Map<string, RowRange>();
  grants.forEach((g, index) => {
    const row = FIRST_DATA_ROW + index;
    const key = `${g.partner}\u0000${g.year}`;
    byYear.set(key, { first: byYear.get(key)?.first ?? row, last: row });
    byPartner.set(g.partner, { first: byPartner.get(g.partner)?.first ?? row, last: row });
  });
  const layout: FundingSheetLayout = {
    grants,
    rowsOf: (partner, year) => byYear.get(`${partner}\u0000${year}`) ?? null,
    partnerRowsOf: (partner) => byPartner.get(partner) ?? null,
    totalRow: FIRST_DATA_ROW + grants.length,
  };
  layouts.set(tender, layout);
  return layout;
}

const money = (cents: Cents) => centsToCellNumber(cents);
const formula = (text: string, result: Cents): FormulaCell => ({
  formula: text,
  result: money(result),
});

/** The Förderung cell of a Haushaltsjahre row: the sum of its granted rows (or 0). */
export function fundingOfYearCell(
  context: CostSplitContext,
  partner: string,
  year: number,
  result: Cents,
): CellInput {
  const rows = fundingSheetLayout(context.tender, context.funding).rowsOf(partner, year);
  if (!rows) return money(result);
  return formula(
    `SUM(${rangeRef(COL.grantedGross, rows.first, rows.last, { sheet: FUNDING_SHEET })})`,
    result,
  );
}

export async function writeFundingSheet(
  sheet: ExcelJS.Worksheet,
  context: CostSplitContext,
): Promise<void> {
  const { tender, layout, funding } = context;
  const writer = new SheetWriter(sheet, COLUMNS);
  writer.title(`Förderung – ${context.documentLabel}`);
  writer.header();
  const rates = new Map(funding.programmes.map((p) => [p.code, p.rate]));
  const names = new Map(tender.partners.map((p) => [p.code, p.name]));
  const directGross = new Map<string, Cents>(
    tender.partners.flatMap((p) =>
      p.years.map((y): [string, Cents] => [`${p.code}\u0000${y.year}`, y.directGross]),
    ),
  );
  const fundingLayout = fundingSheetLayout(tender, funding);
  const grantedBefore = new Map<string, Cents>();
  for (const grant of fundingLayout.grants) {
    const row = writer.currentRow;
    const key = `${grant.partner}\u0000${grant.year}`;
    const yearRows = fundingLayout.rowsOf(grant.partner, grant.year)!;
    const direct = directGross.get(key) ?? 0n;
    const earlier = grantedBefore.get(key) ?? 0n;
    grantedBefore.set(key, earlier + grant.grantedGross);
    const directCell = formula(
      cellRef(layout.budgetYearColumns.gross, layout.budgetYearRow(grant.partner, grant.year), {
        sheet: SHEET.budgetYears,
      }),
      direct,
    );
    const leftCell =
      row === yearRows.first
        ? formula(cellRef(COL.directGross, row), direct)
        : formula(
            `ROUND(${cellRef(COL.directGross, row)}-SUM(${rangeRef(COL.grantedGross, yearRows.first, row - 1)}),2)`,
            direct - earlier,
          );
    const budgetBefore =
      grant.remainingAfterGross === null ? null : grant.remainingAfterGross + grant.grantedGross;
    const bounds = [cellRef(COL.requestedGross, row), cellRef(COL.directLeft, row)];
    if (budgetBefore !== null) bounds.push(cellRef(COL.budgetBefore, row));
    writer.row([
      grant.partner,
      names.get(grant.partner) ?? grant.partner,
      grant.year,
      grant.programme,
      decimalToCellNumber(rates.get(grant.programme) ?? "0"),
      money(grant.eligibleGross),
      money(grant.requestedGross),
      directCell,
      leftCell,
      budgetBefore === null ? null : money(budgetBefore),
      formula(`MIN(${bounds.join(",")})`, grant.grantedGross),
      budgetBefore === null || grant.remainingAfterGross === null
        ? null
        : formula(
            `ROUND(${cellRef(COL.budgetBefore, row)}-${cellRef(COL.grantedGross, row)},2)`,
            grant.remainingAfterGross,
          ),
    ]);
    await writer.pause();
  }
  const last = fundingLayout.totalRow - 1;
  const sum = (column: number, result: Cents): CellInput =>
    last >= FIRST_DATA_ROW ? formula(`SUM(${rangeRef(column, FIRST_DATA_ROW, last)})`, result) : 0;
  const total = (pick: (g: FundingGrant) => Cents) =>
    fundingLayout.grants.reduce((a, g) => a + pick(g), 0n);
  writer.row(
    [
      null,
      "Summe",
      null,
      null,
      null,
      sum(
        COL.eligibleGross,
        total((g) => g.eligibleGross),
      ),
      sum(
        COL.requestedGross,
        total((g) => g.requestedGross),
      ),
      null,
      null,
      null,
      sum(
        COL.grantedGross,
        total((g) => g.grantedGross),
      ),
      null,
    ],
    { total: true },
  );
  writer.autoFilter(HEADER_ROW, Math.max(last, HEADER_ROW));
  writer.commit();
}
