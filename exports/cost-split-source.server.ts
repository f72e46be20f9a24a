// The calculation a cost-split workbook shows: the current plan from the database,
// or a snapshot (Beschlussstand) recalculated from its stored plan. A snapshot's
// stored result is compared with today's calculation so the workbook can say when a
// rule has changed since.
import { isDeepStrictEqual } from "node:util";
import type { Database } from "../db/database";
import { listAwards } from "../db/awards";
import { getSnapshot } from "../db/snapshots";
import { calculateWithAwardedPrices } from "../domain/awarded-calculation";
import type { Cents } from "../domain/money";
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
      /** Set once a lot of the tender is awarded (current state only): see CostSplitAward. */
      award: CostSplitAward | null;
    }
  | { ok: false; reason: "unknown-tender" | "unknown-version" }
  | { ok: false; reason: "invalid-plan"; problems: PlanProblem[] };

/** The estimate beside the awarded figures, and the awarded price per category. */
export interface CostSplitAward {
  estimate: PlanCalculation;
  prices: Map<string, Cents>;
}

/**
 * After an award the current workbook shows the awarded prices as the current figures
 * (domain/awarded-calculation.ts), so shares by volume match what is really bought.
 */
async function withAwards(
  db: Database,
  rawPlan: Plan,
  tenderCode: string,
  calculation: PlanCalculation,
): Promise<{ calculation: PlanCalculation; award: CostSplitAward | null }> {
  const awards = await listAwards(db, tenderCode);
  if (awards.length === 0) return { calculation, award: null };
  // The plan is valid (the worker calculated it); validated again only for its
  // normalized form, and only when there is an award to price: before any award this
  // pass over a large plan on the main thread bought nothing.
  const validated = validatePlan(rawPlan);
  if (!validated.ok) return { calculation, award: null };
  const plan = validated.plan;
  const prices = new Map<string, Cents>();
  for (const award of awards)
    for (const category of award.categories)
      prices.set(category.code, BigInt(category.unitPriceNetCents));
  const priced = calculateWithAwardedPrices(plan, tenderCode, prices);
  return { calculation: priced.calculation, award: { estimate: priced.estimate, prices } };
}

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
    const awarded = await withAwards(db, current.plan, tenderCode, current.calculation);
    return {
      ok: true,
      calculation: awarded.calculation,
      tiers: tiersOf(current.plan),
      snapshot: null,
      award: awarded.award,
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
    award: null,
  };
}
