import { setTimeout as sleep } from "node:timers/promises";
import { sql } from "kysely";
import { openPostgres, type OpenedPostgresDatabase } from "../../db/database";
import type { Database } from "../../db/database";
import { immediateTransaction } from "../../db/transaction";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";
import { insertCallOff, seedAwardedLot, type AnyDb } from "./engine-seed";

// Two pools on one consortium schema stand for two app processes on one PostgreSQL
// (separate connections, no shared memory). SQLite's counterpart runs real processes:
// tests/db/call-offs-processes.test.ts (one process cannot hold two SQLite connections
// waiting for each other: better-sqlite3 blocks the thread while it waits).
const url = process.env.TEST_DATABASE_URL;

describe.runIf(url)("PostgreSQL: writers of one consortium in two pools", () => {
  let t: TestDatabase;
  let other: OpenedPostgresDatabase;
  beforeEach(async () => {
    t = await createTestDatabase();
    other = openPostgres(url!, t.schema!);
  });
  afterEach(async () => {
    await other.close();
    await t.cleanup();
  });

  const attempts = (n: number, attempt: (db: Database, i: number) => Promise<unknown>) =>
    Promise.allSettled(
      Array.from({ length: n }, (_, i) => attempt(i % 2 === 0 ? t.db : other.db, i)),
    );

  test("immediateTransaction serializes a check and the write that depends on it", async () => {
    const slots = 5;
    const results = await attempts(16, (db, i) =>
      immediateTransaction(db, async (conn) => {
        const taken = await conn
          .selectFrom("settings")
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .where("key", "like", "slot%")
          .executeTakeFirstOrThrow();
        await sleep(20); // the window another writer would use
        if (taken.n >= slots) return false;
        await conn
          .insertInto("settings")
          .values({ key: `slot${i}`, value: "x" })
          .execute();
        return true;
      }),
    );
    expect(results.filter((r) => r.status === "rejected")).toEqual([]);
    expect(results.filter((r) => r.status === "fulfilled" && r.value).length).toBe(slots);
    const rows = await t.db.selectFrom("settings").select("key").execute();
    expect(rows.length).toBe(slots);
  });

  test("call-offs checked in immediateTransaction: only the allowed number lands", async () => {
    const awardId = await seedAwardedLot(t.db as unknown as AnyDb, 10);
    const results = await attempts(24, (db) =>
      immediateTransaction(db, async (conn) => {
        const used = await sql<{ n: number }>`
          SELECT coalesce(sum(quantity), 0)::int AS n FROM call_offs WHERE award_id = ${awardId}`.execute(
          conn,
        );
        await sleep(5);
        if (used.rows[0].n + 1 > 10) return "refused";
        await insertCallOff(conn as unknown as AnyDb, awardId, 1);
        return "stored";
      }),
    );
    // The application's check refused the rest: the trigger never had to.
    expect(results.filter((r) => r.status === "rejected")).toEqual([]);
    const stored = results.filter((r) => r.status === "fulfilled" && r.value === "stored");
    expect(stored.length).toBe(10);
    const total = await sql<{ n: number }>`SELECT sum(quantity)::int AS n FROM call_offs`.execute(
      t.db,
    );
    expect(total.rows[0].n).toBe(10);
  });

  test("call-offs without any application check: the trigger holds the maximum", async () => {
    const awardId = await seedAwardedLot(t.db as unknown as AnyDb, 10);
    const results = await attempts(24, (db) => insertCallOff(db as unknown as AnyDb, awardId, 1));
    const refused = results.filter((r) => r.status === "rejected");
    expect(results.length - refused.length).toBe(10);
    for (const r of refused)
      expect(String((r as PromiseRejectedResult).reason)).toContain(
        "Abruf überschreitet die Höchstmenge",
      );
    const total = await sql<{ n: number }>`SELECT sum(quantity)::int AS n FROM call_offs`.execute(
      t.db,
    );
    expect(total.rows[0].n).toBe(10);
  });
});
