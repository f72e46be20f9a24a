import { sql, type Kysely } from "kysely";
import { engineOf } from "../engine";
import {
  PG_ID,
  execute,
  pgDropRefusal,
  pgIsoDate,
  pgNoTruncate,
  pgRefusal,
  type Refusal,
} from "./pg";

// After the award (docs/decisions/009-awards-and-call-offs.md):
// - max_quantity_overrides: the coordinator's maximum per (tender, category) before the award;
// - awards + award_categories: per lot the supplier, date, and per category the awarded
//   price and the maximum quantity, frozen; award_planned_demand: the partners' demand
//   the award was based on (plan side of plan against actual);
// - call_offs: the partners' call-offs, append-only.
// Awards reference tenders by code without a foreign key, like snapshots: they are
// history. Instead, triggers freeze what an awarded lot is made of (its tender's code
// and term, the lot, its categories) and refuse any change to the award itself.
// A trigger also refuses a call-off beyond the maximum: SQLite runs one write at a
// time, so the check inside the INSERT holds even if an application check were skipped.
const AWARDED_LOT = (lotIdExpr: string) =>
  `EXISTS (SELECT 1 FROM lots l JOIN awards a ON a.tender_code = l.tender_code AND a.lot_code = l.code WHERE l.id = ${lotIdExpr})`;
const FROZEN = "Los ist vergeben: Zuschlag und Eingaben des Loses sind eingefroren";

export async function up(db: Kysely<unknown>): Promise<void> {
  if (engineOf(db) === "postgres") return execute(db, postgres());
  const statements = [
    `CREATE TABLE max_quantity_overrides (
      tender_code TEXT NOT NULL REFERENCES tenders(code) ON UPDATE CASCADE ON DELETE CASCADE,
      category_code TEXT NOT NULL REFERENCES categories(code) ON UPDATE CASCADE ON DELETE CASCADE,
      max_quantity INTEGER NOT NULL CHECK (max_quantity >= 1),
      updated_at TEXT NOT NULL,
      updated_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
      PRIMARY KEY (tender_code, category_code))`,
    `CREATE TABLE awards (
      id INTEGER PRIMARY KEY,
      tender_code TEXT NOT NULL,
      lot_code TEXT NOT NULL,
      lot_name TEXT NOT NULL,
      supplier TEXT NOT NULL CHECK (length(trim(supplier)) BETWEEN 1 AND 200),
      award_date TEXT NOT NULL CHECK (date(award_date) IS award_date),
      start_year INTEGER NOT NULL CHECK (start_year BETWEEN 2000 AND 2100),
      term_years INTEGER NOT NULL CHECK (term_years BETWEEN 1 AND 4),
      created_at TEXT NOT NULL,
      created_by INTEGER NOT NULL REFERENCES users(id),
      UNIQUE (tender_code, lot_code))`,
    `CREATE TABLE award_categories (
      award_id INTEGER NOT NULL REFERENCES awards(id),
      category_code TEXT NOT NULL,
      category_name TEXT NOT NULL,
      unit TEXT,
      vat_rate TEXT NOT NULL,
      unit_price_cents INTEGER NOT NULL CHECK (unit_price_cents > 0),
      max_quantity INTEGER NOT NULL CHECK (max_quantity >= 0),
      joint_quantity INTEGER NOT NULL CHECK (joint_quantity >= 0),
      engine_max_quantity INTEGER NOT NULL CHECK (engine_max_quantity >= 0),
      estimated_unit_price_cents INTEGER NOT NULL CHECK (estimated_unit_price_cents >= 0),
      position INTEGER NOT NULL,
      PRIMARY KEY (award_id, category_code))`,
    `CREATE TABLE award_planned_demand (
      award_id INTEGER NOT NULL REFERENCES awards(id),
      partner_code TEXT NOT NULL,
      category_code TEXT NOT NULL,
      year INTEGER NOT NULL,
      quantity INTEGER NOT NULL CHECK (quantity > 0),
      PRIMARY KEY (award_id, partner_code, category_code, year),
      FOREIGN KEY (award_id, category_code) REFERENCES award_categories(award_id, category_code))`,
    `CREATE TABLE call_offs (
      id INTEGER PRIMARY KEY,
      award_id INTEGER NOT NULL,
      category_code TEXT NOT NULL,
      partner_code TEXT NOT NULL,
      school_code TEXT,
      call_off_date TEXT NOT NULL CHECK (date(call_off_date) IS call_off_date),
      year INTEGER GENERATED ALWAYS AS (CAST(substr(call_off_date, 1, 4) AS INTEGER)) VIRTUAL,
      quantity INTEGER NOT NULL CHECK (quantity >= 1),
      order_number TEXT NOT NULL CHECK (length(trim(order_number)) BETWEEN 1 AND 50),
      created_at TEXT NOT NULL,
      created_by INTEGER NOT NULL REFERENCES users(id),
      FOREIGN KEY (award_id, category_code) REFERENCES award_categories(award_id, category_code))`,
    `CREATE INDEX call_offs_award_category ON call_offs(award_id, category_code)`,
    `CREATE INDEX call_offs_partner ON call_offs(partner_code)`,

    `CREATE TRIGGER call_offs_within_maximum BEFORE INSERT ON call_offs
      WHEN NEW.quantity + (SELECT coalesce(sum(quantity), 0) FROM call_offs
                           WHERE award_id = NEW.award_id AND category_code = NEW.category_code)
           > (SELECT max_quantity FROM award_categories
              WHERE award_id = NEW.award_id AND category_code = NEW.category_code)
      BEGIN SELECT RAISE(ABORT, 'Abruf überschreitet die Höchstmenge'); END`,
    `CREATE TRIGGER call_offs_no_update BEFORE UPDATE ON call_offs
      BEGIN SELECT RAISE(ABORT, 'Abrufe werden nicht geändert'); END`,
    `CREATE TRIGGER call_offs_no_delete BEFORE DELETE ON call_offs
      BEGIN SELECT RAISE(ABORT, 'Abrufe werden nicht gelöscht'); END`,

    ...["awards", "award_categories", "award_planned_demand"].flatMap((table) => [
      `CREATE TRIGGER ${table}_no_update BEFORE UPDATE ON ${table}
        BEGIN SELECT RAISE(ABORT, '${FROZEN}'); END`,
      `CREATE TRIGGER ${table}_no_delete BEFORE DELETE ON ${table}
        BEGIN SELECT RAISE(ABORT, '${FROZEN}'); END`,
    ]),
    // The inputs an awarded lot is made of.
    `CREATE TRIGGER lots_awarded_no_delete BEFORE DELETE ON lots
      WHEN ${AWARDED_LOT("OLD.id")}
      BEGIN SELECT RAISE(ABORT, '${FROZEN}'); END`,
    `CREATE TRIGGER lots_awarded_no_recode BEFORE UPDATE OF code, tender_code ON lots
      WHEN ${AWARDED_LOT("OLD.id")} AND (NEW.code IS NOT OLD.code OR NEW.tender_code IS NOT OLD.tender_code)
      BEGIN SELECT RAISE(ABORT, '${FROZEN}'); END`,
    `CREATE TRIGGER lot_categories_awarded_no_insert BEFORE INSERT ON lot_categories
      WHEN ${AWARDED_LOT("NEW.lot_id")}
      BEGIN SELECT RAISE(ABORT, '${FROZEN}'); END`,
    `CREATE TRIGGER lot_categories_awarded_no_delete BEFORE DELETE ON lot_categories
      WHEN ${AWARDED_LOT("OLD.lot_id")}
      BEGIN SELECT RAISE(ABORT, '${FROZEN}'); END`,
    `CREATE TRIGGER lot_categories_awarded_no_update BEFORE UPDATE OF lot_id, category_code ON lot_categories
      WHEN (${AWARDED_LOT("OLD.lot_id")} OR ${AWARDED_LOT("NEW.lot_id")})
        AND (NEW.lot_id IS NOT OLD.lot_id OR NEW.category_code IS NOT OLD.category_code)
      BEGIN SELECT RAISE(ABORT, '${FROZEN}'); END`,
    `CREATE TRIGGER tenders_awarded_no_delete BEFORE DELETE ON tenders
      WHEN EXISTS (SELECT 1 FROM awards WHERE tender_code = OLD.code)
      BEGIN SELECT RAISE(ABORT, '${FROZEN}'); END`,
    `CREATE TRIGGER tenders_awarded_frozen_term BEFORE UPDATE OF code, start_year, term_years ON tenders
      WHEN EXISTS (SELECT 1 FROM awards WHERE tender_code = OLD.code)
        AND (NEW.code IS NOT OLD.code OR NEW.start_year IS NOT OLD.start_year OR NEW.term_years IS NOT OLD.term_years)
      BEGIN SELECT RAISE(ABORT, '${FROZEN}'); END`,
    // The override of an awarded category no longer matters and must not change.
    ...(["INSERT", "UPDATE", "DELETE"] as const).map((event) => {
      const row = event === "DELETE" ? "OLD" : "NEW";
      return `CREATE TRIGGER max_quantity_overrides_awarded_no_${event.toLowerCase()} BEFORE ${event} ON max_quantity_overrides
        WHEN EXISTS (SELECT 1 FROM awards a JOIN award_categories ac ON ac.award_id = a.id
                     WHERE a.tender_code = ${row}.tender_code AND ac.category_code = ${row}.category_code)
        BEGIN SELECT RAISE(ABORT, '${FROZEN}'); END`;
    }),
  ];
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (engineOf(db) === "postgres") return execute(db, postgresDown());
  const triggers = [
    "lots_awarded_no_delete",
    "lots_awarded_no_recode",
    "lot_categories_awarded_no_insert",
    "lot_categories_awarded_no_delete",
    "lot_categories_awarded_no_update",
    "tenders_awarded_no_delete",
    "tenders_awarded_frozen_term",
  ];
  for (const trigger of triggers) await sql.raw(`DROP TRIGGER IF EXISTS ${trigger}`).execute(db);
  // Dropping a table drops its own triggers.
  for (const table of [
    "call_offs",
    "award_planned_demand",
    "award_categories",
    "awards",
    "max_quantity_overrides",
  ]) {
    await sql.raw(`DROP TABLE IF EXISTS ${table}`).execute(db);
  }
}

// PostgreSQL (docs/decisions/025-engine-differences.md): the same tables and refusals.
// A trigger's WHEN cannot hold a subquery there, so each condition moves into its
// PL/pgSQL function; `IS NOT` becomes `IS DISTINCT FROM`; the date checks call
// is_iso_date (a real calendar date, as SQLite's date(x) IS x); the call-off year is a
// STORED generated column (PostgreSQL 15 has no VIRTUAL ones).
const IS_ISO_DATE = `CREATE FUNCTION is_iso_date(value TEXT) RETURNS BOOLEAN LANGUAGE plpgsql IMMUTABLE AS $$
  BEGIN
    IF value IS NULL OR value !~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN RETURN false; END IF;
    BEGIN
      RETURN to_char(value::date, 'YYYY-MM-DD') = value;
    EXCEPTION WHEN others THEN
      RETURN false;
    END;
  END $$`;

/**
 * The call-off maximum. The row lock on the award category serializes the call-offs of
 * one category across connections and processes; under READ COMMITTED the sum, read
 * after the lock is granted, then sees every call-off committed before.
 */
export const PG_WITHIN_MAXIMUM = (
  countedCallOffs: string,
) => `CREATE OR REPLACE FUNCTION call_offs_within_maximum_fn()
  RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
  DECLARE maximum INTEGER;
  BEGIN
    SELECT max_quantity INTO maximum FROM award_categories
      WHERE award_id = NEW.award_id AND category_code = NEW.category_code FOR NO KEY UPDATE;
    IF NEW.quantity + (${countedCallOffs}) > maximum THEN
      RAISE EXCEPTION USING MESSAGE = 'Abruf überschreitet die Höchstmenge',
        ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
  END $$`;

const POSTGRES_REFUSALS: Refusal[] = [
  {
    name: "call_offs_no_update",
    table: "call_offs",
    events: "UPDATE",
    message: "Abrufe werden nicht geändert",
  },
  {
    name: "call_offs_no_delete",
    table: "call_offs",
    events: "DELETE",
    message: "Abrufe werden nicht gelöscht",
  },
  ...["awards", "award_categories", "award_planned_demand"].flatMap((table) => [
    { name: `${table}_no_update`, table, events: "UPDATE", message: FROZEN },
    { name: `${table}_no_delete`, table, events: "DELETE", message: FROZEN },
  ]),
  {
    name: "lots_awarded_no_delete",
    table: "lots",
    events: "DELETE",
    message: FROZEN,
    condition: AWARDED_LOT("OLD.id"),
  },
  {
    name: "lots_awarded_no_recode",
    table: "lots",
    events: "UPDATE OF code, tender_code",
    message: FROZEN,
    condition: `${AWARDED_LOT("OLD.id")} AND (NEW.code IS DISTINCT FROM OLD.code OR NEW.tender_code IS DISTINCT FROM OLD.tender_code)`,
  },
  {
    name: "lot_categories_awarded_no_insert",
    table: "lot_categories",
    events: "INSERT",
    message: FROZEN,
    condition: AWARDED_LOT("NEW.lot_id"),
  },
  {
    name: "lot_categories_awarded_no_delete",
    table: "lot_categories",
    events: "DELETE",
    message: FROZEN,
    condition: AWARDED_LOT("OLD.lot_id"),
  },
  {
    name: "lot_categories_awarded_no_update",
    table: "lot_categories",
    events: "UPDATE OF lot_id, category_code",
    message: FROZEN,
    condition: `(${AWARDED_LOT("OLD.lot_id")} OR ${AWARDED_LOT("NEW.lot_id")})
      AND (NEW.lot_id IS DISTINCT FROM OLD.lot_id OR NEW.category_code IS DISTINCT FROM OLD.category_code)`,
  },
  {
    name: "tenders_awarded_no_delete",
    table: "tenders",
    events: "DELETE",
    message: FROZEN,
    condition: "EXISTS (SELECT 1 FROM awards WHERE tender_code = OLD.code)",
  },
  {
    name: "tenders_awarded_frozen_term",
    table: "tenders",
    events: "UPDATE OF code, start_year, term_years",
    message: FROZEN,
    condition: `EXISTS (SELECT 1 FROM awards WHERE tender_code = OLD.code)
      AND (NEW.code IS DISTINCT FROM OLD.code OR NEW.start_year IS DISTINCT FROM OLD.start_year
           OR NEW.term_years IS DISTINCT FROM OLD.term_years)`,
  },
  ...(["INSERT", "UPDATE", "DELETE"] as const).map((event) => {
    const row = event === "DELETE" ? "OLD" : "NEW";
    return {
      name: `max_quantity_overrides_awarded_no_${event.toLowerCase()}`,
      table: "max_quantity_overrides",
      events: event,
      message: FROZEN,
      condition: `EXISTS (SELECT 1 FROM awards a JOIN award_categories ac ON ac.award_id = a.id
                   WHERE a.tender_code = ${row}.tender_code AND ac.category_code = ${row}.category_code)`,
    };
  }),
];

const HISTORY_TABLES = ["call_offs", "awards", "award_categories", "award_planned_demand"];

function postgres(): string[] {
  return [
    IS_ISO_DATE,
    `CREATE TABLE max_quantity_overrides (
      tender_code TEXT NOT NULL REFERENCES tenders(code) ON UPDATE CASCADE ON DELETE CASCADE,
      category_code TEXT NOT NULL REFERENCES categories(code) ON UPDATE CASCADE ON DELETE CASCADE,
      max_quantity INTEGER NOT NULL CHECK (max_quantity >= 1),
      updated_at TEXT NOT NULL,
      updated_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
      PRIMARY KEY (tender_code, category_code))`,
    `CREATE TABLE awards (
      id ${PG_ID},
      tender_code TEXT NOT NULL,
      lot_code TEXT NOT NULL,
      lot_name TEXT NOT NULL,
      supplier TEXT NOT NULL CHECK (length(trim(supplier)) BETWEEN 1 AND 200),
      award_date TEXT NOT NULL ${pgIsoDate("award_date")},
      start_year INTEGER NOT NULL CHECK (start_year BETWEEN 2000 AND 2100),
      term_years INTEGER NOT NULL CHECK (term_years BETWEEN 1 AND 4),
      created_at TEXT NOT NULL,
      created_by BIGINT NOT NULL REFERENCES users(id),
      UNIQUE (tender_code, lot_code))`,
    `CREATE TABLE award_categories (
      award_id BIGINT NOT NULL REFERENCES awards(id),
      category_code TEXT NOT NULL,
      category_name TEXT NOT NULL,
      unit TEXT,
      vat_rate TEXT NOT NULL,
      unit_price_cents BIGINT NOT NULL CHECK (unit_price_cents > 0),
      max_quantity INTEGER NOT NULL CHECK (max_quantity >= 0),
      joint_quantity INTEGER NOT NULL CHECK (joint_quantity >= 0),
      engine_max_quantity INTEGER NOT NULL CHECK (engine_max_quantity >= 0),
      estimated_unit_price_cents BIGINT NOT NULL CHECK (estimated_unit_price_cents >= 0),
      position INTEGER NOT NULL,
      PRIMARY KEY (award_id, category_code))`,
    `CREATE TABLE award_planned_demand (
      award_id BIGINT NOT NULL REFERENCES awards(id),
      partner_code TEXT NOT NULL,
      category_code TEXT NOT NULL,
      year INTEGER NOT NULL,
      quantity INTEGER NOT NULL CHECK (quantity > 0),
      PRIMARY KEY (award_id, partner_code, category_code, year),
      FOREIGN KEY (award_id, category_code) REFERENCES award_categories(award_id, category_code))`,
    `CREATE TABLE call_offs (
      id ${PG_ID},
      award_id BIGINT NOT NULL,
      category_code TEXT NOT NULL,
      partner_code TEXT NOT NULL,
      school_code TEXT,
      call_off_date TEXT NOT NULL ${pgIsoDate("call_off_date")},
      year INTEGER GENERATED ALWAYS AS (CAST(substr(call_off_date, 1, 4) AS INTEGER)) STORED,
      quantity INTEGER NOT NULL CHECK (quantity >= 1),
      order_number TEXT NOT NULL CHECK (length(trim(order_number)) BETWEEN 1 AND 50),
      created_at TEXT NOT NULL,
      created_by BIGINT NOT NULL REFERENCES users(id),
      FOREIGN KEY (award_id, category_code) REFERENCES award_categories(award_id, category_code))`,
    `CREATE INDEX call_offs_award_category ON call_offs(award_id, category_code)`,
    `CREATE INDEX call_offs_partner ON call_offs(partner_code)`,
    PG_WITHIN_MAXIMUM(`SELECT coalesce(sum(quantity), 0) FROM call_offs
      WHERE award_id = NEW.award_id AND category_code = NEW.category_code`),
    `CREATE TRIGGER call_offs_within_maximum BEFORE INSERT ON call_offs
      FOR EACH ROW EXECUTE FUNCTION call_offs_within_maximum_fn()`,
    ...POSTGRES_REFUSALS.flatMap(pgRefusal),
    ...HISTORY_TABLES.map((table) =>
      pgNoTruncate(table, table === "call_offs" ? "Abrufe werden nicht gelöscht" : FROZEN),
    ).flat(),
  ];
}

function postgresDown(): string[] {
  return [
    ...POSTGRES_REFUSALS.filter(
      (r) => !HISTORY_TABLES.includes(r.table) && r.table !== "max_quantity_overrides",
    ).flatMap((r) => pgDropRefusal(r.name, r.table)),
    ...[
      "call_offs",
      "award_planned_demand",
      "award_categories",
      "awards",
      "max_quantity_overrides",
    ].map((table) => `DROP TABLE IF EXISTS ${table} CASCADE`),
    ...POSTGRES_REFUSALS.map((r) => `DROP FUNCTION IF EXISTS ${r.name}_fn()`),
    ...HISTORY_TABLES.map((table) => `DROP FUNCTION IF EXISTS ${table}_no_truncate_fn()`),
    `DROP FUNCTION IF EXISTS call_offs_within_maximum_fn()`,
    `DROP FUNCTION IF EXISTS is_iso_date(TEXT)`,
  ];
}
