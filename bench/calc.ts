// Benchmark of the `plan calc` path on a state-scale plan (bench/generate-plan.ts).
//   (a) floor: read the file, JSON.parse it, one pass over the demand and inventory lines
//              summing quantity × base price in cents
//   (b) full:  read the file, then calculatePlanText (parse, validate, compute, serialize),
//              the same function the command line uses, in this process (for reference)
//   (c) cli:   the real command `node scripts/run-plan.mjs calc FILE` (what `npm run plan`
//              runs) in a fresh process, stdout to /dev/null: start, read, calc, write
// Each runs several times, alternating; medians, the ratios b/a and c/a (the target is
// about c) and the peak memory (maxRSS of this process for a/b, of the child for c) go
// to stdout and bench/results/calc.json, with the start time of the command line
// (`validate` on example 01) for reference.

import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import v8 from "node:v8";
import vm from "node:vm";
import { calculatePlanText } from "../domain/plan-pipeline";
import { parseMoney } from "../domain/money";
import { DEFAULT_PLAN_FILE, STATE_PLAN } from "./generate-plan";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const TARGET_RATIO = 3;
const TARGET_PEAK_MB = 1024;
const here = path.dirname(fileURLToPath(import.meta.url));
const loadAtStart = os.loadavg()[0];

v8.setFlagsFromString("--expose-gc");
const collectGarbage = vm.runInNewContext("gc") as () => void;

interface FloorPlan {
  categories: { code: string; basePriceNet: string }[];
  demand: { category: string; quantity: number }[];
  inventory?: { category: string; quantity: number }[];
}

/** (a) The least any calc must do: read, parse, touch every line once. */
function floor(file: string): number {
  const plan = JSON.parse(fs.readFileSync(file, "utf8")) as FloorPlan;
  const baseCents = new Map(
    plan.categories.map((c) => [c.code, Number(parseMoney(c.basePriceNet))]),
  );
  let sum = 0; // integer cents; far below 2^53 for this plan
  for (const line of plan.demand) sum += line.quantity * baseCents.get(line.category)!;
  for (const line of plan.inventory ?? []) sum += line.quantity * baseCents.get(line.category)!;
  return sum;
}

/** (b) The full command line path without process start and stdout. */
function full(file: string): number {
  const outcome = calculatePlanText(fs.readFileSync(file, "utf8"));
  if (!outcome.ok)
    throw new Error(`Benchmark plan invalid: ${JSON.stringify(outcome.problems.slice(0, 3))}`);
  return outcome.json.length;
}

const root = path.resolve(here, "..");
/** GNU time reports the child's peak RSS; without it only wall time is measured. */
const GNU_TIME = "/usr/bin/time";
const hasGnuTime = fs.existsSync(GNU_TIME);

/**
 * (c) `plan calc` as users run it: wall time, and from GNU time the child's CPU time
 * (user + system) and peak RSS in MB.
 */
function cli(file: string): {
  ms: number;
  cpuMs: number | undefined;
  peakRssMb: number | undefined;
} {
  const command = [process.execPath, path.join(root, "scripts", "run-plan.mjs"), "calc", file];
  // GNU time writes "%U %S %M" (s, s, KB) as the last line of stderr; calc writes
  // nothing there on success.
  const [executable, ...args] = hasGnuTime ? [GNU_TIME, "-f", "%U %S %M", ...command] : command;
  const devNull = fs.openSync("/dev/null", "w");
  try {
    const start = process.hrtime.bigint();
    const run = spawnSync(executable, args, {
      cwd: root,
      stdio: ["ignore", devNull, "pipe"],
      encoding: "utf8",
    });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (run.status !== 0) throw new Error(`plan calc failed (${run.status}): ${run.stderr}`);
    if (!hasGnuTime) return { ms, cpuMs: undefined, peakRssMb: undefined };
    const [user, system, kb] = (run.stderr.trim().split("\n").at(-1) ?? "").split(" ").map(Number);
    return { ms, cpuMs: (user + system) * 1000, peakRssMb: kb / 1024 };
  } finally {
    fs.closeSync(devNull);
  }
}

/**
 * Wall time of `work`, and its CPU time (user + system of this process, GC threads
 * included, as for the child): on a loaded machine CPU time is the steadier figure.
 */
function time(work: () => number): { ms: number; cpuMs: number } {
  collectGarbage();
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  work();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const used = process.cpuUsage(cpu);
  return { ms, cpuMs: (used.user + used.system) / 1000 };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const file = process.argv[2] ? path.resolve(process.argv[2]) : DEFAULT_PLAN_FILE;
if (!fs.existsSync(file)) {
  // Generate in a child process so its memory does not count as this run's peak.
  const made = spawnSync(
    process.execPath,
    ["--import", "tsx", path.join(here, "generate-plan.ts"), file],
    {
      stdio: "inherit",
    },
  );
  if (made.status !== 0) throw new Error("Generating the benchmark plan failed");
}

const floorMs: number[] = [];
const fullMs: number[] = [];
const cliMs: number[] = [];
const floorCpuMs: number[] = [];
const cliCpuMs: number[] = [];
const cliPeakRssMb: number[] = [];
full(file); // warm-up: compile the hot paths once
cli(file); // warm-up: builds the command line bundle if a source changed
for (let run = 0; run < RUNS; run++) {
  const floorRun = time(() => floor(file));
  floorMs.push(floorRun.ms);
  floorCpuMs.push(floorRun.cpuMs);
  fullMs.push(time(() => full(file)).ms);
  const child = cli(file);
  cliMs.push(child.ms);
  if (child.cpuMs !== undefined) cliCpuMs.push(child.cpuMs);
  if (child.peakRssMb !== undefined) cliPeakRssMb.push(child.peakRssMb);
}
const peakRssMb = process.resourceUsage().maxRSS / 1024;

/** Wall time of `validate` on example 01 in a fresh process (command line start). */
function startupMs(command: string, args: string[]): number {
  const example = path.resolve(here, "../tests/fixtures/examples/01-three-partners.plan.json");
  const start = process.hrtime.bigint();
  const run = spawnSync(command, [...args, "validate", example], { cwd: path.resolve(here, "..") });
  if (run.status !== 0) throw new Error(`validate failed: ${run.stderr}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}
const launcherMs: number[] = [];
const tsxMs: number[] = [];
for (let run = 0; run < RUNS; run++) {
  launcherMs.push(startupMs(process.execPath, ["scripts/run-plan.mjs"]));
  tsxMs.push(startupMs(path.resolve(here, "../node_modules/.bin/tsx"), ["scripts/plan.ts"]));
}
const floorMedian = median(floorMs);
const fullMedian = median(fullMs);
const cliMedian = median(cliMs);
const ratio = fullMedian / floorMedian;
const cliRatio = cliMedian / floorMedian;
const cliPeak = cliPeakRssMb.length > 0 ? Math.max(...cliPeakRssMb) : undefined;
const cliCpuRatio = cliCpuMs.length > 0 ? median(cliCpuMs) / median(floorCpuMs) : undefined;

const summary = {
  benchmark: "plan calc on a state-scale plan",
  measuredAt: new Date().toISOString(),
  machine: {
    node: process.version,
    cpus: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? "?",
    loadAverage1mAtStart: Number(loadAtStart.toFixed(1)),
    loadAverage1m: Number(os.loadavg()[0].toFixed(1)),
  },
  plan: {
    file: path.relative(path.resolve(here, ".."), file),
    megabytes: Number((fs.statSync(file).size / 1e6).toFixed(1)),
    partners: STATE_PLAN.partners,
    schools: STATE_PLAN.schools,
    categories: STATE_PLAN.categories,
    demandLines: STATE_PLAN.schools * STATE_PLAN.categoriesPerSchool * STATE_PLAN.termYears,
    inventoryLines: STATE_PLAN.schools * STATE_PLAN.inventoryCategoriesPerSchool * 4,
    fundingProgrammes: 2,
    support: true,
    seed: STATE_PLAN.seed,
  },
  runs: RUNS,
  floorMs: { median: Math.round(floorMedian), all: floorMs.map(Math.round) },
  fullMs: { median: Math.round(fullMedian), all: fullMs.map(Math.round) },
  cliMs: { median: Math.round(cliMedian), all: cliMs.map(Math.round) },
  ratio: Number(ratio.toFixed(2)),
  cliRatio: Number(cliRatio.toFixed(2)),
  // CPU time (user + system): less disturbed than wall time when other work shares the cores.
  cpuMs: {
    floorMedian: Math.round(median(floorCpuMs)),
    cliMedian: cliCpuMs.length > 0 ? Math.round(median(cliCpuMs)) : null,
  },
  cliCpuRatio: cliCpuRatio === undefined ? null : Number(cliCpuRatio.toFixed(2)),
  peakRssMb: Math.round(peakRssMb),
  cliPeakRssMb: cliPeak === undefined ? null : Math.round(cliPeak),
  cliStartValidateExample01Ms: {
    npmRunPlanLauncher: Math.round(median(launcherMs)),
    tsxScriptsPlanTs: Math.round(median(tsxMs)),
  },
  target: { ratioAtMost: TARGET_RATIO, peakRssMbBelow: TARGET_PEAK_MB },
  // The target is about `plan calc` itself: (c), with the child's memory.
  targetMet: cliRatio <= TARGET_RATIO && (cliPeak ?? peakRssMb) < TARGET_PEAK_MB,
};

console.log(
  `floor (read + JSON.parse + one pass): median ${summary.floorMs.median} ms  [${summary.floorMs.all.join(", ")}]`,
);
console.log(
  `full  (plan calc in-process):         median ${summary.fullMs.median} ms  [${summary.fullMs.all.join(", ")}]`,
);
console.log(
  `cli   (node scripts/run-plan.mjs calc): median ${summary.cliMs.median} ms  [${summary.cliMs.all.join(", ")}]`,
);
console.log(`ratio cli/floor:  ${summary.cliRatio} (target <= ${TARGET_RATIO})`);
console.log(`ratio full/floor: ${summary.ratio} (in-process, for reference)`);
console.log(
  `CPU time (user + system), median: floor ${summary.cpuMs.floorMedian} ms, cli ${summary.cpuMs.cliMedian ?? "?"} ms, ratio ${summary.cliCpuRatio ?? "?"}`,
);
console.log(
  `peak memory (maxRSS): cli ${summary.cliPeakRssMb ?? "?"} MB, this process ${summary.peakRssMb} MB (target < ${TARGET_PEAK_MB} MB)`,
);
console.log(
  `load average (1 min): ${summary.machine.loadAverage1m} on ${summary.machine.cpus} cores; target met: ${summary.targetMet}`,
);
console.log(
  `command line start (validate example 01, median): ${summary.cliStartValidateExample01Ms.npmRunPlanLauncher} ms via scripts/run-plan.mjs, ${summary.cliStartValidateExample01Ms.tsxScriptsPlanTs} ms via tsx`,
);
fs.mkdirSync(path.join(here, "results"), { recursive: true });
fs.writeFileSync(path.join(here, "results", "calc.json"), JSON.stringify(summary, null, 2) + "\n");
