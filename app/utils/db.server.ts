import {
  databasePathFromEnv,
  migrateToLatest,
  openDatabase,
  type Database,
} from "../../db/database";

// One database connection per process, opened on first use and migrated once.
// Kept on globalThis so that dev rebuilds, which re-import the server build, reuse it.
interface DbState {
  db: Database;
  ready: Promise<Database>;
}

const STATE_KEY = Symbol.for("verbundkauf.db");
type GlobalWithDb = typeof globalThis & { [STATE_KEY]?: DbState };
const store = globalThis as GlobalWithDb;

export function getDb(): Promise<Database> {
  if (!store[STATE_KEY]) {
    const { db } = openDatabase(databasePathFromEnv());
    const ready = migrateToLatest(db).then(() => db);
    // A failed migration must not be cached: the next request tries again.
    ready.catch(() => {
      if (store[STATE_KEY]?.db === db) delete store[STATE_KEY];
    });
    store[STATE_KEY] = { db, ready };
  }
  return store[STATE_KEY].ready;
}

/** Points the app at a test database (already migrated); pass undefined to forget it. */
export function setDbForTests(db: Database | undefined): void {
  if (db) store[STATE_KEY] = { db, ready: Promise.resolve(db) };
  else delete store[STATE_KEY];
}
