// Benchmark of the `plan calc` path on a state-scale plan (bench/generate-plan.ts).
//   (a) floor: read the file, JSON.parse it, one pass summing quantity × base price in cents
//   (b) full:  read the file, then calculatePlanText (parse, validate, compute, serialize),
//              the same function the command line uses
// Each runs several times, alternating; medians, their ratio b/a and the peak
// memory (maxRSS of this process) go to stdout and bench/results/calc.json, with the
// start time of the command line (`validate` on example 01) for reference.

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

v8.setFlagsFromString("--expose-gc");
const collectGarbage = vm.runInNewContext("gc") as () => void;

interface FloorPlan {
  categories: { code: string; basePriceNet: string }[];
  demand: { category: string; quantity: number }[];
}

/** (a) The least any calc must do: read, parse, touch every line once. */
function floor(file: string): number {
  const plan = JSON.parse(fs.readFileSync(file, "utf8")) as FloorPlan;
  const baseCents = new Map(
    plan.categories.map((c) => [c.code, Number(parseMoney(c.basePriceNet))]),
  );
  let sum = 0; // integer cents; far below 2^53 for this plan
  for (const line of plan.demand) sum += line.quantity * baseCents.get(line.category)!;
  return sum;
}

/** (b) The full command line path without process start and stdout. */
function full(file: string): number {
  const outcome = calculatePlanText(fs.readFileSync(file, "utf8"));
  if (!outcome.ok)
    throw new Error(`Benchmark plan invalid: ${JSON.stringify(outcome.problems.slice(0, 3))}`);
  return outcome.json.length;
}

function time(work: () => number): number {
  collectGarbage();
  const start = process.hrtime.bigint();
  work();
  return Number(process.hrtime.bigint() - start) / 1e6;
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
full(file); // warm-up: compile the hot paths once
for (let run = 0; run < RUNS; run++) {
  floorMs.push(time(() => floor(file)));
  fullMs.push(time(() => full(file)));
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
const ratio = fullMedian / floorMedian;

const summary = {
  benchmark: "plan calc on a state-scale plan",
  measuredAt: new Date().toISOString(),
  machine: {
    node: process.version,
    cpus: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? "?",
    loadAverage1m: Number(os.loadavg()[0].toFixed(1)),
  },
  plan: {
    file: path.relative(path.resolve(here, ".."), file),
    megabytes: Number((fs.statSync(file).size / 1e6).toFixed(1)),
    partners: STATE_PLAN.partners,
    schools: STATE_PLAN.schools,
    categories: STATE_PLAN.categories,
    demandLines: STATE_PLAN.schools * STATE_PLAN.categoriesPerSchool * STATE_PLAN.termYears,
    seed: STATE_PLAN.seed,
  },
  runs: RUNS,
  floorMs: { median: Math.round(floorMedian), all: floorMs.map(Math.round) },
  fullMs: { median: Math.round(fullMedian), all: fullMs.map(Math.round) },
  ratio: Number(ratio.toFixed(2)),
  peakRssMb: Math.round(peakRssMb),
  cliStartValidateExample01Ms: {
    npmRunPlanLauncher: Math.round(median(launcherMs)),
    tsxScriptsPlanTs: Math.round(median(tsxMs)),
  },
  target: { ratioAtMost: TARGET_RATIO, peakRssMbBelow: TARGET_PEAK_MB },
  targetMet: ratio <= TARGET_RATIO && peakRssMb < TARGET_PEAK_MB,
};

console.log(
  `floor (read + JSON.parse + one pass): median ${summary.floorMs.median} ms  [${summary.floorMs.all.join(", ")}]`,
);
console.log(
  `full  (plan calc in-process):         median ${summary.fullMs.median} ms  [${summary.fullMs.all.join(", ")}]`,
);
console.log(`ratio full/floor: ${summary.ratio} (target <= ${TARGET_RATIO})`);
console.log(`peak memory (maxRSS): ${summary.peakRssMb} MB (target < ${TARGET_PEAK_MB} MB)`);
console.log(
  `command line start (validate example 01, median): ${summary.cliStartValidateExample01Ms.npmRunPlanLauncher} ms via scripts/run-plan.mjs, ${summary.cliStartValidateExample01Ms.tsxScriptsPlanTs} ms via tsx`,
);
fs.mkdirSync(path.join(here, "results"), { recursive: true });
fs.writeFileSync(path.join(here, "results", "calc.json"), JSON.stringify(summary, null, 2) + "\n");
