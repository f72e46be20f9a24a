import { sql, type Kysely } from "kysely";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";
import { migrateToLatest } from "../../db/database";
import { engineOf } from "../../db/engine";

// Runs on both engines: `TEST_DATABASE_URL=postgres://… npx vitest run tests/db/migrations.test.ts`.
const onPostgres = !!process.env.TEST_DATABASE_URL;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- awards are typed in db/awards.ts
type AnyDb = Kysely<any>;

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t.cleanup());

async function tableNames(): Promise<string[]> {
  const query =
    t.engine === "postgres"
      ? sql<{
          name: string;
        }>`select tablename as name from pg_tables where schemaname = current_schema()`
      : sql<{ name: string }>`select name from sqlite_master where type = 'table'`;
  return (await query.execute(t.db)).rows.map((r) => r.name);
}

test("the handle's engine is the one the tests were asked for", () => {
  expect(t.engine).toBe(onPostgres ? "postgres" : "sqlite");
  expect(engineOf(t.db)).toBe(t.engine);
});

test("migrations create every table and are idempotent", async () => {
  const names = await tableNames();
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
    "snapshots",
    "awards",
    "call_offs",
    "call_off_cancellations",
    "demand_rounds",
    "inventory_imports",
  ]) {
    expect(names).toContain(table);
  }
  expect(names).not.toContain("demand_status"); // dropped by 011
  expect(await migrateToLatest(t.db)).toEqual([]);
});

// Pragmas are SQLite's own settings; PostgreSQL has none of them.
describe.skipIf(onPostgres)("SQLite", () => {
  test("pragmas: WAL, foreign keys on, busy timeout", () => {
    expect(t.sqlite.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(t.sqlite.pragma("foreign_keys", { simple: true })).toBe(1);
    expect(Number(t.sqlite.pragma("busy_timeout", { simple: true }))).toBeGreaterThan(0);
  });
});

test("no REAL columns anywhere: money is integer cents, rates are text", async () => {
  const columns: string[] = [];
  if (t.engine === "postgres") {
    const { rows } = await sql<{ name: string; type: string }>`
      select table_name || '.' || column_name as name, data_type as type
      from information_schema.columns where table_schema = current_schema()`.execute(t.db);
    for (const c of rows) columns.push(`${c.name}:${c.type}`);
  } else {
    for (const name of await tableNames()) {
      const cols = t.sqlite.pragma(`table_info(${name})`) as { name: string; type: string }[];
      for (const c of cols) columns.push(`${name}.${c.name}:${c.type}`);
    }
  }
  expect(columns.length).toBeGreaterThan(100);
  for (const c of columns) expect(c).not.toMatch(/:(REAL|FLOAT|DOUBLE|NUMERIC)/i);
});

test.runIf(onPostgres)("money columns and ids are bigint on PostgreSQL", async () => {
  const { rows } = await sql<{ name: string; type: string }>`
    select table_name || '.' || column_name as name, data_type as type
    from information_schema.columns
    where table_schema = current_schema() and (column_name like '%\_cents' or column_name = 'id')`.execute(
    t.db,
  );
  const types = Object.fromEntries(rows.map((r) => [r.name, r.type]));
  expect(types["categories.base_price_cents"]).toBe("bigint");
  expect(types["award_categories.unit_price_cents"]).toBe("bigint");
  expect(types["funding_budgets.amount_cents"]).toBe("bigint");
  expect(types["demand_lines.id"]).toBe("bigint");
  expect(types["sessions.id"]).toBe("text");
  for (const [name, type] of Object.entries(types))
    if (name.endsWith("_cents")) expect(`${name}:${type}`).toBe(`${name}:bigint`);
});

test("foreign keys are enforced", async () => {
  await expect(
    t.db
      .insertInto("schools")
      .values({ code: "X", partner_code: "NOPE", name: "x", type: null, pupils: 0, position: 0 })
      .execute(),
  ).rejects.toThrow(/FOREIGN KEY|foreign key/);
});

test("e-mail addresses are unique regardless of case", async () => {
  const user = (email: string) => ({
    email,
    name: "x",
    password_hash: "x",
    role: "coordinator" as const,
    partner_code: null,
    active: 1,
    created_at: "2026-01-01T00:00:00.000Z",
    updated_at: "2026-01-01T00:00:00.000Z",
  });
  await t.db.insertInto("users").values(user("Anna@Example.org")).execute();
  await expect(t.db.insertInto("users").values(user("anna@example.ORG")).execute()).rejects.toThrow(
    /UNIQUE|unique/,
  );
});

test("dates must be real calendar dates (YYYY-MM-DD)", async () => {
  const award = (award_date: string) =>
    (t.db as unknown as AnyDb)
      .insertInto("awards")
      .values({
        tender_code: `T${award_date}`,
        lot_code: "L1",
        lot_name: "Los",
        supplier: "Firma",
        award_date,
        start_year: 2027,
        term_years: 2,
        created_at: "2026-01-01T00:00:00.000Z",
        created_by: 1,
      })
      .execute();
  const { id } = await t.db
    .selectFrom("users")
    .select("id")
    .orderBy("id")
    .executeTakeFirstOrThrow();
  expect(id).toBe(1);
  await expect(award("2026-02-30")).rejects.toThrow(/CHECK|check/);
  await expect(award("2026-2-3")).rejects.toThrow(/CHECK|check/);
  await expect(award("gestern")).rejects.toThrow(/CHECK|check/);
  await award("2028-02-29");
});
