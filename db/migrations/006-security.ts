import { sql, type Kysely } from "kysely";

// Sign-in throttling (docs/decisions/011-security.md): one row per throttled key,
// "account:<email>" or "address:<client ip>". Kept in the database, not in memory,
// so that restarting the server does not hand an attacker a fresh set of attempts.
export async function up(db: Kysely<unknown>): Promise<void> {
  // The same SQL runs on PostgreSQL.
  await sql
    .raw(
      `CREATE TABLE login_throttle (
        key TEXT PRIMARY KEY,
        failures INTEGER NOT NULL CHECK (failures >= 1),
        last_failure_at TEXT NOT NULL,
        locked_until TEXT)`,
    )
    .execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`DROP TABLE IF EXISTS login_throttle`).execute(db);
}
