import { AsyncLocalStorage } from "node:async_hooks";
import { sql } from "kysely";
import {
  installationLocationFromEnv,
  openPostgres,
  openReadOnlyDatabase,
  postgresSchemaOf,
  type Database,
} from "../../db/database";
import { engineOf, isPostgresUrl } from "../../db/engine";
import { DEMO_USERS, isDemo } from "../../db/demo";
import {
  ConsortiumStores,
  directoryHasEntries,
  FIRST_CONSORTIUM,
  openInstallation,
  registerConsortium,
  type Consortium,
} from "../../db/registry";

// The one seam between the app and its data (docs/decisions/022-tenancy-per-consortium-database.md).
// Every request runs inside a request context that names the consortium of its session
// cookie (set once by the server, scripts/server.ts, before Remix sees the request);
// getDb() answers with that consortium's database and nothing else. There is no default
// consortium: without a signed-in consortium getDb() throws. Pages that work before
// sign-in (login, setup, health) use the installation-wide functions below instead.

/** What the app needs from the installation: its consortia and their stores. */
export interface Installation {
  consortia(): Promise<Consortium[]>;
  /** The consortium's database; throws for an unknown code. */
  database(code: string): Promise<Database>;
  /** Where the sign-in throttle lives: it must work before the consortium is known. */
  throttleDatabase(): Promise<Database>;
  /** Registers a consortium (for /setup on an empty installation). */
  createConsortium(code: string, name: string): Promise<void>;
  /** A cheap round trip for /healthz. */
  ping(): Promise<void>;
  /** Closes every database of the installation (files, PostgreSQL pools). */
  close?(): Promise<void>;
  /**
   * The user directory (registry r002): which consortium holds an email, so that sign-in
   * opens one store. Absent in single-database test installations (they ask their one store).
   */
  directory?: UserDirectory;
}

export interface UserDirectory {
  /** undefined: no consortium holds the email; null: several do (nobody signs in). */
  consortiumOf(email: string): Promise<string | null | undefined>;
  /** Claims the email for the consortium; false when another consortium holds it. */
  claim(code: string, email: string): Promise<boolean>;
  /** Whether any user exists anywhere (the directory has an entry). */
  hasEntries(): Promise<boolean>;
}

/**
 * The real installation: registry at DATABASE_PATH, consortium files beside it; or with
 * DATABASE_URL, registry and consortia as schemas of that PostgreSQL database.
 */
export function storesInstallation(stores: ConsortiumStores): Installation {
  return {
    consortia: () => stores.consortia(),
    database: (code) => stores.database(code),
    // The registry's login_throttle table has the shape db/throttle.ts expects; that module
    // touches no other table.
    throttleDatabase: async () => stores.registry as unknown as Database,
    createConsortium: async (code, name) => {
      await registerConsortium(stores.registry, code, name);
    },
    ping: async () => {
      await stores.registry.selectFrom("consortia").select("code").limit(1).execute();
    },
    close: () => stores.destroy(),
    directory: {
      consortiumOf: (email) => stores.consortiumOfEmail(email),
      claim: (code, email) => stores.claimEmail(code, email),
      hasEntries: () => directoryHasEntries(stores.registry),
    },
  };
}

interface InstallationState {
  installation: Installation;
  ready: Promise<Installation>;
}

const STATE_KEY = Symbol.for("verbundkauf.installation");
const CONTEXT_KEY = Symbol.for("verbundkauf.requestContext");
interface RequestContext {
  consortium: string | undefined;
}
type GlobalWithState = typeof globalThis & {
  [STATE_KEY]?: InstallationState | { ready: Promise<Installation> };
  [CONTEXT_KEY]?: AsyncLocalStorage<RequestContext>;
};
const store = globalThis as GlobalWithState;
// On globalThis so that dev rebuilds, which re-import the server build, reuse them.
const requestContext: AsyncLocalStorage<RequestContext> = (store[CONTEXT_KEY] ??=
  new AsyncLocalStorage<RequestContext>());

/** The installation of this process, opened (and migrated) on first use. */
export function getInstallation(): Promise<Installation> {
  if (!store[STATE_KEY]) {
    // Entering every consortium's users into the directory once per process start keeps
    // sign-in right for users written by other means (e.g. a restored consortium file).
    const ready = openInstallation(installationLocationFromEnv()).then(async (stores) => {
      await stores.syncUserDirectory();
      return storesInstallation(stores);
    });
    // A failed open must not be cached: the next request tries again.
    ready.catch(() => {
      if (store[STATE_KEY]?.ready === ready) delete store[STATE_KEY];
    });
    store[STATE_KEY] = { ready };
  }
  return store[STATE_KEY].ready;
}

/** Runs `fn` as one request of `consortium` (undefined: nobody signed in). */
export function runInConsortium<T>(consortium: string | undefined, fn: () => T): T {
  return requestContext.run({ consortium }, fn);
}

/** The consortium of the current request, or undefined (signed out, or outside a request). */
export function currentConsortium(): string | undefined {
  return requestContext.getStore()?.consortium;
}

export class NoConsortiumError extends Error {
  constructor() {
    super("Kein Verbund in diesem Zusammenhang: getDb() braucht eine angemeldete Anfrage.");
  }
}

/** The database of the signed-in request's consortium. Throws outside of one. */
export async function getDb(): Promise<Database> {
  const consortium = currentConsortium();
  if (!consortium) throw new NoConsortiumError();
  return (await getInstallation()).database(consortium);
}

// Installations known to have a user. Users are never deleted (only deactivated), so
// once true this stays true: the sign-in page and every signed-out request asked each
// consortium again (decision 027, second round).
const hasUsers = new WeakSet<Installation>();

/** True while no consortium has any user yet (a fresh installation goes to /setup). */
export async function installationHasNoUsers(): Promise<boolean> {
  const installation = await getInstallation();
  if (hasUsers.has(installation)) return false;
  // Users are never deleted: an entry in the directory settles it without opening a store.
  const none = !(await installation.directory?.hasEntries()) && (await countNoUsers(installation));
  if (!none) hasUsers.add(installation);
  return none;
}

async function countNoUsers(installation: Installation): Promise<boolean> {
  for (const consortium of await installation.consortia()) {
    const db = await installation.database(consortium.code);
    const row = await db
      .selectFrom("users")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    if (Number(row.n) > 0) return false;
  }
  return true;
}

/** True when some consortium holds the demo (the sign-in page then shows its accounts). */
export async function installationHasDemo(): Promise<boolean> {
  const installation = await getInstallation();
  if (installation.directory) {
    // Only the consortium holding the demo's first account can hold the demo.
    const code = await installation.directory.consortiumOf(DEMO_USERS[0].email);
    return typeof code === "string" && isDemo(await installation.database(code));
  }
  for (const consortium of await installation.consortia()) {
    if (await isDemo(await installation.database(consortium.code))) return true;
  }
  return false;
}

/** The consortium a fresh installation's /setup creates. */
export async function ensureFirstConsortium(): Promise<string> {
  const installation = await getInstallation();
  const existing = await installation.consortia();
  if (existing.length === 0)
    await installation.createConsortium(FIRST_CONSORTIUM.code, FIRST_CONSORTIUM.name);
  return existing[0]?.code ?? FIRST_CONSORTIUM.code;
}

/** Points the app at a test installation; pass undefined to forget it. */
export function setInstallationForTests(installation: Installation | undefined): void {
  if (installation) store[STATE_KEY] = { ready: Promise.resolve(installation) };
  else delete store[STATE_KEY];
}

/**
 * Points the app at one test database (already migrated) as consortium KC, which also
 * holds the sign-in throttle; pass undefined to forget it.
 */
export function setDbForTests(
  db: Database | undefined,
  code: string = FIRST_CONSORTIUM.code,
): void {
  if (!db) return setInstallationForTests(undefined);
  const consortium: Consortium = { code, name: FIRST_CONSORTIUM.name, createdAt: "" };
  setInstallationForTests({
    consortia: async () => [consortium],
    database: async (asked) => {
      if (asked !== code) throw new Error(`Unbekannter Verbund „${asked}“.`);
      return db;
    },
    throttleDatabase: async () => db,
    createConsortium: async () => {},
    ping: async () => {
      await db.selectFrom("users").select("id").limit(1).execute();
    },
  });
}

// ---- the same store, opened by a compute-pool worker (docs/decisions/027) ----

/** Where a worker thread can open a consortium's store itself. */
export type StoreLocation =
  { engine: "sqlite"; file: string } | { engine: "postgres"; url: string; schema: string };

const LOCATION_KEY = Symbol.for("verbundkauf.storeLocation");
type GlobalWithLocations = typeof globalThis & {
  [LOCATION_KEY]?: WeakMap<object, StoreLocation | null>;
};
const locations = ((globalThis as GlobalWithLocations)[LOCATION_KEY] ??= new WeakMap());

/**
 * Where the store behind `db` is, for a worker: the SQLite file, or the installation's
 * PostgreSQL URL (DATABASE_URL) and the handle's schema. Null when a worker cannot open
 * it (an in-memory database, a PostgreSQL handle not from DATABASE_URL): the caller then
 * does the work in this thread.
 */
export async function storeLocationOf(db: Database): Promise<StoreLocation | null> {
  if (locations.has(db)) return locations.get(db)!;
  let location: StoreLocation | null = null;
  try {
    if (engineOf(db) === "postgres") {
      const url = process.env.DATABASE_URL;
      if (isPostgresUrl(url))
        location = { engine: "postgres", url, schema: await postgresSchemaOf(db) };
    } else {
      const { rows } = await sql<{ file: string }>`
        SELECT file FROM pragma_database_list WHERE name = 'main'`.execute(db);
      if (rows[0]?.file) location = { engine: "sqlite", file: rows[0].file };
    }
  } catch {
    location = null;
  }
  locations.set(db, location);
  return location;
}

const MAX_OPEN_IN_WORKER = 4;
const openedInWorker = new Map<string, Database>();

/**
 * The store at `location`, opened by a worker (read-only on SQLite; a pool of two
 * connections on PostgreSQL) and kept open for later tasks, at most four at a time.
 */
export function openStoreInWorker(location: StoreLocation): Database {
  const key =
    location.engine === "sqlite"
      ? `sqlite:${location.file}`
      : `pg:${location.url}#${location.schema}`;
  const known = openedInWorker.get(key);
  if (known) {
    openedInWorker.delete(key);
    openedInWorker.set(key, known);
    return known;
  }
  let db: Database;
  if (location.engine === "sqlite") {
    db = openReadOnlyDatabase(location.file);
  } else {
    db = openPostgres(location.url, location.schema, { max: 2 }).db;
  }
  openedInWorker.set(key, db);
  if (openedInWorker.size > MAX_OPEN_IN_WORKER) {
    const oldest = openedInWorker.keys().next().value!;
    void openedInWorker.get(oldest)!.destroy();
    openedInWorker.delete(oldest);
  }
  return db;
}
