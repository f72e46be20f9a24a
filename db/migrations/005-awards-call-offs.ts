import { sql, type Kysely } from "kysely";

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
