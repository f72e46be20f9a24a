import { sql, type Kysely } from "kysely";
import { engineOf } from "../engine";
import { execute } from "./pg";

// Demand rounds (docs/decisions/021-demand-rounds.md): the demand status and the
// deadline belong to a tender's round, not to the partner. A round is keyed by its
// tender's code without a foreign key: a plan import deletes and re-inserts every
// tender, and the rounds (statuses, deadlines) must survive that. db/tenders.ts moves
// a round with a renamed tender and opens a fresh one for a new tender.
//
// The single status per partner and the one deadline (setting demandDeadline) become
// those of every existing tender's round, so a running collection keeps its state.
export async function up(db: Kysely<unknown>): Promise<void> {
  if (engineOf(db) === "postgres") return execute(db, POSTGRES);
  const statements = [
    `CREATE TABLE demand_rounds (
      tender_code TEXT PRIMARY KEY,
      deadline TEXT CHECK (deadline IS NULL OR deadline GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]'),
      opened_at TEXT NOT NULL,
      opened_by INTEGER REFERENCES users(id) ON DELETE SET NULL)`,
    `CREATE TABLE demand_round_status (
      tender_code TEXT NOT NULL,
      partner_code TEXT NOT NULL REFERENCES partners(code) ON UPDATE CASCADE ON DELETE CASCADE,
      status TEXT NOT NULL CHECK (status IN ('draft','submitted','reopened')),
      changed_at TEXT NOT NULL,
      changed_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
      PRIMARY KEY (tender_code, partner_code))`,
    `INSERT INTO demand_rounds (tender_code, deadline, opened_at, opened_by)
      SELECT t.code,
        (SELECT s.value FROM settings s WHERE s.key = 'demandDeadline'
          AND s.value GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]'),
        strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), NULL
      FROM tenders t`,
    `INSERT INTO demand_round_status (tender_code, partner_code, status, changed_at, changed_by)
      SELECT t.code, s.partner_code, s.status, s.changed_at, s.changed_by
      FROM tenders t CROSS JOIN demand_status s`,
    `DELETE FROM settings WHERE key = 'demandDeadline'`,
    `DROP TABLE demand_status`,
  ];
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (engineOf(db) === "postgres") return execute(db, POSTGRES_DOWN);
  const statements = [
    `CREATE TABLE demand_status (
      partner_code TEXT PRIMARY KEY REFERENCES partners(code) ON UPDATE CASCADE ON DELETE CASCADE,
      status TEXT NOT NULL CHECK (status IN ('draft','submitted','reopened')),
      changed_at TEXT NOT NULL,
      changed_by INTEGER REFERENCES users(id) ON DELETE SET NULL)`,
    // The latest change of any round stands for the partner.
    `INSERT INTO demand_status (partner_code, status, changed_at, changed_by)
      SELECT partner_code, status, changed_at, changed_by FROM demand_round_status r
      WHERE changed_at = (SELECT max(changed_at) FROM demand_round_status x
        WHERE x.partner_code = r.partner_code)
      GROUP BY partner_code`,
    `DROP TABLE demand_round_status`,
    `DROP TABLE demand_rounds`,
  ];
  for (const statement of statements) await sql.raw(statement).execute(db);
}

// PostgreSQL: GLOB becomes a regular expression, strftime(…'now') the same UTC text
// (milliseconds and Z, like new Date().toISOString()).
const DEADLINE = "'^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}$'";
const POSTGRES = [
  `CREATE TABLE demand_rounds (
    tender_code TEXT PRIMARY KEY,
    deadline TEXT CHECK (deadline IS NULL OR deadline ~ ${DEADLINE}),
    opened_at TEXT NOT NULL,
    opened_by BIGINT REFERENCES users(id) ON DELETE SET NULL)`,
  `CREATE TABLE demand_round_status (
    tender_code TEXT NOT NULL,
    partner_code TEXT NOT NULL REFERENCES partners(code) ON UPDATE CASCADE ON DELETE CASCADE,
    status TEXT NOT NULL CHECK (status IN ('draft','submitted','reopened')),
    changed_at TEXT NOT NULL,
    changed_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    PRIMARY KEY (tender_code, partner_code))`,
  `INSERT INTO demand_rounds (tender_code, deadline, opened_at, opened_by)
    SELECT t.code,
      (SELECT s.value FROM settings s WHERE s.key = 'demandDeadline' AND s.value ~ ${DEADLINE}),
      to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), NULL
    FROM tenders t`,
  `INSERT INTO demand_round_status (tender_code, partner_code, status, changed_at, changed_by)
    SELECT t.code, s.partner_code, s.status, s.changed_at, s.changed_by
    FROM tenders t CROSS JOIN demand_status s`,
  `DELETE FROM settings WHERE key = 'demandDeadline'`,
  `DROP TABLE demand_status`,
];

const POSTGRES_DOWN = [
  `CREATE TABLE demand_status (
    partner_code TEXT PRIMARY KEY REFERENCES partners(code) ON UPDATE CASCADE ON DELETE CASCADE,
    status TEXT NOT NULL CHECK (status IN ('draft','submitted','reopened')),
    changed_at TEXT NOT NULL,
    changed_by BIGINT REFERENCES users(id) ON DELETE SET NULL)`,
  `INSERT INTO demand_status (partner_code, status, changed_at, changed_by)
    SELECT DISTINCT ON (partner_code) partner_code, status, changed_at, changed_by
    FROM demand_round_status ORDER BY partner_code, changed_at DESC`,
  `DROP TABLE demand_round_status`,
  `DROP TABLE demand_rounds`,
];
