// Two consortia in one installation for the tenancy tests: KC (the demo) and its twin MS
// (the same demo, so the same partner, school and tender codes, but other figures and
// names carrying MS_MARKER, plus an MS-only partner and user). The app is pointed at it.
// With TEST_DATABASE_URL the installation is a fresh PostgreSQL database (KC and MS are
// schemas in it), dropped by cleanup().
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { setInstallationForTests, storesInstallation } from "../../app/utils/db.server";
import type { Database } from "../../db/database";
import { loadDemo } from "../../db/demo";
import { openInstallation, registerConsortium, type ConsortiumStores } from "../../db/registry";
import { createUser } from "../../db/users";
import { engineOf } from "../../db/engine";
import { createPostgresDatabase, testPostgresUrl } from "./app-server";

/** Appears in MS's data only: a KC session must never see it. */
export const MS_MARKER = "MSONLYMARKER";
/** A partner code that exists in MS only. */
export const MS_ONLY_PARTNER = "MSX";
export const MS_ONLY_EMAIL = "nur-ms@ms.example";

export interface TwinInstallation {
  /** A path in the installation's own folder (DATABASE_PATH: pending uploads wait beside it). */
  registryPath: string;
  /** What openInstallation was given: registryPath on SQLite, the database URL on PostgreSQL. */
  location: string;
  stores: ConsortiumStores;
  kc: Database;
  ms: Database;
  /** The id of a user that exists in MS only (higher than every KC user id). */
  msOnlyUserId: number;
  cleanup: () => Promise<void>;
}

export async function setUpTwinInstallation(): Promise<TwinInstallation> {
  process.env.SESSION_SECRET = "test-session-secret-0123456789abcdef";
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "verbundkauf-twin-"));
  const registryPath = path.join(dir, "verbundkauf.db");
  const postgres = testPostgresUrl() ? await createPostgresDatabase() : undefined;
  const location = postgres?.url ?? registryPath;
  const stores = await openInstallation(location);
  await registerConsortium(stores.registry, "KC", "Kreis Coesfeld");
  await registerConsortium(stores.registry, "MS", "Münsterland (Zwilling)");
  const kc = await stores.database("KC");
  const ms = await stores.database("MS");
  await loadDemo(kc);
  await loadDemo(ms);
  // Other figures and names in the twin; the codes stay the same.
  await changeTwin(ms, 1);
  await ms
    .insertInto("partners")
    .values({ code: MS_ONLY_PARTNER, name: `Nur ${MS_MARKER}`, population: 1, position: 99 })
    .execute();
  // Distinct emails: they are unique across the installation.
  await sql`UPDATE users SET email = replace(email, '@', '.ms@')`.execute(ms);
  // Its id is above every KC user id: a KC session asking for it must get 404.
  const msOnly = await createUser(ms, {
    name: `Nur ${MS_MARKER}`,
    email: MS_ONLY_EMAIL,
    password: "ms-passwort-123456",
    role: "finance",
  });
  // The users written above straight into the stores enter the registry's user directory.
  await stores.syncUserDirectory();
  setInstallationForTests(storesInstallation(stores));
  return {
    registryPath,
    location,
    stores,
    kc,
    ms,
    msOnlyUserId: msOnly.id,
    cleanup: async () => {
      setInstallationForTests(undefined);
      await stores.destroy();
      await postgres?.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Changes the twin's names and demand figures (round 1, 2, … give different values). */
export async function changeTwin(db: Database, round: number): Promise<void> {
  await db
    .updateTable("partners")
    .set({ name: sql<string>`name || ${` ${MS_MARKER}${round}`}` })
    .execute();
  await sql`UPDATE demand_lines SET quantity = quantity + ${7 * round}`.execute(db);
}

/**
 * A checksum of every row of every table of a consortium's database, on either engine
 * (rows sorted by their JSON, as PostgreSQL has no rowid).
 */
export async function checksumOfDatabase(db: Database): Promise<string> {
  const tables =
    engineOf(db) === "postgres"
      ? await sql<{ name: string }>`select table_name as name from information_schema.tables
          where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`.execute(
          db,
        )
      : await sql<{ name: string }>`select name from sqlite_master
          where type = 'table' order by name`.execute(db);
  const hash = createHash("sha256");
  for (const { name } of tables.rows) {
    hash.update(`#${name}\n`);
    const rows = (await sql`select * from ${sql.table(name)}`.execute(db)).rows;
    for (const json of rows.map((row) => JSON.stringify(row)).sort()) hash.update(json + "\n");
  }
  return hash.digest("hex");
}
