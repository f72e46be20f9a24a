import { AsyncLocalStorage } from "node:async_hooks";
import {
  installationLocationFromEnv,
  openReadOnlyDatabase,
  type Database,
} from "../../db/database";
import { isDemo } from "../../db/demo";
import {
  ConsortiumStores,
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
    const ready = openInstallation(installationLocationFromEnv()).then(storesInstallation);
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
  const none = await countNoUsers(installation);
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

/**
 * A read-only handle on a consortium's SQLite file, for a compute-pool worker that reads
 * the data itself (app/utils/compute-pool.server.ts). Opened here, at the seam.
 */
export function openReadOnlyStore(file: string): Database {
  return openReadOnlyDatabase(file);
}
