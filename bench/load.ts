// Load benchmark: `npm run bench:load`. Starts the built app (scripts/server.ts) on
// loopback with its own temporary database holding the demo, signs in the committee
// and twelve partner officers, and then, for 30 s with 50 connections in one run:
//   - 19 connections view the committee summary (/tenders/RV-2027/summary, full page),
//   - 12 connections save demand, one per officer, each its own grid (the whole form,
//     one cell one higher per save, with the version the server expects),
//   - 19 connections call /healthz, the trivial route, as the baseline of the same run.
// Afterwards every officer's grid is read back: each cell must hold its starting value
// plus exactly the increments of the saves the server acknowledged (no lost update).
// p50/p99 latency and requests per second go to stdout and bench/results/load.json.
// Targets (same run): summary throughput ≥ ½ of /healthz's, summary p99 ≤ 2 × /healthz's,
// no errors, no lost update. For context, each route then runs alone for 5 s.
// The exit code is 1 when a target is missed.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import autocannon, { type Result } from "autocannon";
import { migrateToLatest, openDatabase } from "../db/database";
import { DEMO_PASSWORD, DEMO_USERS } from "../db/demo";
import { loadDemo } from "../db/demo";
import { baselineQuantityField, quantityField } from "../domain/demand-form";
import { gridVersion } from "../domain/demand-grid";
import { PROJECT_ROOT, buildIfStale } from "../scripts/build-if-stale";

const DURATION_S = Number(process.env.LOAD_DURATION ?? 30);
const ALONE_S = 5;
const SUMMARY_CONNECTIONS = Number(process.env.LOAD_SUMMARY_CONNECTIONS ?? 19);
const HEALTH_CONNECTIONS = 19;
const OFFICERS = 12;
const TENDER = "RV-2027";
const COMMITTEE_EMAIL = "ausschuss@kreis-coesfeld.example";
const here = path.dirname(fileURLToPath(import.meta.url));

interface Grid {
  schoolCode: string | null;
  years: number[];
  version: string;
  rows: { category: { code: string }; quantities: number[]; justification: string }[];
}

/** One officer's grid as this benchmark believes the server holds it. */
interface SaveSlot {
  email: string;
  partner: string;
  cookie: string;
  grid: Grid;
  start: Grid;
  /** Saves sent but not acknowledged (the last one in flight, earlier ones timed out): the grids they would produce. */
  unacknowledged: Grid[];
  /** Saves whose answer timed out but which the server did apply (seen in a later 409's latestVersion). */
  landedLate: number;
  cursor: number;
  saved: number;
  refused: number;
}

async function startServer(databasePath: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    path.join(PROJECT_ROOT, "node_modules", ".bin", "tsx"),
    ["scripts/server.ts"],
    {
      cwd: PROJECT_ROOT,
      env: {
        ...process.env,
        NODE_ENV: "production",
        HOST: "127.0.0.1",
        PORT: "0",
        DATABASE_PATH: databasePath,
        SESSION_SECRET: randomBytes(32).toString("hex"),
        AUTO_BACKUP: "0",
        TRUST_PROXY: "",
      },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  process.once("exit", () => child.kill("SIGKILL"));
  const url = await new Promise<string>((resolve, reject) => {
    let output = "";
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk;
      const match = /läuft auf (http:\/\/\S+)/.exec(output);
      if (match) resolve(match[1]);
    });
    child.once("exit", (code) => reject(new Error(`server exited with ${code}: ${output}`)));
  });
  return { url, child };
}

async function signIn(url: string, email: string): Promise<string> {
  const response = await fetch(`${url}/login`, {
    method: "POST",
    body: new URLSearchParams({ email, password: DEMO_PASSWORD }),
    headers: { Origin: url },
    redirect: "manual",
  });
  if (response.status !== 302) throw new Error(`sign-in of ${email}: ${response.status}`);
  return response.headers.get("Set-Cookie")!.split(";")[0];
}

async function loadGrid(url: string, partner: string, cookie: string): Promise<Grid> {
  const route = encodeURIComponent("routes/demand.$partner");
  const response = await fetch(`${url}/demand/${partner}?_data=${route}`, {
    headers: { Cookie: cookie },
  });
  if (response.status !== 200) throw new Error(`demand of ${partner}: ${response.status}`);
  const data = (await response.json()) as { grids: Grid[] };
  return data.grids[0];
}

const cloneGrid = (grid: Grid): Grid => ({
  ...grid,
  rows: grid.rows.map((r) => ({ ...r, quantities: [...r.quantities] })),
});

/** The next save of a slot: the whole grid as a browser posts it, one cell one higher. */
function nextSave(slot: SaveSlot): string {
  const { grid } = slot;
  const cells = grid.rows.length * grid.years.length;
  const row = Math.floor((slot.cursor % cells) / grid.years.length);
  const yearIndex = slot.cursor % grid.years.length;
  const next = cloneGrid(grid);
  next.rows[row].quantities[yearIndex] += 1;
  next.version = gridVersion(next.schoolCode, next.years, next.rows);
  slot.unacknowledged.push(next);
  const form = new URLSearchParams({
    intent: "save",
    school: grid.schoolCode ?? "",
    version: grid.version,
  });
  grid.rows.forEach((r, i) => {
    grid.years.forEach((year, y) => {
      form.set(quantityField(year, r.category.code), String(next.rows[i].quantities[y]));
      form.set(baselineQuantityField(year, r.category.code), String(r.quantities[y]));
    });
  });
  return form.toString();
}

function parseReply(body: string): { status?: string; latestVersion?: string } {
  try {
    return JSON.parse(body) as { status?: string; latestVersion?: string };
  } catch {
    return {};
  }
}

/** The twelve officers' runs as one: totals summed, latency percentiles of the slowest. */
function combine(results: Result[]): Result {
  const sum = (pick: (r: Result) => number) => results.reduce((total, r) => total + pick(r), 0);
  const worst = (pick: (r: Result) => number) => Math.max(...results.map(pick));
  return {
    ...results[0],
    requests: {
      ...results[0].requests,
      total: sum((r) => r.requests.total),
      average: sum((r) => r.requests.average),
    },
    latency: {
      ...results[0].latency,
      p50: worst((r) => r.latency.p50),
      p99: worst((r) => r.latency.p99),
      max: worst((r) => r.latency.max),
    },
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
    non2xx: sum((r) => r.non2xx),
  };
}

function summarize(result: Result) {
  return {
    requests: result.requests.total,
    requestsPerSecond: Math.round(result.requests.average * 10) / 10,
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

async function main() {
  if (buildIfStale()) console.log("remix build done");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "verbundkauf-load-"));
  const databasePath = path.join(dir, "load.db");
  const { db } = openDatabase(databasePath);
  await migrateToLatest(db);
  await loadDemo(db);
  await db.destroy();

  const { url, child } = await startServer(databasePath);
  try {
    const origin = new URL(url).origin;
    const committee = await signIn(url, COMMITTEE_EMAIL);
    const officers = DEMO_USERS.filter((u) => u.role === "officer").slice(0, OFFICERS);
    const slots: SaveSlot[] = [];
    for (const officer of officers) {
      const cookie = await signIn(url, officer.email);
      const grid = await loadGrid(url, officer.partner!, cookie);
      slots.push({
        email: officer.email,
        partner: officer.partner!,
        cookie,
        grid,
        start: cloneGrid(grid),
        unacknowledged: [],
        landedLate: 0,
        cursor: 0,
        saved: 0,
        refused: 0,
      });
    }

    // Warm-up: JIT, caches, SQLite pages.
    await autocannon({
      url: `${url}/tenders/${TENDER}/summary`,
      connections: 4,
      duration: 3,
      headers: { Cookie: committee },
    });

    // One autocannon instance per officer, each with one connection: an officer's saves
    // follow each other as in a browser, and the slot stays bound to its connection.
    const saveRun = (slot: SaveSlot) =>
      autocannon({
        url,
        connections: 1,
        duration: DURATION_S,
        requests: [
          {
            method: "POST",
            setupRequest: (request) => ({
              ...request,
              // As the browser's fetch does with JavaScript: the action's JSON, no page render.
              path: `/demand/${slot.partner}?_data=${encodeURIComponent("routes/demand.$partner")}`,
              headers: {
                Cookie: slot.cookie,
                Origin: origin,
                "Content-Type": "application/x-www-form-urlencoded",
              },
              body: nextSave(slot),
            }),
            onResponse: (status, body) => {
              const reply = parseReply(body);
              const sent = slot.unacknowledged;
              if (status === 200 && reply.status === "saved") {
                // Answers come in order on one connection: this one is for the latest save.
                slot.grid = sent[sent.length - 1];
                slot.cursor += 1;
                slot.saved += 1;
              } else {
                slot.refused += 1;
                // A 409 after a timeout: the timed-out save landed after all; continue from it.
                const landed = sent.find((grid) => grid.version === reply.latestVersion);
                if (landed) {
                  slot.grid = landed;
                  slot.cursor += 1;
                  slot.landedLate += 1;
                }
              }
              slot.unacknowledged = [];
            },
          },
        ],
      });
    const [summary, health, ...saveRuns] = await Promise.all([
      autocannon({
        url: `${url}/tenders/${TENDER}/summary`,
        connections: SUMMARY_CONNECTIONS,
        duration: DURATION_S,
        headers: { Cookie: committee },
      }),
      autocannon({ url: `${url}/healthz`, connections: HEALTH_CONNECTIONS, duration: DURATION_S }),
      ...slots.map(saveRun),
    ]);
    const saves = combine(saveRuns);

    // Context, not a target: each route alone with all 50 connections, after the mixed run.
    const alone = {
      healthz: summarize(
        await autocannon({ url: `${url}/healthz`, connections: 50, duration: ALONE_S }),
      ),
      summary: summarize(
        await autocannon({
          url: `${url}/tenders/${TENDER}/summary`,
          connections: 50,
          duration: ALONE_S,
          headers: { Cookie: committee },
        }),
      ),
    };

    // No lost update: every acknowledged save is in the database, nothing else is. The
    // one save per officer still in flight when the run stopped may have landed or not.
    let lostUpdates = 0;
    let cellsChecked = 0;
    let landedInFlight = 0;
    for (const slot of slots) {
      const stored = await loadGrid(url, slot.partner, slot.cookie);
      const landed = slot.unacknowledged.find((grid) => grid.version === stored.version);
      if (landed && landed.version !== slot.grid.version) {
        slot.grid = landed;
        landedInFlight += 1;
      }
      slot.grid.rows.forEach((row, i) =>
        row.quantities.forEach((expected, y) => {
          cellsChecked += 1;
          if (stored.rows[i].quantities[y] !== expected) lostUpdates += 1;
        }),
      );
    }
    const increments = slots.reduce(
      (sum, s) =>
        sum +
        s.grid.rows.reduce(
          (a, r, i) =>
            a + r.quantities.reduce((b, q, y) => b + q - s.start.rows[i].quantities[y], 0),
          0,
        ),
      0,
    );

    const result = {
      benchmark: "load: committee summary views and demand saves against /healthz in the same run",
      measuredAt: new Date().toISOString(),
      machine: {
        node: process.version,
        cpus: os.cpus().length,
        cpu: os.cpus()[0]?.model ?? "?",
        loadAverage1m: Math.round(os.loadavg()[0] * 10) / 10,
      },
      setup: {
        durationSeconds: DURATION_S,
        connections: SUMMARY_CONNECTIONS + HEALTH_CONNECTIONS + OFFICERS,
        summary: {
          connections: SUMMARY_CONNECTIONS,
          path: `/tenders/${TENDER}/summary`,
          user: "committee",
        },
        saves: {
          connections: OFFICERS,
          path: "/demand/:partner",
          users:
            "one officer per connection, own partner's first grid; latency: the slowest officer's percentiles",
        },
        healthz: { connections: HEALTH_CONNECTIONS, path: "/healthz" },
      },
      summary: summarize(summary),
      saves: {
        ...summarize(saves),
        acknowledged: slots.reduce((s, x) => s + x.saved, 0),
        refused: slots.reduce((s, x) => s + x.refused, 0),
        timedOutButApplied: slots.reduce((s, x) => s + x.landedLate, 0),
      },
      healthz: summarize(health),
      ratios: {
        summaryThroughputToHealthz:
          Math.round((summary.requests.average / health.requests.average) * 100) / 100,
        summaryP99ToHealthzP99:
          Math.round((summary.latency.p99 / Math.max(health.latency.p99, 1)) * 100) / 100,
      },
      eachAloneFor5s: alone,
      lostUpdates: {
        cellsChecked,
        lostUpdates,
        incrementsStored: increments,
        savesInFlightAtTheEndThatLanded: landedInFlight,
      },
    };
    const targets = {
      zeroErrors: [summary, saves, health].every(
        (r) => r.errors === 0 && r.timeouts === 0 && r.non2xx === 0,
      ),
      noLostUpdate:
        lostUpdates === 0 &&
        increments === result.saves.acknowledged + result.saves.timedOutButApplied + landedInFlight,
      summaryThroughputAtLeastHalf: result.ratios.summaryThroughputToHealthz >= 0.5,
      summaryP99AtMostTwice: result.ratios.summaryP99ToHealthzP99 <= 2,
    };
    const output = { ...result, targets };
    fs.mkdirSync(path.join(here, "results"), { recursive: true });
    fs.writeFileSync(
      path.join(here, "results", "load.json"),
      JSON.stringify(output, null, 2) + "\n",
    );
    console.log(JSON.stringify(output, null, 2));
    if (!Object.values(targets).every(Boolean)) process.exitCode = 1;
  } finally {
    child.kill("SIGTERM");
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
