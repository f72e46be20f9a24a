// The pooled-support comparison, cached per data version like the committee summary
// (it calculates the whole plan), for /support, its workbook and the summary headline.
import type { Kysely } from "kysely";
import type { DB } from "../../db/schema";
import { getSupportParameters, toPlanSupport, type CurrentSupport } from "../../db/support";
import { formatProblem } from "../../domain/plan-validation";
import { defaultSupportParameters } from "../../domain/support-form";
import { supportPreviewInPool } from "~/utils/compute-pool.server";
import { currentPlanCalculation } from "~/utils/current-plan-cache.server";
import { cachedByDataVersion } from "~/utils/data-version-cache.server";

/**
 * db/support.ts calculateCurrentSupport without engine work on the main thread: the
 * plan's figures come from currentPlanCalculation (cached per data version, computed in
 * a worker), the preview with default parameters is computed in a worker too
 * (app/components/support-preview.ts). Shared between requests: callers must not mutate it.
 */
export function loadCurrentSupport(db: Kysely<DB>, now = new Date()): Promise<CurrentSupport> {
  // The defaults' years follow the calendar, so the year is part of the key.
  return cachedByDataVersion(db, `support:${now.getUTCFullYear()}`, async () => {
    const stored = await getSupportParameters(db);
    const parameters = stored ?? defaultSupportParameters(now);
    const base = { stored, parameters, preview: stored === null };
    const current = await currentPlanCalculation(db);
    if (!current.ok)
      return { ...base, ok: false, problems: current.problems.map((p) => formatProblem(p)) };
    if (stored && current.calculation.support)
      return { ...base, ok: true, calculation: current.calculation.support };
    const outcome = await supportPreviewInPool({
      plan: current.plan,
      support: toPlanSupport(parameters),
    });
    return { ...base, ...outcome };
  });
}

export interface SupportHeadline {
  years: string;
  soloCostGross: string;
  pooledCostGross: string;
  savingsGross: string;
  preview: boolean;
}

export function loadSupportHeadline(db: Kysely<DB>): Promise<SupportHeadline | null> {
  return loadCurrentSupport(db).then((current) => {
    if (!current.ok) return null;
    const { totals, parameters } = current.calculation;
    return {
      years: `${parameters.fromYear}–${parameters.toYear}`,
      soloCostGross: totals.soloCostGross.toString(),
      pooledCostGross: totals.pooledCostGross.toString(),
      savingsGross: totals.savingsGross.toString(),
      preview: current.preview,
    };
  });
}
