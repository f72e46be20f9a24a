import fs from "node:fs";
import path from "node:path";
import SQLite from "better-sqlite3";
import {
  CompiledQuery,
  Kysely,
  Migrator,
  PostgresDialect,
  SelectQueryNode,
  SqliteDialect,
  sql,
  type DatabaseConnection,
  type Driver,
  type MigrationProvider,
  type QueryResult,
} from "kysely";
import pg from "pg";
import type { DB } from "./schema";
import { migrations } from "./migrations";
import { turnBudgetMs, turnBudgetSpent, waitForTurn } from "./turns";
import {
  assertSchemaName,
  engineOf,
  isPostgresUrl,
  pgTypes,
  SCHEMA_CHANGE_LOCK,
  type Engine,
} from "./engine";

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

/**
 * How the SQLite handle shares the event loop (decision 027, second round; turns: 030).
 * better-sqlite3 answers every query at once, so without this a loader's or an action's
 * queries resolve one after the other as microtasks and the loop never turns until the
 * last one: other requests, timers and I/O wait for the whole run.
 */
export interface SqliteYieldOptions {
  /**
   * A statement waits for a later turn of the event loop (db/turns.ts, in arrival order)
   * when the current turn has run this long (ms). 0: before every statement. Default:
   * the turn budget (TURN_BUDGET_MS, 4), or SQLITE_YIELD_MS. Negative: never.
   */
  yieldAfterMs?: number;
  /**
   * The same inside a transaction (or a reserved connection), where waiting holds the
   * one connection and every other request's queries wait too: a transaction's
   * statements wait for a turn only after this long (ms). Default 10, or
   * SQLITE_YIELD_TRANSACTION_MS. Negative: never.
   */
  yieldInTransactionAfterMs?: number;
  /** Prepared statements kept per connection, by SQL text (default 500; 0: none). */
  statementCache?: number;
}

/** Opens (and creates) the SQLite file with WAL, foreign keys and a busy timeout. */
export function openDatabase(
  file: string = databasePathFromEnv(),
  options: SqliteYieldOptions = {},
): OpenedSqliteDatabase {
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
  const db = new Kysely<DB>({ dialect: new YieldingSqliteDialect(sqlite, options) });
  return { db, engine: "sqlite", sqlite, close: () => db.destroy() };
}

/**
 * A read-only handle on an existing SQLite file, for the compute pool's workers
 * (app/utils/compute-pool.server.ts, through the seam app/utils/db.server.ts). A worker
 * has its thread to itself: its statements are kept but never wait for a turn.
 */
export function openReadOnlyDatabase(file: string): Database {
  const sqlite = new SQLite(file, { readonly: true, fileMustExist: true });
  sqlite.pragma("busy_timeout = 5000");
  return new Kysely<DB>({
    dialect: new YieldingSqliteDialect(sqlite, { yieldAfterMs: -1, yieldInTransactionAfterMs: -1 }),
  });
}

function msFromEnv(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  return Number.isFinite(value) ? value : fallback;
}

/**
 * Kysely's SQLite dialect with a driver that lets the event loop turn between
 * statements and keeps prepared statements. Only the driver differs: the compiler,
 * adapter and introspector are Kysely's (engineOf still sees a SQLite adapter).
 */
export class YieldingSqliteDialect extends SqliteDialect {
  constructor(
    private readonly sqlite: SQLite.Database,
    private readonly options: SqliteYieldOptions = {},
  ) {
    super({ database: sqlite });
  }

  override createDriver(): Driver {
    return new YieldingSqliteDriver(this.sqlite, {
      yieldAfterMs: this.options.yieldAfterMs ?? msFromEnv("SQLITE_YIELD_MS", turnBudgetMs()),
      yieldInTransactionAfterMs:
        this.options.yieldInTransactionAfterMs ?? msFromEnv("SQLITE_YIELD_TRANSACTION_MS", 10),
      statementCache: this.options.statementCache ?? 500,
    });
  }
}

/**
 * Like Kysely's SqliteDriver (one connection behind a mutex), with two changes:
 *
 * - Before it takes the connection, a query waits for a later turn of the event loop
 *   (when the current turn has run `yieldAfterMs`). It waits outside the mutex, so
 *   other requests' queries use the connection meanwhile.
 * - Inside a transaction (or a reserved connection) a statement after the first waits
 *   the same way (after `yieldInTransactionAfterMs`), while holding the connection:
 *   other requests' queries queue on the mutex and none of them can run on the
 *   connection before the transaction ends.
 *   Nothing else in the app uses the raw better-sqlite3 handle of a consortium.
 */
class YieldingSqliteDriver implements Driver {
  private readonly mutex = new ConnectionMutex();
  private readonly connection: YieldingSqliteConnection;

  constructor(
    private readonly sqlite: SQLite.Database,
    private readonly options: Required<SqliteYieldOptions>,
  ) {
    this.connection = new YieldingSqliteConnection(sqlite, options);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    const budget = this.options.yieldAfterMs;
    if (turnBudgetSpent(budget)) await waitForTurn(budget);
    await this.mutex.lock();
    this.connection.held = true;
    return this.connection;
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("begin"));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("commit"));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("rollback"));
  }

  async savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`savepoint ${quoteName(name)}`));
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`rollback to ${quoteName(name)}`));
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`release ${quoteName(name)}`));
  }

  async releaseConnection(): Promise<void> {
    this.connection.held = false;
    this.connection.statementsWhileHeld = 0;
    this.mutex.unlock();
  }

  async destroy(): Promise<void> {
    this.connection.forgetStatements();
    this.sqlite.close();
  }
}

const quoteName = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Statements that change the schema: the cached statements are dropped after them. */
const SCHEMA_CHANGE = /^\s*(create|alter|drop)\b/i;
/** Longer statements (bulk inserts with their many placeholders) are not kept. */
const MAX_CACHED_SQL_LENGTH = 4_000;

class YieldingSqliteConnection implements DatabaseConnection {
  held = false;
  statementsWhileHeld = 0;
  private readonly statements = new Map<string, SQLite.Statement>();

  constructor(
    private readonly sqlite: SQLite.Database,
    private readonly options: Required<SqliteYieldOptions>,
  ) {}

  forgetStatements(): void {
    this.statements.clear();
  }

  /** The prepared statement for `text`, from the cache (least recently used goes first). */
  private statement(text: string): SQLite.Statement {
    const limit = this.options.statementCache;
    if (limit <= 0 || text.length > MAX_CACHED_SQL_LENGTH) return this.sqlite.prepare(text);
    const cached = this.statements.get(text);
    if (cached) {
      this.statements.delete(text);
      this.statements.set(text, cached);
      return cached;
    }
    const prepared = this.sqlite.prepare(text);
    this.statements.set(text, prepared);
    if (this.statements.size > limit)
      this.statements.delete(this.statements.keys().next().value as string);
    return prepared;
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    // The first statement on a held connection came right after acquireConnection's
    // turn; later ones (a transaction's) wait for a turn of their own.
    const budget = this.options.yieldInTransactionAfterMs;
    if (this.statementsWhileHeld++ > 0 && turnBudgetSpent(budget)) await waitForTurn(budget);
    const { sql: text, parameters } = compiledQuery;
    const statement = this.statement(text);
    if (statement.reader) return { rows: statement.all(parameters) as R[] };
    const { changes, lastInsertRowid } = statement.run(parameters);
    if (SCHEMA_CHANGE.test(text)) this.forgetStatements();
    return {
      numAffectedRows: changes !== undefined && changes !== null ? BigInt(changes) : undefined,
      insertId:
        lastInsertRowid !== undefined && lastInsertRowid !== null
          ? BigInt(lastInsertRowid)
          : undefined,
      rows: [],
    };
  }

  async *streamQuery<R>(compiledQuery: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    const { sql: text, parameters, query } = compiledQuery;
    if (!SelectQueryNode.is(query))
      throw new Error("Sqlite driver only supports streaming of select queries");
    // A fresh statement: a cached one could be in use by another iteration.
    for (const row of this.sqlite.prepare(text).iterate(parameters)) yield { rows: [row as R] };
  }
}

/** Kysely's: one holder of the single connection at a time, the others wait in turn. */
class ConnectionMutex {
  private promise?: Promise<void>;
  private resolve?: () => void;

  async lock(): Promise<void> {
    while (this.promise) await this.promise;
    this.promise = new Promise((resolve) => (this.resolve = resolve));
  }

  unlock(): void {
    const resolve = this.resolve;
    this.promise = undefined;
    this.resolve = undefined;
    resolve?.();
  }
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
  const { error, results } =
    engineOf(db) === "postgres"
      ? await db.connection().execute(async (conn) => {
          // Held on its own connection while the migrator uses others (engine.ts).
          await sql`SELECT pg_advisory_lock(${sql.lit(SCHEMA_CHANGE_LOCK)})`.execute(conn);
          try {
            return await migrator.migrateToLatest();
          } finally {
            await sql`SELECT pg_advisory_unlock(${sql.lit(SCHEMA_CHANGE_LOCK)})`.execute(conn);
          }
        })
      : await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === "Error");
  if (error) {
    throw new Error(`Migration ${failed?.migrationName ?? "?"} failed: ${String(error)}`);
  }
  return (results ?? []).map((r) => r.migrationName);
}
