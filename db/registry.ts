import fs from "node:fs";
import path from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type Migration } from "kysely";
import {
  createPostgresPool,
  ensurePostgresSchema,
  migrateToLatest,
  openDatabase,
  openPostgres,
  type Database,
} from "./database";
import { consortiumSchema, isPostgresUrl, REGISTRY_SCHEMA, type Engine } from "./engine";
import type { LoginThrottleTable } from "./throttle";

// The installation: a small registry database (the consortia, and the sign-in throttle,
// which must work before anyone's consortium is known) beside one SQLite file per
// consortium (`<dir of DATABASE_PATH>/consortia/<CODE>.db`). Everything a consortium owns
// (partners, schools, demand, tenders, snapshots, settings, audit, users, sessions) lives
// in its own file, so codes are unique per consortium by construction and no query can
// reach another consortium's rows. See docs/decisions/022-tenancy-per-consortium-database.md.
// On PostgreSQL (a `postgres://` location, DATABASE_URL) the same with schemas in one
// database: the registry in schema `verbundkauf_registry`, each consortium in schema
// `consortium_<code lowercased>` with a small pool of its own (docs/decisions/024-…).

export interface ConsortiaTable {
  code: string;
  name: string;
  created_at: string;
}

/** Which consortium holds an email (r002): sign-in opens only that consortium's store. */
export interface UserDirectoryTable {
  email_lower: string;
  /** null: the email stands in more than one consortium (from before r002): nobody signs in with it. */
  consortium_code: string | null;
}

export interface RegistryDB {
  consortia: ConsortiaTable;
  login_throttle: LoginThrottleTable;
  user_directory: UserDirectoryTable;
}

export type Registry = Kysely<RegistryDB>;

export interface Consortium {
  code: string;
  name: string;
  createdAt: string;
}

/** The demo consortium, and what an existing single-file installation becomes. */
export const FIRST_CONSORTIUM = { code: "KC", name: "Kreis Coesfeld" } as const;

/** 2–10 capitals or digits, starting with a capital: safe as a file name on every system. */
export const CONSORTIUM_CODE_PATTERN = /^[A-Z][A-Z0-9]{1,9}$/;

export function isConsortiumCode(code: string): boolean {
  return CONSORTIUM_CODE_PATTERN.test(code);
}

export function consortiaDirFor(registryPath: string): string {
  return path.join(path.dirname(path.resolve(registryPath)), "consortia");
}

export function consortiumFileFor(registryPath: string, code: string): string {
  if (!isConsortiumCode(code)) throw new Error(`Ungültiges Verbundkürzel „${code}“.`);
  return path.join(consortiaDirFor(registryPath), `${code}.db`);
}

/** The registry's migrations; `location` (file or URL) lets r002 read the consortia's users. */
function registryMigrations(location: string): Record<string, Migration> {
  return {
    "r001-consortia": {
      async up(db: Kysely<unknown>) {
        await sql
          .raw(
            `CREATE TABLE consortia (
            code TEXT PRIMARY KEY CHECK (length(code) BETWEEN 2 AND 10),
            name TEXT NOT NULL CHECK (length(trim(name)) > 0),
            created_at TEXT NOT NULL)`,
          )
          .execute(db);
        // Same shape as the consortium files' table (migration 006), which stays unused there.
        await sql
          .raw(
            `CREATE TABLE login_throttle (
            key TEXT PRIMARY KEY,
            failures INTEGER NOT NULL CHECK (failures >= 1),
            last_failure_at TEXT NOT NULL,
            locked_until TEXT)`,
          )
          .execute(db);
      },
    },
    "r002-user-directory": {
      async up(db: Kysely<unknown>) {
        await sql
          .raw(
            `CREATE TABLE user_directory (
            email_lower TEXT PRIMARY KEY,
            consortium_code TEXT REFERENCES consortia (code))`,
          )
          .execute(db);
        // Filled from the consortia that exist (inside the migration's transaction).
        await fillUserDirectory(location, db as Registry);
      },
    },
  };
}

function tableNames(sqlite: SQLite.Database): Set<string> {
  const rows = sqlite
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
    .pluck()
    .all() as string[];
  return new Set(rows);
}

/**
 * An installation from before consortia kept everything in the one DATABASE_PATH file.
 * Such a file (it has a users table and no consortia table) is moved, unchanged, to
 * `consortia/KC.db`; the caller then creates the registry in its place and registers KC.
 * Returns true when a file was moved.
 */
export function adoptSingleFileInstallation(registryPath: string): boolean {
  if (!fs.existsSync(registryPath)) return false;
  const sqlite = new SQLite(registryPath);
  let legacy: boolean;
  try {
    const tables = tableNames(sqlite);
    legacy = tables.has("users") && !tables.has("consortia");
    // Folds the write-ahead log into the file, so that the file alone holds everything.
    if (legacy) sqlite.pragma("wal_checkpoint(TRUNCATE)");
  } finally {
    sqlite.close();
  }
  if (!legacy) return false;
  const target = consortiumFileFor(registryPath, FIRST_CONSORTIUM.code);
  if (fs.existsSync(target)) {
    throw new Error(
      `${registryPath} ist eine Datenbank ohne Verbünde, aber ${target} gibt es schon: bitte prüfen.`,
    );
  }
  fs.mkdirSync(path.dirname(target), { recursive: true });
  try {
    fs.renameSync(registryPath, target);
  } catch (error) {
    // Another process starting at the same moment moved it first.
    if ((error as NodeJS.ErrnoException).code === "ENOENT" && fs.existsSync(target)) return false;
    throw error;
  }
  for (const suffix of ["-wal", "-shm"]) {
    if (fs.existsSync(registryPath + suffix)) fs.renameSync(registryPath + suffix, target + suffix);
  }
  return true;
}

export interface OpenedRegistry {
  registry: Registry;
  engine: Engine;
  /** SQLite only. */
  sqlite?: SQLite.Database;
}

async function migrateRegistry(
  location: string,
  registry: Registry,
  migrationTableSchema?: string,
): Promise<void> {
  const migrator = new Migrator({
    db: registry,
    provider: { getMigrations: async () => registryMigrations(location) },
    migrationTableSchema,
  });
  const { error } = await migrator.migrateToLatest();
  if (error) throw new Error(`Migration der Registry fehlgeschlagen: ${String(error)}`);
}

/** The registry on PostgreSQL: schema verbundkauf_registry, created and migrated. */
export async function openPostgresRegistry(url: string): Promise<OpenedRegistry> {
  const pool = createPostgresPool(url, REGISTRY_SCHEMA);
  const registry = new Kysely<RegistryDB>({ dialect: new PostgresDialect({ pool }) });
  try {
    await ensurePostgresSchema(registry, REGISTRY_SCHEMA);
    await migrateRegistry(url, registry, REGISTRY_SCHEMA);
  } catch (error) {
    await registry.destroy();
    throw error;
  }
  return { registry, engine: "postgres" };
}

/** Opens the registry (adopting a single-file installation first) and migrates it. */
export async function openRegistry(registryPath: string): Promise<OpenedRegistry> {
  const adopted = registryPath !== ":memory:" && adoptSingleFileInstallation(registryPath);
  if (registryPath !== ":memory:")
    fs.mkdirSync(path.dirname(path.resolve(registryPath)), { recursive: true });
  const sqlite = new SQLite(registryPath);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = FULL");
  sqlite.pragma("busy_timeout = 5000");
  const registry = new Kysely<RegistryDB>({ dialect: new SqliteDialect({ database: sqlite }) });
  await migrateRegistry(registryPath, registry);
  if (adopted && !(await getConsortium(registry, FIRST_CONSORTIUM.code))) {
    await registerConsortium(registry, FIRST_CONSORTIUM.code, FIRST_CONSORTIUM.name);
    await fillUserDirectory(registryPath, registry, [FIRST_CONSORTIUM.code]);
  }
  return { registry, engine: "sqlite", sqlite };
}

export async function listConsortia(registry: Registry): Promise<Consortium[]> {
  const rows = await registry.selectFrom("consortia").selectAll().orderBy("code").execute();
  return rows.map((r) => ({ code: r.code, name: r.name, createdAt: r.created_at }));
}

export async function getConsortium(
  registry: Registry,
  code: string,
): Promise<Consortium | undefined> {
  const row = await registry
    .selectFrom("consortia")
    .selectAll()
    .where("code", "=", code)
    .executeTakeFirst();
  return row && { code: row.code, name: row.name, createdAt: row.created_at };
}

/** Adds the consortium to the registry (its file is created when it is first opened). */
export async function registerConsortium(
  registry: Registry,
  code: string,
  name: string,
): Promise<Consortium> {
  if (!isConsortiumCode(code))
    throw new Error(
      `Ungültiges Verbundkürzel „${code}“: 2 bis 10 Großbuchstaben oder Ziffern, vorn ein Buchstabe.`,
    );
  if (name.trim() === "") throw new Error("Der Verbund braucht einen Namen.");
  if (await getConsortium(registry, code)) throw new Error(`Den Verbund ${code} gibt es schon.`);
  const createdAt = new Date().toISOString();
  await registry
    .insertInto("consortia")
    .values({ code, name: name.trim(), created_at: createdAt })
    .execute();
  return { code, name: name.trim(), createdAt };
}

// The user directory (r002): which consortium holds which email, so that sign-in opens
// one consortium's store instead of asking every one (docs/decisions/028-…). Emails are
// unique across the installation; every place that creates a user claims its email here
// (scripts/admin.ts, /setup, /admin/users, the demo through syncUserDirectory).

function lowerEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** The consortium holding `email`: undefined when none, null when several (nobody signs in). */
export async function consortiumOfEmail(
  registry: Registry,
  email: string,
): Promise<string | null | undefined> {
  const row = await registry
    .selectFrom("user_directory")
    .select("consortium_code")
    .where("email_lower", "=", lowerEmail(email))
    .executeTakeFirst();
  return row ? row.consortium_code : undefined;
}

/**
 * Records that consortium `code` holds `email`. False when another consortium holds it
 * already (the caller refuses the user); true when it is (now) this consortium's.
 */
export async function claimEmail(
  registry: Registry,
  code: string,
  email: string,
): Promise<boolean> {
  await registry
    .insertInto("user_directory")
    .values({ email_lower: lowerEmail(email), consortium_code: code })
    .onConflict((oc) => oc.column("email_lower").doNothing())
    .execute();
  return (await consortiumOfEmail(registry, email)) === code;
}

/** Whether the directory has any entry (then some consortium has a user). */
export async function directoryHasEntries(registry: Registry): Promise<boolean> {
  const row = await registry
    .selectFrom("user_directory")
    .select("email_lower")
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** The lower-cased emails of a consortium's users, read without opening its store (null: no users table yet). */
async function consortiumEmails(
  location: string,
  registry: Registry,
  code: string,
): Promise<string[] | null> {
  if (isPostgresUrl(location)) {
    const schema = consortiumSchema(code);
    const { rows } = await sql<{
      found: string | null;
    }>`SELECT to_regclass(${`${schema}.users`})::text AS found`.execute(registry);
    if (!rows[0]?.found) return null;
    const users = await sql<{
      e: string;
    }>`SELECT lower(email) AS e FROM ${sql.id(schema, "users")}`.execute(registry);
    return users.rows.map((r) => r.e);
  }
  const file = consortiumFileFor(location, code);
  if (!fs.existsSync(file)) return null;
  const sqlite = new SQLite(file, { fileMustExist: true });
  try {
    if (!tableNames(sqlite).has("users")) return null;
    return sqlite.prepare("SELECT lower(email) FROM users").pluck().all() as string[];
  } finally {
    sqlite.close();
  }
}

/**
 * Enters the users of the consortia `codes` (default: all) into the directory. An email
 * another consortium holds as well becomes ambiguous (null): nobody signs in with it, as
 * before the directory. Users are never deleted, so nothing is removed.
 */
export async function fillUserDirectory(
  location: string,
  registry: Registry,
  codes?: readonly string[],
): Promise<void> {
  const wanted = codes ?? (await listConsortia(registry)).map((c) => c.code);
  for (const code of wanted) {
    const emails = await consortiumEmails(location, registry, code);
    if (!emails) continue;
    for (let i = 0; i < emails.length; i += 500) {
      const rows = emails.slice(i, i + 500).map((e) => ({ email_lower: e, consortium_code: code }));
      await registry
        .insertInto("user_directory")
        .values(rows)
        .onConflict((oc) =>
          oc
            .column("email_lower")
            .doUpdateSet({ consortium_code: null })
            .where(
              sql<boolean>`user_directory.consortium_code IS DISTINCT FROM excluded.consortium_code`,
            ),
        )
        .execute();
    }
  }
}

/**
 * The installation's consortium databases (SQLite files, or PostgreSQL schemas), each
 * opened and migrated once and kept open. Only this class (and the test helpers) opens
 * a consortium's database.
 */
export class ConsortiumStores {
  private readonly open = new Map<string, Promise<Database>>();
  private readonly applied = new Map<string, string[]>();
  readonly engine: Engine;

  /** `registryPath`: the registry's SQLite file, or the PostgreSQL URL. */
  constructor(
    readonly registryPath: string,
    readonly registry: Registry,
  ) {
    this.engine = isPostgresUrl(registryPath) ? "postgres" : "sqlite";
  }

  /** Opens (creating and migrating) the consortium's database; the caller closes it. */
  private async openStore(code: string): Promise<Database> {
    if (this.engine === "postgres") {
      const { db } = openPostgres(this.registryPath, consortiumSchema(code));
      try {
        this.applied.set(code, await migrateToLatest(db));
      } catch (error) {
        await db.destroy();
        throw error;
      }
      return db;
    }
    const { db } = openDatabase(consortiumFileFor(this.registryPath, code));
    this.applied.set(code, await migrateToLatest(db));
    return db;
  }

  /** The consortium's database; throws for a code the registry does not know. */
  async database(code: string): Promise<Database> {
    let opened = this.open.get(code);
    if (!opened) {
      opened = (async () => {
        if (!(await getConsortium(this.registry, code)))
          throw new Error(`Unbekannter Verbund „${code}“.`);
        return this.openStore(code);
      })();
      this.open.set(code, opened);
      opened.catch(() => {
        if (this.open.get(code) === opened) this.open.delete(code);
      });
    }
    return opened;
  }

  async consortia(): Promise<Consortium[]> {
    return listConsortia(this.registry);
  }

  /** The migrations this object applied when it opened the consortium's database. */
  migrationsApplied(code: string): readonly string[] {
    return this.applied.get(code) ?? [];
  }

  /** Closes the consortium's database if it is open (the next database() opens it again). */
  async release(code: string): Promise<void> {
    const opened = this.open.get(code);
    if (!opened) return;
    this.open.delete(code);
    try {
      await (await opened).destroy();
    } catch {
      // A store that never opened has nothing to close.
    }
  }

  /** The consortium holding `email` (see consortiumOfEmail); opens no consortium store. */
  consortiumOfEmail(email: string): Promise<string | null | undefined> {
    return consortiumOfEmail(this.registry, email);
  }

  /** Claims `email` for consortium `code` (false: another consortium holds it). */
  claimEmail(code: string, email: string): Promise<boolean> {
    return claimEmail(this.registry, code, email);
  }

  /** Enters the users of the consortia `codes` (default: all) into the directory. */
  syncUserDirectory(codes?: readonly string[]): Promise<void> {
    return fillUserDirectory(this.registryPath, this.registry, codes);
  }

  async destroy(): Promise<void> {
    for (const opened of this.open.values()) {
      try {
        await (await opened).destroy();
      } catch {
        // A store that never opened has nothing to close.
      }
    }
    this.open.clear();
    await this.registry.destroy();
  }
}

/**
 * Opens the installation at `location` (installationLocationFromEnv(): a registry file
 * for SQLite, or a `postgres://` URL) and returns the stores of its consortia. Adopting a
 * single-file installation (adoptSingleFileInstallation) is a SQLite matter only.
 */
export async function openInstallation(location: string): Promise<ConsortiumStores> {
  const { registry } = isPostgresUrl(location)
    ? await openPostgresRegistry(location)
    : await openRegistry(location);
  return new ConsortiumStores(location, registry);
}
