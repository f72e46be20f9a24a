// The calculation a cost-split workbook shows: the current plan from the database,
// or a snapshot (Beschlussstand) recalculated from its stored plan. A snapshot's
// stored result is compared with today's calculation so the workbook can say when a
// rule has changed since.
import { isDeepStrictEqual } from "node:util";
import type { Database } from "../db/database";
import { getSnapshot } from "../db/snapshots";
import { currentPlanCalculation } from "../app/utils/current-plan-cache.server";
import { calculatePlan } from "../domain/calculate";
import type { PlanCalculation } from "../domain/calculation";
import type { Plan, PlanTier } from "../domain/plan";
import { validatePlan, type PlanProblem } from "../domain/plan-validation";
import { toResultFile } from "../domain/serialize";
import type { SnapshotMeta } from "./cost-split-context";

export type CostSplitSource =
  | {
      ok: true;
      calculation: PlanCalculation;
      tiers: Map<string, PlanTier[]>;
      snapshot: SnapshotMeta | null;
    }
  | { ok: false; reason: "unknown-tender" | "unknown-version" }
  | { ok: false; reason: "invalid-plan"; problems: PlanProblem[] };

function tiersOf(plan: Plan): Map<string, PlanTier[]> {
  return new Map(plan.categories.map((category) => [category.code, category.tiers ?? []]));
}

export async function loadCostSplitSource(
  db: Database,
  tenderCode: string,
  version: number | null,
): Promise<CostSplitSource> {
  if (version === null) {
    const current = await currentPlanCalculation(db); // cached per data version, in a worker
    if (!current.ok) {
      if (!current.plan.tenders?.some((t) => t.code === tenderCode))
        return { ok: false, reason: "unknown-tender" };
      return { ok: false, reason: "invalid-plan", problems: current.problems };
    }
    if (!current.calculation.tenders.some((t) => t.code === tenderCode))
      return { ok: false, reason: "unknown-tender" };
    return {
      ok: true,
      calculation: current.calculation,
      tiers: tiersOf(current.plan),
      snapshot: null,
    };
  }

  const stored = await getSnapshot(db, tenderCode, version);
  if (!stored) return { ok: false, reason: "unknown-version" };
  const validation = validatePlan(stored.plan);
  if (!validation.ok) return { ok: false, reason: "invalid-plan", problems: validation.problems };
  const calculation = calculatePlan(validation.plan);
  if (!calculation.tenders.some((t) => t.code === tenderCode))
    return { ok: false, reason: "unknown-tender" };
  const todays = toResultFile(calculation).tenders.find((t) => t.code === tenderCode);
  const storedTender = stored.result.tenders.find((t) => t.code === tenderCode);
  return {
    ok: true,
    calculation,
    tiers: tiersOf(validation.plan),
    snapshot: {
      version: stored.version,
      createdAt: stored.createdAt,
      comment: stored.comment,
      createdBy: stored.createdBy,
      matchesStoredResult: isDeepStrictEqual(todays, storedTender),
    },
  };
}
