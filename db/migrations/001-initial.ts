import { sql, type Kysely } from "kysely";
import { engineOf } from "../engine";
import { PG_ID, execute } from "./pg";

// The whole plan (CALCULATION.md §1, §7) plus users, sessions and the audit log.
// Raw SQL: CHECK constraints and expression indexes read best this way.
export async function up(db: Kysely<unknown>): Promise<void> {
  if (engineOf(db) === "postgres") return execute(db, POSTGRES);
  const statements = [
    `CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
    `CREATE TABLE partners (
      code TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      population INTEGER NOT NULL DEFAULT 0 CHECK (population >= 0),
      position INTEGER NOT NULL DEFAULT 0)`,
    `CREATE TABLE schools (
      code TEXT PRIMARY KEY,
      partner_code TEXT NOT NULL REFERENCES partners(code) ON UPDATE CASCADE ON DELETE CASCADE,
      name TEXT NOT NULL,
      type TEXT,
      pupils INTEGER NOT NULL DEFAULT 0 CHECK (pupils >= 0),
      position INTEGER NOT NULL DEFAULT 0)`,
    `CREATE INDEX schools_partner ON schools(partner_code)`,
    `CREATE TABLE categories (
      code TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      unit TEXT,
      base_price_cents INTEGER NOT NULL CHECK (base_price_cents >= 0),
      vat_rate TEXT NOT NULL DEFAULT '0.19',
      position INTEGER NOT NULL DEFAULT 0)`,
    `CREATE TABLE category_tiers (
      category_code TEXT NOT NULL REFERENCES categories(code) ON UPDATE CASCADE ON DELETE CASCADE,
      min_quantity INTEGER NOT NULL CHECK (min_quantity >= 1),
      discount TEXT NOT NULL,
      position INTEGER NOT NULL DEFAULT 0,
      PRIMARY KEY (category_code, min_quantity))`,
    `CREATE TABLE demand_lines (
      id INTEGER PRIMARY KEY,
      partner_code TEXT NOT NULL REFERENCES partners(code) ON UPDATE CASCADE ON DELETE CASCADE,
      school_code TEXT REFERENCES schools(code) ON UPDATE CASCADE ON DELETE CASCADE,
      category_code TEXT NOT NULL REFERENCES categories(code) ON UPDATE CASCADE ON DELETE CASCADE,
      year INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2100),
      quantity INTEGER NOT NULL CHECK (quantity >= 0),
      justification TEXT,
      position INTEGER NOT NULL DEFAULT 0,
      updated_at TEXT NOT NULL,
      updated_by INTEGER REFERENCES users(id) ON DELETE SET NULL)`,
    // One cell per (partner, school or none, category, year).
    `CREATE UNIQUE INDEX demand_cell ON demand_lines(partner_code, ifnull(school_code, ''), category_code, year)`,
    `CREATE TABLE tenders (
      code TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      start_year INTEGER NOT NULL CHECK (start_year BETWEEN 2000 AND 2100),
      term_years INTEGER NOT NULL CHECK (term_years BETWEEN 1 AND 4),
      reserve TEXT NOT NULL DEFAULT '0',
      solo_process_cost_cents INTEGER NOT NULL DEFAULT 0 CHECK (solo_process_cost_cents >= 0),
      position INTEGER NOT NULL DEFAULT 0)`,
    `CREATE TABLE lots (
      id INTEGER PRIMARY KEY,
      tender_code TEXT NOT NULL REFERENCES tenders(code) ON UPDATE CASCADE ON DELETE CASCADE,
      code TEXT NOT NULL,
      name TEXT NOT NULL,
      position INTEGER NOT NULL DEFAULT 0,
      UNIQUE (tender_code, code))`,
    `CREATE TABLE lot_categories (
      lot_id INTEGER NOT NULL REFERENCES lots(id) ON DELETE CASCADE,
      category_code TEXT NOT NULL REFERENCES categories(code) ON UPDATE CASCADE ON DELETE CASCADE,
      position INTEGER NOT NULL DEFAULT 0,
      PRIMARY KEY (lot_id, category_code))`,
    `CREATE TABLE common_costs (
      id INTEGER PRIMARY KEY,
      tender_code TEXT NOT NULL REFERENCES tenders(code) ON UPDATE CASCADE ON DELETE CASCADE,
      label TEXT NOT NULL,
      amount_cents INTEGER NOT NULL CHECK (amount_cents >= 0),
      key TEXT NOT NULL CHECK (key IN ('volume','quantity','pupils','population','equal','custom')),
      position INTEGER NOT NULL DEFAULT 0)`,
    `CREATE TABLE common_cost_weights (
      common_cost_id INTEGER NOT NULL REFERENCES common_costs(id) ON DELETE CASCADE,
      partner_code TEXT NOT NULL REFERENCES partners(code) ON UPDATE CASCADE ON DELETE CASCADE,
      weight TEXT NOT NULL,
      position INTEGER NOT NULL DEFAULT 0,
      PRIMARY KEY (common_cost_id, partner_code))`,
    `CREATE TABLE users (
      id INTEGER PRIMARY KEY,
      email TEXT NOT NULL UNIQUE COLLATE NOCASE,
      name TEXT NOT NULL,
      password_hash TEXT NOT NULL,
      role TEXT NOT NULL CHECK (role IN ('coordinator','finance','committee','officer')),
      partner_code TEXT REFERENCES partners(code) ON UPDATE CASCADE ON DELETE SET NULL,
      active INTEGER NOT NULL DEFAULT 1,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      CHECK ((role = 'officer') = (partner_code IS NOT NULL)))`,
    `CREATE TABLE sessions (
      id TEXT PRIMARY KEY,
      user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      created_at TEXT NOT NULL,
      last_seen_at TEXT NOT NULL,
      expires_at TEXT NOT NULL)`,
    `CREATE INDEX sessions_user ON sessions(user_id)`,
    `CREATE TABLE audit_log (
      id INTEGER PRIMARY KEY,
      at TEXT NOT NULL,
      user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
      action TEXT NOT NULL,
      entity TEXT NOT NULL,
      entity_key TEXT NOT NULL,
      old_value TEXT,
      new_value TEXT,
      detail TEXT)`,
    `CREATE INDEX audit_entity ON audit_log(entity, entity_key)`,
    `CREATE TABLE demand_status (
      partner_code TEXT PRIMARY KEY REFERENCES partners(code) ON UPDATE CASCADE ON DELETE CASCADE,
      status TEXT NOT NULL CHECK (status IN ('draft','submitted','reopened')),
      changed_at TEXT NOT NULL,
      changed_by INTEGER REFERENCES users(id) ON DELETE SET NULL)`,
  ];
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const cascade = engineOf(db) === "postgres" ? " CASCADE" : "";
  for (const table of [
    "demand_status",
    "audit_log",
    "sessions",
    "users",
    "common_cost_weights",
    "common_costs",
    "lot_categories",
    "lots",
    "tenders",
    "demand_lines",
    "category_tiers",
    "categories",
    "schools",
    "partners",
    "settings",
  ]) {
    await sql.raw(`DROP TABLE IF EXISTS ${table}${cascade}`).execute(db);
  }
}

// PostgreSQL: the same tables; ids are identities, money and user references bigint,
// users before the tables referring to them (PostgreSQL checks references at once), and
// the e-mail unique without regard to case by an index on lower(email) (SQLite: NOCASE).
const POSTGRES = [
  `CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
  `CREATE TABLE partners (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    population INTEGER NOT NULL DEFAULT 0 CHECK (population >= 0),
    position INTEGER NOT NULL DEFAULT 0)`,
  `CREATE TABLE schools (
    code TEXT PRIMARY KEY,
    partner_code TEXT NOT NULL REFERENCES partners(code) ON UPDATE CASCADE ON DELETE CASCADE,
    name TEXT NOT NULL,
    type TEXT,
    pupils INTEGER NOT NULL DEFAULT 0 CHECK (pupils >= 0),
    position INTEGER NOT NULL DEFAULT 0)`,
  `CREATE INDEX schools_partner ON schools(partner_code)`,
  `CREATE TABLE categories (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    unit TEXT,
    base_price_cents BIGINT NOT NULL CHECK (base_price_cents >= 0),
    vat_rate TEXT NOT NULL DEFAULT '0.19',
    position INTEGER NOT NULL DEFAULT 0)`,
  `CREATE TABLE category_tiers (
    category_code TEXT NOT NULL REFERENCES categories(code) ON UPDATE CASCADE ON DELETE CASCADE,
    min_quantity INTEGER NOT NULL CHECK (min_quantity >= 1),
    discount TEXT NOT NULL,
    position INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (category_code, min_quantity))`,
  `CREATE TABLE users (
    id ${PG_ID},
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('coordinator','finance','committee','officer')),
    partner_code TEXT REFERENCES partners(code) ON UPDATE CASCADE ON DELETE SET NULL,
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK ((role = 'officer') = (partner_code IS NOT NULL)))`,
  `CREATE UNIQUE INDEX users_email ON users(lower(email))`,
  `CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at TEXT NOT NULL)`,
  `CREATE INDEX sessions_user ON sessions(user_id)`,
  `CREATE TABLE demand_lines (
    id ${PG_ID},
    partner_code TEXT NOT NULL REFERENCES partners(code) ON UPDATE CASCADE ON DELETE CASCADE,
    school_code TEXT REFERENCES schools(code) ON UPDATE CASCADE ON DELETE CASCADE,
    category_code TEXT NOT NULL REFERENCES categories(code) ON UPDATE CASCADE ON DELETE CASCADE,
    year INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    quantity INTEGER NOT NULL CHECK (quantity >= 0),
    justification TEXT,
    position INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL,
    updated_by BIGINT REFERENCES users(id) ON DELETE SET NULL)`,
  `CREATE UNIQUE INDEX demand_cell ON demand_lines(partner_code, coalesce(school_code, ''), category_code, year)`,
  `CREATE TABLE tenders (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    start_year INTEGER NOT NULL CHECK (start_year BETWEEN 2000 AND 2100),
    term_years INTEGER NOT NULL CHECK (term_years BETWEEN 1 AND 4),
    reserve TEXT NOT NULL DEFAULT '0',
    solo_process_cost_cents BIGINT NOT NULL DEFAULT 0 CHECK (solo_process_cost_cents >= 0),
    position INTEGER NOT NULL DEFAULT 0)`,
  `CREATE TABLE lots (
    id ${PG_ID},
    tender_code TEXT NOT NULL REFERENCES tenders(code) ON UPDATE CASCADE ON DELETE CASCADE,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    position INTEGER NOT NULL DEFAULT 0,
    UNIQUE (tender_code, code))`,
  `CREATE TABLE lot_categories (
    lot_id BIGINT NOT NULL REFERENCES lots(id) ON DELETE CASCADE,
    category_code TEXT NOT NULL REFERENCES categories(code) ON UPDATE CASCADE ON DELETE CASCADE,
    position INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (lot_id, category_code))`,
  `CREATE TABLE common_costs (
    id ${PG_ID},
    tender_code TEXT NOT NULL REFERENCES tenders(code) ON UPDATE CASCADE ON DELETE CASCADE,
    label TEXT NOT NULL,
    amount_cents BIGINT NOT NULL CHECK (amount_cents >= 0),
    key TEXT NOT NULL CHECK (key IN ('volume','quantity','pupils','population','equal','custom')),
    position INTEGER NOT NULL DEFAULT 0)`,
  `CREATE TABLE common_cost_weights (
    common_cost_id BIGINT NOT NULL REFERENCES common_costs(id) ON DELETE CASCADE,
    partner_code TEXT NOT NULL REFERENCES partners(code) ON UPDATE CASCADE ON DELETE CASCADE,
    weight TEXT NOT NULL,
    position INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (common_cost_id, partner_code))`,
  `CREATE TABLE audit_log (
    id ${PG_ID},
    at TEXT NOT NULL,
    user_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_key TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT,
    detail TEXT)`,
  `CREATE INDEX audit_entity ON audit_log(entity, entity_key)`,
  `CREATE TABLE demand_status (
    partner_code TEXT PRIMARY KEY REFERENCES partners(code) ON UPDATE CASCADE ON DELETE CASCADE,
    status TEXT NOT NULL CHECK (status IN ('draft','submitted','reopened')),
    changed_at TEXT NOT NULL,
    changed_by BIGINT REFERENCES users(id) ON DELETE SET NULL)`,
];
