import type { Kysely } from "kysely";
import { engineOf } from "../engine";
import { execute } from "./pg";

// PostgreSQL: a session that ends (sign-out, a password change ending the other
// sessions, an expired session dropped) must change the data version. The session cache
// (app/utils/session-cache.server.ts) and the stored pages (scripts/page-cache.ts) reuse
// a signed-in user only within one data version. Migration 012 left `sessions` untracked
// so that sign-ins and once-a-minute touches keep the caches. That also let a cookie
// keep its cached pages for up to a minute after its sign-out. SQLite counts every write
// in its version, so there a sign-out always ended it at once.
// Deletions only (the same BEFORE … FOR EACH STATEMENT trigger as 012, so writers keep
// queueing on the version row in one order); touches and new sessions still change nothing.
export async function up(db: Kysely<unknown>): Promise<void> {
  if (engineOf(db) !== "postgres") return;
  await execute(db, [
    `CREATE TRIGGER sessions_end_data_version BEFORE DELETE OR TRUNCATE ON sessions
      FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version()`,
  ]);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (engineOf(db) !== "postgres") return;
  await execute(db, [`DROP TRIGGER IF EXISTS sessions_end_data_version ON sessions`]);
}
