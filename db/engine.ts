// The two database engines (docs/decisions/024-engine-abstraction.md). Queries are the
// same on both; the few places that differ (migrations, raw SQL, locking, the data
// version) branch on engineOf(db) and nowhere else. What differs, and why:
// docs/decisions/025-engine-differences.md.
import { PostgresAdapter, type Kysely } from "kysely";
import type { CustomTypesConfig } from "pg";
import pg from "pg";

export type Engine = "sqlite" | "postgres";

/** Any Kysely handle: a database of any schema type, a transaction, a reserved connection. */
export type AnyKysely = Pick<Kysely<unknown>, "getExecutor">;

/** The engine behind a Kysely handle (the root database or one of its transactions). */
export function engineOf(db: AnyKysely): Engine {
  return db.getExecutor().adapter instanceof PostgresAdapter ? "postgres" : "sqlite";
}

/** True for a `postgres://` or `postgresql://` URL (DATABASE_URL, TEST_DATABASE_URL). */
export function isPostgresUrl(location: string | undefined): location is string {
  return !!location && /^postgres(ql)?:\/\//i.test(location);
}

const INT8_OID = 20;

/**
 * PostgreSQL's bigint (count(*), ids, cents) arrives as text; the app works with JS
 * numbers as on SQLite. A value a number cannot hold exactly is an error, never a
 * silently rounded amount.
 */
export function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value))
    throw new RangeError(`Ganzzahl ${text} ist zu groß für eine exakte Zahl (bigint)`);
  return value;
}

/** The pools' type parsers: int8 as a checked number, everything else as pg does it. */
export const pgTypes: CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === INT8_OID && format !== "binary"
      ? parseInt8
      : pg.types.getTypeParser(oid, format)) as CustomTypesConfig["getTypeParser"],
};

/** Lower-case schema names only: they go into search_path and DDL unquoted. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function assertSchemaName(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) throw new Error(`Ungültiger Schemaname „${schema}“`);
  return schema;
}

/** The schema of a consortium on PostgreSQL: `consortium_<code lowercased>`. */
export function consortiumSchema(code: string): string {
  return assertSchemaName(`consortium_${code.toLowerCase()}`);
}

/** The schema of the registry (consortia, sign-in throttle) on PostgreSQL. */
export const REGISTRY_SCHEMA = "verbundkauf_registry";

/**
 * The first key of the advisory lock immediateTransaction takes on PostgreSQL (the
 * second is hashtext(current_schema())): it serializes one schema's check-then-write
 * transactions across connections and processes, like SQLite's BEGIN IMMEDIATE.
 */
export const WRITE_LOCK_CLASS = 1_447_185; // "VK" + 1: any fixed int4 unique to this app

/**
 * A session advisory lock held while migrations run and while a schema is dropped:
 * Kysely's Migrator looks at the tables of every schema in the database, and a schema
 * dropped meanwhile (a consortium removed, a test's schema cleaned up) made that look-up
 * fail with "relation … does not exist".
 */
export const SCHEMA_CHANGE_LOCK = 1_447_186;
