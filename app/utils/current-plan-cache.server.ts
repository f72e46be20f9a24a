import type { Kysely } from "kysely";
import { exportPlan } from "../../db/plan-io";
import type { DB } from "../../db/schema";
import type { CurrentCalculation } from "../../db/tenders";
import { calculateInPool } from "./compute-pool.server";
import { cachedByDataVersion } from "./data-version-cache.server";

/**
 * db/tenders.ts calculateCurrentPlan, computed once per data version and in a worker
 * thread (app/utils/compute-pool.server.ts): the tender page and the cost-split export
 * need it on every request. Shared between callers: do not mutate.
 */
export function currentPlanCalculation(db: Kysely<DB>): Promise<CurrentCalculation> {
  return cachedByDataVersion(db, "current-plan-calculation", async () => {
    const plan = await exportPlan(db);
    const outcome = await calculateInPool(plan);
    return outcome.ok
      ? { ok: true, plan, calculation: outcome.calculation }
      : { ok: false, plan, problems: outcome.problems };
  });
}
