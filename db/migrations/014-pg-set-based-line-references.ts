import type { Kysely } from "kysely";
import { engineOf } from "../engine";
import { execute } from "./pg";

// PostgreSQL only (docs/decisions/029-plan-import-copy.md). A foreign key checks every
// inserted row on its own: one lookup query of the parent per row and reference.
// demand_lines and inventory_lines hold 700,000 rows at state scale with four references
// each; those 2.8 million lookups were most of a plan import (COPY of the 500,000 demand
// lines: 47 s with them, 7 s without). Here the four references of the two line tables are
// checked once per statement over the distinct keys of all its rows (a transition table),
// and the parents cascade by row triggers as the foreign keys did:
// - a statement that inserts or updates lines fails with SQLSTATE 23503 (the foreign
//   key's code and message) when a line names a partner, school, category or user that
//   does not exist; the named parents are locked FOR KEY SHARE first, as a foreign key's
//   check locks them, so no other transaction can delete them before this one ends;
// - deleting a partner, school or category deletes its lines; changing its code changes
//   theirs; deleting a user empties updated_by; changing a referenced user id fails.
// SQLite keeps its foreign keys: it checks them in the same pass as the insert.

const LINE_TABLES = ["demand_lines", "inventory_lines"] as const;

interface Reference {
  column: string;
  parent: string;
  key: string;
  /** The key's type. */
  type: "text" | "bigint";
  /** What deleting or re-keying the parent does to the lines. */
  cascade: boolean;
}

const REFERENCES: Reference[] = [
  { column: "partner_code", parent: "partners", key: "code", type: "text", cascade: true },
  { column: "school_code", parent: "schools", key: "code", type: "text", cascade: true },
  { column: "category_code", parent: "categories", key: "code", type: "text", cascade: true },
  { column: "updated_by", parent: "users", key: "id", type: "bigint", cascade: false },
];

const fkName = (table: string, r: Reference) => `${table}_${r.column}_fkey`;

function violation(table: string, r: Reference, op: string): string {
  return `RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
          MESSAGE = '${op} on table "${table}" violates foreign key constraint "${fkName(table, r)}"',
          DETAIL = format('Key (${r.column})=(%s) is not present in table "${r.parent}".', missing)`;
}

/**
 * The statement trigger of a line table: every named parent exists (and stays). The
 * distinct keys first (a hash of a few thousand values, one pass over the new rows each),
 * then the parents: probing the parent per line row took longer than the COPY itself.
 */
function lineCheck(table: string): string[] {
  const checks = REFERENCES.map(
    (r) => `
      SELECT array_agg(k) INTO ${r.column}_keys
        FROM (SELECT DISTINCT ${r.column} AS k FROM new_rows WHERE ${r.column} IS NOT NULL) d;
      PERFORM 1 FROM ${r.parent} p WHERE p.${r.key} = ANY (${r.column}_keys) FOR KEY SHARE;
      SELECT k INTO missing FROM unnest(${r.column}_keys) k
        WHERE NOT EXISTS (SELECT 1 FROM ${r.parent} p WHERE p.${r.key} = k)
        LIMIT 1;
      IF FOUND THEN
        ${violation(table, r, "insert or update")};
      END IF;`,
  ).join("");
  const declarations = REFERENCES.map((r) => `${r.column}_keys ${r.type}[];`).join(" ");
  return [
    `CREATE FUNCTION ${table}_references_fn() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
    DECLARE missing text; ${declarations}
    BEGIN${checks}
      RETURN NULL;
    END $$`,
    ...["INSERT", "UPDATE"].map(
      (event) =>
        `CREATE TRIGGER ${table}_references_${event.toLowerCase()} AFTER ${event} ON ${table}
          REFERENCING NEW TABLE AS new_rows
          FOR EACH STATEMENT EXECUTE FUNCTION ${table}_references_fn()`,
    ),
  ];
}

/** The row triggers of a parent: its lines follow a delete or a new key. */
function parentTriggers(r: Reference): string[] {
  const name = `${r.parent}_line_references`;
  const onDelete = LINE_TABLES.map((t) =>
    r.cascade
      ? `DELETE FROM ${t} WHERE ${r.column} = OLD.${r.key};`
      : `UPDATE ${t} SET ${r.column} = NULL WHERE ${r.column} = OLD.${r.key};`,
  ).join("\n        ");
  const onUpdate = LINE_TABLES.map((t) =>
    r.cascade
      ? `UPDATE ${t} SET ${r.column} = NEW.${r.key} WHERE ${r.column} = OLD.${r.key};`
      : `IF EXISTS (SELECT 1 FROM ${t} WHERE ${r.column} = OLD.${r.key}) THEN
          missing := OLD.${r.key};
          RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
            MESSAGE = 'update or delete on table "${r.parent}" violates foreign key constraint "${fkName(t, r)}" on table "${t}"',
            DETAIL = format('Key (${r.key})=(%s) is still referenced from table "${t}".', missing);
        END IF;`,
  ).join("\n        ");
  return [
    `CREATE FUNCTION ${name}_fn() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
    DECLARE missing text;
    BEGIN
      IF TG_OP = 'DELETE' THEN
        ${onDelete}
      ELSE
        ${onUpdate}
      END IF;
      RETURN NULL;
    END $$`,
    `CREATE TRIGGER ${name}_delete AFTER DELETE ON ${r.parent}
      FOR EACH ROW EXECUTE FUNCTION ${name}_fn()`,
    `CREATE TRIGGER ${name}_update AFTER UPDATE OF ${r.key} ON ${r.parent}
      FOR EACH ROW WHEN (OLD.${r.key} IS DISTINCT FROM NEW.${r.key}) EXECUTE FUNCTION ${name}_fn()`,
  ];
}

export async function up(db: Kysely<unknown>): Promise<void> {
  if (engineOf(db) !== "postgres") return;
  await execute(db, [
    ...LINE_TABLES.map(
      (t) =>
        `ALTER TABLE ${t} ${REFERENCES.map((r) => `DROP CONSTRAINT ${fkName(t, r)}`).join(", ")}`,
    ),
    ...LINE_TABLES.flatMap(lineCheck),
    ...REFERENCES.flatMap(parentTriggers),
  ]);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (engineOf(db) !== "postgres") return;
  await execute(db, [
    ...REFERENCES.flatMap((r) => [
      `DROP TRIGGER IF EXISTS ${r.parent}_line_references_delete ON ${r.parent}`,
      `DROP TRIGGER IF EXISTS ${r.parent}_line_references_update ON ${r.parent}`,
      `DROP FUNCTION IF EXISTS ${r.parent}_line_references_fn()`,
    ]),
    ...LINE_TABLES.flatMap((t) => [
      `DROP TRIGGER IF EXISTS ${t}_references_insert ON ${t}`,
      `DROP TRIGGER IF EXISTS ${t}_references_update ON ${t}`,
      `DROP FUNCTION IF EXISTS ${t}_references_fn()`,
      `ALTER TABLE ${t} ${REFERENCES.map(
        (r) =>
          `ADD CONSTRAINT ${fkName(t, r)} FOREIGN KEY (${r.column}) REFERENCES ${r.parent}(${r.key})` +
          (r.cascade ? " ON UPDATE CASCADE ON DELETE CASCADE" : " ON DELETE SET NULL"),
      ).join(", ")}`,
    ]),
  ]);
}
