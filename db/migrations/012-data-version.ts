import { sql, type Kysely } from "kysely";
import { engineOf } from "../engine";
import { execute, pgTrackDataVersion, UNTRACKED_TABLES } from "./pg";

// The data version the result cache keys on (app/utils/data-version-cache.server.ts).
// SQLite has it built in (pragma data_version + total_changes()): nothing to do there.
// PostgreSQL: a one-row table, bumped once per writing transaction by a BEFORE … FOR
// EACH STATEMENT trigger on every table except sessions (sign-ins and page views must
// not empty the cache). The row is written before the statement's first row, so the
// writers of one schema queue on it in a fixed order (no deadlock), much as SQLite's
// writers queue for its one write lock. `xid` (the last writer's transaction) makes the
// version unique even when a transaction that bumped `n` was rolled back.
export async function up(db: Kysely<unknown>): Promise<void> {
  if (engineOf(db) !== "postgres") return;
  await execute(db, [
    `CREATE TABLE data_version (
      one INTEGER PRIMARY KEY DEFAULT 1 CHECK (one = 1),
      n BIGINT NOT NULL,
      xid BIGINT)`,
    `INSERT INTO data_version (one, n, xid) VALUES (1, 1, NULL)`,
    `CREATE FUNCTION bump_data_version() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
    BEGIN
      UPDATE data_version SET n = n + 1, xid = txid_current()
        WHERE xid IS DISTINCT FROM txid_current();
      RETURN NULL;
    END $$`,
  ]);
  const { rows } = await sql<{ name: string }>`
    SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema()
    ORDER BY tablename`.execute(db);
  for (const { name } of rows) {
    if (!UNTRACKED_TABLES.includes(name)) await execute(db, pgTrackDataVersion(name));
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (engineOf(db) !== "postgres") return;
  await execute(db, [
    `DROP FUNCTION IF EXISTS bump_data_version() CASCADE`,
    `DROP TABLE IF EXISTS data_version`,
  ]);
}
