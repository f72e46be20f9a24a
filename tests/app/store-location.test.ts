// The compute pool's workers open the consortium's store themselves (decision 027): the
// seam tells them where it is, on SQLite (the file) and on PostgreSQL (URL and schema).
import { afterAll, beforeAll, expect, test } from "vitest";
import { loadDemo } from "../../db/demo";
import { openStoreInWorker, storeLocationOf } from "../../app/utils/db.server";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

let testDb: TestDatabase;
const savedUrl = process.env.DATABASE_URL;

beforeAll(async () => {
  testDb = await createTestDatabase();
  await loadDemo(testDb.db);
  // On PostgreSQL the installation's URL is DATABASE_URL; the test database lives there.
  if (process.env.TEST_DATABASE_URL) process.env.DATABASE_URL = process.env.TEST_DATABASE_URL;
});

afterAll(async () => {
  if (savedUrl === undefined) delete process.env.DATABASE_URL;
  else process.env.DATABASE_URL = savedUrl;
  await testDb.cleanup();
});

test("a worker opens the same store and reads the same rows", async () => {
  const location = await storeLocationOf(testDb.db);
  expect(location).not.toBeNull();
  expect(location!.engine).toBe(process.env.TEST_DATABASE_URL ? "postgres" : "sqlite");
  const inWorker = openStoreInWorker(location!);
  const partners = (db: typeof testDb.db) =>
    db.selectFrom("partners").select(["code", "name"]).orderBy("code").execute();
  const expected = await partners(testDb.db);
  expect(expected.length).toBe(12);
  expect(await partners(inWorker)).toEqual(expected);
  // Opened once, then reused.
  expect(openStoreInWorker(location!)).toBe(inWorker);
});
