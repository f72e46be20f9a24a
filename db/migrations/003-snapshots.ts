import { sql, type Kysely } from "kysely";
import { engineOf } from "../engine";
import { PG_ID, execute, pgNoTruncate, pgRefusal } from "./pg";

// Snapshots (Beschlussstand): a tender's plan@1 and result@1 frozen as version N.
// No foreign key to tenders on purpose: a snapshot records history and must survive
// a renamed or deleted tender (a cascade would also hit the immutability triggers).
// Users are never deleted (only deactivated), so created_by may reference them.
export async function up(db: Kysely<unknown>): Promise<void> {
  if (engineOf(db) === "postgres") return execute(db, POSTGRES);
  const statements = [
    `CREATE TABLE snapshots (
      id INTEGER PRIMARY KEY,
      tender_code TEXT NOT NULL,
      version INTEGER NOT NULL CHECK (version >= 1),
      comment TEXT NOT NULL CHECK (length(trim(comment)) BETWEEN 1 AND 500),
      plan_json TEXT NOT NULL,
      result_json TEXT NOT NULL,
      created_at TEXT NOT NULL,
      created_by INTEGER NOT NULL REFERENCES users(id),
      UNIQUE (tender_code, version))`,
    // Immutability is enforced by the database itself, not only by the absence of
    // update/delete functions in db/snapshots.ts.
    `CREATE TRIGGER snapshots_no_update BEFORE UPDATE ON snapshots
      BEGIN SELECT RAISE(ABORT, 'snapshots are immutable'); END`,
    `CREATE TRIGGER snapshots_no_delete BEFORE DELETE ON snapshots
      BEGIN SELECT RAISE(ABORT, 'snapshots are immutable'); END`,
  ];
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (engineOf(db) === "postgres") {
    await sql.raw(`DROP TABLE IF EXISTS snapshots`).execute(db);
    for (const fn of [
      "snapshots_no_update_fn",
      "snapshots_no_delete_fn",
      "snapshots_no_truncate_fn",
    ])
      await sql.raw(`DROP FUNCTION IF EXISTS ${fn}()`).execute(db);
    return;
  }
  await sql.raw(`DROP TABLE IF EXISTS snapshots`).execute(db);
}

const POSTGRES = [
  `CREATE TABLE snapshots (
    id ${PG_ID},
    tender_code TEXT NOT NULL,
    version INTEGER NOT NULL CHECK (version >= 1),
    comment TEXT NOT NULL CHECK (length(trim(comment)) BETWEEN 1 AND 500),
    plan_json TEXT NOT NULL,
    result_json TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users(id),
    UNIQUE (tender_code, version))`,
  ...pgRefusal({
    name: "snapshots_no_update",
    table: "snapshots",
    events: "UPDATE",
    message: "snapshots are immutable",
  }),
  ...pgRefusal({
    name: "snapshots_no_delete",
    table: "snapshots",
    events: "DELETE",
    message: "snapshots are immutable",
  }),
  ...pgNoTruncate("snapshots", "snapshots are immutable"),
];
