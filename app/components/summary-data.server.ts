// Loads a tender's rich calculation for the summary and the comparison: either the
// current working state (from the database) or a snapshot (recalculated from its
// stored plan and checked against its stored result).
import type { Kysely } from "kysely";
import packageJson from "../../package.json";
import type { DB } from "../../db/schema";
import { exportPlan } from "../../db/plan-io";
import { cachedByDataVersion, cachedImmutable } from "~/utils/data-version-cache.server";
import { getSnapshot, type SnapshotInfo } from "../../db/snapshots";
import { summaryModelInPool, currentSummaryInPool } from "~/utils/compute-pool.server";
import {
  calculateTender,
  summaryModel,
  type SummaryModel,
  type TenderState,
} from "./summary-model.server";

export type { SummaryModel, TenderState };

export interface SnapshotState {
  snapshot: SnapshotInfo;
  state: TenderState;
  /**
   * False when today's engine gives a different result for the stored plan than the
   * one stored with it (a changed calculation rule): the page then says so.
   */
  matchesStoredResult: boolean;
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

/** The summary of the current working state; undefined when no such tender exists. Shared: do not mutate. */
export async function loadCurrentSummary(
  db: Kysely<DB>,
  tenderCode: string,
): Promise<SummaryModel | undefined> {
  // The engine and the charts run in a worker thread (app/utils/compute-pool.server.ts):
  // the first view after a write must not stall every other request meanwhile.
  // The worker reads the plan from the database file itself: reading it here and copying
  // it over held this thread for seconds at state scale (decision 027).
  return cachedByDataVersion(db, `current-summary:${tenderCode}`, async () => {
    const pooled = await currentSummaryInPool(db, tenderCode);
    if (pooled !== null) return pooled;
    const plan = await exportPlan(db);
    if (!plan.tenders?.some((t) => t.code === tenderCode)) return undefined;
    return summaryModelInPool(plan, tenderCode);
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
