// Crash safety of the real server (issue 8): the coordinator uploads a 200,000-line plan
// through /admin/plan and confirms it; the server's whole process group is killed with
// SIGKILL while the import transaction writes, and again right after the server answered
// "imported". After each restart on the same database file: integrity_check ok, no
// foreign-key violations, and exactly the old plan or exactly the new one — never a mix.
// tests/security/durability.test.ts kills a bare importPlan child; this one goes
// through HTTP, the upload → confirm flow and the server's own connection.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDatabase } from "../../db/database";
import { DEMO_PASSWORD } from "../../db/demo";
import type { Plan } from "../../domain/plan";
import { buildIfStale } from "../../scripts/build-if-stale";
import { COORDINATOR } from "../app/support";
import { generatePlan } from "../db/plan-fixtures";
import { consortiumDataFile, startAppServer, type KillableAppServer } from "../helpers/app-server";

interface PlanCounts {
  partners: number;
  schools: number;
  categories: number;
  demand_lines: number;
  tenders: number;
}

interface PlanUnderTest {
  label: string;
  text: string;
  counts: PlanCounts;
  tenderCode: string;
}

function planUnderTest(label: string, plan: Plan): PlanUnderTest {
  return {
    label,
    text: JSON.stringify(plan),
    counts: {
      partners: plan.partners.length,
      schools: plan.schools?.length ?? 0,
      categories: plan.categories.length,
      demand_lines: plan.demand?.length ?? 0,
      tenders: plan.tenders?.length ?? 0,
    },
    tenderCode: plan.tenders![0].code,
  };
}

/** generatePlan with another code for its one tender, so /tenders shows which plan is in. */
function withTenderCode(plan: Plan, code: string): Plan {
  return { ...plan, tenders: plan.tenders!.map((tender) => ({ ...tender, code })) };
}

// 20 partners × 10 schools × 50 categories × 20 years (about 16 MB of JSON, under the
// 20 MB upload limit); the second plan differs in partners, schools and demand lines, so
// the row counts tell the demo and both plans apart.
const LARGE = planUnderTest(
  "200,000 lines",
  generatePlan({ partners: 20, schoolsPerPartner: 10, categories: 50, years: 20 }),
);
const OTHER = planUnderTest(
  "190,000 lines",
  withTenderCode(
    generatePlan({ partners: 19, schoolsPerPartner: 10, categories: 50, years: 20 }),
    "RV-B",
  ),
);

/**
 * Uncommitted pages the transaction must have spilled into the WAL before the kill.
 * Measured: the 200,000-line import spills about 3 MB over its last half second, then
 * its commit writes the remaining ~15 MB at once; 1 MB lands well before the commit.
 */
const MID_IMPORT_WAL_BYTES = 1024 * 1024;

let buildProblem: string | undefined;
let dir: string;
let databasePath: string; // consortium KC's data file
let registryPath: string; // DATABASE_PATH
let server: KillableAppServer | undefined;

beforeAll(() => {
  // Global setup builds only for tests/browser; like server.test.ts this file needs the
  // build too. Without one it skips loudly (CI=true: fails), as the browser tests do
  // without Chromium.
  try {
    buildIfStale();
  } catch (error) {
    buildProblem = error instanceof Error ? error.message : String(error);
    if (process.env.CI === "true") throw error;
    const line = "!".repeat(78);
    console.warn(
      `\n${line}\n!! REAL-SERVER CRASH TEST SKIPPED: the app could not be built (${buildProblem}).\n${line}\n`,
    );
  }
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "verbundkauf-crash-"));
  registryPath = path.join(dir, "app.db");
  databasePath = consortiumDataFile(registryPath);
}, 240_000);

afterAll(async () => {
  await server?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

// ---- the database file, read beside the running server ----

function withDatabase<T>(read: (sqlite: ReturnType<typeof openDatabase>["sqlite"]) => T): T {
  const { sqlite } = openDatabase(databasePath);
  try {
    return read(sqlite);
  } finally {
    sqlite.close();
  }
}

function countRows(): PlanCounts {
  return withDatabase((sqlite) => {
    const count = (table: string) =>
      Number(sqlite.prepare(`SELECT count(*) FROM ${table}`).pluck().get());
    return {
      partners: count("partners"),
      schools: count("schools"),
      categories: count("categories"),
      demand_lines: count("demand_lines"),
      tenders: count("tenders"),
    };
  });
}

function integrity(): { check: unknown; foreignKeys: unknown[] } {
  return withDatabase((sqlite) => ({
    check: sqlite.pragma("integrity_check", { simple: true }),
    foreignKeys: sqlite.pragma("foreign_key_check") as unknown[],
  }));
}

/** Empties the WAL, so that its size afterwards measures this import's writes alone. */
function truncateWal(): void {
  const [result] = withDatabase(
    (sqlite) => sqlite.pragma("wal_checkpoint(TRUNCATE)") as { busy: number }[],
  );
  expect(result.busy).toBe(0);
  expect(walSize()).toBe(0);
}

const walSize = () =>
  fs.existsSync(`${databasePath}-wal`) ? fs.statSync(`${databasePath}-wal`).size : 0;

// ---- HTTP as the coordinator ----

async function signIn(): Promise<string> {
  const response = await fetch(`${server!.url}/login`, {
    method: "POST",
    body: new URLSearchParams({ email: COORDINATOR, password: DEMO_PASSWORD }),
    headers: { Origin: new URL(server!.url).origin },
    redirect: "manual",
  });
  expect(response.status).toBe(302);
  return (response.headers.get("Set-Cookie") ?? "").split(";")[0];
}

/** POST to /admin/plan, answered with the action's JSON (Remix `_data`). */
function postPlanAction(cookie: string, body: FormData | URLSearchParams): Promise<Response> {
  return fetch(`${server!.url}/admin/plan?_data=${encodeURIComponent("routes/admin.plan")}`, {
    method: "POST",
    body,
    headers: { Cookie: cookie, Origin: new URL(server!.url).origin },
    redirect: "manual",
  });
}

/** Step one: upload and check; returns the id the confirmation form would carry. */
async function uploadPlan(cookie: string, plan: PlanUnderTest): Promise<string> {
  const form = new FormData();
  form.append("plan", new Blob([plan.text], { type: "application/json" }), "grosser-plan.json");
  const response = await postPlanAction(cookie, form);
  const data = (await response.json()) as {
    step: string;
    uploadId?: string;
    upload?: { demandLines: number };
  };
  expect(response.status, JSON.stringify(data).slice(0, 500)).toBe(200);
  expect(data.step).toBe("confirm");
  expect(data.upload?.demandLines).toBe(plan.counts.demand_lines);
  return data.uploadId!;
}

interface PendingConfirmation {
  startedAt: number;
  /** Set once the server has answered, with the answer's status and step. */
  answer: { status: number; step: string; ms: number } | undefined;
  /** When the WAL (truncated before) first grew: the import transaction writes. */
  walGrewAfterMs: number | undefined;
  /** Resolves when the request ends, answered or cut off by the kill. */
  done: Promise<void>;
}

/** Step two: "Daten jetzt ersetzen", without waiting for the answer. */
function startConfirmation(cookie: string, uploadId: string): PendingConfirmation {
  const pending: PendingConfirmation = {
    startedAt: Date.now(),
    answer: undefined,
    walGrewAfterMs: undefined,
    done: Promise.resolve(),
  };
  const watchWal = setInterval(() => {
    if (pending.walGrewAfterMs === undefined && walSize() > 0)
      pending.walGrewAfterMs = Date.now() - pending.startedAt;
  }, 2);
  pending.done = postPlanAction(cookie, new URLSearchParams({ intent: "confirm", uploadId }))
    .then(
      async (response) => {
        const data = (await response.json()) as { step: string };
        pending.answer = {
          status: response.status,
          step: data.step,
          ms: Date.now() - pending.startedAt,
        };
      },
      () => {}, // the connection died with the server
    )
    .finally(() => clearInterval(watchWal));
  return pending;
}

// ---- server lifecycle ----

async function startServer(): Promise<void> {
  server = await startAppServer({ databasePath: registryPath, processGroup: true });
}

/** SIGKILL for the wrapper and the node server alike, then a new server on the same file. */
async function killAndRestart(): Promise<void> {
  await server!.kill("SIGKILL");
  server = undefined;
  await startServer(); // resolves once /healthz answers 200
}

function expectIntact(): void {
  expect(integrity()).toEqual({ check: "ok", foreignKeys: [] });
}

async function expectTendersServed(cookie: string, tenderCode: string): Promise<void> {
  const response = await fetch(`${server!.url}/tenders`, {
    headers: { Cookie: cookie },
    redirect: "manual",
  });
  expect(response.status).toBe(200);
  expect(await response.text()).toContain(`href="/tenders/${tenderCode}"`);
}

// ---- the scenario: the tests run in order and share the database file ----

let demoCounts: PlanCounts;
let leftoverUploadId: string | undefined;
/** The confirmed import of LARGE as the client saw it: its transaction's start and the answer. */
let measured: { transactionMs: number; answerMs: number } | undefined;

test(
  "SIGKILL of the server while the import transaction writes: intact, and still exactly the old plan",
  // Two server starts and the first upload, parsed by a worker that starts cold: 50 s
  // measured on the 2-core machine at a load average of 19.
  { timeout: 120_000 },
  async (ctx) => {
    if (buildProblem) return ctx.skip();
    await startServer();
    let cookie = await signIn();
    demoCounts = countRows();
    await expectTendersServed(cookie, "RV-2027");

    const uploadId = await uploadPlan(cookie, LARGE);
    truncateWal();
    const confirmation = startConfirmation(cookie, uploadId);
    // Kill once the transaction has spilled a megabyte of uncommitted pages into the WAL.
    while (walSize() < MID_IMPORT_WAL_BYTES && !confirmation.answer) {
      expect(Date.now() - confirmation.startedAt).toBeLessThan(30_000);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    const walAtKill = walSize();
    await server!.kill("SIGKILL");
    await confirmation.done;
    // Both guards: the server had not answered, and the WAL held the unfinished write.
    expect(confirmation.answer).toBeUndefined();
    expect(walAtKill).toBeGreaterThanOrEqual(MID_IMPORT_WAL_BYTES);

    server = undefined;
    await startServer();
    expectIntact();
    expect(countRows()).toEqual(demoCounts);
    cookie = await signIn();
    await expectTendersServed(cookie, "RV-2027");
    leftoverUploadId = uploadId;
  },
);

test(
  "SIGKILL right after the server answered 'imported': intact, and exactly the new plan",
  { timeout: 60_000 },
  async (ctx) => {
    if (buildProblem || !leftoverUploadId) return ctx.skip();
    const cookie = await signIn();
    // The checked upload waits in a file beside the database: the crash did not lose it,
    // and the same confirmation goes through now.
    truncateWal();
    const confirmation = startConfirmation(cookie, leftoverUploadId);
    await confirmation.done;
    expect(confirmation.answer).toMatchObject({ status: 200, step: "imported" });
    const walAtAnswer = walSize();
    // Killed before anyone closes the connection cleanly: what was answered must be on disk.
    await killAndRestart();
    expectIntact();
    expect(countRows()).toEqual(LARGE.counts);
    await expectTendersServed(await signIn(), LARGE.tenderCode);
    measured = { transactionMs: confirmation.walGrewAfterMs!, answerMs: confirmation.answer!.ms };
    console.log(
      `[durability-server] import of ${LARGE.label}: WAL writes from ${measured.transactionMs} ms, ` +
        `answered after ${measured.answerMs} ms, WAL ${(walAtAnswer / 1024 / 1024).toFixed(1)} MB`,
    );
  },
);

test(
  "SIGKILL late in the next import's transaction, timed from the measured one: exactly the old or exactly the new plan",
  { timeout: 60_000 },
  async (ctx) => {
    if (buildProblem || !measured) return ctx.skip();
    // Not synchronised with the WAL this time: the kill lands 90 % of the way from the
    // measured start of the transaction's writes (parsing and checking the file come
    // before) to the answer — late in the transaction, in its commit, or in the WAL
    // checkpoint after it, as the machine's load decides. The all-or-nothing rule must
    // hold wherever it lands.
    const delayMs = Math.round(
      measured.transactionMs + 0.9 * (measured.answerMs - measured.transactionMs),
    );
    const cookie = await signIn();
    const uploadId = await uploadPlan(cookie, OTHER);
    truncateWal();
    const confirmation = startConfirmation(cookie, uploadId);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    const walAtKill = walSize();
    await killAndRestart();
    await confirmation.done;
    expectIntact();
    const counts = countRows();
    expect([LARGE.counts, OTHER.counts]).toContainEqual(counts);
    const imported = counts.demand_lines === OTHER.counts.demand_lines;
    // What the server answered as imported must have survived the kill.
    if (confirmation.answer) expect(imported).toBe(true);
    await expectTendersServed(await signIn(), imported ? OTHER.tenderCode : LARGE.tenderCode);
    console.log(
      `[durability-server] killed ${delayMs} ms into the import of ${OTHER.label}: ${imported ? "new" : "old"} plan ` +
        `(answered: ${confirmation.answer ? "yes" : "no"}, WAL ${(walAtKill / 1024 / 1024).toFixed(1)} MB)`,
    );
  },
);
