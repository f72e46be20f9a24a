import { sql } from "kysely";
import type { Database } from "./database";
import { immediateTransaction } from "./transaction";

// Sign-in throttling state (table login_throttle, migration 006). A key is
// "account:<email>", "address:<client ip>" or "suspect:<email>|<client ip>". Every
// attempt counts as a failure from before its password is checked until it proves
// right. The first FREE_FAILURES cost nothing; from then on each one locks the key for
// a growing wait: 1, 2, 4, 8, … minutes, at most MAX_WAIT_MS. A quiet day forgets them.
// The rule is docs/decisions/016-hardening-round-two.md.
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

/** "suspect:<email>|<address>": failures against this account from this address. */
export function suspectKey(email: string, address: string): string {
  return `suspect:${email.trim().toLowerCase()}|${address}`;
}

/** The keys one sign-in attempt counts against. */
export interface AttemptKeys {
  account: string;
  /** Absent when the client address is unknown (then the account lock applies to all). */
  address?: string;
  suspect?: string;
}

/** An attempt counted (as a failure, until the password proves right) and allowed to go on. */
export interface AttemptClaim {
  keys: AttemptKeys;
  /** The lock this attempt's count set on its address, undone when the password is right. */
  addressLockSet: string | null;
}

export type ClaimOutcome = { claimed: AttemptClaim } | { lockedUntil: Date };

/**
 * Checks the locks and counts the attempt in one write transaction, before the password
 * is hashed: parallel attempts each see the counts of those before them, so no more than
 * the free attempts of a key ever reach the password check.
 *
 * - The address lock refuses everything from the offending address.
 * - The account lock refuses only addresses that have failed against this account
 *   (suspect keys): the owner signing in from elsewhere is not locked out by someone
 *   else's guessing, so no one can hold an account shut by one failure per expiry.
 */
export async function claimAttempt(
  db: Database,
  keys: AttemptKeys,
  now: Date = new Date(),
): Promise<ClaimOutcome> {
  const nowIso = now.toISOString();
  const forgetBefore = new Date(now.getTime() - FORGET_AFTER_MS).toISOString();
  const all = [keys.account, keys.address, keys.suspect].filter((k): k is string => !!k);
  return immediateTransaction(db, async (conn) => {
    const t = throttleDb(conn);
    const rows = await t.selectFrom("login_throttle").selectAll().where("key", "in", all).execute();
    /** A key's row, unless a quiet day has forgotten it. */
    const live = (key: string | undefined) => {
      const row = key ? rows.find((r) => r.key === key) : undefined;
      return row && row.last_failure_at >= forgetBefore ? row : undefined;
    };
    const running = (row: LoginThrottleTable | undefined) =>
      row?.locked_until && row.locked_until > nowIso ? row.locked_until : null;

    const accountApplies = !keys.suspect || (live(keys.suspect)?.failures ?? 0) > 0;
    const locks = [
      running(live(keys.address)),
      accountApplies ? running(live(keys.account)) : null,
    ];
    const until = locks
      .filter((l): l is string => l !== null)
      .sort()
      .at(-1);
    if (until) return { lockedUntil: new Date(until) };

    let addressLockSet: string | null = null;
    for (const key of all) {
      const row = live(key);
      const failures = (row?.failures ?? 0) + 1;
      const wait = key === keys.suspect ? 0 : waitAfterFailures(failures);
      const earned = wait > 0 ? new Date(now.getTime() + wait).toISOString() : null;
      // A running lock (the account's, passed by a clean address) is never shortened.
      const keep = running(row);
      const lock =
        [earned, keep]
          .filter((l): l is string => l !== null)
          .sort()
          .at(-1) ?? null;
      if (key === keys.address && earned !== null && lock === earned) addressLockSet = earned;
      await t
        .insertInto("login_throttle")
        .values({ key, failures, last_failure_at: nowIso, locked_until: lock })
        .onConflict((oc) =>
          oc.column("key").doUpdateSet({ failures, last_failure_at: nowIso, locked_until: lock }),
        )
        .execute();
    }
    return { claimed: { keys, addressLockSet } };
  });
}

/**
 * The password was right: the account and its suspect addresses are forgiven, and the
 * address gets back the attempt it was charged (one good password does not vouch for
 * other accounts, so its earlier failures stay).
 */
export async function settleSuccessfulAttempt(db: Database, claim: AttemptClaim): Promise<void> {
  const { keys, addressLockSet } = claim;
  await immediateTransaction(db, async (conn) => {
    const t = throttleDb(conn);
    const forgiven = [keys.account, keys.suspect].filter((k): k is string => !!k);
    await t.deleteFrom("login_throttle").where("key", "in", forgiven).execute();
    if (keys.address) {
      // Only this attempt on the row: the row goes. Otherwise one failure less, and the
      // lock this attempt set (if it is still the row's) is lifted.
      await t
        .deleteFrom("login_throttle")
        .where("key", "=", keys.address)
        .where("failures", "<=", 1)
        .execute();
      await sql`
        UPDATE login_throttle SET
          failures = failures - 1,
          locked_until = CASE WHEN locked_until = ${addressLockSet} THEN NULL ELSE locked_until END
        WHERE key = ${keys.address}`.execute(conn);
    }
  });
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
