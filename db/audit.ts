// The audit log: who changed what, when (ISO 8601 UTC timestamps). Values are text;
// anything that is not already a string is stored as JSON.
import type { Kysely } from "kysely";
import type { DB } from "./schema";

export interface AuditInput {
  userId?: number | null;
  action: string;
  entity: string;
  entityKey: string;
  oldValue?: unknown;
  newValue?: unknown;
  detail?: unknown;
  /** Defaults to now; tests may pin it. */
  at?: Date;
}

export interface AuditEntry {
  id: number;
  at: string;
  userId: number | null;
  userName: string | null;
  userEmail: string | null;
  action: string;
  entity: string;
  entityKey: string;
  oldValue: string | null;
  newValue: string | null;
  detail: string | null;
}

function toText(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** Writes one entry; pass the transaction so the entry commits or rolls back with the change. */
export async function writeAudit(db: Kysely<DB>, entry: AuditInput): Promise<void> {
  await db
    .insertInto("audit_log")
    .values({
      at: (entry.at ?? new Date()).toISOString(),
      user_id: entry.userId ?? null,
      action: entry.action,
      entity: entry.entity,
      entity_key: entry.entityKey,
      old_value: toText(entry.oldValue),
      new_value: toText(entry.newValue),
      detail: toText(entry.detail),
    })
    .execute();
}

export interface AuditFilter {
  entity?: string;
  entityKey?: string;
  action?: string;
  /** Default 500, newest first. */
  limit?: number;
}

/** Entries newest first, with the acting user's name and email where the user still exists. */
export async function listAudit(db: Kysely<DB>, filter: AuditFilter = {}): Promise<AuditEntry[]> {
  let query = db
    .selectFrom("audit_log as a")
    .leftJoin("users as u", "u.id", "a.user_id")
    .select([
      "a.id",
      "a.at",
      "a.user_id as userId",
      "u.name as userName",
      "u.email as userEmail",
      "a.action",
      "a.entity",
      "a.entity_key as entityKey",
      "a.old_value as oldValue",
      "a.new_value as newValue",
      "a.detail",
    ])
    .orderBy("a.id", "desc")
    .limit(filter.limit ?? 500);
  if (filter.entity !== undefined) query = query.where("a.entity", "=", filter.entity);
  if (filter.entityKey !== undefined) query = query.where("a.entity_key", "=", filter.entityKey);
  if (filter.action !== undefined) query = query.where("a.action", "=", filter.action);
  return query.execute();
}
