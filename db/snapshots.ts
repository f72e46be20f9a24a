// Snapshots (Beschlussstand): a tender's inputs (plan@1 or plan@2) and results (result@1 or result@2) frozen
// as version 1, 2, … per tender. There is deliberately no update or delete here, and
// triggers in migration 003 refuse both in the database as well.
import { sql, type Generated, type Kysely } from "kysely";
import type { DB } from "./schema";
import {
  PLAN_FORMAT,
  PLAN_FORMAT_V2,
  RESULT_FORMAT,
  RESULT_FORMAT_V2,
  type Plan,
} from "../domain/plan";
import type { Result } from "../domain/result";
import { calculatePlan } from "../domain/calculate";
import { validatePlan, type PlanProblem } from "../domain/plan-validation";
import { toResultFile } from "../domain/serialize";
import { writeAudit } from "./audit";
import { isUniqueViolation } from "./errors";
import { exportPlan } from "./plan-io";
import { lockConsortiumWrites } from "./concurrency";

/** Runs `work` (one statement) again when a unique constraint refused it, a few times. */
async function retryOnUniqueViolation<T>(db: Kysely<DB>, work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    if (db.isTransaction) await sql`savepoint snapshot_version`.execute(db);
    try {
      const result = await work();
      if (db.isTransaction) await sql`release savepoint snapshot_version`.execute(db);
      return result;
    } catch (error) {
      if (db.isTransaction) {
        await sql`rollback to savepoint snapshot_version`.execute(db);
        await sql`release savepoint snapshot_version`.execute(db);
      }
      if (!isUniqueViolation(error) || attempt >= VERSION_ATTEMPTS) throw error;
    }
  }
}

export const SNAPSHOT_COMMENT_MAX_LENGTH = 500;

/** The table as Kysely sees it; kept here so db/schema.ts stays untouched. */
export interface SnapshotsTable {
  id: Generated<number>;
  tender_code: string;
  version: number;
  comment: string;
  plan_json: string;
  result_json: string;
  created_at: string;
  created_by: number;
}

type SnapshotDB = DB & { snapshots: SnapshotsTable };

/** One snapshot without its (large) JSON documents, for lists. */
export interface SnapshotInfo {
  tenderCode: string;
  version: number;
  comment: string;
  /** ISO 8601 UTC. */
  createdAt: string;
  /** The creating user's display name. */
  createdBy: string;
  createdByUserId: number;
}

export interface Snapshot extends SnapshotInfo {
  plan: Plan;
  result: Result;
}

export interface NewSnapshot {
  tenderCode: string;
  comment: string;
  plan: Plan;
  result: Result;
  userId: number;
  /** Defaults to now; tests may pin it. */
  at?: Date;
}

function snapshots(db: Kysely<DB>): Kysely<SnapshotDB> {
  return db.withTables<{ snapshots: SnapshotsTable }>();
}

function infoQuery(db: Kysely<DB>) {
  return snapshots(db)
    .selectFrom("snapshots as s")
    .innerJoin("users as u", "u.id", "s.created_by")
    .select([
      "s.tender_code as tenderCode",
      "s.version",
      "s.comment",
      "s.created_at as createdAt",
      "u.name as createdBy",
      "s.created_by as createdByUserId",
    ]);
}

/** All snapshots of a tender, newest version first. */
export async function listSnapshots(db: Kysely<DB>, tenderCode: string): Promise<SnapshotInfo[]> {
  return infoQuery(db)
    .where("s.tender_code", "=", tenderCode)
    .orderBy("s.version", "desc")
    .execute();
}

/** One snapshot with its plan and result, or undefined for an unknown tender or version. */
export async function getSnapshot(
  db: Kysely<DB>,
  tenderCode: string,
  version: number,
): Promise<Snapshot | undefined> {
  if (!Number.isSafeInteger(version) || version < 1) return undefined;
  const row = await infoQuery(db)
    .select(["s.plan_json", "s.result_json"])
    .where("s.tender_code", "=", tenderCode)
    .where("s.version", "=", version)
    .executeTakeFirst();
  if (!row) return undefined;
  const { plan_json, result_json, ...info } = row;
  return {
    ...info,
    // Snapshots keep the format they were stored in: plan@1 with result@1 (older ones)
    // or plan@2 with result@2.
    plan: parseDocument<Plan>(plan_json, [PLAN_FORMAT, PLAN_FORMAT_V2]),
    result: parseDocument<Result>(result_json, [RESULT_FORMAT, RESULT_FORMAT_V2]),
  };
}

/** How often a snapshot insert that lost the race for its version number tries again. */
const VERSION_ATTEMPTS = 20;

/**
 * Stores the next version of a tender's snapshot. The version is computed inside the
 * INSERT itself. SQLite runs one write at a time, so two coordinators saving at the same
 * moment cannot get the same number there; PostgreSQL runs them side by side, and
 * UNIQUE(tender_code, version) refuses the second: it then tries again with the next
 * number (inside a transaction behind a savepoint, as a failed statement would
 * otherwise abort the whole transaction on PostgreSQL).
 */
export async function createSnapshot(db: Kysely<DB>, input: NewSnapshot): Promise<SnapshotInfo> {
  const comment = input.comment.trim();
  if (comment.length === 0 || comment.length > SNAPSHOT_COMMENT_MAX_LENGTH) {
    throw new Error(`snapshot comment must have 1 to ${SNAPSHOT_COMMENT_MAX_LENGTH} characters`);
  }
  const pair =
    (input.plan.format === PLAN_FORMAT && input.result.format === RESULT_FORMAT) ||
    (input.plan.format === PLAN_FORMAT_V2 && input.result.format === RESULT_FORMAT_V2);
  if (!pair) {
    throw new Error("snapshot needs a plan@1 with a result@1 or a plan@2 with a result@2 document");
  }
  const insert = () =>
    snapshots(db)
      .insertInto("snapshots")
      .values({
        tender_code: input.tenderCode,
        version: sql<number>`(select coalesce(max(version), 0) + 1 from snapshots where tender_code = ${input.tenderCode})`,
        comment,
        plan_json: JSON.stringify(input.plan),
        result_json: JSON.stringify(input.result),
        created_at: (input.at ?? new Date()).toISOString(),
        created_by: input.userId,
      })
      .returning("version")
      .executeTakeFirstOrThrow();
  const inserted = await retryOnUniqueViolation(db, insert);
  const info = await infoQuery(db)
    .where("s.tender_code", "=", input.tenderCode)
    .where("s.version", "=", inserted.version)
    .executeTakeFirstOrThrow();
  return info;
}

export type FreezeOutcome =
  | { ok: true; snapshot: SnapshotInfo }
  | { ok: false; reason: "unknown-tender" }
  | { ok: false; reason: "invalid-plan"; problems: PlanProblem[] };

/**
 * Freezes the tender as it is now: exports the whole plan, calculates it and stores
 * plan and result as the next version, with an audit entry. One transaction, so the
 * stored plan is exactly the one the result was calculated from. A plan that cannot
 * be calculated is not frozen.
 */
export async function freezeTender(
  db: Kysely<DB>,
  input: { tenderCode: string; comment: string; userId: number; at?: Date },
): Promise<FreezeOutcome> {
  return db.transaction().execute(async (trx): Promise<FreezeOutcome> => {
    await lockConsortiumWrites(trx);
    const plan = await exportPlan(trx);
    if (!plan.tenders?.some((tender) => tender.code === input.tenderCode))
      return { ok: false, reason: "unknown-tender" };
    const validation = validatePlan(plan);
    if (!validation.ok) return { ok: false, reason: "invalid-plan", problems: validation.problems };
    const result = toResultFile(calculatePlan(validation.plan));
    const snapshot = await createSnapshot(trx, { ...input, plan: validation.plan, result });
    await writeAudit(trx, {
      userId: input.userId,
      action: "create",
      entity: "snapshot",
      entityKey: `${snapshot.tenderCode}/${snapshot.version}`,
      newValue: { version: snapshot.version, comment: snapshot.comment },
      at: input.at,
    });
    return { ok: true, snapshot };
  });
}

function parseDocument<T extends { format: string }>(json: string, formats: readonly string[]): T {
  const value = JSON.parse(json) as T;
  if (!formats.includes(value?.format))
    throw new Error(`stored snapshot document is not ${formats.join(" or ")}`);
  return value;
}
