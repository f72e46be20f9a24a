import { sql, type Kysely } from "kysely";
import { engineOf } from "../engine";
import { execute } from "./pg";

// Demand collection: a justification per line (partner × school or none × category)
// and uploaded Excel templates waiting for the user's confirmation.
//
// The justification belongs to the line, not to one year's cell, so it gets its own
// table (demand_lines.justification from 001 stays unused: a line may have no cell yet,
// and copying the text into every year would let the copies drift apart).
export async function up(db: Kysely<unknown>): Promise<void> {
  if (engineOf(db) === "postgres") return execute(db, POSTGRES);
  const statements = [
    `CREATE TABLE demand_notes (
      partner_code TEXT NOT NULL REFERENCES partners(code) ON UPDATE CASCADE ON DELETE CASCADE,
      school_code TEXT REFERENCES schools(code) ON UPDATE CASCADE ON DELETE CASCADE,
      category_code TEXT NOT NULL REFERENCES categories(code) ON UPDATE CASCADE ON DELETE CASCADE,
      text TEXT NOT NULL CHECK (length(text) BETWEEN 1 AND 2000),
      updated_at TEXT NOT NULL,
      updated_by INTEGER REFERENCES users(id) ON DELETE SET NULL)`,
    `CREATE UNIQUE INDEX demand_note_line ON demand_notes(partner_code, ifnull(school_code, ''), category_code)`,
    // The parsed cells of an uploaded template, keyed by a random id, until the user
    // confirms (or they expire). Only the uploading user may apply them.
    `CREATE TABLE demand_imports (
      id TEXT PRIMARY KEY,
      partner_code TEXT NOT NULL REFERENCES partners(code) ON UPDATE CASCADE ON DELETE CASCADE,
      user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      file_name TEXT NOT NULL,
      payload TEXT NOT NULL,
      created_at TEXT NOT NULL,
      expires_at TEXT NOT NULL)`,
    `CREATE INDEX demand_imports_expiry ON demand_imports(expires_at)`,
  ];
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`DROP TABLE IF EXISTS demand_imports`).execute(db);
  await sql.raw(`DROP TABLE IF EXISTS demand_notes`).execute(db);
}

const POSTGRES = [
  `CREATE TABLE demand_notes (
    partner_code TEXT NOT NULL REFERENCES partners(code) ON UPDATE CASCADE ON DELETE CASCADE,
    school_code TEXT REFERENCES schools(code) ON UPDATE CASCADE ON DELETE CASCADE,
    category_code TEXT NOT NULL REFERENCES categories(code) ON UPDATE CASCADE ON DELETE CASCADE,
    text TEXT NOT NULL CHECK (length(text) BETWEEN 1 AND 2000),
    updated_at TEXT NOT NULL,
    updated_by BIGINT REFERENCES users(id) ON DELETE SET NULL)`,
  `CREATE UNIQUE INDEX demand_note_line ON demand_notes(partner_code, coalesce(school_code, ''), category_code)`,
  `CREATE TABLE demand_imports (
    id TEXT PRIMARY KEY,
    partner_code TEXT NOT NULL REFERENCES partners(code) ON UPDATE CASCADE ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    file_name TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL)`,
  `CREATE INDEX demand_imports_expiry ON demand_imports(expires_at)`,
];
