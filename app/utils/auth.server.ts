import { redirect } from "@remix-run/node";
import { DUMMY_PASSWORD_HASH, verifyPassword } from "../../db/passwords";
import {
  createSession,
  deleteExpiredSessions,
  deleteSession,
  readSession,
  touchSession,
} from "../../db/sessions";
import { findUserByEmail, getUserById, type User } from "../../db/users";
import type { Database } from "../../db/database";
import { isConsortiumCode } from "../../db/registry";
import {
  currentConsortium,
  currentConsortium as requestContextConsortium,
  getInstallation,
  installationHasNoUsers,
  runInConsortium,
  type Installation,
} from "./db.server";
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

// The session cookie carries `<CONSORTIUM>:<session id>` (signed): the session lives in
// the consortium's own database, so the consortium must be known to find it.
interface SessionRef {
  consortium: string;
  sessionId: string;
}

function sessionRef(value: string | null): SessionRef | null {
  if (!value) return null;
  const colon = value.indexOf(":");
  if (colon < 0) return null;
  const consortium = value.slice(0, colon);
  const sessionId = value.slice(colon + 1);
  if (!isConsortiumCode(consortium) || sessionId === "") return null;
  return { consortium, sessionId };
}

/** The session id part of the cookie's value (empty when the value is malformed). */
export function sessionIdOfCookieValue(value: string): string {
  return sessionRef(value)?.sessionId ?? "";
}

/** The id of the request's session (without its consortium), or null. */
export async function currentSessionId(request: Request): Promise<string | null> {
  return (await readSessionRef(request))?.sessionId ?? null;
}

// The consortium codes the registry is known to hold, per installation. Consortia are
// only ever added (db/registry.ts has no removal, and an opened store stays open), so a
// code seen once stays valid: only a code not seen yet reads the registry again (one
// another process may just have added). Before, every request listed the consortia
// up to three times (decision 027).
const knownConsortia = new WeakMap<Installation, Set<string>>();

/** Whether the registry knows the consortium `code` (see knownConsortia). */
export async function isKnownConsortium(code: string): Promise<boolean> {
  const installation = await getInstallation();
  if (knownConsortia.get(installation)?.has(code)) return true;
  const known = new Set((await installation.consortia()).map((c) => c.code));
  knownConsortia.set(installation, known);
  return known.has(code);
}

async function readSessionRef(request: Request): Promise<SessionRef | null> {
  const ref = sessionRef(await readSessionId(request));
  if (!ref) return null;
  return (await isKnownConsortium(ref.consortium)) ? ref : null;
}

/**
 * The consortium named by the request's session cookie (if the registry knows it), for
 * the request context that getDb() reads. Whether the session is valid is getUser's job.
 */
export async function consortiumOfRequest(request: Request): Promise<string | undefined> {
  return (await readSessionRef(request))?.consortium;
}

/**
 * The database of the consortium named by the request's session cookie (null without a
 * valid one, or when it disagrees with the request context): for code that must read the
 * session before anything else, such as the session cache.
 */
export async function sessionDatabase(request: Request): Promise<Database | null> {
  const ref = await readSessionRef(request);
  if (!ref) return null;
  const bound = requestContextConsortium();
  if (bound !== undefined && bound !== ref.consortium) return null;
  return (await getInstallation()).database(ref.consortium);
}

// One answer per Request object: the root loader and the route's loader (and the page
// cache before them) each asked, and each read the session and the user again. Remix
// hands the loaders after an action a new Request (@remix-run/router, "Create a GET
// request for the loaders"), so what an action changed is read afresh.
const usersOfRequests = new WeakMap<Request, Promise<User | null>>();

/** The signed-in, active user, or null (read once per request). */
export function getUser(request: Request): Promise<User | null> {
  let user = usersOfRequests.get(request);
  if (!user) {
    user = readUser(request);
    usersOfRequests.set(request, user);
    // A failed read is not remembered.
    user.catch(() => usersOfRequests.delete(request));
  }
  return user;
}

async function readUser(request: Request): Promise<User | null> {
  const ref = await readSessionRef(request);
  if (!ref) return null;
  // Inside a request the context and the cookie must agree (the server sets one from the other).
  if (requestContextConsortium() !== undefined && requestContextConsortium() !== ref.consortium)
    return null;
  const { sessionId } = ref;
  const db = await (await getInstallation()).database(ref.consortium);
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
  if (await installationHasNoUsers()) throw redirect("/setup");
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

/**
 * The active user of any consortium with this email and password, with the consortium,
 * or null. Emails are unique across the installation; should one stand in two consortia,
 * nobody signs in with it.
 */
export async function verifyLoginInInstallation(
  email: string,
  password: string,
): Promise<{ user: User; consortium: string } | null> {
  const installation = await getInstallation();
  let found: { db: Database; consortium: string }[] = [];
  if (installation.directory) {
    // The directory names the one consortium to ask (no store of another is opened).
    const code = await installation.directory.consortiumOf(email);
    if (typeof code === "string")
      found = [{ db: await installation.database(code), consortium: code }];
  } else {
    for (const consortium of await installation.consortia()) {
      const db = await installation.database(consortium.code);
      if (await findUserByEmail(db, email)) found.push({ db, consortium: consortium.code });
    }
  }
  if (found.length !== 1) {
    // Same time as a real check: no enumeration through timing.
    await verifyPassword(password, DUMMY_PASSWORD_HASH);
    return null;
  }
  const user = await verifyLogin(found[0].db, email, password);
  return user ? { user, consortium: found[0].consortium } : null;
}

/** Whether any consortium has an account with this email (they are unique installation-wide). */
export async function emailTakenInInstallation(email: string): Promise<boolean> {
  const installation = await getInstallation();
  if (installation.directory)
    return (await installation.directory.consortiumOf(email)) !== undefined;
  for (const consortium of await installation.consortia()) {
    if (await findUserByEmail(await installation.database(consortium.code), email)) return true;
  }
  return false;
}

/**
 * Records in the installation's user directory that `consortium` holds `email`; call it
 * inside the transaction that creates the user, so that a refusal rolls the user back.
 */
export async function claimEmailInInstallation(consortium: string, email: string): Promise<void> {
  const directory = (await getInstallation()).directory;
  if (directory && !(await directory.claim(consortium, email))) throw new EmailTakenError();
}

export class EmailTakenError extends Error {
  constructor() {
    super("Die E-Mail-Adresse gehört schon zu einem Konto.");
  }
}

/**
 * Starts a new session (a fresh id on every sign-in) in the user's consortium (default:
 * the request's) and redirects with its cookie.
 */
export async function createUserSession(
  request: Request,
  user: User,
  redirectTo: string | null | undefined,
  consortium: string | undefined = currentConsortium(),
): Promise<Response> {
  if (!consortium) throw new Error("createUserSession: kein Verbund");
  const installation = await getInstallation();
  const previous = await readSessionRef(request);
  if (previous)
    await deleteSession(await installation.database(previous.consortium), previous.sessionId);
  const db = await installation.database(consortium);
  await deleteExpiredSessions(db);
  const session = await createSession(db, user.id);
  return redirect(safeRedirect(redirectTo), {
    headers: {
      "Set-Cookie": await serializeSessionCookie(request, `${consortium}:${session.id}`),
    },
  });
}

/** Deletes the server-side session and clears the cookie. */
export async function signOut(request: Request, redirectTo = "/login"): Promise<Response> {
  const ref = await readSessionRef(request);
  if (ref)
    await deleteSession(await (await getInstallation()).database(ref.consortium), ref.sessionId);
  return redirect(redirectTo, {
    headers: { "Set-Cookie": await serializeClearedSessionCookie(request) },
  });
}

/**
 * Runs `fn` (the whole request) in the consortium of the request's session cookie: the
 * only place the request context is set. The server calls it with the Cookie header.
 */
export async function runInRequestConsortium<T>(
  cookieHeader: string | undefined,
  fn: () => T,
): Promise<T> {
  const request = new Request("http://localhost/", {
    headers: cookieHeader ? { Cookie: cookieHeader } : {},
  });
  return runInConsortium(await consortiumOfRequest(request), fn);
}
