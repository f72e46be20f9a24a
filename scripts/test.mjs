// `npm test`: every test in two vitest runs — first unit, integration and security tests
// (in parallel), then the browser tests one file at a time, so that Chromium and the app
// server do not compete with the rest for the two cores. Prints one closing line
// "Tests: N passed, N failed, N skipped" over both runs.
// With arguments (`npm test -- tests/domain`) it is a single plain `vitest run ARGS`.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const vitest = path.join("node_modules", ".bin", "vitest");
const args = process.argv.slice(2);

if (args.length > 0) {
  const run = spawnSync(vitest, ["run", ...args], { stdio: "inherit" });
  process.exit(run.status ?? 1);
}

const outDir = path.join("tests", ".tmp");
fs.mkdirSync(outDir, { recursive: true });

const phases = [
  { name: "unit", args: ["--exclude", "tests/browser/**"] },
  { name: "browser", args: ["tests/browser", "--no-file-parallelism"] },
];

let passed = 0;
let failed = 0;
let skipped = 0;
let status = 0;
for (const phase of phases) {
  const report = path.join(outDir, `${phase.name}.json`);
  fs.rmSync(report, { force: true });
  console.log(`\n== ${phase.name} tests`);
  const run = spawnSync(
    vitest,
    ["run", ...phase.args, "--reporter=default", "--reporter=json", `--outputFile.json=${report}`],
    { stdio: "inherit" },
  );
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
if (passed === 0) status = status || 1; // a run that tested nothing is not green
console.log(`\nTests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(status);
