import { sql } from "kysely";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";
import { migrateToLatest } from "../../db/database";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t.cleanup());

test("migrations create every table and are idempotent", async () => {
  const tables = await sql<{
    name: string;
  }>`select name from sqlite_master where type = 'table'`.execute(t.db);
  const names = tables.rows.map((r) => r.name);
  for (const table of [
    "partners",
    "schools",
    "categories",
    "category_tiers",
    "demand_lines",
    "tenders",
    "lots",
    "lot_categories",
    "common_costs",
    "common_cost_weights",
    "users",
    "sessions",
    "audit_log",
    "settings",
  ]) {
    expect(names).toContain(table);
  }
  expect(await migrateToLatest(t.db)).toEqual([]);
});

test("pragmas: WAL, foreign keys on, busy timeout", () => {
  expect(t.sqlite.pragma("journal_mode", { simple: true })).toBe("wal");
  expect(t.sqlite.pragma("foreign_keys", { simple: true })).toBe(1);
  expect(Number(t.sqlite.pragma("busy_timeout", { simple: true }))).toBeGreaterThan(0);
});

test("no REAL columns anywhere: money is integer cents, rates are text", async () => {
  const tables = await sql<{
    name: string;
  }>`select name from sqlite_master where type = 'table'`.execute(t.db);
  for (const { name } of tables.rows) {
    const cols = t.sqlite.pragma(`table_info(${name})`) as { name: string; type: string }[];
    for (const c of cols)
      expect(`${name}.${c.name}:${c.type}`).not.toMatch(/:(REAL|FLOAT|DOUBLE|NUMERIC)/i);
  }
});

test("foreign keys are enforced", async () => {
  await expect(
    t.db
      .insertInto("schools")
      .values({ code: "X", partner_code: "NOPE", name: "x", type: null, pupils: 0, position: 0 })
      .execute(),
  ).rejects.toThrow(/FOREIGN KEY/);
});
