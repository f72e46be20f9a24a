// The engine-result cache of the summary: reused while nothing was written, recomputed
// after any write (this connection's or another's), computed once for parallel views.
import {
  cachedByDataVersion,
  clearDataVersionCache,
  dataVersion,
} from "../../app/utils/data-version-cache.server";
import { sql } from "kysely";
import type { Database } from "../../db/database";
import { loadDemo } from "../../db/demo";
import { loadCurrentTender } from "../../app/components/summary-data.server";
import {
  createTestDatabase,
  reopenTestDatabase,
  type TestDatabase,
} from "../helpers/test-database";

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase();
  await loadDemo(testDb.db);
});
afterAll(() => testDb.cleanup());
beforeEach(() => clearDataVersionCache());

/** A write through `db` (this connection or another), on either engine. */
const oneMoreDevice = (db: Database) =>
  sql`UPDATE demand_lines SET quantity = quantity + 1 WHERE partner_code = 'COE'`.execute(db);

test("reuses the value until this connection or another one writes", async () => {
  let computed = 0;
  const compute = async () => ++computed;
  expect(await cachedByDataVersion(testDb.db, "k", compute)).toBe(1);
  expect(await cachedByDataVersion(testDb.db, "k", compute)).toBe(1);

  await oneMoreDevice(testDb.db);
  expect(await cachedByDataVersion(testDb.db, "k", compute)).toBe(2);

  const other = reopenTestDatabase(testDb);
  try {
    await oneMoreDevice(other.db);
  } finally {
    await other.close();
  }
  expect(await cachedByDataVersion(testDb.db, "k", compute)).toBe(3);
  expect(await cachedByDataVersion(testDb.db, "k", compute)).toBe(3);
});

test("computes once for parallel callers, and forgets a failure", async () => {
  let computed = 0;
  const slow = () => new Promise<number>((resolve) => setTimeout(() => resolve(++computed), 20));
  expect(await Promise.all([1, 2, 3].map(() => cachedByDataVersion(testDb.db, "p", slow)))).toEqual(
    [1, 1, 1],
  );
  await expect(
    cachedByDataVersion(testDb.db, "f", () => Promise.reject(new Error("boom"))),
  ).rejects.toThrow("boom");
  expect(await cachedByDataVersion(testDb.db, "f", async () => "again")).toBe("again");
});

test("the summary's figures follow a demand change", async () => {
  const before = await loadCurrentTender(testDb.db, "RV-2027");
  expect(await loadCurrentTender(testDb.db, "RV-2027")).toBe(before); // the same object: cached
  const versionBefore = await dataVersion(testDb.db);
  await sql`UPDATE demand_lines SET quantity = quantity + 100 WHERE partner_code = 'DUE'`.execute(
    testDb.db,
  );
  expect(await dataVersion(testDb.db)).not.toBe(versionBefore);
  const after = await loadCurrentTender(testDb.db, "RV-2027");
  expect(after).not.toBe(before);
  expect(JSON.stringify(after, (_k, v) => (typeof v === "bigint" ? v.toString() : v))).not.toBe(
    JSON.stringify(before, (_k, v) => (typeof v === "bigint" ? v.toString() : v)),
  );
});
