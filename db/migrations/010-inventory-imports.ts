import { sql, type Kysely } from "kysely";
import { engineOf } from "../engine";
import { execute } from "./pg";

// Uploaded inventory templates waiting for their confirmation (preview, then apply),
// like demand_imports of migration 004; a table of its own so an inventory upload can
// never be confirmed as demand, or the other way round.
export async function up(db: Kysely<unknown>): Promise<void> {
  if (engineOf(db) === "postgres") return execute(db, POSTGRES);
  const statements = [
    `CREATE TABLE inventory_imports (
      id TEXT PRIMARY KEY,
      partner_code TEXT NOT NULL REFERENCES partners(code) ON UPDATE CASCADE ON DELETE CASCADE,
      user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      file_name TEXT NOT NULL,
      payload TEXT NOT NULL,
      created_at TEXT NOT NULL,
      expires_at TEXT NOT NULL)`,
    `CREATE INDEX inventory_imports_expiry ON inventory_imports(expires_at)`,
  ];
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`DROP TABLE IF EXISTS inventory_imports`).execute(db);
}

const POSTGRES = [
  `CREATE TABLE inventory_imports (
    id TEXT PRIMARY KEY,
    partner_code TEXT NOT NULL REFERENCES partners(code) ON UPDATE CASCADE ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    file_name TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL)`,
  `CREATE INDEX inventory_imports_expiry ON inventory_imports(expires_at)`,
];
