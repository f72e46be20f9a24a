// Loads a tender's rich calculation for the summary and the comparison: either the
// current working state (from the database) or a snapshot (recalculated from its
// stored plan and checked against its stored result).
import { isDeepStrictEqual } from "node:util";
import type { Kysely } from "kysely";
import packageJson from "../../package.json";
import type { DB } from "../../db/schema";
import { exportPlan } from "../../db/plan-io";
import { cachedByDataVersion, cachedImmutable } from "~/utils/data-version-cache.server";
import { getSnapshot, type SnapshotInfo } from "../../db/snapshots";
import { renderSummaryCharts, type SummaryChartsSvg } from "./charts/summary-charts.server";
import { buildSummaryView, type SummaryView } from "./summary-model";
import { calculatePlan } from "../../domain/calculate";
import type { TenderCalculation } from "../../domain/calculation";
import type { Plan } from "../../domain/plan";
import { validatePlan, type PlanProblem } from "../../domain/plan-validation";
import { toResultFile } from "../../domain/serialize";

export type TenderState =
  { ok: true; tender: TenderCalculation } | { ok: false; problems: PlanProblem[] };

export interface SnapshotState {
  snapshot: SnapshotInfo;
  state: TenderState;
  /**
   * False when today's engine gives a different result for the stored plan than the
   * one stored with it (a changed calculation rule): the page then says so.
   */
  matchesStoredResult: boolean;
}

function calculateTender(
  plan: Plan,
  tenderCode: string,
): TenderState & { resultMatches?: (stored: unknown) => boolean } {
  const validation = validatePlan(plan);
  if (!validation.ok) return { ok: false, problems: validation.problems };
  const calculation = calculatePlan(validation.plan);
  const tender = calculation.tenders.find((t) => t.code === tenderCode);
  if (!tender)
    return {
      ok: false,
      problems: [{ path: "$", message: `Die Ausschreibung ${tenderCode} fehlt im Plan.` }],
    };
  return {
    ok: true,
    tender,
    resultMatches: (stored) => isDeepStrictEqual(toResultFile(calculation), stored),
  };
}

/** The current working state; undefined when no such tender exists. */
export async function loadCurrentTender(
  db: Kysely<DB>,
  tenderCode: string,
): Promise<TenderState | undefined> {
  // Cached until the next write (app/utils/data-version-cache.server.ts): committee views are frequent.
  return cachedByDataVersion(db, `current-tender:${tenderCode}`, async () => {
    const plan = await exportPlan(db);
    if (!plan.tenders?.some((t) => t.code === tenderCode)) return undefined;
    const { resultMatches: _unused, ...state } = calculateTender(plan, tenderCode);
    return state;
  });
}

/** A snapshot recalculated from its stored plan; undefined for an unknown version. */
export async function loadSnapshotTender(
  db: Kysely<DB>,
  tenderCode: string,
  version: number,
): Promise<SnapshotState | undefined> {
  const stored = await getSnapshot(db, tenderCode, version);
  if (!stored) return undefined;
  const { plan, result, ...snapshot } = stored;
  const { resultMatches, ...state } = calculateTender(plan, tenderCode);
  return { snapshot, state, matchesStoredResult: resultMatches ? resultMatches(result) : false };
}

/**
 * Everything of the committee summary that follows from the calculation: the view
 * model and the charts drawn as SVG. Computed once per data version (working state)
 * or once ever (a snapshot), so that a view is only a React render of plain data.
 */
export interface SummaryModel {
  tenderName: string;
  /** null when the plan cannot be calculated; `problems` says why. */
  view: SummaryView | null;
  charts: SummaryChartsSvg | null;
  problems: string[];
  /** For snapshots: whether today's engine still gives the stored result. */
  matchesStoredResult: boolean;
}

function summaryModel(
  tenderCode: string,
  state: TenderState,
  matchesStoredResult: boolean,
): SummaryModel {
  if (!state.ok) {
    return {
      tenderName: tenderCode,
      view: null,
      charts: null,
      problems: state.problems.map((p) => p.message),
      matchesStoredResult,
    };
  }
  const view = buildSummaryView(state.tender);
  return {
    tenderName: view.tender.name,
    view,
    charts: renderSummaryCharts(view),
    problems: [],
    matchesStoredResult,
  };
}

/** The summary of the current working state; undefined when no such tender exists. Shared: do not mutate. */
export async function loadCurrentSummary(
  db: Kysely<DB>,
  tenderCode: string,
): Promise<SummaryModel | undefined> {
  return cachedByDataVersion(db, `current-summary:${tenderCode}`, async () => {
    const state = await loadCurrentTender(db, tenderCode);
    return state && summaryModel(tenderCode, state, true);
  });
}

/**
 * The summary of a snapshot (its info from listSnapshots). Snapshots never change
 * (triggers refuse UPDATE and DELETE), so the drawn summary is kept regardless of
 * later writes; the key includes the creation time in case a restore swaps the data.
 */
export async function loadSnapshotSummary(
  db: Kysely<DB>,
  snapshot: SnapshotInfo,
): Promise<SummaryModel | undefined> {
  const key = `snapshot-summary:${snapshot.tenderCode}:${snapshot.version}:${snapshot.createdAt}`;
  return cachedImmutable(db, key, async () => {
    const frozen = await loadSnapshotTender(db, snapshot.tenderCode, snapshot.version);
    return frozen && summaryModel(snapshot.tenderCode, frozen.state, frozen.matchesStoredResult);
  });
}

/**
 * `?version=N`: null when absent (the current state), a positive integer, or
 * "invalid" for anything else (the page answers 404 like for an unknown version).
 */
export function parseVersionParam(value: string | null): number | null | "invalid" {
  if (value === null || value === "") return null;
  if (!/^[1-9]\d{0,8}$/.test(value)) return "invalid";
  return Number(value);
}

// Printed in the footer of committee papers, so a reader knows which build made them.
export const APP_VERSION: string = packageJson.version;
