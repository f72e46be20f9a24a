import fs from "node:fs";
import path from "node:path";
import SQLite from "better-sqlite3";
import {
  Kysely,
  Migrator,
  PostgresDialect,
  SqliteDialect,
  sql,
  type MigrationProvider,
} from "kysely";
import pg from "pg";
import type { DB } from "./schema";
import { migrations } from "./migrations";
import { assertSchemaName, engineOf, isPostgresUrl, pgTypes, type Engine } from "./engine";

export type Database = Kysely<DB>;

/** A database handle of either engine. Only SQLite has a `sqlite` connection to inspect. */
export interface OpenedDatabase {
  db: Database;
  engine: Engine;
  sqlite?: SQLite.Database;
  /** Closes the connection (SQLite) or ends the pool (PostgreSQL). */
  close(): Promise<void>;
}

export interface OpenedSqliteDatabase extends OpenedDatabase {
  engine: "sqlite";
  sqlite: SQLite.Database;
}

export interface OpenedPostgresDatabase extends OpenedDatabase {
  engine: "postgres";
  schema: string;
  pool: pg.Pool;
}

export function databasePathFromEnv(): string {
  return process.env.DATABASE_PATH || path.resolve("data", "verbundkauf.db");
}

/** DATABASE_URL when set (PostgreSQL), else `databasePathFromEnv()` (SQLite). */
export function installationLocationFromEnv(): string {
  const url = process.env.DATABASE_URL?.trim();
  if (!url) return databasePathFromEnv();
  if (!isPostgresUrl(url))
    throw new Error(
      "DATABASE_URL muss mit postgres:// oder postgresql:// beginnen (DATABASE_URL must be a PostgreSQL URL).",
    );
  return url;
}

/**
 * The database holds password hashes and every partner's figures: readable by the
 * server's user only. A new file is created 0600 before SQLite opens it (SQLite gives
 * its -wal and -shm files the database file's mode); older files are narrowed.
 */
export function restrictToOwner(file: string): void {
  for (const name of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) {
    try {
      fs.chmodSync(name, 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }
}

/** Opens (and creates) the SQLite file with WAL, foreign keys and a busy timeout. */
export function openDatabase(file: string = databasePathFromEnv()): OpenedSqliteDatabase {
  const onDisk = file !== ":memory:" && file !== "";
  if (onDisk) {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true, mode: 0o700 });
    fs.closeSync(fs.openSync(file, "a", 0o600));
    restrictToOwner(file);
  }
  const sqlite = new SQLite(file);
  sqlite.pragma("journal_mode = WAL");
  if (onDisk) restrictToOwner(file);
  sqlite.pragma("synchronous = FULL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: sqlite }) });
  return { db, engine: "sqlite", sqlite, close: () => db.destroy() };
}

// The schema each PostgreSQL handle works in, for migrateToLatest (the migration table
// lives in that schema, beside the tables it describes).
const schemas = new WeakMap<object, string>();

/**
 * A PostgreSQL handle whose every connection works in `schema` (search_path), so the
 * queries stay unqualified exactly as on SQLite. The schema is created by migrateToLatest.
 * A small pool per schema: one consortium's requests share at most `max` connections.
 */
export function openPostgres(
  url: string,
  schema: string,
  options: { max?: number } = {},
): OpenedPostgresDatabase {
  const pool = createPostgresPool(url, schema, options);
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  schemas.set(db, schema);
  return { db, engine: "postgres", schema, pool, close: () => db.destroy() };
}

/** A pool whose connections work in `schema` and read int8 as checked numbers. */
export function createPostgresPool(
  url: string,
  schema: string,
  options: { max?: number } = {},
): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    options: `-c search_path=${assertSchemaName(schema)}`,
    max: options.max ?? 5,
    idleTimeoutMillis: 30_000,
    // A request that waits this long for one of the `max` connections fails instead of
    // hanging (e.g. every connection held by a transaction that waits for another one).
    connectionTimeoutMillis: 30_000,
    types: pgTypes,
  });
  // An idle client whose server went away must not crash the process; the next
  // query gets a fresh connection.
  pool.on("error", (error) => console.error(`PostgreSQL (${schema}): ${error.message}`));
  return pool;
}

/** The schema of a handle opened by openPostgres (or the connection's current one). */
export async function postgresSchemaOf<T>(db: Kysely<T>): Promise<string> {
  const known = schemas.get(db);
  if (known) return known;
  const { rows } = await sql<{ schema: string | null }>`SELECT current_schema() AS schema`.execute(
    db,
  );
  if (!rows[0]?.schema) throw new Error("Kein Schema im search_path der Verbindung");
  return rows[0].schema;
}

/** Creates the schema unless it exists (tolerating another process creating it at once). */
export async function ensurePostgresSchema<T>(db: Kysely<T>, schema: string): Promise<void> {
  try {
    await sql.raw(`CREATE SCHEMA IF NOT EXISTS ${assertSchemaName(schema)}`).execute(db);
  } catch (error) {
    // Two concurrent IF NOT EXISTS can still collide on the catalog's unique index.
    if ((error as { code?: string }).code !== "23505") throw error;
  }
}

const provider: MigrationProvider = { getMigrations: async () => migrations };

/**
 * Runs all pending migrations in order; throws with the failing migration's name.
 * On PostgreSQL the schema is created first and holds its own migration table.
 */
export async function migrateToLatest(db: Database): Promise<string[]> {
  let migrationTableSchema: string | undefined;
  if (engineOf(db) === "postgres") {
    migrationTableSchema = await postgresSchemaOf(db);
    await ensurePostgresSchema(db, migrationTableSchema);
  }
  const migrator = new Migrator({ db, provider, migrationTableSchema });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === "Error");
  if (error) {
    throw new Error(`Migration ${failed?.migrationName ?? "?"} failed: ${String(error)}`);
  }
  return (results ?? []).map((r) => r.migrationName);
}
