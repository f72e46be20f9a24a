import { redirect } from "@remix-run/node";
import { DUMMY_PASSWORD_HASH, verifyPassword } from "../../db/passwords";
import {
  createSession,
  deleteExpiredSessions,
  deleteSession,
  readSession,
  touchSession,
} from "../../db/sessions";
import { countUsers, findUserByEmail, getUserById, type User } from "../../db/users";
import type { Database } from "../../db/database";
import { getDb } from "./db.server";
import { forbidden, safeRedirect } from "./http.server";
import { canReadPartner, canWritePartner, type Actor, type Role } from "./roles";
import {
  readSessionId,
  serializeClearedSessionCookie,
  serializeSessionCookie,
} from "./session.server";

export type { User };

// Touching on every request would write on every page view; once a minute is enough
// for an idle timeout of hours.
const TOUCH_INTERVAL_MS = 60_000;

/** The signed-in, active user, or null. */
export async function getUser(request: Request): Promise<User | null> {
  const sessionId = await readSessionId(request);
  if (!sessionId) return null;
  const db = await getDb();
  const now = new Date();
  const session = await readSession(db, sessionId, now);
  if (!session) return null;
  const user = await getUserById(db, session.userId);
  if (!user || !user.active) return null;
  if (now.getTime() - session.lastSeenAt.getTime() >= TOUCH_INTERVAL_MS)
    await touchSession(db, sessionId, now);
  return user;
}

/** Redirects to /setup while no user exists, else to /login?redirectTo=… when signed out. */
export async function requireUser(request: Request): Promise<User> {
  const user = await getUser(request);
  if (user) return user;
  if ((await countUsers(await getDb())) === 0) throw redirect("/setup");
  const url = new URL(request.url);
  const params = new URLSearchParams({ redirectTo: url.pathname + url.search });
  throw redirect(`/login?${params}`);
}

/** The signed-in user if the role is one of `roles`; else a 403 response is thrown. */
export async function requireRole(request: Request, ...roles: Role[]): Promise<User> {
  const user = await requireUser(request);
  if (!roles.includes(user.role)) throw forbidden();
  return user;
}

export function requirePartnerRead(user: Actor, partnerCode: string): void {
  if (!canReadPartner(user, partnerCode)) throw forbidden();
}

export function requirePartnerWrite(user: Actor, partnerCode: string): void {
  if (!canWritePartner(user, partnerCode)) throw forbidden();
}

/**
 * The active user with this email and password, or null. An unknown email is checked
 * against a dummy hash so that the answer takes as long as for a known one.
 */
export async function verifyLogin(
  db: Database,
  email: string,
  password: string,
): Promise<User | null> {
  const user = await findUserByEmail(db, email);
  const matches = await verifyPassword(password, user?.passwordHash ?? DUMMY_PASSWORD_HASH);
  if (!user || !matches || !user.active) return null;
  const { passwordHash: _passwordHash, ...rest } = user;
  return rest;
}

/** Starts a new session (a fresh id on every sign-in) and redirects with its cookie. */
export async function createUserSession(
  request: Request,
  user: User,
  redirectTo: string | null | undefined,
): Promise<Response> {
  const db = await getDb();
  const previous = await readSessionId(request);
  if (previous) await deleteSession(db, previous);
  await deleteExpiredSessions(db);
  const session = await createSession(db, user.id);
  return redirect(safeRedirect(redirectTo), {
    headers: { "Set-Cookie": await serializeSessionCookie(request, session.id) },
  });
}

/** Deletes the server-side session and clears the cookie. */
export async function signOut(request: Request, redirectTo = "/login"): Promise<Response> {
  const sessionId = await readSessionId(request);
  if (sessionId) await deleteSession(await getDb(), sessionId);
  return redirect(redirectTo, {
    headers: { "Set-Cookie": await serializeClearedSessionCookie(request) },
  });
}
