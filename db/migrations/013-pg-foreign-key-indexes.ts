import type { Kysely } from "kysely";
import { engineOf } from "../engine";
import { execute } from "./pg";

// PostgreSQL runs each ON DELETE CASCADE / SET NULL of a deleted parent row as a query on
// the child table by the referencing column; without an index that is a scan of the whole
// child table — including the rows already deleted in the same transaction. A plan
// import with `--replace` empties demand_lines (500,000 rows at state scale) and then
// deletes the 5,000 schools: 5,000 scans of 500,000 dead rows took 227 s instead of 61 s.
// SQLite deletes rows for good and the import empties the children first, so it needs
// none of these (and keeps its inserts lean).
const INDEXES = [
  `CREATE INDEX IF NOT EXISTS demand_lines_school ON demand_lines(school_code)`,
  `CREATE INDEX IF NOT EXISTS demand_lines_category ON demand_lines(category_code)`,
  `CREATE INDEX IF NOT EXISTS inventory_lines_school ON inventory_lines(school_code)`,
  `CREATE INDEX IF NOT EXISTS inventory_lines_category ON inventory_lines(category_code)`,
  `CREATE INDEX IF NOT EXISTS demand_notes_school ON demand_notes(school_code)`,
  `CREATE INDEX IF NOT EXISTS demand_notes_category ON demand_notes(category_code)`,
  `CREATE INDEX IF NOT EXISTS inventory_notes_school ON inventory_notes(school_code)`,
  `CREATE INDEX IF NOT EXISTS inventory_notes_category ON inventory_notes(category_code)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  if (engineOf(db) !== "postgres") return;
  await execute(db, INDEXES);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (engineOf(db) !== "postgres") return;
  await execute(
    db,
    INDEXES.map((statement) => `DROP INDEX IF EXISTS ${/EXISTS (\w+)/.exec(statement)![1]}`),
  );
}
