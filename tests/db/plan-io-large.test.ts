// Import speed: a plan with 100,000 demand lines must import in seconds (one transaction,
// chunked multi-row inserts). The bound is generous for a loaded 2-core CI machine.
import { exportPlan, importPlan } from "../../db/plan-io";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";
import { generatePlan } from "./plan-fixtures";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t.cleanup());

test("imports and exports a plan with 100,000 demand lines", { timeout: 120_000 }, async () => {
  // 20 partners × 10 schools × 50 categories × 10 years = 100,000 cells.
  const plan = generatePlan({ partners: 20, schoolsPerPartner: 10, categories: 50, years: 10 });
  expect(plan.demand).toHaveLength(100_000);

  let start = performance.now();
  await importPlan(t.db, plan, { replace: false });
  const importMs = performance.now() - start;

  start = performance.now();
  const exported = await exportPlan(t.db);
  const exportMs = performance.now() - start;

  start = performance.now();
  await importPlan(t.db, exported, { replace: true });
  const replaceMs = performance.now() - start;

  console.log(
    `100,000 demand lines: import ${importMs.toFixed(0)} ms, export ${exportMs.toFixed(0)} ms, ` +
      `replace ${replaceMs.toFixed(0)} ms`,
  );
  expect(exported.demand).toEqual(plan.demand);
  expect(importMs).toBeLessThan(30_000);
  expect(replaceMs).toBeLessThan(30_000);
});
