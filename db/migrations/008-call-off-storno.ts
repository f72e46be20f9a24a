import { sql, type Kysely } from "kysely";
import { engineOf } from "../engine";
import { PG_WITHIN_MAXIMUM } from "./005-awards-call-offs";
import { PG_ID, execute, pgDropRefusal, pgNoTruncate, pgRefusal, type Refusal } from "./pg";

// Call-offs that cannot be stored twice and can be cancelled (Storno), and what an award
// froze (docs/decisions/015-call-off-storno-and-award-locks.md):
// - call_offs.form_token: the one-time token of the rendered form; UNIQUE, so a second post
//   of the same form (double click, reload, parallel requests) cannot store a second row.
// - call_offs.corrects_id: a call-off entered as the correction of a cancelled one.
// - call_off_cancellations: one row per cancelled call-off (UNIQUE: never cancelled twice),
//   with the reason; append-only like call_offs, so the audit trail keeps both.
// - The maximum-quantity trigger of migration 005 now ignores cancelled call-offs.
// - After an award, the tender's reserve and the base prices of an awarded lot's
//   categories cannot change (the award's maximum and estimate were computed from them).
const FROZEN = "Los ist vergeben: Zuschlag und Eingaben des Loses sind eingefroren";
const AWARDED_CATEGORY = (codeExpr: string) =>
  `EXISTS (SELECT 1 FROM lot_categories lc JOIN lots l ON l.id = lc.lot_id
           JOIN awards a ON a.tender_code = l.tender_code AND a.lot_code = l.code
           WHERE lc.category_code = ${codeExpr})`;

export async function up(db: Kysely<unknown>): Promise<void> {
  if (engineOf(db) === "postgres") return execute(db, postgres());
  const statements = [
    `ALTER TABLE call_offs ADD COLUMN form_token TEXT`,
    `CREATE UNIQUE INDEX call_offs_form_token ON call_offs(form_token) WHERE form_token IS NOT NULL`,
    `ALTER TABLE call_offs ADD COLUMN corrects_id INTEGER REFERENCES call_offs(id)`,
    `CREATE TABLE call_off_cancellations (
      id INTEGER PRIMARY KEY,
      call_off_id INTEGER NOT NULL UNIQUE REFERENCES call_offs(id),
      reason TEXT NOT NULL CHECK (length(trim(reason)) BETWEEN 1 AND 500),
      form_token TEXT UNIQUE,
      created_at TEXT NOT NULL,
      created_by INTEGER NOT NULL REFERENCES users(id))`,
    `CREATE TRIGGER call_off_cancellations_no_update BEFORE UPDATE ON call_off_cancellations
      BEGIN SELECT RAISE(ABORT, 'Stornos werden nicht geändert'); END`,
    `CREATE TRIGGER call_off_cancellations_no_delete BEFORE DELETE ON call_off_cancellations
      BEGIN SELECT RAISE(ABORT, 'Stornos werden nicht gelöscht'); END`,
    `DROP TRIGGER call_offs_within_maximum`,
    `CREATE TRIGGER call_offs_within_maximum BEFORE INSERT ON call_offs
      WHEN NEW.quantity + (SELECT coalesce(sum(quantity), 0) FROM call_offs c
                           WHERE c.award_id = NEW.award_id AND c.category_code = NEW.category_code
                             AND NOT EXISTS (SELECT 1 FROM call_off_cancellations x WHERE x.call_off_id = c.id))
           > (SELECT max_quantity FROM award_categories
              WHERE award_id = NEW.award_id AND category_code = NEW.category_code)
      BEGIN SELECT RAISE(ABORT, 'Abruf überschreitet die Höchstmenge'); END`,
    `CREATE TRIGGER tenders_awarded_frozen_reserve BEFORE UPDATE OF reserve ON tenders
      WHEN EXISTS (SELECT 1 FROM awards WHERE tender_code = OLD.code)
        AND NEW.reserve IS NOT OLD.reserve
      BEGIN SELECT RAISE(ABORT, '${FROZEN}'); END`,
    `CREATE TRIGGER categories_awarded_frozen_price BEFORE UPDATE OF base_price_cents ON categories
      WHEN ${AWARDED_CATEGORY("OLD.code")} AND NEW.base_price_cents IS NOT OLD.base_price_cents
      BEGIN SELECT RAISE(ABORT, '${FROZEN}'); END`,
  ];
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (engineOf(db) === "postgres") return execute(db, postgresDown());
  for (const statement of [
    `DROP TRIGGER IF EXISTS categories_awarded_frozen_price`,
    `DROP TRIGGER IF EXISTS tenders_awarded_frozen_reserve`,
    `DROP TABLE IF EXISTS call_off_cancellations`,
    `DROP TRIGGER IF EXISTS call_offs_within_maximum`,
    `CREATE TRIGGER call_offs_within_maximum BEFORE INSERT ON call_offs
      WHEN NEW.quantity + (SELECT coalesce(sum(quantity), 0) FROM call_offs
                           WHERE award_id = NEW.award_id AND category_code = NEW.category_code)
           > (SELECT max_quantity FROM award_categories
              WHERE award_id = NEW.award_id AND category_code = NEW.category_code)
      BEGIN SELECT RAISE(ABORT, 'Abruf überschreitet die Höchstmenge'); END`,
    `DROP INDEX IF EXISTS call_offs_form_token`,
    `ALTER TABLE call_offs DROP COLUMN corrects_id`,
    `ALTER TABLE call_offs DROP COLUMN form_token`,
  ])
    await sql.raw(statement).execute(db);
}

// PostgreSQL: the same, with the refusals as PL/pgSQL functions (see migration 005); the
// maximum's function is replaced, its trigger stays.
const POSTGRES_REFUSALS: Refusal[] = [
  {
    name: "call_off_cancellations_no_update",
    table: "call_off_cancellations",
    events: "UPDATE",
    message: "Stornos werden nicht geändert",
  },
  {
    name: "call_off_cancellations_no_delete",
    table: "call_off_cancellations",
    events: "DELETE",
    message: "Stornos werden nicht gelöscht",
  },
  {
    name: "tenders_awarded_frozen_reserve",
    table: "tenders",
    events: "UPDATE OF reserve",
    message: FROZEN,
    condition: `EXISTS (SELECT 1 FROM awards WHERE tender_code = OLD.code)
      AND NEW.reserve IS DISTINCT FROM OLD.reserve`,
  },
  {
    name: "categories_awarded_frozen_price",
    table: "categories",
    events: "UPDATE OF base_price_cents",
    message: FROZEN,
    condition: `${AWARDED_CATEGORY("OLD.code")} AND NEW.base_price_cents IS DISTINCT FROM OLD.base_price_cents`,
  },
];

function postgres(): string[] {
  return [
    `ALTER TABLE call_offs ADD COLUMN form_token TEXT`,
    `CREATE UNIQUE INDEX call_offs_form_token ON call_offs(form_token) WHERE form_token IS NOT NULL`,
    `ALTER TABLE call_offs ADD COLUMN corrects_id BIGINT REFERENCES call_offs(id)`,
    `CREATE TABLE call_off_cancellations (
      id ${PG_ID},
      call_off_id BIGINT NOT NULL UNIQUE REFERENCES call_offs(id),
      reason TEXT NOT NULL CHECK (length(trim(reason)) BETWEEN 1 AND 500),
      form_token TEXT UNIQUE,
      created_at TEXT NOT NULL,
      created_by BIGINT NOT NULL REFERENCES users(id))`,
    ...POSTGRES_REFUSALS.flatMap(pgRefusal),
    ...pgNoTruncate("call_off_cancellations", "Stornos werden nicht gelöscht"),
    PG_WITHIN_MAXIMUM(`SELECT coalesce(sum(quantity), 0) FROM call_offs c
      WHERE c.award_id = NEW.award_id AND c.category_code = NEW.category_code
        AND NOT EXISTS (SELECT 1 FROM call_off_cancellations x WHERE x.call_off_id = c.id)`),
  ];
}

function postgresDown(): string[] {
  return [
    ...POSTGRES_REFUSALS.flatMap((r) => pgDropRefusal(r.name, r.table)),
    `DROP TABLE IF EXISTS call_off_cancellations`,
    `DROP FUNCTION IF EXISTS call_off_cancellations_no_truncate_fn()`,
    PG_WITHIN_MAXIMUM(`SELECT coalesce(sum(quantity), 0) FROM call_offs
      WHERE award_id = NEW.award_id AND category_code = NEW.category_code`),
    `DROP INDEX IF EXISTS call_offs_form_token`,
    `ALTER TABLE call_offs DROP COLUMN corrects_id`,
    `ALTER TABLE call_offs DROP COLUMN form_token`,
  ];
}
