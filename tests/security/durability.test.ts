// Crash safety: WAL with synchronous=FULL, and a process killed with SIGKILL in the
// middle of a 200,000-line plan import leaves an intact database holding exactly the
// old plan or exactly the new one — never a mix.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { openDatabase } from "../../db/database";
import { loadDemo } from "../../db/demo";
import { PROJECT_ROOT } from "../../scripts/build-if-stale";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

const NEW_PLAN = { partners: 20, schools: 200, categories: 50, demand_lines: 200_000 };

let testDb: TestDatabase;
let oldPlan: typeof NEW_PLAN;
beforeAll(async () => {
  testDb = await createTestDatabase();
  await loadDemo(testDb.db);
  oldPlan = counts(testDb.file);
  testDb.sqlite.pragma("wal_checkpoint(TRUNCATE)");
});
/** Every import child this file started: none may outlive it. */
const children = new Set<ChildProcess>();
afterAll(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
  await testDb.cleanup();
});

/** Processes whose command line names this file's database (Linux /proc), children's children too. */
function processesUsing(file: string): number[] {
  if (!fs.existsSync("/proc/self/cmdline")) return [];
  return fs
    .readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").includes(file);
      } catch {
        return false; // ended meanwhile
      }
    })
    .map(Number);
}

function counts(file: string): typeof NEW_PLAN {
  const { sqlite } = openDatabase(file);
  try {
    const count = (table: string) =>
      Number(sqlite.prepare(`SELECT count(*) FROM ${table}`).pluck().get());
    return {
      partners: count("partners"),
      schools: count("schools"),
      categories: count("categories"),
      demand_lines: count("demand_lines"),
    };
  } finally {
    sqlite.close();
  }
}

function integrity(file: string): { check: unknown; foreignKeys: unknown[] } {
  const { sqlite } = openDatabase(file);
  try {
    return {
      check: sqlite.pragma("integrity_check", { simple: true }),
      foreignKeys: sqlite.pragma("foreign_key_check") as unknown[],
    };
  } finally {
    sqlite.close();
  }
}

const walSize = (file: string) =>
  fs.existsSync(`${file}-wal`) ? fs.statSync(`${file}-wal`).size : 0;

/**
 * Runs the import in a child process and kills it with SIGKILL when `killWhen`
 * says so; returns what the child had announced by then.
 */
async function importAndKill(file: string, killWhen: (output: string) => boolean): Promise<string> {
  // node itself with tsx's hooks, not the tsx wrapper: SIGKILL to the wrapper would
  // leave the node process behind it running (and writing) as an orphan.
  const child = spawn(
    process.execPath,
    ["--import", "tsx", path.join(__dirname, "import-child.ts"), file],
    {
      cwd: PROJECT_ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  children.add(child);
  let output = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const deadline = Date.now() + 120_000;
  while (!killWhen(output)) {
    if (child.exitCode !== null) throw new Error(`import child ended on its own:\n${output}`);
    if (Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  child.kill("SIGKILL");
  await exited;
  expect(child.signalCode).toBe("SIGKILL");
  return output;
}

test("the database runs in WAL mode with synchronous=FULL", () => {
  expect(testDb.sqlite.pragma("journal_mode", { simple: true })).toBe("wal");
  expect(testDb.sqlite.pragma("synchronous", { simple: true })).toBe(2); // FULL
});

test(
  "SIGKILL in the middle of a 200,000-line import: intact, and still exactly the old plan",
  { timeout: 180_000 },
  async () => {
    // Killed once the transaction has spilled megabytes of uncommitted pages into the WAL.
    const output = await importAndKill(
      testDb.file,
      (out) => out.includes("importing") && walSize(testDb.file) > 4 * 1024 * 1024,
    );
    expect(output).not.toContain("committed");
    expect(walSize(testDb.file)).toBeGreaterThan(4 * 1024 * 1024); // the kill really hit a write in progress
    expect(integrity(testDb.file)).toEqual({ check: "ok", foreignKeys: [] });
    expect(counts(testDb.file)).toEqual(oldPlan);
  },
);

test(
  "SIGKILL right after the commit, before any checkpoint: intact, and exactly the new plan",
  { timeout: 180_000 },
  async () => {
    await importAndKill(testDb.file, (out) => out.includes("committed"));
    expect(walSize(testDb.file)).toBeGreaterThan(0); // the new plan lived only in the WAL
    expect(integrity(testDb.file)).toEqual({ check: "ok", foreignKeys: [] });
    expect(counts(testDb.file)).toEqual(NEW_PLAN);
  },
);

test("no import child is left running", () => {
  expect(children.size).toBe(2);
  for (const child of children) expect(child.signalCode).toBe("SIGKILL");
  expect(processesUsing(testDb.file)).toEqual([]);
});
