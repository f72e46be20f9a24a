// Large plan imports take the bulk path (on PostgreSQL: COPY … FROM STDIN, db/pg-copy.ts).
// Texts that need quoting or escaping somewhere, and empty optional values, come back
// exactly as they went in, on both engines (more in plan-io-copy.test.ts).
import { afterAll, beforeAll, expect, test } from "vitest";
import { exportPlan, importPlan } from "../../db/plan-io";
import { normalizePlan, readExamplePlan } from "./plan-fixtures";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(() => testDb.cleanup());

const AWKWARD = [
  'Schule "Am Berg"',
  "a,b",
  "{x}",
  "back\\slash",
  "NULL",
  "",
  "Ümlaut ß €",
  " lead",
];

test("600 schools with awkward names and demand without a school round-trip exactly", async () => {
  const base = readExamplePlan("01-three-partners");
  const partner = base.partners[0].code;
  const category = base.categories[0].code;
  const schools = Array.from({ length: 600 }, (_, i) => ({
    code: `S${String(i).padStart(4, "0")}`,
    partner,
    name: `${AWKWARD[i % AWKWARD.length]} ${i}`,
    ...(i % 3 === 0 ? { type: "gymnasium" as const } : {}),
    pupils: i,
  }));
  const demand = [
    ...schools.map((s, i) => ({ partner, school: s.code, category, year: 2027, quantity: i + 1 })),
    { partner, category, year: 2027, quantity: 7 },
  ];
  const plan = { ...base, schools: [...(base.schools ?? []), ...schools], demand };
  await importPlan(testDb.db, plan, { replace: true, userId: null });
  const exported = await exportPlan(testDb.db);
  expect(exported.schools).toEqual(normalizePlan(plan).schools);
  expect(exported.demand).toHaveLength(demand.length);
  expect(new Set(exported.demand!.map((d) => `${d.school ?? "-"}:${d.quantity}`))).toEqual(
    new Set(demand.map((d) => `${"school" in d ? d.school : "-"}:${d.quantity}`)),
  );
});

test.runIf(process.env.TEST_DATABASE_URL)(
  "PostgreSQL indexes the columns a cascading delete of schools and categories looks up",
  async () => {
    const { sql } = await import("kysely");
    const { rows } = await sql<{ name: string }>`
      SELECT indexname AS name FROM pg_indexes WHERE schemaname = current_schema()`.execute(
      testDb.db,
    );
    const names = rows.map((r) => r.name);
    for (const table of ["demand_lines", "inventory_lines", "demand_notes", "inventory_notes"])
      for (const column of ["school", "category"]) expect(names).toContain(`${table}_${column}`);
  },
);
