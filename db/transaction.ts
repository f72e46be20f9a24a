// Transactions shared by the db modules. Functions that take `Kysely<DB>` may be
// called with a transaction already open; inTransaction then joins it.
import { sql, type Kysely, type Transaction } from "kysely";
import { engineOf, WRITE_LOCK_CLASS } from "./engine";
import type { DB } from "./schema";

/** Runs `work` in a transaction, or directly when `db` already is one. */
export function inTransaction<T>(
  db: Kysely<DB>,
  work: (trx: Kysely<DB>) => Promise<T>,
): Promise<T> {
  return db.isTransaction
    ? work(db)
    : db.transaction().execute((trx: Transaction<DB>) => work(trx));
}

/**
 * Runs `work` in a transaction that takes SQLite's write lock first (BEGIN IMMEDIATE),
 * so a check and the insert that depends on it cannot interleave with another
 * writer, in this process or another one on the same file (busy_timeout waits).
 * On PostgreSQL the same: BEGIN, then a transaction-level advisory lock keyed by the
 * schema (one consortium), which every immediateTransaction of that schema, in any
 * process, waits for; READ COMMITTED then lets `work` read what the one before
 * committed. `work` must not open transactions of its own. Needs the root database.
 */
export async function immediateTransaction<T>(
  db: Kysely<DB>,
  work: (conn: Kysely<DB>) => Promise<T>,
): Promise<T> {
  if (db.isTransaction)
    throw new Error("immediateTransaction needs the root database, not a transaction");
  return db.connection().execute(async (conn) => {
    const postgres = engineOf(conn) === "postgres";
    await sql.raw(postgres ? "begin" : "begin immediate").execute(conn);
    try {
      if (postgres)
        await sql`select pg_advisory_xact_lock(${sql.lit(WRITE_LOCK_CLASS)}, hashtext(current_schema()))`.execute(
          conn,
        );
      const result = await work(conn);
      await sql`commit`.execute(conn);
      return result;
    } catch (error) {
      await sql`rollback`.execute(conn);
      throw error;
    }
  });
}
