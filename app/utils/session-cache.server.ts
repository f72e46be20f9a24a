import { readSession, type Session } from "../../db/sessions";
import type { User } from "../../db/users";
import { getUser, sessionDatabase, sessionIdOfCookieValue } from "./auth.server";
import { dataVersion } from "./data-version-cache.server";
import { readSessionId } from "./session.server";

// The signed-in user of a request without two SQLite reads each time: the session and
// its user are kept in memory by session id together with the data version they were
// read at. Any write (a sign-out, a password change, a deactivated account, a session
// touch) changes the version and so forces a fresh read: never stale, no invalidation
// to remember. Time still counts: the idle and absolute timeouts are checked on every
// use, and once the session is due for its touch, auth.server's getUser reads and
// touches it as usual. Used by scripts/page-cache.ts before it answers from memory.

const TOUCH_DUE_MS = 60_000; // auth.server.ts touches a session once a minute
const MAX_ENTRIES = 10_000;

interface Entry {
  version: string;
  user: User;
  session: Session;
}

const entries = new Map<string, Entry>();

export interface SignedIn {
  user: User;
  /** The data version the user was checked at (for ETags and cached pages). */
  version: string;
}

export async function signedInUser(request: Request, now = new Date()): Promise<SignedIn | null> {
  const sessionId = await readSessionId(request);
  if (!sessionId) return null;
  // The session's own consortium (the cookie names it; auth.server.ts checks it).
  const db = await sessionDatabase(request);
  if (!db) return null;
  // Read before the session: whatever is read afterwards is at least this new.
  const version = await dataVersion(db);
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
}
