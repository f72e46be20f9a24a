// The headline of the pooled-support comparison for the committee summary, cached per
// data version like the summary itself (the comparison calculates the whole plan).
import type { Kysely } from "kysely";
import type { DB } from "../../db/schema";
import { calculateCurrentSupport } from "../../db/support";
import { cachedByDataVersion } from "~/utils/data-version-cache.server";

export interface SupportHeadline {
  years: string;
  soloCostGross: string;
  pooledCostGross: string;
  savingsGross: string;
  preview: boolean;
}

export function loadSupportHeadline(db: Kysely<DB>): Promise<SupportHeadline | null> {
  // The year of the defaults changes with the calendar, so it is part of the key.
  const key = `support-headline:${new Date().getUTCFullYear()}`;
  return cachedByDataVersion(db, key, async () => {
    const current = await calculateCurrentSupport(db);
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
