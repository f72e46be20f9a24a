import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type SQLite from "better-sqlite3";
import pg from "pg";
import { SCHEMA_CHANGE_LOCK } from "../../db/engine";
import {
  openDatabase,
  openPostgres,
  migrateToLatest,
  type OpenedDatabase,
} from "../../db/database";

/** The PostgreSQL cluster the tests run against, or undefined: the tests run on SQLite. */
export const TEST_DATABASE_URL: string | undefined = process.env.TEST_DATABASE_URL || undefined;

export interface TestDatabase extends OpenedDatabase {
  /**
   * A path in a temporary folder of this test database's own. On SQLite the database
   * file itself; on PostgreSQL nothing is there, but files kept "beside the database"
   * (pending uploads) still have a private folder.
   */
  file: string;
  /** SQLite only: tests that use it are skipped on PostgreSQL (describe.skipIf). */
  sqlite: SQLite.Database;
  /** PostgreSQL only: the test's schema (`t_<random>`). */
  schema?: string;
  cleanup: () => Promise<void>;
}

/** A second connection to the same test database, on its engine (a "restart"); close() it. */
export function reopenTestDatabase(testDb: TestDatabase): OpenedDatabase {
  if (testDb.schema && TEST_DATABASE_URL) return openPostgres(TEST_DATABASE_URL, testDb.schema);
  return openDatabase(testDb.file);
}

/** How many rows `table` holds (Kysely, so on either engine). */
export async function rowCount(db: OpenedDatabase["db"], table: string): Promise<number> {
  const row = await db
    .selectFrom(table as "users")
    .select((eb) => eb.fn.countAll<number | string>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Deletes every row of `table` (Kysely, so on either engine). */
export async function emptyTable(db: OpenedDatabase["db"], table: string): Promise<void> {
  await db.deleteFrom(table as "users").execute();
}

/** Runs one statement on the test cluster outside any schema (CREATE/DROP SCHEMA …). */
export async function adminQuery(url: string, text: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

/**
 * A freshly migrated database of its own, for one test file (or one test): a SQLite
 * file, or with TEST_DATABASE_URL a fresh PostgreSQL schema `t_<random>` (dropped on
 * cleanup, with everything in it).
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "verbundkauf-test-"));
  const file = path.join(dir, "test.db");
  if (!TEST_DATABASE_URL) {
    const opened = openDatabase(file);
    await migrateToLatest(opened.db);
    return {
      ...opened,
      file,
      cleanup: async () => {
        await opened.close();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const url = TEST_DATABASE_URL;
  const schema = `t_${crypto.randomBytes(6).toString("hex")}`;
  const opened = openPostgres(url, schema);
  const cleanup = async () => {
    await opened.close();
    // Under the lock migrateToLatest holds: another file's migration must not see it half-dropped.
    await adminQuery(
      url,
      `SELECT pg_advisory_lock(${SCHEMA_CHANGE_LOCK}); DROP SCHEMA IF EXISTS ${schema} CASCADE`,
    );
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await migrateToLatest(opened.db);
  } catch (error) {
    await cleanup();
    throw error;
  }
  const testDatabase = {
    db: opened.db,
    engine: opened.engine,
    close: opened.close,
    file,
    schema,
    cleanup,
  } as TestDatabase;
  // Not enumerable, so that spreading the object does not trip it.
  Object.defineProperty(testDatabase, "sqlite", {
    enumerable: false,
    get(): SQLite.Database {
      throw new Error(
        "This test inspects SQLite itself: mark it describe.skipIf(process.env.TEST_DATABASE_URL)",
      );
    },
  });
  return testDatabase;
}

export interface TestPostgresDatabase {
  /** The URL of the fresh database (same cluster and user as TEST_DATABASE_URL). */
  url: string;
  name: string;
  /** Drops the database (ending any connection still open to it). */
  drop: () => Promise<void>;
}

/**
 * A fresh PostgreSQL database `vk_<random>` on the test cluster, for what needs a whole
 * database of its own (an installation: registry schema plus consortium schemas, or an
 * app server's DATABASE_URL).
 */
export async function createTestPostgresDatabase(
  baseUrl: string = TEST_DATABASE_URL ?? "",
): Promise<TestPostgresDatabase> {
  if (!baseUrl) throw new Error("TEST_DATABASE_URL is not set");
  const name = `vk_${crypto.randomBytes(6).toString("hex")}`;
  await adminQuery(baseUrl, `CREATE DATABASE ${name}`);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => adminQuery(baseUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).then(() => {}),
  };
}

/**
 * For a test file that needs several databases: each call of the returned function makes
 * a new one; all are cleaned up after the file.
 */
export function freshDatabases(): () => Promise<TestDatabase> {
  const made: TestDatabase[] = [];
  afterAll(async () => {
    for (const t of made) await t.cleanup();
  });
  return async () => {
    const t = await createTestDatabase();
    made.push(t);
    return t;
  };
}
