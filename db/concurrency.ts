// How the db modules stay correct when PostgreSQL runs transactions side by side.
//
// Check-then-write transactions (optimistic version checks, status locks, "next
// position" and "next version" numbers) rely on running one at a time. On SQLite they do:
// one connection per process, and a file that admits one writer. On PostgreSQL a pool
// runs them side by side under READ COMMITTED, so each takes the consortium's write lock
// first: the same advisory lock immediateTransaction takes (db/transaction.ts), released
// at commit or rollback. Later statements then see what the previous holder committed.
// Reads that must be one consistent state (a plan export, a page built from several
// queries) run at REPEATABLE READ: one snapshot for all their statements.
import { sql, type Kysely } from "kysely";
import { engineOf, WRITE_LOCK_CLASS, type AnyKysely } from "./engine";
import type { DB } from "./schema";

/** Inside a transaction, before its first read: waits for the consortium's write lock (PostgreSQL). */
export async function lockConsortiumWrites(
  trx: AnyKysely & { isTransaction: boolean },
): Promise<void> {
  if (engineOf(trx) !== "postgres") return;
  if (!trx.isTransaction) throw new Error("lockConsortiumWrites needs a transaction");
  await sql`select pg_advisory_xact_lock(${sql.lit(WRITE_LOCK_CLASS)}, hashtext(current_schema()))`.execute(
    trx,
  );
}

/**
 * Runs `work` as one consistent read: in the caller's transaction when `db` is one,
 * otherwise in a transaction of its own at REPEATABLE READ (PostgreSQL: one snapshot
 * for all statements; SQLite's read transaction is one anyway and ignores the level).
 */
export function inReadSnapshot<T>(
  db: Kysely<DB>,
  work: (trx: Kysely<DB>) => Promise<T>,
): Promise<T> {
  if (db.isTransaction) return work(db);
  return db.transaction().setIsolationLevel("repeatable read").execute(work);
}
