// The demo data set (Kreis Coesfeld, /work/shared/data/kreis-coesfeld.md) and its
// users, loaded on a first start into an empty database.
// The plan is imported statically so it works under tsx and inside the Remix bundle.
import type { Kysely } from "kysely";
import type { Plan } from "../domain/plan";
import demoPlanJson from "./demo/kreis-coesfeld.plan.json";
import { hashPassword } from "./passwords";
import { databaseHasPlanData, importPlan } from "./plan-io";
import type { DB, Role } from "./schema";
import { getSetting, setSetting } from "./settings";

/**
 * The shared golden example 04 (plan@2: example 03 plus funding programmes, inventory,
 * service lives and support units, and a support section) without its stated maxima, so
 * the tender's figures are example 03's. Names carry "(Demo)": demo data, rounded.
 * Its figures are checked by the engine's tests (tests/db/demo.test.ts).
 */
export const DEMO_PLAN = demoPlanJson as Plan;

export const DEMO_PASSWORD = "demo-passwort";

export interface DemoUser {
  email: string;
  name: string;
  role: Role;
  /** Partner code, officers only. */
  partner: string | null;
}

const TOWN_OFFICERS: [slug: string, town: string, partner: string][] = [
  ["ascheberg", "Ascheberg", "ASC"],
  ["billerbeck", "Billerbeck", "BIL"],
  ["coesfeld", "Coesfeld", "COE"],
  ["duelmen", "Dülmen", "DUE"],
  ["havixbeck", "Havixbeck", "HAV"],
  ["luedinghausen", "Lüdinghausen", "LUE"],
  ["nordkirchen", "Nordkirchen", "NOK"],
  ["nottuln", "Nottuln", "NOT"],
  ["olfen", "Olfen", "OLF"],
  ["rosendahl", "Rosendahl", "ROS"],
  ["senden", "Senden", "SEN"],
];

export const DEMO_USERS: readonly DemoUser[] = [
  {
    email: "koordination@kreis-coesfeld.example",
    name: "Koordination Kreis Coesfeld",
    role: "coordinator",
    partner: null,
  },
  {
    email: "finanzen@kreis-coesfeld.example",
    name: "Finanzen Kreis Coesfeld",
    role: "finance",
    partner: null,
  },
  {
    email: "ausschuss@kreis-coesfeld.example",
    name: "Ausschuss Kreis Coesfeld",
    role: "committee",
    partner: null,
  },
  ...TOWN_OFFICERS.map(([slug, town, partner]): DemoUser => ({
    email: `beschaffung@${slug}.example`,
    name: `Beschaffung ${town}`,
    role: "officer",
    partner,
  })),
  {
    email: "schulen@kreis-coesfeld.example",
    name: "Schulverwaltung Kreis Coesfeld",
    role: "officer",
    partner: "KRS",
  },
];

/**
 * Loads the demo plan, marks the database as demo (setting `demo` = `1`), creates the
 * demo users and a `draft` demand status for every partner. Does nothing (and returns
 * false) when the database already holds plan data.
 */
export async function loadDemo(db: Kysely<DB>): Promise<boolean> {
  if (await databaseHasPlanData(db)) return false; // cheap check before hashing
  // scrypt runs in libuv's thread pool: hashing in parallel keeps the first start fast.
  const hashes = await Promise.all(DEMO_USERS.map(() => hashPassword(DEMO_PASSWORD)));
  return db.transaction().execute(async (trx) => {
    if (await databaseHasPlanData(trx)) return false; // another process was quicker
    await importPlan(trx, DEMO_PLAN, { replace: false, userId: null });
    await setSetting(trx, "demo", "1");
    const now = new Date().toISOString();
    await trx
      .insertInto("users")
      .values(
        DEMO_USERS.map((u, i) => ({
          email: u.email,
          name: u.name,
          password_hash: hashes[i],
          role: u.role,
          partner_code: u.partner,
          active: 1,
          created_at: now,
          updated_at: now,
        })),
      )
      // Keep accounts someone already made. No conflict target: on PostgreSQL the email is
      // unique through an index on lower(email), which a column target does not name.
      .onConflict((oc) => oc.doNothing())
      .execute();
    return true;
  });
}

export async function isDemo(db: Kysely<DB>): Promise<boolean> {
  return (await getSetting(db, "demo")) === "1";
}
