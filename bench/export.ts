// Benchmark of the cost-split workbook on the state-scale plan of bench:calc
// (bench/generate-plan.ts): time and peak memory of
//   (ours) writeCostSplitWorkbook to a file, given the engine's calculation, against
//   (raw)  exceljs's streaming WorkbookWriter writing the very same cells — the values,
//          formulas with cached results and number formats that ours wrote, read back
//          from ours' file beforehand — with no logic: the cost of exceljs alone.
// Every measurement runs in a child process of its own (fresh heap, no mixing of
// memory between phases), several times alternating; medians and the time ratio
// ours/raw go to stdout and bench/results/export.json.
//
//   npm run bench:export            (BENCH_RUNS=5 for more runs)

import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import v8 from "node:v8";
import vm from "node:vm";
import ExcelJS from "exceljs";
import { calculatePlan } from "../domain/calculate";
import type { Plan } from "../domain/plan";
import { writeCostSplitWorkbook } from "../exports/cost-split-workbook";
import { DEFAULT_PLAN_FILE, STATE_PLAN } from "./generate-plan";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const TARGET_RATIO = 1.2; // issue 17
const ROWS_PER_PAUSE = 500; // the same rhythm as exports/sheet-writer.ts
const here = path.dirname(fileURLToPath(import.meta.url));
const scriptFile = fileURLToPath(import.meta.url);
const EXAMPLE_PLAN = path.resolve(
  here,
  "..",
  "tests",
  "fixtures",
  "examples",
  "03-kreis-coesfeld.plan.json",
);

/** A cell as raw writes it: [column, value, format] or [column, formula, cached result, format]. */
type ShapeCell =
  [number, string | number | null, number] | [number, string, string | number | null, number];
/** The workbook ours wrote, sheet by sheet, row by row; formats index `numFmts`. */
interface Shape {
  numFmts: string[];
  sheets: { name: string; rows: ShapeCell[][] }[];
}

interface PhaseReport {
  phase: "ours" | "raw";
  /** Wall-clock time of the phase. */
  ms: number;
  /** CPU time of the phase (user + system, all threads incl. zlib): robust when the machine is busy. */
  cpuMs: number;
  /** RSS right before the phase (after garbage collection). */
  rssBeforeMb: number;
  /** Highest RSS sampled during the phase. */
  peakRssMb: number;
  /** The process's high-water mark (includes setup such as calculating the plan). */
  maxRssMb: number;
  fileMb: number;
  setupMs?: number;
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

function collectGarbage(): void {
  v8.setFlagsFromString("--expose-gc");
  (vm.runInNewContext("gc") as () => void)();
}

/** Samples RSS every millisecond the event loop allows (both writers pause every 500 rows). */
function memorySampler(): { stop: () => number } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 1);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage().rss);
    },
  };
}

async function measure(
  phase: PhaseReport["phase"],
  file: string,
  work: () => Promise<void>,
  setupMs?: number,
): Promise<PhaseReport> {
  collectGarbage();
  const rssBefore = process.memoryUsage().rss;
  const sampler = memorySampler();
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  await work();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const cpu = process.cpuUsage(cpuStart);
  const peak = sampler.stop();
  return {
    phase,
    ms: Math.round(ms),
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    rssBeforeMb: mb(rssBefore),
    peakRssMb: mb(peak),
    maxRssMb: mb(process.resourceUsage().maxRSS * 1024),
    fileMb: mb(fs.statSync(file).size),
    setupMs,
  };
}

function loadPlan(file: string): Plan {
  return JSON.parse(fs.readFileSync(file, "utf8")) as Plan;
}

async function writeOurs(plan: Plan, file: string): Promise<void> {
  const calculation = calculatePlan(plan);
  await writeCostSplitWorkbook(
    {
      calculation,
      tenderCode: calculation.tenders[0].code,
      meta: { createdAt: new Date(), appVersion: "bench" },
    },
    fs.createWriteStream(file),
  );
}

/** (ours) The calculation is set up first and not timed; the export is. */
async function phaseOurs(planFile: string, out: string): Promise<PhaseReport> {
  await writeOurs(loadPlan(EXAMPLE_PLAN), out); // warm-up: compile the hot paths once
  const setupStart = Date.now();
  const calculation = calculatePlan(loadPlan(planFile));
  const setupMs = Date.now() - setupStart;
  const tenderCode = calculation.tenders[0].code;
  return measure(
    "ours",
    out,
    () =>
      writeCostSplitWorkbook(
        { calculation, tenderCode, meta: { createdAt: new Date(), appVersion: "bench" } },
        fs.createWriteStream(out),
      ),
    setupMs,
  );
}

/** (raw) exceljs alone: the same cells, one shared style object per number format. */
async function writeRaw(shape: Shape, file: string): Promise<void> {
  const styles = shape.numFmts.map((numFmt): Partial<ExcelJS.Style> => (numFmt ? { numFmt } : {}));
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    filename: file,
    useStyles: true,
    useSharedStrings: false,
  });
  for (const { name, rows } of shape.sheets) {
    const sheet = workbook.addWorksheet(name);
    let sincePause = 0;
    for (let r = 0; r < rows.length; r++) {
      const row = sheet.getRow(r + 1);
      for (const shapeCell of rows[r]) {
        const cell = row.getCell(shapeCell[0]);
        if (shapeCell.length === 4) {
          cell.value = {
            formula: shapeCell[1],
            result: shapeCell[2] ?? undefined,
          } as ExcelJS.CellFormulaValue;
          cell.style = styles[shapeCell[3]];
        } else {
          cell.value = shapeCell[1];
          cell.style = styles[shapeCell[2]];
        }
      }
      row.commit();
      if (++sincePause === ROWS_PER_PAUSE) {
        sincePause = 0;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
    sheet.commit();
  }
  await workbook.commit();
}

async function phaseRaw(shapeFile: string, out: string): Promise<PhaseReport> {
  const shape = JSON.parse(fs.readFileSync(shapeFile, "utf8")) as Shape;
  await writeRaw(
    { ...shape, sheets: shape.sheets.map((s) => ({ ...s, rows: s.rows.slice(0, 2000) })) },
    out,
  ); // warm-up
  return measure("raw", out, () => writeRaw(shape, out));
}

/** Reads back every cell ours wrote (streaming reader): values, formulas, cached results, formats. */
async function shapeOf(file: string): Promise<Shape> {
  const numFmts: string[] = [""];
  const formatIndex = new Map<string, number>([["", 0]]);
  const indexOf = (numFmt: string | undefined) => {
    const key = numFmt ?? "";
    let index = formatIndex.get(key);
    if (index === undefined) {
      index = numFmts.push(key) - 1;
      formatIndex.set(key, index);
    }
    return index;
  };
  const sheets: Shape["sheets"] = [];
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(file, {
    worksheets: "emit",
    sharedStrings: "cache",
    styles: "cache",
    hyperlinks: "ignore",
  });
  for await (const worksheet of reader) {
    const sheet = worksheet as unknown as AsyncIterable<ExcelJS.Row> & { name: string };
    const rows: ShapeCell[][] = [];
    for await (const row of sheet) {
      while (rows.length < row.number - 1) rows.push([]);
      const cells: ShapeCell[] = [];
      row.eachCell({ includeEmpty: true }, (cell, column) => {
        const format = indexOf(cell.numFmt);
        if (cell.type === ExcelJS.ValueType.Formula) {
          cells.push([
            column,
            cell.formula,
            (cell.result as string | number | undefined) ?? null,
            format,
          ]);
        } else {
          const value = cell.value;
          cells.push([
            column,
            typeof value === "string" || typeof value === "number"
              ? value
              : value === null
                ? null
                : String(value),
            format,
          ]);
        }
      });
      rows.push(cells);
    }
    sheets.push({ name: sheet.name, rows });
  }
  return { numFmts, sheets };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function runChild(args: string[]): string {
  const child = spawnSync(process.execPath, ["--import", "tsx", scriptFile, ...args], {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    stdio: ["ignore", "pipe", "inherit"],
  });
  if (child.status !== 0) throw new Error(`bench child ${args.join(" ")} failed (${child.status})`);
  return child.stdout.trim().split("\n").pop() ?? "";
}

async function orchestrate(): Promise<void> {
  const planFile = process.argv[2] ? path.resolve(process.argv[2]) : DEFAULT_PLAN_FILE;
  if (!fs.existsSync(planFile)) {
    const made = spawnSync(
      process.execPath,
      ["--import", "tsx", path.join(here, "generate-plan.ts"), planFile],
      { stdio: "inherit" },
    );
    if (made.status !== 0) throw new Error("Generating the benchmark plan failed");
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "verbundkauf-bench-export-"));
  const oursFile = path.join(dir, "ours.xlsx");
  const rawFile = path.join(dir, "raw.xlsx");
  const shapeFile = path.join(dir, "shape.json");
  try {
    // One run of ours first, to learn the shape raw must reproduce.
    const first = JSON.parse(runChild(["--phase=ours", planFile, oursFile])) as PhaseReport;
    runChild(["--phase=shape", oursFile, shapeFile]);
    const shape = JSON.parse(fs.readFileSync(shapeFile, "utf8")) as Shape;
    const allCells = shape.sheets.flatMap((s) => s.rows.flat());
    const cells = {
      rows: shape.sheets.reduce((sum, s) => sum + s.rows.length, 0),
      formula: allCells.filter((c) => c.length === 4).length,
      number: allCells.filter((c) => c.length === 3 && typeof c[1] === "number").length,
      textOrEmpty: allCells.filter((c) => c.length === 3 && typeof c[1] !== "number").length,
    };

    const ours: PhaseReport[] = [first];
    const raw: PhaseReport[] = [];
    for (let run = 0; run < RUNS; run++) {
      raw.push(JSON.parse(runChild(["--phase=raw", shapeFile, rawFile])) as PhaseReport);
      if (run > 0)
        ours.push(JSON.parse(runChild(["--phase=ours", planFile, oursFile])) as PhaseReport);
    }
    while (ours.length < RUNS)
      ours.push(JSON.parse(runChild(["--phase=ours", planFile, oursFile])) as PhaseReport);

    const summarize = (reports: PhaseReport[]) => ({
      medianMs: Math.round(median(reports.map((r) => r.ms))),
      allMs: reports.map((r) => r.ms),
      medianCpuMs: Math.round(median(reports.map((r) => r.cpuMs))),
      allCpuMs: reports.map((r) => r.cpuMs),
      medianPeakRssMb: median(reports.map((r) => r.peakRssMb)),
      medianRssBeforeMb: median(reports.map((r) => r.rssBeforeMb)),
      medianGrowthMb: Math.round(median(reports.map((r) => r.peakRssMb - r.rssBeforeMb)) * 10) / 10,
      maxRssMb: Math.max(...reports.map((r) => r.maxRssMb)),
      fileMb: reports[0].fileMb,
    });
    const oursSummary = {
      ...summarize(ours),
      calculationSetupMs: Math.round(median(ours.map((r) => r.setupMs ?? 0))),
    };
    const rawSummary = summarize(raw);
    // The target is checked on CPU time: wall time swings with whatever else runs on the machine.
    const ratio = oursSummary.medianCpuMs / rawSummary.medianCpuMs;
    const wallRatio = oursSummary.medianMs / rawSummary.medianMs;
    const memoryRatio = oursSummary.medianGrowthMb / Math.max(rawSummary.medianGrowthMb, 1);
    const summary = {
      benchmark: "cost-split workbook (exports) against raw exceljs streaming with the same cells",
      measuredAt: new Date().toISOString(),
      machine: {
        node: process.version,
        cpus: os.cpus().length,
        cpu: os.cpus()[0]?.model ?? "?",
        loadAverage: os.loadavg().map((l) => Number(l.toFixed(1))),
      },
      plan: {
        file: path.relative(path.resolve(here, ".."), planFile),
        partners: STATE_PLAN.partners,
        categories: STATE_PLAN.categories,
        years: STATE_PLAN.termYears,
        seed: STATE_PLAN.seed,
      },
      workbook: { sheets: shape.sheets.map((s) => ({ name: s.name, rows: s.rows.length })), cells },
      runs: RUNS,
      ours: oursSummary,
      raw: rawSummary,
      ratio: Number(ratio.toFixed(2)),
      wallClockRatio: Number(wallRatio.toFixed(2)),
      memoryGrowthRatio: Number(memoryRatio.toFixed(2)),
      target: { ratioAtMost: TARGET_RATIO },
      targetMet: ratio <= TARGET_RATIO,
      notes:
        "cpuMs (the target): CPU time to write the workbook to a file, all threads; ms: wall-clock time. peak/growth: RSS sampled during the phase (both writers pause every 500 rows, so the sampler runs); " +
        "ours' RSS before the phase includes the engine's calculation of the plan, which is set up untimed.",
    };

    const line = (label: string, s: ReturnType<typeof summarize>) =>
      `${label} median CPU ${s.medianCpuMs} ms [${s.allCpuMs.join(", ")}], wall ${s.medianMs} ms [${s.allMs.join(", ")}], RSS before ${s.medianRssBeforeMb} MB, peak ${s.medianPeakRssMb} MB (growth ${s.medianGrowthMb} MB), file ${s.fileMb} MB`;
    console.log(
      `workbook: ${cells.rows} rows, ${cells.formula} formula, ${cells.number} number, ${cells.textOrEmpty} text or empty cells`,
    );
    console.log(line("ours (cost split):", oursSummary));
    console.log(line("raw exceljs:      ", rawSummary));
    console.log(
      `ratio ours/raw (CPU time): ${summary.ratio} (target <= ${TARGET_RATIO})${summary.targetMet ? "" : "  NOT MET"}`,
    );
    console.log(`ratio ours/raw (wall clock): ${summary.wallClockRatio}`);
    console.log(`ratio ours/raw (memory growth): ${summary.memoryGrowthRatio}`);
    fs.mkdirSync(path.join(here, "results"), { recursive: true });
    fs.writeFileSync(
      path.join(here, "results", "export.json"),
      JSON.stringify(summary, null, 2) + "\n",
    );
    if (!summary.targetMet) process.exitCode = 1;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const [phase, input, output] = process.argv.slice(2);
  if (phase === "--phase=ours") console.log(JSON.stringify(await phaseOurs(input, output)));
  else if (phase === "--phase=raw") console.log(JSON.stringify(await phaseRaw(input, output)));
  else if (phase === "--phase=shape")
    fs.writeFileSync(output, JSON.stringify(await shapeOf(input)));
  else await orchestrate();
}

await main();
