import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { Kysely } from "kysely";
import { exportPlan } from "../../db/plan-io";
import { waitForTurn } from "../../db/turns";
import { openStoreInWorker, storeLocationOf, type StoreLocation } from "./db.server";
import type { DB } from "../../db/schema";
import type { CurrentSupport } from "../../db/support";
import { buildSummaryModel, type SummaryModel } from "~/components/summary-model.server";
import { calculatePlan } from "../../domain/calculate";
import type { PlanCalculation } from "../../domain/calculation";
import type { Plan } from "../../domain/plan";
import { validatePlan, type PlanProblem } from "../../domain/plan-validation";
import { writeCostSplitWorkbook, type CostSplitInput } from "../../exports/cost-split-workbook";
import { buildDemandTemplate, type DemandTemplateInput } from "../../exports/demand-template";
import { buildInventoryTemplate } from "../../exports/inventory-template";

// A pool of worker threads, one per core, for the CPU-heavy parts of a request: the
// engine with the committee summary's charts, and the cost-split workbook. A task in
// a worker does not hold up the server's event loop, so no other request waits behind
// it (docs/decisions/018-fast-under-load.md). Hand-written instead of piscina: the
// workbook streams its bytes back while it is written, and a small pool needs no new
// dependency. COMPUTE_POOL=0 runs the tasks in the calling thread instead.

export type ComputeTask =
  /** Answers the worker's thread id: shows where tasks run. */
  | { kind: "ping" }
  /** Answers the worker thread's niceness (null where the platform has none). */
  | { kind: "priority" }
  | { kind: "summary"; plan: Plan; tenderCode: string }
  /** Validation and the engine: the result, or the plan's problems. */
  | { kind: "calculate"; plan: Plan }
  | { kind: "cost-split"; input: CostSplitInput }
  /** The committee summary's model, the plan read by the worker from the database file. */
  | { kind: "summary-db"; store: StoreLocation; tenderCode: string }
  /** db/support.ts calculateCurrentSupport on the database file (read by the worker). */
  | { kind: "support-db"; store: StoreLocation; now: Date }
  /** A partner's pre-filled Excel template (exceljs): the file's bytes. */
  | { kind: "grid-template"; template: "demand" | "inventory"; input: TemplateInput };

/** The input of both templates (the variant is chosen by the task, not sent). */
export type TemplateInput = Omit<DemandTemplateInput, "variant">;

export type WorkerReply =
  | { id: number; type: "chunk"; bytes: Uint8Array }
  | { id: number; type: "done"; result: unknown }
  | { id: number; type: "error"; message: string };

interface Job {
  id: number;
  task: ComputeTask;
  onChunk?: (bytes: Uint8Array) => void;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  job: Job | null;
}

/** scripts/compute-worker.mjs, found from this module's file wherever it was bundled to. */
function workerFile(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, "scripts", "compute-worker.mjs");
    if (fs.existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error("scripts/compute-worker.mjs not found");
    dir = parent;
  }
}

export class ComputePool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;

  constructor(readonly size: number = Math.max(1, os.availableParallelism())) {}

  run(task: ComputeTask, onChunk?: (bytes: Uint8Array) => void): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, task, onChunk, resolve, reject });
      this.dispatch();
    });
  }

  /** Starts every worker now (loading the code takes a while), so the first task need not wait. */
  async warm(): Promise<void> {
    await Promise.all(Array.from({ length: this.size }, () => this.run({ kind: "ping" })));
  }

  /** Ends all workers; queued and running tasks fail. */
  async close(): Promise<void> {
    for (const job of this.queue.splice(0)) job.reject(new Error("compute pool closed"));
    await Promise.all(this.slots.splice(0).map((slot) => slot.worker.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => s.job === null);
      if (!slot && this.slots.length < this.size) slot = this.spawn();
      if (!slot) return;
      const job = this.queue.shift()!;
      slot.job = job;
      slot.worker.ref();
      slot.worker.postMessage({ id: job.id, task: job.task });
    }
  }

  private spawn(): Slot {
    const worker = new Worker(workerFile());
    const slot: Slot = { worker, job: null };
    worker.on("message", (message: WorkerReply) => {
      const job = slot.job;
      if (!job || job.id !== message.id) return;
      if (message.type === "chunk") {
        job.onChunk?.(message.bytes);
        return;
      }
      slot.job = null;
      // An idle worker must not keep the process alive (tests, scripts).
      worker.unref();
      // The caller goes on (often to render a page) in a turn of the loop with budget
      // left, after the work that waited before it (db/turns.ts, decision 030), not in
      // the poll phase that delivered the message, where replies add up unbounded.
      const settle =
        message.type === "done"
          ? () => job.resolve(message.result)
          : () => job.reject(new Error(message.message));
      void waitForTurn().then(settle);
      this.dispatch();
    });
    const fail = (error: Error) => {
      const index = this.slots.indexOf(slot);
      if (index !== -1) this.slots.splice(index, 1);
      slot.job?.reject(error);
      slot.job = null;
      this.dispatch();
    };
    worker.on("error", fail);
    worker.on("exit", (code) => fail(new Error(`compute worker exited with ${code}`)));
    worker.unref();
    this.slots.push(slot);
    return slot;
  }
}

const POOL_KEY = Symbol.for("verbundkauf.computePool");
type GlobalWithPool = typeof globalThis & { [POOL_KEY]?: ComputePool };

/** The process's pool (on globalThis: dev rebuilds re-import this module); null when off. */
export function computePool(): ComputePool | null {
  if (process.env.COMPUTE_POOL === "0") return null;
  const store = globalThis as GlobalWithPool;
  return (store[POOL_KEY] ??= new ComputePool(Number(process.env.COMPUTE_WORKERS) || undefined));
}

/** The committee summary's model of the plan's tender, computed in a worker. */
export async function summaryModelInPool(plan: Plan, tenderCode: string): Promise<SummaryModel> {
  const pool = computePool();
  if (!pool) return buildSummaryModel(plan, tenderCode);
  return (await pool.run({ kind: "summary", plan, tenderCode })) as SummaryModel;
}

export type PlanOutcome =
  { ok: true; calculation: PlanCalculation } | { ok: false; problems: PlanProblem[] };

/** Validates and calculates a plan (what the engine does for every figure). */
export function calculateOutcome(plan: Plan): PlanOutcome {
  const validation = validatePlan(plan);
  if (!validation.ok) return { ok: false, problems: validation.problems };
  return { ok: true, calculation: calculatePlan(validation.plan) };
}

/** calculateOutcome in a worker: at state scale the engine takes seconds. */
export async function calculateInPool(plan: Plan): Promise<PlanOutcome> {
  const pool = computePool();
  if (!pool) return calculateOutcome(plan);
  return (await pool.run({ kind: "calculate", plan })) as PlanOutcome;
}

/** writeCostSplitWorkbook, written in a worker and streamed into `stream`. */
export async function writeCostSplitWorkbookInPool(
  input: CostSplitInput,
  stream: Writable,
): Promise<void> {
  const pool = computePool();
  if (!pool) return writeCostSplitWorkbook(input, stream);
  await pool.run({ kind: "cost-split", input }, (bytes) => stream.write(bytes));
  await new Promise<void>((resolve, reject) => {
    stream.once("error", reject);
    stream.end(resolve);
  });
}

/** Builds a template workbook (what the worker runs). */
export async function buildTemplate(
  template: "demand" | "inventory",
  input: TemplateInput,
): Promise<Uint8Array<ArrayBuffer>> {
  const file = template === "demand" ? buildDemandTemplate(input) : buildInventoryTemplate(input);
  return new Uint8Array(await file);
}

/**
 * A partner's demand or inventory template, built in a worker: exceljs builds the
 * workbook synchronously (tens to hundreds of milliseconds for a large partner).
 */
export async function buildTemplateInPool(
  template: "demand" | "inventory",
  input: TemplateInput,
): Promise<Uint8Array<ArrayBuffer>> {
  const pool = computePool();
  if (!pool) return buildTemplate(template, input);
  return (await pool.run({ kind: "grid-template", template, input })) as Uint8Array<ArrayBuffer>;
}

// The compute pool's workers read the plan from SQLite themselves (decision 027): at
// state scale, reading the plan on the main thread and copying it into a worker
// (structured clone of a 50 MB object graph) held the event loop for seconds. The main
// thread sends only where the store is (a SQLite file, or a PostgreSQL schema); each
// worker opens it through the seam (app/utils/db.server.ts storeLocationOf,
// openStoreInWorker) and keeps the handle for later tasks. A worker reads committed data at least as new as the data version the main
// thread read before it sent the task, so a value cached under that version is never
// older than the version says.

/** The summary's model of the current plan, read and computed in a worker (see above). */
export async function summaryFromDatabase(
  store: StoreLocation,
  tenderCode: string,
): Promise<SummaryModel | undefined> {
  const plan = await exportPlan(openStoreInWorker(store));
  if (!plan.tenders?.some((t) => t.code === tenderCode)) return undefined;
  return buildSummaryModel(plan, tenderCode);
}

/**
 * The committee summary's model of the current plan computed in a worker that reads the
 * plan itself; null when that is not possible (no pool, no database file): the caller
 * computes it in this thread.
 */
export async function currentSummaryInPool(
  db: Kysely<DB>,
  tenderCode: string,
): Promise<SummaryModel | undefined | null> {
  const pool = computePool();
  const store = pool && (await storeLocationOf(db));
  if (!pool || !store) return null;
  return (await pool.run({ kind: "summary-db", store, tenderCode })) as SummaryModel | undefined;
}

/**
 * db/support.ts calculateCurrentSupport (the engine on the whole plan) in a worker that
 * reads the database itself; null when that is not possible (see currentSummaryInPool).
 */
export async function currentSupportInPool(
  db: Kysely<DB>,
  now: Date,
): Promise<CurrentSupport | null> {
  const pool = computePool();
  const store = pool && (await storeLocationOf(db));
  if (!pool || !store) return null;
  return (await pool.run({ kind: "support-db", store, now })) as CurrentSupport;
}
