// `npm test`: every test, in four phases of vitest runs (docs/decisions/026-test-run-time.md):
// 1. unit: unit, integration and security tests, two workers (one per core).
// 2. heavy: the CPU-heavy files, one at a time.
// 3. browser: the browser tests, two files at a time (one per core; each worker shares one
//    Chromium among its files, tests/helpers/browser.ts).
// 4. postgres: tests/db, tests/app, the security files that use the database
//    (POSTGRES_FILES) and the browser tests again on a throwaway PostgreSQL cluster
//    (TEST_DATABASE_URL); skipped loudly without PostgreSQL, a failure under CI=true.
// In every phase, files that leave nothing behind share their worker process
// (`--no-isolate`: modules load once per worker, not once per file;
// tests/restore-process-state.ts undoes each file's changes to process.env and the
// timers); files that mock modules run isolated, each in a fresh process, in a second
// run of the phase.
// The heavy files, Chromium and the app server thus do not compete with the rest for
// the two cores. Prints each phase's time and one closing line
// "Tests: N passed, N failed, N skipped" over all runs, with the total time.
// With arguments (`npm test -- tests/domain`) it is a single plain `vitest run ARGS`.
// TEST_PHASES=heavy,postgres runs only the phases named.
// TEST_DRY_RUN=1 prints the vitest commands instead of running them (the PostgreSQL
// cluster is still started and stopped), to check the phases.
//
// Under load, a test file that holds its worker's event loop for a long synchronous
// stretch (a 200,000-line import, thousands of property runs) made vitest report
// `Timeout calling "onTaskUpdate"` as an unhandled error after every test had passed.
// Those files run in their own phase, alone. Real errors still fail the run.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { postgresBinDir, startCluster, stopCluster } from "./pg-cluster.mjs";

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

/**
 * What a test file may do only in a process of its own: mock modules or stub globals (the
 * module cache is shared). Changes to process.env and fake timers are undone after every
 * file by tests/restore-process-state.ts (vitest.config.ts setupFiles).
 */
const NEEDS_ISOLATION = /\bvi\.(mock|doMock|stubGlobal)\b/;

function testFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === ".tmp" ? [] : testFiles(file);
    return /\.test\.tsx?$/.test(entry.name) ? [file] : [];
  });
}

const allFiles = testFiles("tests");
const isolatedFiles = allFiles.filter((file) =>
  NEEDS_ISOLATION.test(fs.readFileSync(file, "utf8")),
);

const cores = Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
const exclude = (files) => files.flatMap((file) => ["--exclude", file]);

/**
 * The vitest runs of one phase: `filters` (and `excluded`) select its files; those that
 * need isolation run in a second run of their own. `serial`: one file at a time.
 */
function runsOf(name, { filters, member, excluded = [], serial = false }) {
  const workers = serial ? ["--no-file-parallelism"] : [`--maxWorkers=${cores}`, "--minWorkers=1"];
  const members = allFiles.filter((file) => member(file) && !excluded.includes(file));
  const alone = members.filter((file) => isolatedFiles.includes(file));
  return [
    {
      name,
      files: members.filter((file) => !alone.includes(file)),
      args: [...filters, ...exclude(excluded), ...exclude(alone), "--no-isolate", ...workers],
    },
    { name: `${name}-isolated`, files: alone, args: [...alone, ...workers] },
  ];
}

const isBrowser = (file) => file.startsWith("tests/browser/");
const isHeavy = (file) => HEAVY_FILES.includes(file);
/**
 * Beyond tests/db and tests/app, files that exercise the installation on PostgreSQL.
 * Not here: the security files about SQLite's own files (backups, WAL durability, crash
 * recovery, file permissions, several processes on one file, per-consortium files) and
 * those without a database (ZIP structure, the parse worker, the sign-in page cache).
 */
const POSTGRES_FILES = [
  "tests/scripts/postgres-cli.test.ts",
  "tests/security/authz-matrix.test.ts",
  "tests/security/data-version-cache.test.ts",
  "tests/security/hardening-server.test.ts",
  "tests/security/loader-data.test.ts",
  "tests/security/page-cache.test.ts",
  "tests/security/server.test.ts",
  "tests/security/session-cache.test.ts",
  "tests/security/sessions.test.ts",
  "tests/security/tenancy.test.ts",
  "tests/security/throttling.test.ts",
  "tests/security/uploads.test.ts",
  "tests/security/user-directory.test.ts",
];
const inDbOrApp = (file) => /^tests\/(db|app)\//.test(file) || POSTGRES_FILES.includes(file);

const phases = [
  {
    name: "unit",
    runs: runsOf("unit", {
      filters: ["--exclude", "tests/browser/**"],
      member: (file) => !isBrowser(file),
      excluded: HEAVY_FILES,
    }),
  },
  { name: "heavy", runs: runsOf("heavy", { filters: HEAVY_FILES, member: isHeavy, serial: true }) },
  {
    name: "browser",
    runs: runsOf("browser", { filters: ["tests/browser"], member: isBrowser }),
  },
  {
    name: "postgres",
    postgres: true,
    runs: [
      // The heavy files of tests/db and tests/app after the others, one at a time.
      ...runsOf("postgres", {
        filters: ["tests/db", "tests/app", ...POSTGRES_FILES],
        member: (file) => inDbOrApp(file) && !isHeavy(file),
        excluded: HEAVY_FILES,
      }),
      ...runsOf("postgres-heavy", {
        filters: HEAVY_FILES.filter(inDbOrApp),
        member: (file) => inDbOrApp(file) && isHeavy(file),
        serial: true,
      }),
      // The browser tests once more: every page and form against PostgreSQL.
      ...runsOf("postgres-browser", { filters: ["tests/browser"], member: isBrowser }),
    ],
  },
];

const outDir = path.join("tests", ".tmp");
fs.mkdirSync(outDir, { recursive: true });

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

// Ctrl-C or a SIGTERM: end the running vitest and every process it started (they carry
// the run marker), stop the PostgreSQL cluster, exit.
let child = null;
let cluster = null;
let interrupted = false;
function stopClusterOnce() {
  if (!cluster) return;
  const { dir } = cluster;
  cluster = null;
  stopCluster(dir);
}
function killEverythingStarted() {
  for (const { pid } of leftoverProcesses()) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // ended meanwhile
    }
  }
}
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, async () => {
    interrupted = true;
    console.error(`\n${signal}: stopping the tests`);
    if (child?.pid) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      try {
        process.kill(-child.pid, signal); // vitest and its workers (its own process group)
      } catch {
        // gone already
      }
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
    }
    killEverythingStarted();
    stopClusterOnce();
    process.exit(130);
  });
}

/** Runs vitest with `runArgs` (and `env`); resolves to its exit status. */
function runVitest(runArgs, env) {
  if (dryRun) {
    const vars = Object.entries(env).map(([name, value]) => `${name}=${value} `);
    console.log(`${vars.join("")}vitest run ${runArgs.join(" ")}`);
    return Promise.resolve(0);
  }
  return new Promise((resolve) => {
    child = spawn(vitest, ["run", ...runArgs], {
      stdio: "inherit",
      detached: true, // a process group of its own: a signal reaches vitest and its workers
      env: { ...process.env, [markerName]: markerValue, ...env },
    });
    child.once("error", (error) => {
      console.error(String(error));
      child = null;
      resolve(1);
    });
    child.once("exit", (code, signal) => {
      child = null;
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

const dryRun = process.env.TEST_DRY_RUN === "1";
const seconds = (since) => Math.round((Date.now() - since) / 1000);
const started = Date.now();
let passed = 0;
let failed = 0;
let failedFiles = 0;
const failures = [];

/** "phase: file > test: first line of the message" for each failed test or file. */
function failuresIn(result, runName) {
  const lines = [];
  for (const file of result.testResults ?? []) {
    const name = path.relative(process.cwd(), file.name);
    const failedTests = (file.assertionResults ?? []).filter((t) => t.status === "failed");
    for (const test of failedTests) {
      const why = String(test.failureMessages?.[0] ?? "")
        .split("\n")[0]
        .slice(0, 200);
      lines.push(`${runName}: ${name} > ${test.fullName}: ${why}`);
    }
    if (file.status === "failed" && failedTests.length === 0) {
      lines.push(
        `${runName}: ${name}: ${String(file.message ?? "")
          .split("\n")[0]
          .slice(0, 200)}`,
      );
    }
  }
  return lines;
}
let skipped = 0;
let status = 0;
const phaseTimes = [];

const onlyPhases = process.env.TEST_PHASES?.split(",").map((name) => name.trim());
const unknownPhases = (onlyPhases ?? []).filter((name) => !phases.some((p) => p.name === name));
if (unknownPhases.length > 0) {
  console.error(`TEST_PHASES: unknown ${unknownPhases.join(", ")} (${phases.map((p) => p.name)})`);
  process.exit(2);
}

for (const phase of phases) {
  if (onlyPhases && !onlyPhases.includes(phase.name)) continue;
  const phaseStarted = Date.now();
  let env = {};
  if (phase.postgres) {
    if (!postgresBinDir()) {
      console.error(
        `\nSKIPPED: PostgreSQL phase — no PostgreSQL found (/usr/lib/postgresql/*/bin/initdb);` +
          ` tests/db and tests/app ran on SQLite only. Install it: apt-get install -y postgresql` +
          (process.env.CI === "true" ? " (a failure under CI=true)" : ""),
      );
      if (process.env.CI === "true") status = status || 1;
      phaseTimes.push(`${phase.name} SKIPPED`);
      continue;
    }
    try {
      cluster = await startCluster();
    } catch (error) {
      console.error(`\nPostgreSQL phase: the cluster did not start: ${String(error)}`);
      status = status || 1;
      phaseTimes.push(`${phase.name} FAILED TO START`);
      continue;
    }
    env = { TEST_DATABASE_URL: cluster.url };
    console.log(`\n== PostgreSQL cluster at ${cluster.url} (${cluster.dir})`);
  }
  try {
    for (const run of phase.runs) {
      if (interrupted) await new Promise(() => {}); // the signal handler ends the process
      if (run.files && run.files.length === 0) continue; // no filter would mean every file
      const report = path.join(outDir, `${run.name}.json`);
      fs.rmSync(report, { force: true });
      console.log(`\n== ${run.name} tests`);
      const runStarted = Date.now();
      const runStatus = await runVitest(
        [...run.args, "--reporter=default", "--reporter=json", `--outputFile.json=${report}`],
        env,
      );
      console.log(`== ${run.name} tests took ${seconds(runStarted)} s`);
      if (runStatus !== 0) status = runStatus;
      if (dryRun) continue;
      if (fs.existsSync(report)) {
        const result = JSON.parse(fs.readFileSync(report, "utf8"));
        passed += result.numPassedTests;
        failed += result.numFailedTests;
        // A file that fails before its tests run (a broken beforeAll) fails no test.
        failedFiles += result.numFailedTestSuites ?? 0;
        skipped += result.numPendingTests + (result.numTodoTests ?? 0);
        failures.push(...failuresIn(result, run.name));
      } else {
        status = status || 1;
      }
    }
  } finally {
    if (phase.postgres) stopClusterOnce();
  }
  phaseTimes.push(`${phase.name} ${seconds(phaseStarted)} s`);
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
if (passed === 0 && !dryRun) status = status || 1; // a run that tested nothing is not green
const minutes = ((Date.now() - started) / 60_000).toFixed(1);
// CI shows only the tail of the output: name what failed here, at the end.
if (failures.length > 0) {
  console.log("\nFailed:");
  for (const line of failures.slice(0, 30)) console.log(`  ${line}`);
}
console.log(`\nPhases: ${phaseTimes.join(", ")}`);
console.log(
  `Tests: ${passed} passed, ${failed} failed, ${skipped} skipped; ${failedFiles} failed files or suites (${minutes} min)`,
);
process.exit(status);
