// The cost-split workbook (Kostenaufteilung) of one tender for finance: Übersicht,
// Lose, Haushaltsjahre, Positionen, Gemeinkosten, Parameter. Takes the engine's
// PlanCalculation — the current plan's or a snapshot's — and never computes a price
// itself: every cached value is an engine figure (or a product or sum of them), and
// the live formulas let an auditor follow each cell. Written with exceljs's streaming
// writer, so memory stays bounded for state-scale plans.
import type { Writable } from "node:stream";
import ExcelJS from "exceljs";
import type { PlanCalculation, TenderCalculation } from "../domain/calculation";
import type { Cents } from "../domain/money";
import type { PlanVsActual } from "../domain/plan-vs-actual";
import type { CostSplitContext, CostSplitMeta } from "./cost-split-context";
import { costSplitLayout, SHEET, HEADER_ROW } from "./cost-split-layout";
import { writeBudgetYearsSheet } from "./cost-split-budget-years";
import { writeVatRatesSheet } from "./cost-split-vat-rates";
import { writeCommonCostsSheet } from "./cost-split-common-costs";
import { FUNDING_SHEET, writeFundingSheet } from "./cost-split-funding";
import { writeLotsSheet } from "./cost-split-lots";
import { writeOverviewSheet } from "./cost-split-overview";
import { writeParametersSheet } from "./cost-split-parameters";
import { writePositionsSheet } from "./cost-split-positions";
import { addPlanVsActualSheet } from "./plan-vs-actual";
import { germanDateTime } from "./german-text";
import { setDefaultFont, worksheetOptions } from "./workbook-style";

export type { CostSplitMeta, SnapshotMeta } from "./cost-split-context";

export class UnknownTenderError extends Error {
  override name = "UnknownTenderError";
}

export interface CostSplitInput {
  calculation: PlanCalculation;
  tenderCode: string;
  meta: CostSplitMeta;
  /**
   * Plan against actual of the awarded lots (db/call-offs.ts getPlanVsActual); adds the
   * sheet "Plan-Ist" last. Only for the current state: a snapshot predates the awards.
   */
  planVsActual?: PlanVsActual | null;
  /**
   * After an award (current state only): `calculation` prices awarded categories at their
   * awarded price (domain/awarded-calculation.ts); Lose shows these beside the estimate.
   */
  award?: { estimate: PlanCalculation; prices: ReadonlyMap<string, Cents> } | null;
}

export function findTender(calculation: PlanCalculation, tenderCode: string): TenderCalculation {
  const tender = calculation.tenders.find((t) => t.code === tenderCode);
  if (!tender) throw new UnknownTenderError(`Unknown tender ${tenderCode}`);
  return tender;
}

/** "Kostenaufteilung-RV-2027.xlsx" or "…-Beschluss-v3.xlsx": ASCII only, safe in headers. */
export function costSplitFileName(tenderCode: string, snapshotVersion?: number | null): string {
  const safeCode = tenderCode.replace(/[^A-Za-z0-9._-]+/g, "_");
  return `Kostenaufteilung-${safeCode}${snapshotVersion ? `-Beschluss-v${snapshotVersion}` : ""}.xlsx`;
}

function contextFor(input: CostSplitInput): CostSplitContext {
  const tender = findTender(input.calculation, input.tenderCode);
  const snapshot = input.meta.snapshot;
  return {
    tender,
    settings: input.calculation.settings,
    funding: input.calculation.funding,
    layout: costSplitLayout(tender),
    meta: input.meta,
    documentLabel: `Kostenaufteilung ${tender.code} – ${tender.name}`,
    stateLabel: snapshot
      ? `Beschlussstand Version ${snapshot.version} vom ${germanDateTime(new Date(snapshot.createdAt))}`
      : input.award
        ? "aktueller Stand mit Zuschlagspreisen"
        : "aktueller Planungsstand",
    estimate: input.award ? findTender(input.award.estimate, input.tenderCode) : undefined,
    awardedPrices: input.award?.prices,
  };
}

/** Sheet order in the file, each with the columns that stay visible when scrolling. */
const SHEETS = [
  { name: SHEET.overview, frozenColumns: 2, write: writeOverviewSheet },
  { name: SHEET.lots, frozenColumns: 0, write: writeLotsSheet },
  { name: SHEET.budgetYears, frozenColumns: 3, write: writeBudgetYearsSheet },
  { name: SHEET.vatRates, frozenColumns: 3, write: writeVatRatesSheet },
  { name: FUNDING_SHEET, frozenColumns: 4, write: writeFundingSheet },
  { name: SHEET.positions, frozenColumns: 3, write: writePositionsSheet },
  { name: SHEET.commonCosts, frozenColumns: 2, write: writeCommonCostsSheet },
  { name: SHEET.parameters, frozenColumns: 0, write: writeParametersSheet },
] as const;

/**
 * Writes the workbook to `stream` (a file, an HTTP response) and resolves when the
 * stream has finished. Throws UnknownTenderError before writing anything.
 */
export async function writeCostSplitWorkbook(
  input: CostSplitInput,
  stream: Writable,
): Promise<void> {
  const context = contextFor(input);
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream,
    useStyles: true,
    useSharedStrings: false,
  });
  setDefaultFont(workbook);
  workbook.creator = "Verbundkauf";
  workbook.lastModifiedBy = "Verbundkauf";
  workbook.created = input.meta.createdAt;
  workbook.modified = input.meta.createdAt;
  // title and subject are written by exceljs's core properties but missing from its writer typings.
  Object.assign(workbook, {
    title: context.documentLabel,
    subject: `Kostenaufteilung der Ausschreibung ${context.tender.code} (${context.stateLabel})`,
    keywords: "Verbundkauf; Kostenaufteilung; Haushaltsjahre",
  });

  const sheets = SHEETS.map((spec) => ({
    spec,
    sheet: workbook.addWorksheet(
      spec.name,
      worksheetOptions({
        documentLabel: context.documentLabel,
        frozenRows: HEADER_ROW,
        frozenColumns: spec.frozenColumns,
      }),
    ),
  }));
  for (const { spec, sheet } of sheets) await spec.write(sheet, context);
  if (input.planVsActual)
    addPlanVsActualSheet(workbook, input.planVsActual, { documentLabel: context.documentLabel });
  await workbook.commit();
}
