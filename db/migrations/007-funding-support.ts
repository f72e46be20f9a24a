import { sql, type Kysely } from "kysely";
import { engineOf } from "../engine";
import { PG_ID, execute } from "./pg";

// plan@2 data (CALCULATION.md §11–§13, docs/decisions/012-plan-v2-data-model.md):
// funding programmes with their eligible categories and per-partner budgets, the
// installed base (inventory), the pooled-support parameters, and per category its
// service life and support units. All of it is plan data: it travels in plan files
// and is replaced by a plan import, unlike settings. Money is integer cents,
// decimals are exact text.
export async function up(db: Kysely<unknown>): Promise<void> {
  if (engineOf(db) === "postgres") return execute(db, POSTGRES);
  const statements = [
    `ALTER TABLE categories ADD COLUMN service_life_years INTEGER NOT NULL DEFAULT 5
      CHECK (service_life_years BETWEEN 1 AND 15)`,
    `ALTER TABLE categories ADD COLUMN support_units TEXT NOT NULL DEFAULT '1'`,
    `CREATE TABLE funding_programmes (
      code TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      rate TEXT NOT NULL,
      from_year INTEGER NOT NULL CHECK (from_year BETWEEN 2000 AND 2100),
      to_year INTEGER NOT NULL CHECK (to_year BETWEEN 2000 AND 2100),
      max_per_unit_cents INTEGER CHECK (max_per_unit_cents >= 0),
      has_budgets INTEGER NOT NULL DEFAULT 0 CHECK (has_budgets IN (0, 1)),
      position INTEGER NOT NULL DEFAULT 0,
      CHECK (from_year <= to_year))`,
    `CREATE TABLE funding_programme_categories (
      programme_code TEXT NOT NULL REFERENCES funding_programmes(code) ON UPDATE CASCADE ON DELETE CASCADE,
      category_code TEXT NOT NULL REFERENCES categories(code) ON UPDATE CASCADE ON DELETE CASCADE,
      position INTEGER NOT NULL DEFAULT 0,
      PRIMARY KEY (programme_code, category_code))`,
    `CREATE TABLE funding_budgets (
      programme_code TEXT NOT NULL REFERENCES funding_programmes(code) ON UPDATE CASCADE ON DELETE CASCADE,
      partner_code TEXT NOT NULL REFERENCES partners(code) ON UPDATE CASCADE ON DELETE CASCADE,
      amount_cents INTEGER NOT NULL CHECK (amount_cents >= 0),
      position INTEGER NOT NULL DEFAULT 0,
      PRIMARY KEY (programme_code, partner_code))`,
    `CREATE TABLE inventory_lines (
      id INTEGER PRIMARY KEY,
      partner_code TEXT NOT NULL REFERENCES partners(code) ON UPDATE CASCADE ON DELETE CASCADE,
      school_code TEXT REFERENCES schools(code) ON UPDATE CASCADE ON DELETE CASCADE,
      category_code TEXT NOT NULL REFERENCES categories(code) ON UPDATE CASCADE ON DELETE CASCADE,
      year INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2100),
      quantity INTEGER NOT NULL CHECK (quantity >= 0),
      position INTEGER NOT NULL DEFAULT 0,
      updated_at TEXT NOT NULL,
      updated_by INTEGER REFERENCES users(id) ON DELETE SET NULL)`,
    // One cell per (partner, school or none, category, purchase year), as for demand.
    `CREATE UNIQUE INDEX inventory_cell ON inventory_lines(partner_code, ifnull(school_code, ''), category_code, year)`,
    // The justification per school × category, as demand_notes for the demand editor.
    `CREATE TABLE inventory_notes (
      partner_code TEXT NOT NULL REFERENCES partners(code) ON UPDATE CASCADE ON DELETE CASCADE,
      school_code TEXT REFERENCES schools(code) ON UPDATE CASCADE ON DELETE CASCADE,
      category_code TEXT NOT NULL REFERENCES categories(code) ON UPDATE CASCADE ON DELETE CASCADE,
      text TEXT NOT NULL CHECK (length(text) BETWEEN 1 AND 2000),
      updated_at TEXT NOT NULL,
      updated_by INTEGER REFERENCES users(id) ON DELETE SET NULL)`,
    `CREATE UNIQUE INDEX inventory_note_line ON inventory_notes(partner_code, ifnull(school_code, ''), category_code)`,
    // At most one row: the plan's support section (§13); no row = no section.
    `CREATE TABLE support_parameters (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      from_year INTEGER NOT NULL CHECK (from_year BETWEEN 2000 AND 2100),
      to_year INTEGER NOT NULL CHECK (to_year BETWEEN 2000 AND 2100),
      devices_per_fte TEXT NOT NULL,
      fte_step TEXT NOT NULL DEFAULT '0.25',
      min_fte_per_partner TEXT NOT NULL DEFAULT '0',
      pool_overhead_fte TEXT NOT NULL DEFAULT '0',
      cost_per_fte_cents INTEGER NOT NULL CHECK (cost_per_fte_cents >= 0),
      key TEXT NOT NULL DEFAULT 'units' CHECK (key IN ('units', 'pupils', 'population', 'equal')),
      note TEXT,
      updated_at TEXT NOT NULL,
      updated_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
      CHECK (from_year <= to_year))`,
  ];
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    "support_parameters",
    "inventory_notes",
    "inventory_lines",
    "funding_budgets",
    "funding_programme_categories",
    "funding_programmes",
  ]) {
    await sql.raw(`DROP TABLE IF EXISTS ${table}`).execute(db);
  }
  await sql.raw(`ALTER TABLE categories DROP COLUMN support_units`).execute(db);
  await sql.raw(`ALTER TABLE categories DROP COLUMN service_life_years`).execute(db);
}

const POSTGRES = [
  `ALTER TABLE categories ADD COLUMN service_life_years INTEGER NOT NULL DEFAULT 5
    CHECK (service_life_years BETWEEN 1 AND 15)`,
  `ALTER TABLE categories ADD COLUMN support_units TEXT NOT NULL DEFAULT '1'`,
  `CREATE TABLE funding_programmes (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    rate TEXT NOT NULL,
    from_year INTEGER NOT NULL CHECK (from_year BETWEEN 2000 AND 2100),
    to_year INTEGER NOT NULL CHECK (to_year BETWEEN 2000 AND 2100),
    max_per_unit_cents BIGINT CHECK (max_per_unit_cents >= 0),
    has_budgets INTEGER NOT NULL DEFAULT 0 CHECK (has_budgets IN (0, 1)),
    position INTEGER NOT NULL DEFAULT 0,
    CHECK (from_year <= to_year))`,
  `CREATE TABLE funding_programme_categories (
    programme_code TEXT NOT NULL REFERENCES funding_programmes(code) ON UPDATE CASCADE ON DELETE CASCADE,
    category_code TEXT NOT NULL REFERENCES categories(code) ON UPDATE CASCADE ON DELETE CASCADE,
    position INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (programme_code, category_code))`,
  `CREATE TABLE funding_budgets (
    programme_code TEXT NOT NULL REFERENCES funding_programmes(code) ON UPDATE CASCADE ON DELETE CASCADE,
    partner_code TEXT NOT NULL REFERENCES partners(code) ON UPDATE CASCADE ON DELETE CASCADE,
    amount_cents BIGINT NOT NULL CHECK (amount_cents >= 0),
    position INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (programme_code, partner_code))`,
  `CREATE TABLE inventory_lines (
    id ${PG_ID},
    partner_code TEXT NOT NULL REFERENCES partners(code) ON UPDATE CASCADE ON DELETE CASCADE,
    school_code TEXT REFERENCES schools(code) ON UPDATE CASCADE ON DELETE CASCADE,
    category_code TEXT NOT NULL REFERENCES categories(code) ON UPDATE CASCADE ON DELETE CASCADE,
    year INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    quantity INTEGER NOT NULL CHECK (quantity >= 0),
    position INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL,
    updated_by BIGINT REFERENCES users(id) ON DELETE SET NULL)`,
  `CREATE UNIQUE INDEX inventory_cell ON inventory_lines(partner_code, coalesce(school_code, ''), category_code, year)`,
  `CREATE TABLE inventory_notes (
    partner_code TEXT NOT NULL REFERENCES partners(code) ON UPDATE CASCADE ON DELETE CASCADE,
    school_code TEXT REFERENCES schools(code) ON UPDATE CASCADE ON DELETE CASCADE,
    category_code TEXT NOT NULL REFERENCES categories(code) ON UPDATE CASCADE ON DELETE CASCADE,
    text TEXT NOT NULL CHECK (length(text) BETWEEN 1 AND 2000),
    updated_at TEXT NOT NULL,
    updated_by BIGINT REFERENCES users(id) ON DELETE SET NULL)`,
  `CREATE UNIQUE INDEX inventory_note_line ON inventory_notes(partner_code, coalesce(school_code, ''), category_code)`,
  // The single row is written with id 1: no identity here.
  `CREATE TABLE support_parameters (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    from_year INTEGER NOT NULL CHECK (from_year BETWEEN 2000 AND 2100),
    to_year INTEGER NOT NULL CHECK (to_year BETWEEN 2000 AND 2100),
    devices_per_fte TEXT NOT NULL,
    fte_step TEXT NOT NULL DEFAULT '0.25',
    min_fte_per_partner TEXT NOT NULL DEFAULT '0',
    pool_overhead_fte TEXT NOT NULL DEFAULT '0',
    cost_per_fte_cents BIGINT NOT NULL CHECK (cost_per_fte_cents >= 0),
    key TEXT NOT NULL DEFAULT 'units' CHECK (key IN ('units', 'pupils', 'population', 'equal')),
    note TEXT,
    updated_at TEXT NOT NULL,
    updated_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    CHECK (from_year <= to_year))`,
];
