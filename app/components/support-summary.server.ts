// The pooled-support comparison, cached per data version like the committee summary
// (it calculates the whole plan), for /support, its workbook and the summary headline.
import type { Kysely } from "kysely";
import type { DB } from "../../db/schema";
import { calculateCurrentSupport, type CurrentSupport } from "../../db/support";
import { currentSupportInPool } from "~/utils/compute-pool.server";
import { cachedByDataVersion } from "~/utils/data-version-cache.server";

/**
 * Shared between requests: callers must not mutate it. Computed in a worker that reads
 * the plan from the database file itself (app/utils/compute-pool.server.ts): the engine
 * on the whole plan must not hold the main thread (at state scale: seconds).
 */
export function loadCurrentSupport(db: Kysely<DB>, now = new Date()): Promise<CurrentSupport> {
  // The defaults' years follow the calendar, so the year is part of the key.
  return cachedByDataVersion(db, `support:${now.getUTCFullYear()}`, async () => {
    return (await currentSupportInPool(db, now)) ?? calculateCurrentSupport(db, now);
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
