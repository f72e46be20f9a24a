import { sql, type Selectable } from "kysely";
import type { Database } from "./database";
import type { Role, UsersTable } from "./schema";
import { hashPassword } from "./passwords";

/** A user as the app sees it: no password hash, `active` as a boolean. */
export interface User {
  id: number;
  email: string;
  name: string;
  role: Role;
  /** Only officers are bound to one partner; null for every other role. */
  partnerCode: string | null;
  active: boolean;
}

export interface UserWithPasswordHash extends User {
  passwordHash: string;
}

export interface NewUser {
  email: string;
  name: string;
  role: Role;
  partnerCode?: string | null;
  password: string;
}

export interface UserChanges {
  name?: string;
  role?: Role;
  partnerCode?: string | null;
  active?: boolean;
}

/**
 * Emails compare case-insensitively (SQLite: the column is COLLATE NOCASE; PostgreSQL: a
 * unique index on lower(email)); stored trimmed and lower-case, and looked up by
 * lower(email), so that a differently written stored address is found on both engines.
 */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

function toUser(row: Selectable<UsersTable>): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    partnerCode: row.partner_code,
    // 0/1 on both engines; Number() also reads a boolean column right.
    active: Number(row.active) === 1,
  };
}

export async function findUserByEmail(
  db: Database,
  email: string,
): Promise<UserWithPasswordHash | undefined> {
  const row = await db
    .selectFrom("users")
    .selectAll()
    .where(sql<string>`lower(email)`, "=", normalizeEmail(email))
    .executeTakeFirst();
  return row ? { ...toUser(row), passwordHash: row.password_hash } : undefined;
}

export async function getUserById(db: Database, id: number): Promise<User | undefined> {
  const row = await db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
  return row ? toUser(row) : undefined;
}

export async function listUsers(db: Database): Promise<User[]> {
  const rows = await db.selectFrom("users").selectAll().orderBy("name").orderBy("id").execute();
  return rows.map(toUser);
}

export async function countUsers(db: Database): Promise<number> {
  const { count } = await db
    .selectFrom("users")
    .select((eb) => eb.fn.countAll<number>().as("count"))
    .executeTakeFirstOrThrow();
  return Number(count);
}

export async function isEmailTaken(
  db: Database,
  email: string,
  exceptUserId?: number,
): Promise<boolean> {
  let query = db
    .selectFrom("users")
    .select("id")
    .where(sql<string>`lower(email)`, "=", normalizeEmail(email));
  if (exceptUserId !== undefined) query = query.where("id", "!=", exceptUserId);
  return (await query.executeTakeFirst()) !== undefined;
}

/** Officers keep their partner; any other role drops it (the table's CHECK demands that). */
function partnerForRole(role: Role, partnerCode: string | null | undefined): string | null {
  return role === "officer" ? (partnerCode ?? null) : null;
}

export async function createUser(
  db: Database,
  user: NewUser,
  now: Date = new Date(),
): Promise<User> {
  const timestamp = now.toISOString();
  const row = await db
    .insertInto("users")
    .values({
      email: normalizeEmail(user.email),
      name: user.name.trim(),
      role: user.role,
      partner_code: partnerForRole(user.role, user.partnerCode),
      password_hash: await hashPassword(user.password),
      active: 1,
      created_at: timestamp,
      updated_at: timestamp,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toUser(row);
}

export async function updateUser(
  db: Database,
  id: number,
  changes: UserChanges,
  now: Date = new Date(),
): Promise<User> {
  const current = await getUserById(db, id);
  if (!current) throw new Error(`User ${id} does not exist`);
  const role = changes.role ?? current.role;
  const partnerCode = partnerForRole(
    role,
    changes.partnerCode !== undefined ? changes.partnerCode : current.partnerCode,
  );
  const row = await db
    .updateTable("users")
    .set({
      name: changes.name !== undefined ? changes.name.trim() : current.name,
      role,
      partner_code: partnerCode,
      active: (changes.active ?? current.active) ? 1 : 0,
      updated_at: now.toISOString(),
    })
    .where("id", "=", id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toUser(row);
}

export async function setPassword(
  db: Database,
  id: number,
  password: string,
  now: Date = new Date(),
): Promise<void> {
  await db
    .updateTable("users")
    .set({ password_hash: await hashPassword(password), updated_at: now.toISOString() })
    .where("id", "=", id)
    .execute();
}
