import { readSession, type Session } from "../../db/sessions";
import type { Database } from "../../db/database";
import type { User } from "../../db/users";
import { getUser, sessionDatabase, sessionIdOfCookieValue } from "./auth.server";
import { dataVersion, storeKey } from "./data-version-cache.server";
import { readSessionId } from "./session.server";

// The signed-in user of a request without two SQLite reads each time: the session and
// its user are kept in memory by session id together with the data version they were
// read at. Any write (a sign-out, a password change, a deactivated account) changes the
// version and so forces a fresh read: never stale, no invalidation to remember. Time
// still counts: the idle and absolute timeouts are checked on every use, and once the
// session is due for its touch, auth.server's getUser reads it as usual. Used by
// scripts/page-cache.ts before it answers from memory.
//
// Session touches (last_seen_at, once a minute per active user) are the one write that
// changes nothing a page shows. The server touches sessions itself (touchSessionIfDue,
// before Remix, so that getUser finds nothing due) and counts the rows it changed; the
// page version (pageDataVersion) is the data version without those changes. See
// docs/decisions/027-event-loop-under-load.md.

const TOUCH_DUE_MS = 60_000; // auth.server.ts touches a session once a minute
/** Touch a little early, so that getUser (a few milliseconds later) finds nothing due. */
const TOUCH_EARLY_MS = 5_000;
const MAX_ENTRIES = 10_000;

interface Entry {
  version: string;
  user: User;
  session: Session;
}

const entries = new Map<string, Entry>();

/** Per database handle: the touches this process made and counted. */
interface TouchLedger {
  /** Rows the counted touches changed (they are in total_changes() too). */
  touchedRows: number;
  /** Touches under way: their rows may be in total_changes() but not yet counted. */
  inFlight: number;
  /** Bumped when a touch ends: a reader that saw another value raced with it. */
  epoch: number;
}

const LEDGER_KEY = Symbol.for("verbundkauf.sessionTouchLedger");
const TOUCHED_KEY = Symbol.for("verbundkauf.sessionTouchedAt");
type GlobalWithLedger = typeof globalThis & {
  [LEDGER_KEY]?: Map<string, TouchLedger>;
  [TOUCHED_KEY]?: Map<string, number>;
};
// On globalThis: scripts/server.ts and the Remix build each load this module.
const ledgers = ((globalThis as GlobalWithLedger)[LEDGER_KEY] ??= new Map());
/** Session cookie value → when this process last saw or made its last_seen_at. */
const touchedAt = ((globalThis as GlobalWithLedger)[TOUCHED_KEY] ??= new Map());

function ledgerOf(db: Database): TouchLedger {
  const key = storeKey(db);
  let ledger = ledgers.get(key);
  if (!ledger) ledgers.set(key, (ledger = { touchedRows: 0, inFlight: 0, epoch: 0 }));
  return ledger;
}

let unstable = 0;

/**
 * The data version for cached pages and ETags: dataVersion() with the counted session
 * touches taken out, so a touch alone keeps every cached page. Read while a counted
 * touch runs (or ends) the answer is a version that never repeats: a miss, never a
 * page from before a write. A version of another form (not `data_version:changes`)
 * is returned unchanged.
 */
export async function pageDataVersion(db: Database): Promise<string> {
  const ledger = ledgerOf(db);
  const epoch = ledger.epoch;
  const busy = ledger.inFlight > 0;
  const version = await dataVersion(db);
  if (busy || ledger.inFlight > 0 || ledger.epoch !== epoch) return `unstable:${++unstable}`;
  const match = /^(\d+):(\d+)$/.exec(version);
  if (!match) return version;
  return `${match[1]}:${Number(match[2]) - ledger.touchedRows}`;
}

/** Sets the session's last_seen_at and counts the rows it changed (see pageDataVersion). */
async function countedTouch(db: Database, sessionId: string, now: Date): Promise<void> {
  const ledger = ledgerOf(db);
  ledger.inFlight += 1;
  let rows = 0;
  try {
    const result = await db
      .updateTable("sessions")
      .set({ last_seen_at: now.toISOString() })
      .where("id", "=", sessionId)
      .executeTakeFirst();
    rows = Number(result.numUpdatedRows);
  } finally {
    ledger.touchedRows += rows;
    ledger.epoch += 1;
    ledger.inFlight -= 1;
  }
}

/**
 * For every request with a session cookie, before Remix runs (scripts/server.ts): the
 * once-a-minute touch that getUser would make, made here and counted, so that it does
 * not count as a change of the data. A session this process touched (or read) less than
 * a minute ago costs no query; an unknown, expired or foreign one is left to getUser.
 */
export async function touchSessionIfDue(request: Request, now = new Date()): Promise<void> {
  const cookieValue = await readSessionId(request);
  if (!cookieValue) return;
  const seen = touchedAt.get(cookieValue);
  if (seen !== undefined && now.getTime() - seen < TOUCH_DUE_MS - TOUCH_EARLY_MS) return;
  const db = await sessionDatabase(request);
  if (!db) return;
  const sessionId = sessionIdOfCookieValue(cookieValue);
  const session = await readSession(db, sessionId, now);
  if (!session) {
    touchedAt.delete(cookieValue);
    return;
  }
  let lastSeen = session.lastSeenAt.getTime();
  if (now.getTime() - lastSeen >= TOUCH_DUE_MS - TOUCH_EARLY_MS) {
    await countedTouch(db, sessionId, now);
    lastSeen = now.getTime();
  }
  touchedAt.delete(cookieValue);
  touchedAt.set(cookieValue, lastSeen);
  if (touchedAt.size > MAX_ENTRIES) touchedAt.delete(touchedAt.keys().next().value!);
}

export interface SignedIn {
  user: User;
  /** The page data version the user was checked at (for ETags and cached pages). */
  version: string;
}

export async function signedInUser(request: Request, now = new Date()): Promise<SignedIn | null> {
  const sessionId = await readSessionId(request);
  if (!sessionId) return null;
  // The session's own consortium (the cookie names it; auth.server.ts checks it).
  const db = await sessionDatabase(request);
  if (!db) return null;
  // Read before the session: whatever is read afterwards is at least this new.
  const version = await pageDataVersion(db);
  const hit = entries.get(sessionId);
  if (
    hit &&
    hit.version === version &&
    now.getTime() < hit.session.expiresAt.getTime() &&
    now.getTime() - hit.session.lastSeenAt.getTime() < TOUCH_DUE_MS
  )
    return { user: hit.user, version };

  entries.delete(sessionId);
  const user = await getUser(request);
  if (!user) return null;
  // The cookie holds `<consortium>:<session id>` (auth.server.ts); the row has the id only.
  const session = await readSession(db, sessionIdOfCookieValue(sessionId), now);
  if (!session) return null;
  entries.set(sessionId, { version, user, session });
  if (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value!);
  return { user, version };
}

/** For tests: forget everything. */
export function clearSessionCache(): void {
  entries.clear();
  touchedAt.clear();
}
