// Key/value settings (all values are text). The plan's settings live here next to
// app flags such as `demo`.
import type { Kysely } from "kysely";
import { DEFAULT_SETTINGS } from "../domain/plan";
import type { DB } from "./schema";

/** Settings that belong to the plan file (CALCULATION.md §6, §7). */
export const PLAN_SETTING_KEYS = ["euThresholdNet", "smallLotLimitNet", "smallLotQuota"] as const;
export type PlanSettingKey = (typeof PLAN_SETTING_KEYS)[number];

/** Known keys; other keys are allowed (`string & {}` keeps autocompletion). */
export type SettingKey = PlanSettingKey | "demo" | (string & {});

export type PlanSettingValues = Record<PlanSettingKey, string>;

export async function getSetting(db: Kysely<DB>, key: SettingKey): Promise<string | undefined> {
  const row = await db
    .selectFrom("settings")
    .select("value")
    .where("key", "=", key)
    .executeTakeFirst();
  return row?.value;
}

export async function setSetting(db: Kysely<DB>, key: SettingKey, value: string): Promise<void> {
  await db
    .insertInto("settings")
    .values({ key, value })
    .onConflict((oc) => oc.column("key").doUpdateSet({ value }))
    .execute();
}

export async function deleteSetting(db: Kysely<DB>, key: SettingKey): Promise<void> {
  await db.deleteFrom("settings").where("key", "=", key).execute();
}

/** All stored settings as a plain object. */
export async function getSettings(db: Kysely<DB>): Promise<Record<string, string>> {
  const rows = await db.selectFrom("settings").select(["key", "value"]).orderBy("key").execute();
  return Object.fromEntries(rows.map((r) => [r.key, r.value]));
}

/** The three plan settings, with DEFAULT_SETTINGS for those not stored. */
export async function getPlanSettings(db: Kysely<DB>): Promise<PlanSettingValues> {
  const stored = await getSettings(db);
  return {
    euThresholdNet: stored.euThresholdNet ?? DEFAULT_SETTINGS.euThresholdNet,
    smallLotLimitNet: stored.smallLotLimitNet ?? DEFAULT_SETTINGS.smallLotLimitNet,
    smallLotQuota: stored.smallLotQuota ?? DEFAULT_SETTINGS.smallLotQuota,
  };
}
