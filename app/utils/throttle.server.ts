import type { Database } from "../../db/database";
import {
  accountKey,
  addressKey,
  claimAttempt,
  deleteStaleThrottles,
  settleSuccessfulAttempt,
  suspectKey,
  type AttemptClaim,
  type AttemptKeys,
} from "../../db/throttle";

// Sign-in throttling per account (email, known or not: no enumeration) and per client
// address. The policy and its table live in db/throttle.ts.

export interface SignInAttempt {
  email: string;
  /** Unknown when the app runs without scripts/server.ts (tests): then only the account counts. */
  address: string | undefined;
}

function keysOf({ email, address }: SignInAttempt): AttemptKeys {
  return address
    ? {
        account: accountKey(email),
        address: addressKey(address),
        suspect: suspectKey(email, address),
      }
    : { account: accountKey(email) };
}

export function tooManyAttemptsMessage(waitMs: number): string {
  const minutes = Math.max(1, Math.ceil(waitMs / 60_000));
  return `Zu viele Anmeldeversuche. Bitte warten Sie ${minutes} ${minutes === 1 ? "Minute" : "Minuten"}.`;
}

export type ThrottleVerdict =
  | { limited: false; claim: AttemptClaim }
  | { limited: true; retryAfterSeconds: number; message: string };

/**
 * Whether this attempt may have its password checked. Checked and counted in one step
 * before the password is hashed, so parallel attempts cannot all slip through.
 */
export async function claimSignInAttempt(
  db: Database,
  attempt: SignInAttempt,
  now: Date = new Date(),
): Promise<ThrottleVerdict> {
  // Housekeeping on the path that adds rows, so the table cannot grow without bound.
  await deleteStaleThrottles(db, now);
  const outcome = await claimAttempt(db, keysOf(attempt), now);
  if ("claimed" in outcome) return { limited: false, claim: outcome.claimed };
  const waitMs = outcome.lockedUntil.getTime() - now.getTime();
  return {
    limited: true,
    retryAfterSeconds: Math.ceil(waitMs / 1000),
    message: tooManyAttemptsMessage(waitMs),
  };
}

/** A failed attempt: it was counted when claimed, so this only claims (for tests and tools). */
export async function recordSignInFailure(
  db: Database,
  attempt: SignInAttempt,
  now: Date = new Date(),
): Promise<void> {
  await claimSignInAttempt(db, attempt, now);
}

/** The password was right: forgives the account (db/throttle.ts settleSuccessfulAttempt). */
export async function recordSignInSuccess(db: Database, claim: AttemptClaim): Promise<void> {
  await settleSuccessfulAttempt(db, claim);
}
