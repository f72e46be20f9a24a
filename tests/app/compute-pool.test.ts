// The compute pool (app/utils/compute-pool.server.ts): tasks run in worker threads, not
// in the calling one, and give exactly what the same code gives in the calling thread
// — the committee summary's model and the cost-split workbook, streamed back.
// All tests use the process's pool (computePool()): starting a worker (tsx and the task
// modules) takes about a second of CPU, so the workers are started once for the file.
import os from "node:os";
import { threadId } from "node:worker_threads";
import { DEMO_PLAN } from "../../db/demo";
import { calculatePlan } from "../../domain/calculate";
import { validatePlan } from "../../domain/plan-validation";
import { buildSummaryModel } from "~/components/summary-model.server";
import {
  computePool,
  type ComputePool,
  summaryModelInPool,
  writeCostSplitWorkbookInPool,
} from "~/utils/compute-pool.server";
import { BACKGROUND_NICENESS, kernelThreadId } from "~/utils/thread-priority.server";
import { waitForTurn } from "../../db/turns";
import { FIXED_META, buildCostSplit } from "../exports/helpers/cost-split";
import { currentPlanCalculation } from "~/utils/current-plan-cache.server";
import { clearDataVersionCache } from "~/utils/data-version-cache.server";
import { loadDemo } from "../../db/demo";
import { calculateCurrentPlan } from "../../db/tenders";
import { createTestDatabase } from "../helpers/test-database";
import { loadWorkbook, writeToBuffer } from "../exports/helpers/stream-buffer";

const TENDER = "RV-2027";

function sharedPool(): ComputePool {
  const pool = computePool();
  if (!pool) throw new Error("COMPUTE_POOL=0 is set: these tests need the pool");
  return pool;
}

/** The thread ids of `count` pings sent at once. */
const pings = (pool: ComputePool, count: number) =>
  Promise.all(Array.from({ length: count }, () => pool.run({ kind: "ping" }))) as Promise<number[]>;

test("tasks run in worker threads, one per slot, queued beyond the pool's size", async () => {
  const pool = sharedPool();
  const ids = await pings(pool, pool.size + 3);
  for (const id of ids) expect(id).not.toBe(threadId);
  expect(new Set(ids).size).toBeLessThanOrEqual(pool.size);
}, 60_000);

test("workers run at a lower CPU priority than the main thread (Linux)", async () => {
  const pool = sharedPool();
  const niceness = await Promise.all(
    Array.from({ length: pool.size }, () => pool.run({ kind: "priority" })),
  );
  const mainThread = kernelThreadId();
  if (mainThread === null) return; // not Linux: nothing to lower
  for (const value of niceness) expect(value).toBe(BACKGROUND_NICENESS);
  expect(os.getPriority(mainThread)).toBeLessThan(BACKGROUND_NICENESS);
}, 60_000);

test("a task's result reaches the caller in a turn of its own, after the work that waited before it", async () => {
  const pool = sharedPool();
  await pings(pool, pool.size); // warm workers
  const order: string[] = [];
  const job = pool.run({ kind: "ping" }).then(() => order.push("job"));
  // Hold the loop while the worker answers: its reply is delivered after these waiters.
  const until = performance.now() + 300;
  while (performance.now() < until) {
    // the reply waits in the message queue
  }
  const waiters = ["a", "b"].map((name) => waitForTurn(1_000).then(() => order.push(name)));
  await Promise.all([job, ...waiters]);
  expect(order).toEqual(["a", "b", "job"]);
}, 60_000);

test("a failing task rejects with its message; the pool keeps working, on the same workers", async () => {
  const pool = sharedPool();
  const before = new Set(await pings(pool, pool.size * 2));
  const validation = validatePlan(DEMO_PLAN);
  if (!validation.ok) throw new Error("demo plan invalid");
  const input = {
    calculation: calculatePlan(validation.plan),
    tenderCode: "NOPE",
    meta: FIXED_META,
  };
  await expect(pool.run({ kind: "cost-split", input })).rejects.toThrow(/Unknown tender NOPE/);
  // No worker died of it: every ping is answered by one of the workers from before.
  for (const id of await pings(pool, pool.size * 2)) expect(before).toContain(id);
}, 60_000);

test("the summary model from the pool equals the one computed here", async () => {
  expect(await summaryModelInPool(DEMO_PLAN, TENDER)).toEqual(buildSummaryModel(DEMO_PLAN, TENDER));
}, 60_000);

test("the cost-split workbook from the pool holds the same cells as one written here", async () => {
  const validation = validatePlan(DEMO_PLAN);
  if (!validation.ok) throw new Error("demo plan invalid");
  const calculation = calculatePlan(validation.plan);
  const here = await buildCostSplit(calculation, TENDER);
  const pooled = await loadWorkbook(
    await writeToBuffer((stream) =>
      writeCostSplitWorkbookInPool({ calculation, tenderCode: TENDER, meta: FIXED_META }, stream),
    ),
  );
  const cells = (workbook: typeof pooled) =>
    workbook.worksheets.map((sheet) => {
      const rows: unknown[] = [];
      sheet.eachRow((row) => rows.push(row.values));
      return { name: sheet.name, rows };
    });
  expect(cells(pooled).length).toBeGreaterThanOrEqual(6);
  expect(cells(pooled)).toEqual(cells(here.workbook));
}, 60_000);

test("a streamed workbook reaches the main thread in pieces of at least 256 KB (but the last)", async () => {
  const validation = validatePlan(DEMO_PLAN);
  if (!validation.ok) throw new Error("demo plan invalid");
  const input = {
    calculation: calculatePlan(validation.plan),
    tenderCode: TENDER,
    meta: FIXED_META,
  };
  const pieces: number[] = [];
  await sharedPool().run({ kind: "cost-split", input }, (bytes) => pieces.push(bytes.byteLength));
  const total = pieces.reduce((sum, n) => sum + n, 0);
  expect(total).toBeGreaterThan(10_000);
  for (const size of pieces.slice(0, -1)) expect(size).toBeGreaterThanOrEqual(256 * 1024);
  expect(pieces.length).toBeLessThanOrEqual(Math.ceil(total / (256 * 1024)));
}, 60_000);

test("the current plan's calculation: computed in a worker once per data version, as calculateCurrentPlan", async () => {
  const testDb = await createTestDatabase();
  try {
    await loadDemo(testDb.db);
    clearDataVersionCache();
    const first = await currentPlanCalculation(testDb.db);
    expect(first).toEqual(await calculateCurrentPlan(testDb.db));
    expect(await currentPlanCalculation(testDb.db)).toBe(first);
    // Through Kysely, not the SQLite handle: the test runs on PostgreSQL too.
    const firstLine = await testDb.db
      .selectFrom("demand_lines")
      .select((eb) => eb.fn.min("id").as("id"))
      .executeTakeFirstOrThrow();
    await testDb.db
      .updateTable("demand_lines")
      .set((eb) => ({ quantity: eb("quantity", "+", 5) }))
      .where("id", "=", firstLine.id)
      .execute();
    const second = await currentPlanCalculation(testDb.db);
    expect(second).not.toBe(first);
    expect(second).toEqual(await calculateCurrentPlan(testDb.db));
    expect(second).not.toEqual(first);
  } finally {
    await testDb.cleanup();
  }
}, 60_000);
