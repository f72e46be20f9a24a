// The SQLite handle of openDatabase lets the event loop turn between statements and
// keeps its prepared statements (db/database.ts YieldingSqliteDialect; decision 027).
// better-sqlite3 answers at once, so with Kysely's own driver a run of queries resolved
// as one chain of microtasks: a timer, another request or I/O waited for the whole run.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { openDatabase, type OpenedSqliteDatabase } from "../../db/database";

const RUN = 300;

let dir: string;
let opened: OpenedSqliteDatabase[] = [];

function open(options?: Parameters<typeof openDatabase>[1]): OpenedSqliteDatabase {
  const handle = openDatabase(path.join(dir, `t${opened.length}.db`), options);
  opened.push(handle);
  return handle;
}

async function createItems(handle: OpenedSqliteDatabase): Promise<void> {
  await sql`CREATE TABLE items (id INTEGER PRIMARY KEY, label TEXT NOT NULL)`.execute(handle.db);
}

// The tests use an untyped view of the handle: the tables here are not the app's schema.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const untyped = (handle: OpenedSqliteDatabase) => handle.db as any;

/** Runs RUN inserts and selects back to back; whether a timer set at the start fired before the end. */
async function timerFiresDuringRun(handle: OpenedSqliteDatabase): Promise<boolean> {
  const db = untyped(handle);
  let fired = false;
  setTimeout(() => (fired = true), 0);
  let firedBeforeEnd = false;
  for (let i = 0; i < RUN; i++) {
    await db
      .insertInto("items")
      .values({ label: `x${i}` })
      .execute();
    await db.selectFrom("items").select("id").where("id", "=", i).execute();
  }
  firedBeforeEnd = fired;
  return firedBeforeEnd;
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "sqlite-yield-"));
  opened = [];
});
afterEach(async () => {
  for (const handle of opened) await handle.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("openDatabase on SQLite shares the event loop", () => {
  it("lets a timer fire while a long run of queries is under way", async () => {
    const handle = open();
    await createItems(handle);
    expect(await timerFiresDuringRun(handle)).toBe(true);
  });

  it("(control) without yielding, the timer waits for the whole run", async () => {
    const handle = open({ yieldAfterMs: -1, yieldInTransactionAfterMs: -1 });
    await createItems(handle);
    expect(await timerFiresDuringRun(handle)).toBe(false);
  });

  it("with a time budget, yields at least once in a run longer than the budget", async () => {
    const handle = open({ yieldAfterMs: 2 });
    await createItems(handle);
    const started = performance.now();
    const fired = await timerFiresDuringRun(handle);
    // The run is far longer than 2 ms on any machine; a timer set at its start fires.
    expect(performance.now() - started).toBeGreaterThan(2);
    expect(fired).toBe(true);
  });

  it("returns the same rows, ids and counts as before", async () => {
    const handle = open();
    await createItems(handle);
    const db = untyped(handle);
    const inserted = await db.insertInto("items").values({ label: "a" }).executeTakeFirst();
    expect(inserted.insertId).toBe(1n);
    await db
      .insertInto("items")
      .values([{ label: "b" }, { label: "c" }])
      .execute();
    const updated = await db
      .updateTable("items")
      .set({ label: "B" })
      .where("label", "=", "b")
      .executeTakeFirst();
    expect(updated.numUpdatedRows).toBe(1n);
    expect(await db.selectFrom("items").selectAll().orderBy("id").execute()).toEqual([
      { id: 1, label: "a" },
      { id: 2, label: "B" },
      { id: 3, label: "c" },
    ]);
    const returned = await db
      .deleteFrom("items")
      .where("id", "=", 3)
      .returning(["id", "label"])
      .execute();
    expect(returned).toEqual([{ id: 3, label: "c" }]);
    const streamed: unknown[] = [];
    for await (const row of db.selectFrom("items").select("label").orderBy("id").stream())
      streamed.push(row);
    expect(streamed).toEqual([{ label: "a" }, { label: "B" }]);
  });

  it("prepares each statement once and keeps it", async () => {
    const handle = open();
    await createItems(handle);
    const db = untyped(handle);
    const prepare = vi.spyOn(handle.sqlite, "prepare");
    for (let i = 0; i < 20; i++)
      await db.selectFrom("items").select("id").where("id", "=", i).execute();
    expect(prepare).toHaveBeenCalledTimes(1);
    prepare.mockRestore();
  });

  it("sees a changed table through a statement prepared before the change", async () => {
    const handle = open();
    await createItems(handle);
    const db = untyped(handle);
    await db.insertInto("items").values({ label: "a" }).execute();
    expect(await db.selectFrom("items").selectAll().execute()).toEqual([{ id: 1, label: "a" }]);
    await sql`ALTER TABLE items ADD COLUMN note TEXT DEFAULT 'n'`.execute(handle.db);
    expect(await db.selectFrom("items").selectAll().execute()).toEqual([
      { id: 1, label: "a", note: "n" },
    ]);
  });

  it("lets a timer fire during a long transaction (after the transaction's budget)", async () => {
    const handle = open({ yieldInTransactionAfterMs: 5 });
    await createItems(handle);
    const db = untyped(handle);
    let fired = false;
    let firedInside = false;
    let insideMs = 0;
    await db.transaction().execute(async (trx: typeof db) => {
      const started = performance.now();
      setTimeout(() => (fired = true), 0);
      for (let i = 0; i < RUN * 3; i++)
        await trx
          .insertInto("items")
          .values({ label: `t${i}` })
          .execute();
      firedInside = fired;
      insideMs = performance.now() - started;
    });
    expect(insideMs).toBeGreaterThan(5);
    expect(firedInside).toBe(true);
  });

  it("runs no other query inside a transaction while the transaction waits for a turn", async () => {
    const handle = open({ yieldInTransactionAfterMs: 0 });
    await createItems(handle);
    const db = untyped(handle);
    const events: string[] = [];
    let outsideSeen: number | undefined;
    let outside: Promise<void> | undefined;
    // Issued while the transaction runs (on a turn of the loop inside it): it must wait
    // for the transaction's end, and neither see its row nor become part of it.
    const runOutside = async () => {
      events.push("outside issued");
      outsideSeen = Number(
        (await db.selectFrom("items").select(db.fn.countAll().as("n")).executeTakeFirst()).n,
      );
      await db.insertInto("items").values({ label: "outside" }).execute();
      events.push("outside written");
    };
    const transaction = db
      .transaction()
      .execute(async (trx: typeof db) => {
        await trx.insertInto("items").values({ label: "inside" }).execute();
        events.push("inside written");
        setImmediate(() => (outside = runOutside()));
        for (let i = 0; i < 50; i++) await trx.selectFrom("items").select("id").execute();
        events.push("inside done");
        throw new Error("roll back");
      })
      .catch((error: Error) => events.push(`transaction: ${error.message}`));
    await transaction;
    await outside;
    expect(events).toEqual([
      "inside written",
      "outside issued",
      "inside done",
      "transaction: roll back",
      "outside written",
    ]);
    expect(outsideSeen).toBe(0);
    expect(await db.selectFrom("items").select("label").execute()).toEqual([{ label: "outside" }]);
  });

  it("commits a transaction whose statements yielded", async () => {
    const handle = open();
    await createItems(handle);
    const db = untyped(handle);
    await db.transaction().execute(async (trx: typeof db) => {
      for (let i = 0; i < 20; i++)
        await trx
          .insertInto("items")
          .values({ label: `t${i}` })
          .execute();
    });
    const count = await db.selectFrom("items").select(db.fn.countAll().as("n")).executeTakeFirst();
    expect(Number(count.n)).toBe(20);
    expect(handle.sqlite.inTransaction).toBe(false);
  });
});
