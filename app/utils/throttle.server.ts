import type { Database } from "../../db/database";
import {
  accountKey,
  addressKey,
  deleteStaleThrottles,
  lockedUntil,
  recordFailure,
  resetThrottle,
} from "../../db/throttle";

// Sign-in throttling per account (email, known or not: no enumeration) and per client
// address. The policy and its table live in db/throttle.ts.

export interface SignInAttempt {
  email: string;
  /** Unknown when the app runs without scripts/server.ts (tests): then only the account counts. */
  address: string | undefined;
}

function keysOf({ email, address }: SignInAttempt): string[] {
  return address ? [accountKey(email), addressKey(address)] : [accountKey(email)];
}

export function tooManyAttemptsMessage(waitMs: number): string {
  const minutes = Math.max(1, Math.ceil(waitMs / 60_000));
  return `Zu viele Anmeldeversuche. Bitte warten Sie ${minutes} ${minutes === 1 ? "Minute" : "Minuten"}.`;
}

export type ThrottleVerdict =
  { limited: false } | { limited: true; retryAfterSeconds: number; message: string };

function verdict(until: Date | null, now: Date): ThrottleVerdict {
  if (!until) return { limited: false };
  const waitMs = until.getTime() - now.getTime();
  return {
    limited: true,
    retryAfterSeconds: Math.ceil(waitMs / 1000),
    message: tooManyAttemptsMessage(waitMs),
  };
}

/** Whether this attempt must wait, checked before the password is. */
export async function checkSignInThrottle(
  db: Database,
  attempt: SignInAttempt,
  now: Date = new Date(),
): Promise<ThrottleVerdict> {
  return verdict(await lockedUntil(db, keysOf(attempt), now), now);
}

/** Counts a failed attempt for the account and, when known, the address. */
export async function recordSignInFailure(
  db: Database,
  attempt: SignInAttempt,
  now: Date = new Date(),
): Promise<void> {
  // Housekeeping on the path that adds rows, so the table cannot grow without bound.
  await deleteStaleThrottles(db, now);
  for (const key of keysOf(attempt)) await recordFailure(db, key, now);
}

/** A success resets the account's counter; the address keeps its count (one good password does not vouch for other accounts). */
export async function recordSignInSuccess(db: Database, email: string): Promise<void> {
  await resetThrottle(db, accountKey(email));
}
