// Demand and inventory lines reference a partner, a school, a category and a user. SQLite
// checks these with foreign keys; PostgreSQL checks them once per statement over all its
// rows (migration 014, docs/decisions/029-plan-import-copy.md). Both refuse a line whose
// parent does not exist, and both delete, re-key or empty the lines with their parents.
import { sql, type Kysely } from "kysely";
import { afterAll, beforeEach, describe, expect, test } from "vitest";
import { isForeignKeyViolation } from "../../db/errors";
import { importPlan } from "../../db/plan-io";
import type { DB } from "../../db/schema";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";
import { NOW, insertCoordinator } from "./engine-seed";
import { readExamplePlan } from "./plan-fixtures";

const dbs: TestDatabase[] = [];
afterAll(async () => {
  for (const t of dbs) await t.cleanup();
});

let db: Kysely<DB>;
beforeEach(async () => {
  const t = await createTestDatabase();
  dbs.push(t);
  db = t.db;
  await importPlan(db, readExamplePlan("04-funding-support"), { replace: false });
});

const LINE_TABLES = ["demand_lines", "inventory_lines"] as const;

const line = (overrides: Record<string, unknown> = {}) => ({
  partner_code: "KRS",
  school_code: "KRS-01",
  category_code: "TAB",
  year: 2099,
  quantity: 3,
  updated_at: NOW,
  updated_by: null as number | null,
  position: 0,
  ...overrides,
});

const addUser = (email: string) => insertCoordinator(db, email);

async function count(table: (typeof LINE_TABLES)[number], column: string, value: unknown) {
  const { rows } = await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}
    where ${sql.ref(column)} = ${value}`.execute(db);
  return Number(rows[0].n);
}

describe.each(LINE_TABLES)("%s", (table) => {
  test.each([
    ["partner", { partner_code: "GIBT-ES-NICHT", school_code: null }],
    ["school", { school_code: "GIBT-ES-NICHT" }],
    ["category", { category_code: "GIBT-ES-NICHT" }],
    ["user", { updated_by: 999_999 }],
  ])("a line naming an unknown %s is refused, also among good ones", async (_name, bad) => {
    const before = await count(table, "year", 2099);
    await expect(
      db
        .insertInto(table)
        .values([line(), line({ ...bad, year: 2098 }), line({ category_code: "DOKU" })])
        .execute(),
    ).rejects.toSatisfy(isForeignKeyViolation);
    expect(await count(table, "year", 2099)).toBe(before);
  });

  test("a line changed to an unknown category is refused", async () => {
    await db.insertInto(table).values(line()).execute();
    await expect(
      db
        .updateTable(table)
        .set({ category_code: "GIBT-ES-NICHT" })
        .where("year", "=", 2099)
        .execute(),
    ).rejects.toSatisfy(isForeignKeyViolation);
    expect(await count(table, "category_code", "TAB")).toBeGreaterThan(0);
  });

  test("lines go with their school, category and partner", async () => {
    await db.insertInto(table).values(line()).execute();
    expect(await count(table, "school_code", "KRS-01")).toBeGreaterThan(0);
    await db.deleteFrom("schools").where("code", "=", "KRS-01").execute();
    expect(await count(table, "school_code", "KRS-01")).toBe(0);

    expect(await count(table, "category_code", "TAB")).toBeGreaterThan(0);
    await db.deleteFrom("categories").where("code", "=", "TAB").execute();
    expect(await count(table, "category_code", "TAB")).toBe(0);

    expect(await count(table, "partner_code", "ASC")).toBeGreaterThan(0);
    await db.deleteFrom("partners").where("code", "=", "ASC").execute();
    expect(await count(table, "partner_code", "ASC")).toBe(0);
  });

  test("a school's new code is its lines' new code", async () => {
    await db.insertInto(table).values(line()).execute();
    const lines = await count(table, "school_code", "KRS-01");
    await db.updateTable("schools").set({ code: "KRS-99" }).where("code", "=", "KRS-01").execute();
    expect(await count(table, "school_code", "KRS-01")).toBe(0);
    expect(await count(table, "school_code", "KRS-99")).toBe(lines);
  });

  test("deleting a user empties updated_by; changing the id of a referenced user is refused", async () => {
    const id = await addUser("a@x.example");
    await db
      .insertInto(table)
      .values(line({ updated_by: id }))
      .execute();
    await expect(
      db
        .updateTable("users")
        .set({ id: id + 1000 })
        .where("id", "=", id)
        .execute(),
    ).rejects.toSatisfy(isForeignKeyViolation);
    await db.deleteFrom("users").where("id", "=", id).execute();
    expect(await count(table, "updated_by", id)).toBe(0);
    expect(await count(table, "year", 2099)).toBe(1);
  });
});

describe.runIf(process.env.TEST_DATABASE_URL)("PostgreSQL", () => {
  test("no line table checks its references row by row (foreign-key check triggers)", async () => {
    // A foreign key runs one lookup query per inserted row and key: 2.8 million of them
    // for a state-size plan import.
    const { rows } = await sql<{ table: string; row_checks: number; statement_checks: number }>`
      select c.relname as table,
        count(*) filter (where p.proname = 'RI_FKey_check_ins') as row_checks,
        count(*) filter (where p.proname like '%_references_fn' and t.tgtype & 1 = 0) as statement_checks
      from pg_trigger t
      join pg_class c on c.oid = t.tgrelid
      join pg_proc p on p.oid = t.tgfoid
      where c.relnamespace = current_schema()::regnamespace
        and c.relname in ('demand_lines', 'inventory_lines')
      group by c.relname order by c.relname`.execute(db);
    expect(rows.map((r) => [r.table, Number(r.row_checks), Number(r.statement_checks)])).toEqual([
      ["demand_lines", 0, 2],
      ["inventory_lines", 0, 2],
    ]);
  });

  test("while a transaction adds a line, no other one can delete the line's school", async () => {
    await db.connection().execute(async (conn) => {
      await sql`begin`.execute(conn);
      try {
        await conn.insertInto("demand_lines").values(line()).execute();
        await expect(
          db.transaction().execute(async (trx) => {
            await sql`set local lock_timeout = '300ms'`.execute(trx);
            await trx.deleteFrom("schools").where("code", "=", "KRS-01").execute();
          }),
        ).rejects.toMatchObject({ code: "55P03" });
      } finally {
        await sql`rollback`.execute(conn);
      }
    });
  });
});
