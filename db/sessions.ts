import { randomBytes } from "node:crypto";
import type { Database } from "./database";

// Server-side sessions: the cookie holds only the id. A session ends after 8 hours
// without a request (idle) and 7 days after sign-in at the latest (absolute).
export const SESSION_IDLE_TIMEOUT_MS = 8 * 60 * 60 * 1000;
export const SESSION_ABSOLUTE_TIMEOUT_MS = 7 * 24 * 60 * 60 * 1000;

export interface Session {
  id: string;
  userId: number;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
}

/** 32 random bytes, base64url: unguessable, safe in a cookie. */
export function newSessionId(): string {
  return randomBytes(32).toString("base64url");
}

export async function createSession(
  db: Database,
  userId: number,
  now: Date = new Date(),
): Promise<Session> {
  const session: Session = {
    id: newSessionId(),
    userId,
    createdAt: now,
    lastSeenAt: now,
    expiresAt: new Date(now.getTime() + SESSION_ABSOLUTE_TIMEOUT_MS),
  };
  await db
    .insertInto("sessions")
    .values({
      id: session.id,
      user_id: userId,
      created_at: now.toISOString(),
      last_seen_at: now.toISOString(),
      expires_at: session.expiresAt.toISOString(),
    })
    .execute();
  return session;
}

export function isSessionExpired(session: Session, now: Date = new Date()): boolean {
  return (
    now.getTime() >= session.expiresAt.getTime() ||
    now.getTime() - session.lastSeenAt.getTime() >= SESSION_IDLE_TIMEOUT_MS
  );
}

/** The live session with this id; an expired one is deleted and gives undefined. */
export async function readSession(
  db: Database,
  id: string,
  now: Date = new Date(),
): Promise<Session | undefined> {
  const row = await db.selectFrom("sessions").selectAll().where("id", "=", id).executeTakeFirst();
  if (!row) return undefined;
  const session: Session = {
    id: row.id,
    userId: row.user_id,
    createdAt: new Date(row.created_at),
    lastSeenAt: new Date(row.last_seen_at),
    expiresAt: new Date(row.expires_at),
  };
  if (isSessionExpired(session, now)) {
    await deleteSession(db, id);
    return undefined;
  }
  return session;
}

/** Marks the session as used now, which restarts the idle timeout. */
export async function touchSession(
  db: Database,
  id: string,
  now: Date = new Date(),
): Promise<void> {
  await db
    .updateTable("sessions")
    .set({ last_seen_at: now.toISOString() })
    .where("id", "=", id)
    .execute();
}

export async function deleteSession(db: Database, id: string): Promise<void> {
  await db.deleteFrom("sessions").where("id", "=", id).execute();
}

export async function deleteAllSessionsForUser(db: Database, userId: number): Promise<number> {
  const result = await db.deleteFrom("sessions").where("user_id", "=", userId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Ends every session of the user except `keepId` (the one that changed the password). */
export async function deleteOtherSessionsForUser(
  db: Database,
  userId: number,
  keepId: string | null | undefined,
): Promise<number> {
  let query = db.deleteFrom("sessions").where("user_id", "=", userId);
  if (keepId) query = query.where("id", "!=", keepId);
  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Housekeeping: drops sessions past either timeout. */
export async function deleteExpiredSessions(db: Database, now: Date = new Date()): Promise<number> {
  const idleLimit = new Date(now.getTime() - SESSION_IDLE_TIMEOUT_MS).toISOString();
  const result = await db
    .deleteFrom("sessions")
    .where((eb) =>
      eb.or([eb("expires_at", "<=", now.toISOString()), eb("last_seen_at", "<=", idleLimit)]),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
