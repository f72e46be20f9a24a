import { sql, type Kysely } from "kysely";
import { engineOf } from "../../db/engine";

// A small cache for results computed from the whole database (the engine's figures
// of a tender, the committee summary with its drawn charts), keyed by a data version: `PRAGMA data_version` changes when another
// connection commits, `total_changes()` when this one writes. Any write therefore
// invalidates every entry — coarse, but never stale. The server has one connection
// (app/utils/db.server.ts), and a transaction holds it, so no uncommitted state is read.

const MAX_ENTRIES = 32;

interface Entry {
  version: string;
  value: Promise<unknown>;
}

const STORE_KEY = Symbol.for("verbundkauf.dataVersionCache");
type GlobalWithCache = typeof globalThis & { [STORE_KEY]?: Map<string, Entry> };
const store = globalThis as GlobalWithCache;
// On globalThis, like the database: dev rebuilds re-import this module.
const entries: Map<string, Entry> = (store[STORE_KEY] ??= new Map());

// Each consortium has its own database (docs/decisions/022-tenancy-per-consortium-database.md)
// and two of them can show the same data version: every key therefore starts with the
// identity of the database handle it was computed from, so one consortium's entry can
// never answer another's request.
const STORE_IDS_KEY = Symbol.for("verbundkauf.dataVersionCache.storeIds");
type GlobalWithIds = typeof globalThis & {
  [STORE_IDS_KEY]?: { ids: WeakMap<object, number>; next: number };
};
const storeIds = ((globalThis as GlobalWithIds)[STORE_IDS_KEY] ??= { ids: new WeakMap(), next: 1 });

/** A process-unique name of the database handle (one per consortium store). */
export function storeKey(db: object): string {
  let id = storeIds.ids.get(db);
  if (id === undefined) {
    id = storeIds.next++;
    storeIds.ids.set(db, id);
  }
  return `store${id}`;
}

/**
 * The database's data version as seen from this connection. On PostgreSQL the counter
 * of migration 012 (db/migrations/012-data-version.ts), which every committed write
 * (except to sessions) changes; it is read from the pool, so it is committed state.
 */
export async function dataVersion<Tables>(db: Kysely<Tables>): Promise<string> {
  if (engineOf(db) === "postgres") {
    const { rows } = await sql<{ n: number; xid: number | null }>`
      SELECT n, xid FROM data_version`.execute(db);
    return `pg:${rows[0].n}:${rows[0].xid ?? 0}`;
  }
  const { rows } = await sql<{ version: number; changes: number }>`
    SELECT (SELECT data_version FROM pragma_data_version()) AS version, total_changes() AS changes`.execute(
    db,
  );
  return `${rows[0].version}:${rows[0].changes}`;
}

/**
 * The cached value for `key` if the data has not changed since it was computed;
 * otherwise computes it (once, even for concurrent callers). The value is shared:
 * callers must not mutate it.
 */
export async function cachedByDataVersion<Tables, T>(
  db: Kysely<Tables>,
  key: string,
  compute: () => Promise<T>,
): Promise<T> {
  return remember(`${storeKey(db)}:${key}`, await dataVersion(db), compute);
}

/**
 * For values that can never change (a snapshot's figures): cached by key alone, no
 * database round trip. The key must name the thing exactly (tender, version and its
 * creation time), since no write invalidates it. Shares the size limit with the rest.
 */
export function cachedImmutable<Tables, T>(
  db: Kysely<Tables>,
  key: string,
  compute: () => Promise<T>,
): Promise<T> {
  return remember(`${storeKey(db)}:forever:${key}`, "forever", compute);
}

function remember<T>(key: string, version: string, compute: () => Promise<T>): Promise<T> {
  const hit = entries.get(key);
  // Re-inserted at the end on every use: the map's order is the eviction order (LRU).
  entries.delete(key);
  if (hit && hit.version === version) {
    entries.set(key, hit);
    return hit.value as Promise<T>;
  }
  const value = compute();
  entries.set(key, { version, value });
  if (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value!);
  value.catch(() => {
    if (entries.get(key)?.value === value) entries.delete(key);
  });
  return value;
}

/** For tests: forget everything. */
export function clearDataVersionCache(): void {
  entries.clear();
}
