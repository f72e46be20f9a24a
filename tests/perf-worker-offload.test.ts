// Work that used to hold the main thread now runs in the compute pool (decision 027):
// the support comparison behind the committee summary's headline and /support (the
// engine on the whole plan), the summary's model with the plan read by the worker
// itself (no plan read or copied in this thread), and the partners' Excel templates
// (exceljs). Checked two
// ways: the code that does the work is never called in this thread, and a timer-drift
// probe (monitorEventLoopDelay) stays low while a large template is built, where
// building it in this thread holds the loop.
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import ExcelJS from "exceljs";
import { vi } from "vitest";
import { loadDemo } from "../db/demo";
import * as planIo from "../db/plan-io";
import { calculateCurrentSupport } from "../db/support";
import type { DemandGrid } from "../domain/demand-grid";
import * as planValidation from "../domain/plan-validation";
import * as support from "../domain/support";
import * as gridTemplate from "../exports/grid-template";
import { loadCurrentSummary } from "~/components/summary-data.server";
import { buildSummaryModel } from "~/components/summary-model.server";
import { loadCurrentSupport } from "~/components/support-summary.server";
import {
  buildTemplate,
  buildTemplateInPool,
  computePool,
  type TemplateInput,
} from "~/utils/compute-pool.server";
import { clearDataVersionCache } from "~/utils/data-version-cache.server";
import { createTestDatabase, type TestDatabase } from "./helpers/test-database";

vi.mock("../domain/plan-validation", async (importOriginal) => {
  const original = await importOriginal<typeof import("../domain/plan-validation")>();
  return { ...original, validatePlan: vi.fn(original.validatePlan) };
});
vi.mock("../db/plan-io", async (importOriginal) => {
  const original = await importOriginal<typeof import("../db/plan-io")>();
  return { ...original, exportPlan: vi.fn(original.exportPlan) };
});
vi.mock("../domain/support", async (importOriginal) => {
  const original = await importOriginal<typeof import("../domain/support")>();
  return { ...original, calculateSupport: vi.fn(original.calculateSupport) };
});
vi.mock("../exports/grid-template", async (importOriginal) => {
  const original = await importOriginal<typeof import("../exports/grid-template")>();
  return { ...original, buildGridTemplate: vi.fn(original.buildGridTemplate) };
});

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase();
  await loadDemo(testDb.db);
  // Loading the task code in a fresh worker takes seconds on a busy machine.
  await computePool()!.warm();
}, 120_000);
afterAll(() => testDb.cleanup());
beforeEach(() => {
  clearDataVersionCache();
  vi.mocked(planValidation.validatePlan).mockClear();
  vi.mocked(support.calculateSupport).mockClear();
  vi.mocked(gridTemplate.buildGridTemplate).mockClear();
  vi.mocked(planIo.exportPlan).mockClear();
});

describe("the committee summary's model", () => {
  it("is read and computed in a worker: no plan export in this thread, the same model", async () => {
    const pooled = await loadCurrentSummary(testDb.db, "RV-2027");
    expect(planIo.exportPlan).not.toHaveBeenCalled();
    expect(planValidation.validatePlan).not.toHaveBeenCalled();
    expect(pooled).toEqual(buildSummaryModel(await planIo.exportPlan(testDb.db), "RV-2027"));
    expect(await loadCurrentSummary(testDb.db, "GIBT-ES-NICHT")).toBeUndefined();
  }, 60_000);

  it("is computed again from the new data after a write", async () => {
    const before = await loadCurrentSummary(testDb.db, "RV-2027");
    await testDb.db
      .updateTable("tenders")
      .set({ name: "Neu benannt" })
      .where("code", "=", "RV-2027")
      .execute();
    const after = await loadCurrentSummary(testDb.db, "RV-2027");
    expect(after).not.toEqual(before);
    expect(after).toEqual(buildSummaryModel(await planIo.exportPlan(testDb.db), "RV-2027"));
  }, 60_000);
});

describe("the support comparison", () => {
  it("gives what db/support.ts gives, without the engine in this thread (stored parameters)", async () => {
    const pooled = await loadCurrentSupport(testDb.db);
    expect(planValidation.validatePlan).not.toHaveBeenCalled();
    expect(support.calculateSupport).not.toHaveBeenCalled();
    expect(pooled).toEqual(await calculateCurrentSupport(testDb.db));
  }, 60_000);

  it("gives the same preview with default parameters, computed in a worker", async () => {
    await testDb.db.deleteFrom("support_parameters").execute();
    const pooled = await loadCurrentSupport(testDb.db);
    expect(pooled.preview).toBe(true);
    expect(pooled.ok).toBe(true);
    expect(planValidation.validatePlan).not.toHaveBeenCalled();
    expect(support.calculateSupport).not.toHaveBeenCalled();
    expect(pooled).toEqual(await calculateCurrentSupport(testDb.db));
  }, 60_000);
});

/** A partner with many schools: a template exceljs takes a while to build. */
function largeTemplate(schools: number, categories: number): TemplateInput {
  const years = [2027, 2028, 2029, 2030];
  const grids: DemandGrid[] = Array.from({ length: schools }, (_, s) => ({
    schoolCode: `S${s}`,
    title: `Schule ${s}`,
    years,
    rows: Array.from({ length: categories }, (_, c) => ({
      category: { code: `C${c}`, name: `Kategorie ${c}`, unit: "Stück" },
      quantities: years.map((_, y) => (s + c + y) % 17),
      justification: c % 3 === 0 ? `Begründung ${s}/${c}` : "",
    })) as DemandGrid["rows"],
    yearTotals: years.map(() => 0),
    total: 0,
    version: "v",
  }));
  return { partner: { code: "P", name: "Partner" }, grids, generatedAt: new Date(0) };
}

/** Every sheet's name and cell values. */
async function sheetValues(bytes: Uint8Array): Promise<[string, unknown][]> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
  return workbook.worksheets.map((sheet) => [sheet.name, sheet.getSheetValues()]);
}

interface LoopCost {
  /** Time this thread's event loop spent running code (not waiting) while `work` ran. */
  activeMs: number;
  /** The longest timer drift seen meanwhile (10 ms resolution), for the record. */
  maxDelayMs: number;
}

/**
 * How much of this thread `work` took: the event loop's active time
 * (performance.eventLoopUtilization, this thread only). Unlike timer drift alone it
 * does not count the time the machine's other processes take the CPU while the loop
 * waits, so it separates "built here" from "built elsewhere" on a busy machine.
 */
async function loopCost(work: () => Promise<unknown>): Promise<LoopCost> {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const start = performance.eventLoopUtilization();
  await work();
  // One more turn, so that a block at the very end is recorded too.
  await new Promise((resolve) => setTimeout(resolve, 20));
  const used = performance.eventLoopUtilization(start);
  histogram.disable();
  return { activeMs: used.active, maxDelayMs: histogram.max / 1e6 };
}

describe("the Excel templates", () => {
  it("are built in a worker: the same file, exceljs never runs in this thread", async () => {
    const input = largeTemplate(3, 4);
    const pooled = await buildTemplateInPool("inventory", input);
    expect(gridTemplate.buildGridTemplate).not.toHaveBeenCalled();
    const inline = await buildTemplate("inventory", input);
    expect(gridTemplate.buildGridTemplate).toHaveBeenCalledTimes(1);
    // The same workbook: every sheet with the same cells (the zip's bytes differ by
    // the entries' timestamps).
    expect(pooled.length).toBeGreaterThan(1000);
    expect(await sheetValues(pooled)).toEqual(await sheetValues(inline));
  }, 60_000);

  it("keep the event loop free while a large one is built", async () => {
    const input = largeTemplate(100, 20);
    await buildTemplateInPool("demand", input); // warm exceljs in the worker
    const inline = await loopCost(() => buildTemplate("demand", input));
    const pooled = await loopCost(() => buildTemplateInPool("demand", input));
    console.log("template, 2,000 rows:", { inline, pooled });
    // Built here the file takes this thread's loop for a good while (2,000 rows); built
    // in a worker, only copying the bytes back is left.
    expect(inline.activeMs).toBeGreaterThan(100);
    expect(pooled.activeMs).toBeLessThan(inline.activeMs / 5);
  }, 120_000);
});
