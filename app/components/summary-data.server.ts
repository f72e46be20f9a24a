// Loads a tender's rich calculation for the summary and the comparison: either the
// current working state (from the database) or a snapshot (recalculated from its
// stored plan and checked against its stored result).
import { isDeepStrictEqual } from "node:util";
import type { Kysely } from "kysely";
import packageJson from "../../package.json";
import type { DB } from "../../db/schema";
import { exportPlan } from "../../db/plan-io";
import { cachedByDataVersion } from "~/utils/data-version-cache.server";
import { getSnapshot, type SnapshotInfo } from "../../db/snapshots";
import { calculatePlan } from "../../domain/calculate";
import type { TenderCalculation } from "../../domain/calculation";
import type { Plan } from "../../domain/plan";
import { validatePlan, type PlanProblem } from "../../domain/plan-validation";
import { toResultFile } from "../../domain/serialize";

export type TenderState =
  | { ok: true; tender: TenderCalculation }
  | { ok: false; problems: PlanProblem[] };

export interface SnapshotState {
  snapshot: SnapshotInfo;
  state: TenderState;
  /**
   * False when today's engine gives a different result for the stored plan than the
   * one stored with it (a changed calculation rule): the page then says so.
   */
  matchesStoredResult: boolean;
}

function calculateTender(plan: Plan, tenderCode: string): TenderState & { resultMatches?: (stored: unknown) => boolean } {
  const validation = validatePlan(plan);
  if (!validation.ok) return { ok: false, problems: validation.problems };
  const calculation = calculatePlan(validation.plan);
  const tender = calculation.tenders.find((t) => t.code === tenderCode);
  if (!tender) return { ok: false, problems: [{ path: "$", message: `Die Ausschreibung ${tenderCode} fehlt im Plan.` }] };
  return { ok: true, tender, resultMatches: (stored) => isDeepStrictEqual(toResultFile(calculation), stored) };
}

/** The current working state; undefined when no such tender exists. */
export async function loadCurrentTender(db: Kysely<DB>, tenderCode: string): Promise<TenderState | undefined> {
  // Cached until the next write (app/utils/data-version-cache.server.ts): committee views are frequent.
  return cachedByDataVersion(db, `current-tender:${tenderCode}`, async () => {
    const plan = await exportPlan(db);
    if (!plan.tenders?.some((t) => t.code === tenderCode)) return undefined;
    const { resultMatches: _unused, ...state } = calculateTender(plan, tenderCode);
    return state;
  });
}

/** A snapshot recalculated from its stored plan; undefined for an unknown version. */
export async function loadSnapshotTender(db: Kysely<DB>, tenderCode: string, version: number): Promise<SnapshotState | undefined> {
  const stored = await getSnapshot(db, tenderCode, version);
  if (!stored) return undefined;
  const { plan, result, ...snapshot } = stored;
  const { resultMatches, ...state } = calculateTender(plan, tenderCode);
  return { snapshot, state, matchesStoredResult: resultMatches ? resultMatches(result) : false };
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
