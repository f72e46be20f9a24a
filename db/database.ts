import fs from "node:fs";
import path from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, Migrator, SqliteDialect, type MigrationProvider } from "kysely";
import type { DB } from "./schema";
import { migrations } from "./migrations";

export type Database = Kysely<DB>;

export interface OpenedDatabase {
  db: Database;
  sqlite: SQLite.Database;
}

export function databasePathFromEnv(): string {
  return process.env.DATABASE_PATH || path.resolve("data", "verbundkauf.db");
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
export function openDatabase(file: string = databasePathFromEnv()): OpenedDatabase {
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
  return { db, sqlite };
}

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** Runs all pending migrations in order; throws with the failing migration's name. */
export async function migrateToLatest(db: Database): Promise<string[]> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === "Error");
  if (error) {
    throw new Error(`Migration ${failed?.migrationName ?? "?"} failed: ${String(error)}`);
  }
  return (results ?? []).map((r) => r.migrationName);
}
