import { sql } from "kysely";
import pg from "pg";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";
import { dataVersion } from "../../app/utils/data-version-cache.server";
import { NOW, insertCallOff, seedAwardedLot, type AnyDb } from "./engine-seed";

// The database's own guards, on both engines with the same German messages (SQLite:
// RAISE(ABORT) triggers; PostgreSQL: PL/pgSQL functions, db/migrations/pg.ts). Run
// with TEST_DATABASE_URL=postgres://… for PostgreSQL.

const FROZEN = "Los ist vergeben: Zuschlag und Eingaben des Loses sind eingefroren";

let t: TestDatabase;
let db: AnyDb;
let awardId: number;

beforeAll(async () => {
  t = await createTestDatabase();
  db = t.db as unknown as AnyDb;
  awardId = await seedAwardedLot(db);
});
afterAll(async () => t.cleanup());

const callOff = (quantity: number) => insertCallOff(db, awardId, quantity);

test("ids come back as numbers, bigint money as numbers", async () => {
  const row = await db
    .selectFrom("award_categories")
    .select(["award_id", "unit_price_cents"])
    .executeTakeFirstOrThrow();
  expect(row).toEqual({ award_id: awardId, unit_price_cents: 45000 });
  const count = await db
    .selectFrom("categories")
    .select((eb) => eb.fn.countAll().as("n"))
    .executeTakeFirstOrThrow();
  expect(count.n).toBe(2);
});

test("snapshots refuse updates and deletes", async () => {
  await expect(db.updateTable("snapshots").set({ comment: "anders" }).execute()).rejects.toThrow(
    "snapshots are immutable",
  );
  await expect(db.deleteFrom("snapshots").execute()).rejects.toThrow("snapshots are immutable");
  const rows = await db.selectFrom("snapshots").select("comment").execute();
  expect(rows).toEqual([{ comment: "Beschluss" }]);
});

test("awards and their categories refuse updates and deletes", async () => {
  await expect(db.updateTable("awards").set({ supplier: "Andere" }).execute()).rejects.toThrow(
    FROZEN,
  );
  await expect(db.deleteFrom("awards").execute()).rejects.toThrow(FROZEN);
  await expect(
    db.updateTable("award_categories").set({ max_quantity: 99 }).execute(),
  ).rejects.toThrow(FROZEN);
  await expect(db.deleteFrom("award_categories").execute()).rejects.toThrow(FROZEN);
});

test("an awarded lot's inputs are frozen", async () => {
  await expect(db.deleteFrom("tenders").where("code", "=", "RV").execute()).rejects.toThrow(FROZEN);
  await expect(
    db.updateTable("tenders").set({ term_years: 3 }).where("code", "=", "RV").execute(),
  ).rejects.toThrow(FROZEN);
  await expect(
    db.updateTable("tenders").set({ reserve: "0.1" }).where("code", "=", "RV").execute(),
  ).rejects.toThrow(FROZEN);
  await expect(
    db.updateTable("categories").set({ base_price_cents: 1 }).where("code", "=", "NB").execute(),
  ).rejects.toThrow(FROZEN);
  await expect(db.updateTable("lots").set({ code: "L9" }).execute()).rejects.toThrow(FROZEN);
  const lot = await db.selectFrom("lots").select("id").executeTakeFirstOrThrow();
  await expect(
    db.insertInto("lot_categories").values({ lot_id: lot.id, category_code: "TB" }).execute(),
  ).rejects.toThrow(FROZEN);
  // What is not frozen still changes: the tender's name, an unawarded category's price.
  await db.updateTable("tenders").set({ name: "RV neu" }).where("code", "=", "RV").execute();
  await db
    .updateTable("categories")
    .set({ base_price_cents: 1 })
    .where("code", "=", "TB")
    .execute();
});

test("call-offs: never beyond the maximum, never changed, never deleted", async () => {
  const first = await callOff(6);
  expect(first.year).toBe(2027);
  await expect(callOff(5)).rejects.toThrow("Abruf überschreitet die Höchstmenge");
  await callOff(4); // exactly the maximum of 10
  await expect(callOff(1)).rejects.toThrow("Abruf überschreitet die Höchstmenge");
  await expect(db.updateTable("call_offs").set({ quantity: 1 }).execute()).rejects.toThrow(
    "Abrufe werden nicht geändert",
  );
  await expect(db.deleteFrom("call_offs").execute()).rejects.toThrow(
    "Abrufe werden nicht gelöscht",
  );
  // A cancelled call-off no longer counts; the cancellation itself is append-only.
  await db
    .insertInto("call_off_cancellations")
    .values({ call_off_id: first.id, reason: "Irrtum", created_at: NOW, created_by: 1 })
    .execute();
  await callOff(6);
  await expect(
    db.updateTable("call_off_cancellations").set({ reason: "x" }).execute(),
  ).rejects.toThrow("Stornos werden nicht geändert");
  await expect(db.deleteFrom("call_off_cancellations").execute()).rejects.toThrow(
    "Stornos werden nicht gelöscht",
  );
});

test.runIf(t_isPostgres())("TRUNCATE cannot empty history tables on PostgreSQL", async () => {
  await expect(sql`TRUNCATE snapshots`.execute(db)).rejects.toThrow("snapshots are immutable");
  await expect(sql`TRUNCATE call_offs CASCADE`.execute(db)).rejects.toThrow(
    "Abrufe werden nicht gelöscht",
  );
});

test.runIf(t_isPostgres())(
  "the triggers work for a session with another search_path (psql, pg_restore)",
  async () => {
    const before = await dataVersion(db);
    const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await client.connect();
    try {
      await client.query("SET search_path TO public");
      await client.query(`INSERT INTO ${t.schema}.settings (key, value) VALUES ('psql', '1')`);
      await expect(
        client.query(
          `INSERT INTO ${t.schema}.call_offs (award_id, category_code, partner_code, call_off_date, quantity, order_number, created_at, created_by)
           VALUES ($1, 'NB', 'COE', '2027-05-01', 99, 'psql', $2, 1)`,
          [awardId, NOW],
        ),
      ).rejects.toThrow("Abruf überschreitet die Höchstmenge");
    } finally {
      await client.end();
    }
    expect(await dataVersion(db)).not.toBe(before);
  },
);

test("the data version changes with every committed write except sessions", async () => {
  const before = await dataVersion(db);
  expect(await dataVersion(db)).toBe(before);
  await db.insertInto("settings").values({ key: "x", value: "1" }).execute();
  const afterWrite = await dataVersion(db);
  expect(afterWrite).not.toBe(before);
  await db
    .insertInto("sessions")
    .values({ id: "s1", user_id: 1, created_at: NOW, last_seen_at: NOW, expires_at: NOW })
    .execute();
  if (t.engine === "postgres") expect(await dataVersion(db)).toBe(afterWrite);
  // A rolled-back write leaves no trace, and the next one is told apart from it.
  await expect(
    db.transaction().execute(async (trx) => {
      await trx.updateTable("settings").set({ value: "2" }).execute();
      throw new Error("zurück");
    }),
  ).rejects.toThrow("zurück");
  const afterRollback = await dataVersion(db);
  await db.updateTable("settings").set({ value: "3" }).execute();
  expect(await dataVersion(db)).not.toBe(afterRollback);
});

function t_isPostgres(): boolean {
  return !!process.env.TEST_DATABASE_URL;
}
