// The demand export's rows come in the same order on both engines: PostgreSQL sorts NULL
// last by default, SQLite first, so a partner's lines without a school must be placed
// explicitly (they come first, as they always did on SQLite).
import { loadDemandRows } from "../../exports/demand-rows.server";
import { importPlan } from "../../db/plan-io";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";
import { readExamplePlan } from "./plan-fixtures";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
  const plan = readExamplePlan("01-three-partners");
  // BIL's tablets of 2027: one line at its school, one without a school (listed after it).
  plan.demand!.push({ partner: "BIL", category: "TAB", year: 2027, quantity: 5 });
  await importPlan(t.db, plan, { replace: false });
});
afterAll(async () => t.cleanup());

test("lines without a school come before the school lines of the same partner, year and category", async () => {
  const rows = await loadDemandRows(t.db);
  const bil2027 = rows.filter(
    (r) => r.partnerCode === "BIL" && r.year === 2027 && r.categoryCode === "TAB",
  );
  expect(bil2027.map((r) => [r.schoolCode, r.quantity])).toEqual([
    [null, 5],
    ["BIL-GS", 60],
  ]);
  // And the whole export is sorted by partner, year, category, then school (none first).
  const keys = rows.map(
    (r) => `${r.partnerCode}|${r.year}|${r.categoryCode}|${r.schoolCode ?? ""}`,
  );
  expect(new Set(keys).size).toBe(rows.length);
});
