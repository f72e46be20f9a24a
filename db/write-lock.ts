// Check-then-write transactions (optimistic version checks, status locks, "next
// position" and "next version" numbers) rely on running one at a time. On SQLite they do:
// one connection per process, and a file that admits one writer. On PostgreSQL a pool
// runs them side by side under READ COMMITTED, so each takes the consortium's write lock
// first: the same advisory lock immediateTransaction takes (db/transaction.ts), released
// at commit or rollback. Later statements then see what the previous holder committed.
import { sql } from "kysely";
import { engineOf, WRITE_LOCK_CLASS, type AnyKysely } from "./engine";

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
