import { sql } from "kysely";
import type { Database } from "./database";

// Sign-in throttling state (table login_throttle, migration 006). A key is
// "account:<email>" or "address:<client ip>". The first FREE_FAILURES failures cost
// nothing; from then on each failure locks the key for a growing wait:
// 1, 2, 4, 8, … minutes, at most MAX_WAIT_MS. A quiet day forgets the failures.
export const FREE_FAILURES = 5;
export const BASE_WAIT_MS = 60_000;
export const MAX_WAIT_MS = 60 * 60_000;
export const FORGET_AFTER_MS = 24 * 60 * 60_000;

export interface LoginThrottleTable {
  key: string;
  failures: number;
  last_failure_at: string;
  locked_until: string | null;
}

type ThrottleTables = { login_throttle: LoginThrottleTable };

function throttleDb(db: Database) {
  return db.withTables<ThrottleTables>();
}

/** The lock that the `failures`-th failure in a row earns: 0 up to FREE_FAILURES. */
export function waitAfterFailures(failures: number): number {
  if (failures < FREE_FAILURES) return 0;
  // Capping the exponent first keeps 2 ** n finite for any count.
  const exponent = Math.min(failures - FREE_FAILURES, 30);
  return Math.min(BASE_WAIT_MS * 2 ** exponent, MAX_WAIT_MS);
}

export function accountKey(email: string): string {
  return `account:${email.trim().toLowerCase()}`;
}

export function addressKey(address: string): string {
  return `address:${address}`;
}

/** The latest lock among `keys` that is still running at `now`, or null. */
export async function lockedUntil(
  db: Database,
  keys: readonly string[],
  now: Date = new Date(),
): Promise<Date | null> {
  if (keys.length === 0) return null;
  const row = await throttleDb(db)
    .selectFrom("login_throttle")
    .select((eb) => eb.fn.max("locked_until").as("until"))
    .where("key", "in", [...keys])
    .where("locked_until", ">", now.toISOString())
    .executeTakeFirst();
  return row?.until ? new Date(row.until) : null;
}

/**
 * Counts one failure for `key` (atomically, so parallel attempts each count) and
 * returns the failure count and the lock it earned, if any.
 */
export async function recordFailure(
  db: Database,
  key: string,
  now: Date = new Date(),
): Promise<{ failures: number; lockedUntil: Date | null }> {
  const forgetBefore = new Date(now.getTime() - FORGET_AFTER_MS).toISOString();
  const row = await sql<{ failures: number }>`
    INSERT INTO login_throttle (key, failures, last_failure_at, locked_until)
    VALUES (${key}, 1, ${now.toISOString()}, NULL)
    ON CONFLICT (key) DO UPDATE SET
      failures = CASE WHEN last_failure_at < ${forgetBefore} THEN 1 ELSE failures + 1 END,
      last_failure_at = excluded.last_failure_at
    RETURNING failures`.execute(db);
  const failures = row.rows[0].failures;
  const wait = waitAfterFailures(failures);
  if (wait === 0) return { failures, lockedUntil: null };
  const until = new Date(now.getTime() + wait);
  await throttleDb(db)
    .updateTable("login_throttle")
    .set({ locked_until: until.toISOString() })
    .where("key", "=", key)
    .execute();
  return { failures, lockedUntil: until };
}

/** A successful sign-in forgets the failures of that key. */
export async function resetThrottle(db: Database, key: string): Promise<void> {
  await throttleDb(db).deleteFrom("login_throttle").where("key", "=", key).execute();
}

/** Housekeeping: rows whose last failure is older than a day and whose lock ran out. */
export async function deleteStaleThrottles(db: Database, now: Date = new Date()): Promise<number> {
  const result = await throttleDb(db)
    .deleteFrom("login_throttle")
    .where("last_failure_at", "<", new Date(now.getTime() - FORGET_AFTER_MS).toISOString())
    .where((eb) =>
      eb.or([eb("locked_until", "is", null), eb("locked_until", "<=", now.toISOString())]),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
