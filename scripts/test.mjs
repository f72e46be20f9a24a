// `npm test`: every test in three vitest runs — first unit, integration and security
// tests (in parallel, at most one worker per core), then the CPU-heavy files one at a
// time, then the browser tests one file at a time, so that the heavy files, Chromium
// and the app server do not compete with the rest for the two cores. Prints one
// closing line "Tests: N passed, N failed, N skipped" over all runs, and the time.
// With arguments (`npm test -- tests/domain`) it is a single plain `vitest run ARGS`.
//
// Under load, a test file that holds its worker's event loop for a long synchronous
// stretch (a 200,000-line import, thousands of property runs) made vitest report
// `Timeout calling "onTaskUpdate"` as an unhandled error after every test had passed.
// Those files run in their own phase, alone. Real errors still fail the run.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const vitest = path.join("node_modules", ".bin", "vitest");
const args = process.argv.slice(2);

if (args.length > 0) {
  const run = spawnSync(vitest, ["run", ...args], { stdio: "inherit" });
  process.exit(run.status ?? 1);
}

/** Files with long synchronous stretches or child processes: run alone, one after another. */
const HEAVY_FILES = [
  "tests/security/durability.test.ts",
  "tests/security/durability-server.test.ts",
  "tests/db/plan-io-large.test.ts",
  "tests/exports/cost-split-random.test.ts",
  "tests/db/call-offs-processes.test.ts",
  "tests/scripts/start.test.ts",
  "tests/scripts/plan-cli.test.ts",
  "tests/scripts/plan-cli-after-award.test.ts",
];
const cores = Math.max(1, os.availableParallelism?.() ?? os.cpus().length);

const outDir = path.join("tests", ".tmp");
fs.mkdirSync(outDir, { recursive: true });

const phases = [
  {
    name: "unit",
    args: [
      "--exclude",
      "tests/browser/**",
      ...HEAVY_FILES.flatMap((file) => ["--exclude", file]),
      `--maxWorkers=${cores}`,
      "--minWorkers=1",
    ],
  },
  { name: "heavy", args: [...HEAVY_FILES, "--no-file-parallelism"] },
  { name: "browser", args: ["tests/browser", "--no-file-parallelism"] },
];

// Every process a test starts inherits this marker; any still running afterwards was
// left behind by a test (an orphan), which fails the run.
const runMarker = `VERBUNDKAUF_TEST_RUN=${randomBytes(8).toString("hex")}`;
const [markerName, markerValue] = runMarker.split("=");

function leftoverProcesses() {
  if (!fs.existsSync("/proc/self/environ")) return [];
  const found = [];
  for (const name of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const environ = fs.readFileSync(`/proc/${name}/environ`, "utf8").split("\0");
      if (!environ.includes(runMarker)) continue;
      const command = fs.readFileSync(`/proc/${name}/cmdline`, "utf8").replaceAll("\0", " ");
      found.push({ pid: Number(name), command: command.trim() });
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

const started = Date.now();
let passed = 0;
let failed = 0;
let skipped = 0;
let status = 0;
for (const phase of phases) {
  const report = path.join(outDir, `${phase.name}.json`);
  fs.rmSync(report, { force: true });
  console.log(`\n== ${phase.name} tests`);
  const phaseStarted = Date.now();
  const run = spawnSync(
    vitest,
    ["run", ...phase.args, "--reporter=default", "--reporter=json", `--outputFile.json=${report}`],
    { stdio: "inherit", env: { ...process.env, [markerName]: markerValue } },
  );
  console.log(`== ${phase.name} tests took ${Math.round((Date.now() - phaseStarted) / 1000)} s`);
  if (run.status !== 0) status = run.status ?? 1;
  if (fs.existsSync(report)) {
    const result = JSON.parse(fs.readFileSync(report, "utf8"));
    passed += result.numPassedTests;
    failed += result.numFailedTests;
    skipped += result.numPendingTests + (result.numTodoTests ?? 0);
  } else {
    status = status || 1;
  }
}

// A moment's grace: helpers such as esbuild's service end when their parent's pipes close.
let leftovers = leftoverProcesses();
if (leftovers.length > 0) {
  await new Promise((resolve) => setTimeout(resolve, 3000));
  leftovers = leftoverProcesses();
}
if (leftovers.length > 0) {
  console.error("\nProcesses started by tests are still running (now ended):");
  for (const { pid, command } of leftovers) {
    console.error(`  ${pid} ${command}`);
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // ended by itself meanwhile
    }
  }
  status = status || 1;
}
if (passed === 0) status = status || 1; // a run that tested nothing is not green
const minutes = ((Date.now() - started) / 60_000).toFixed(1);
console.log(`\nTests: ${passed} passed, ${failed} failed, ${skipped} skipped (${minutes} min)`);
process.exit(status);
