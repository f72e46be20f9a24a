// PostgreSQL against SQLite at state scale: `npm run bench:postgres` (about 15 minutes on
// the shared 2-core machine). Starts a throwaway PostgreSQL cluster (scripts/pg-cluster.mjs),
// then for each engine: an installation with consortium KC, the state-scale plan of
// bench/generate-plan.ts (400 partners, 5,000 schools, 500,000 demand lines) imported with
// the plan import (timed), one user per role, the built app (scripts/server.ts, one
// process) on it; per page a fresh sign-in, the first view (timed), then the page ALONE
// under autocannon (LOAD_CONNECTIONS, LOAD_SECONDS as in bench/load.ts) — the demand
// overview, the tender page, the committee summary and the tender's cost-split workbook —
// each against the rendered sign-in page of the same run. Absolute numbers wander on a
// shared machine; the ratios (page throughput ÷ sign-in throughput) are compared.
// Also the median of SEQUENTIAL_VIEWS repeat views one after another (the heaviest pages
// complete no request within LOAD_SECONDS under 32 connections on a loaded machine).
// Exit 1 when a PostgreSQL ratio is worse than SQLite's by more than 1.5× (or on errors).
// Results: bench/results/postgres.json.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import autocannon, { type RequestSpec, type Result } from "autocannon";
import { DEMO_PASSWORD, DEMO_USERS } from "../db/demo";
import { hashPassword } from "../db/passwords";
import { importPlan } from "../db/plan-io";
import { FIRST_CONSORTIUM, openInstallation, registerConsortium } from "../db/registry";
import { PROJECT_ROOT, buildIfStale } from "../scripts/build-if-stale";
import { STATE_PLAN, generateStatePlan } from "./generate-plan";
import type { Plan } from "../domain/plan";

const CONNECTIONS = Number(process.env.LOAD_CONNECTIONS ?? 32);
const ALONE_S = Number(process.env.LOAD_SECONDS ?? 6);
/** PostgreSQL's ratio to the sign-in page may be at most this much worse than SQLite's. */
const MAX_WORSE = 1.5;
const here = path.dirname(fileURLToPath(import.meta.url));
const round2 = (n: number) => Math.round(n * 100) / 100;

type EngineName = "sqlite" | "postgres";

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

/** As bench/load.ts runs a route alone: 1 s warm-up, then LOAD_SECONDS with LOAD_CONNECTIONS. */
async function runAlone(url: string, name: string, route: string, cookie: string | null) {
  const headers: Record<string, string> = cookie ? { Cookie: cookie } : {};
  let n = 0;
  // The sign-in page with a new redirectTo each time: rendered, never served from memory.
  const varying =
    cookie === null
      ? {
          requests: [
            {
              setupRequest: (request: RequestSpec) => ({
                ...request,
                path: `${route}?redirectTo=${encodeURIComponent(`/x/${++n}`)}`,
              }),
            },
          ],
        }
      : {};
  await autocannon({ url: url + route, connections: 4, duration: 1, headers, ...varying });
  const result = await autocannon({
    url: url + route,
    connections: CONNECTIONS,
    duration: ALONE_S,
    headers,
    ...varying,
  });
  const summary = summarize(result);
  console.log(
    `  ${name.padEnd(16)} ${String(summary.requestsPerSecond).padStart(7)} req/s  p50 ${summary.latencyMs.p50} ms  p99 ${summary.latencyMs.p99} ms`,
  );
  return { path: route, ...summary };
}

/** SEQUENTIAL_VIEWS views one after another (nothing else in flight): the median time. */
const SEQUENTIAL_VIEWS = Number(process.env.SEQUENTIAL_VIEWS ?? 3);
async function sequentialMedianMs(url: string, route: string, cookie: string | null) {
  const times: number[] = [];
  for (let i = 0; i < SEQUENTIAL_VIEWS; i++) {
    const target = cookie === null ? `${route}?redirectTo=${encodeURIComponent(`/s/${i}`)}` : route;
    const started = performance.now();
    const response = await fetch(url + target, { headers: cookie ? { Cookie: cookie } : {} });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`${route}: ${response.status}`);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return Math.round(times[Math.floor(times.length / 2)]);
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

/** Consortium KC with the state-scale plan (import timed) and one user per role. */
async function loadInstallation(location: string, plan: Plan): Promise<number> {
  const stores = await openInstallation(location);
  try {
    await registerConsortium(stores.registry, FIRST_CONSORTIUM.code, FIRST_CONSORTIUM.name);
    const db = await stores.database(FIRST_CONSORTIUM.code);
    const started = performance.now();
    await importPlan(db, plan, { replace: true, userId: null });
    const importMs = Math.round(performance.now() - started);
    const hash = await hashPassword(DEMO_PASSWORD);
    const now = new Date().toISOString();
    await db
      .insertInto("users")
      .values(
        ["coordinator", "finance", "committee"].map((role) => {
          const demo = DEMO_USERS.find((u) => u.role === role)!;
          return {
            email: demo.email,
            name: demo.name,
            password_hash: hash,
            role: demo.role,
            partner_code: null,
            active: 1,
            created_at: now,
            updated_at: now,
          };
        }),
      )
      .execute();
    await stores.syncUserDirectory();
    return importMs;
  } finally {
    await stores.destroy();
  }
}

async function startServer(
  env: Record<string, string>,
): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    path.join(PROJECT_ROOT, "node_modules", ".bin", "tsx"),
    ["scripts/server.ts"],
    {
      cwd: PROJECT_ROOT,
      env: {
        ...process.env,
        NODE_ENV: "production",
        BENCH: "1",
        HOST: "127.0.0.1",
        PORT: "0",
        SESSION_SECRET: randomBytes(32).toString("hex"),
        AUTO_BACKUP: "0",
        TRUST_PROXY: "",
        ...env,
      },
      stdio: ["ignore", "pipe", "inherit"],
      detached: true,
    },
  );
  process.once("exit", () => killGroup(child, "SIGKILL"));
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

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // already gone
  }
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  killGroup(child, "SIGTERM");
  const timer = setTimeout(() => killGroup(child, "SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

const PAGES = (tender: string) => [
  { name: "demandOverview", path: "/demand", role: "coordinator" },
  { name: "tender", path: `/tenders/${tender}`, role: "coordinator" },
  { name: "summary", path: `/tenders/${tender}/summary`, role: "committee" },
  { name: "workbook", path: `/tenders/${tender}/cost-split.xlsx`, role: "finance" },
];

async function measure(engine: EngineName, location: string, plan: Plan) {
  console.log(`\n${engine}: importing the state-scale plan …`);
  const importMs = await loadInstallation(location, plan);
  console.log(`${engine}: plan import ${Math.round(importMs / 1000)} s`);
  const { url, child } = await startServer(
    engine === "postgres"
      ? { DATABASE_URL: location }
      : { DATABASE_PATH: location, DATABASE_URL: "" },
  );
  try {
    const alone: Record<string, ReturnType<typeof summarize> & { path: string }> = {};
    alone.signInRendered = await runAlone(url, "signInRendered", "/login", null);
    const sequentialMs: Record<string, number> = {
      signInRendered: await sequentialMedianMs(url, "/login", null),
    };
    const firstViewMs: Record<string, number> = {};
    for (const page of PAGES(plan.tenders![0].code)) {
      const cookie = await signIn(url, DEMO_USERS.find((u) => u.role === page.role)!.email);
      const started = performance.now();
      const response = await fetch(url + page.path, { headers: { Cookie: cookie } });
      await response.arrayBuffer();
      if (response.status !== 200)
        throw new Error(`${engine} first view ${page.path}: ${response.status}`);
      firstViewMs[page.name] = Math.round(performance.now() - started);
      console.log(`  ${page.name.padEnd(16)} first view ${firstViewMs[page.name]} ms`);
      sequentialMs[page.name] = await sequentialMedianMs(url, page.path, cookie);
      console.log(`  ${page.name.padEnd(16)} repeat view (median) ${sequentialMs[page.name]} ms`);
      alone[page.name] = await runAlone(url, page.name, page.path, cookie);
    }
    const reference = alone.signInRendered;
    const ratiosToSignIn: Record<string, { throughput: number; p99: number; repeatView: number }> =
      {};
    for (const page of PAGES(plan.tenders![0].code)) {
      const r = alone[page.name];
      ratiosToSignIn[page.name] = {
        throughput: round2(r.requestsPerSecond / Math.max(reference.requestsPerSecond, 0.1)),
        p99: round2(r.latencyMs.p99 / Math.max(reference.latencyMs.p99, 1)),
        repeatView: round2(sequentialMs[page.name] / Math.max(sequentialMs.signInRendered, 1)),
      };
    }
    return { importMs, firstViewMs, sequentialMs, alone, ratiosToSignIn };
  } finally {
    await stopServer(child);
  }
}

function startCluster(): { url: string; dir: string } {
  const run = spawnSync("node", [path.join(PROJECT_ROOT, "scripts/pg-cluster.mjs"), "start"], {
    encoding: "utf8",
  });
  const url = /DATABASE_URL=(\S+)/.exec(run.stdout)?.[1];
  const dir = /PG_CLUSTER_DIR=(\S+)/.exec(run.stdout)?.[1];
  if (run.status !== 0 || !url || !dir)
    throw new Error(`pg-cluster start failed: ${run.stderr || run.stdout}`);
  return { url, dir };
}

async function main() {
  if (buildIfStale()) console.log("remix build done");
  const loadBefore = os.loadavg()[0];
  const plan = generateStatePlan(STATE_PLAN);
  const cluster = startCluster();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "verbundkauf-bench-pg-"));
  try {
    const sqlite = await measure("sqlite", path.join(dir, "verbundkauf.db"), plan);
    const postgres = await measure("postgres", cluster.url, plan);
    // How much worse PostgreSQL's ratio to the sign-in page is than SQLite's (>1: worse).
    // Throughput only where both engines completed requests within the run (the heaviest
    // pages take longer than LOAD_SECONDS under 32 connections); the repeat view always.
    const worseBy: Record<string, { throughput: number | null; repeatView: number }> = {};
    for (const name of Object.keys(sqlite.ratiosToSignIn)) {
      const s = sqlite.ratiosToSignIn[name];
      const p = postgres.ratiosToSignIn[name];
      worseBy[name] = {
        throughput:
          s.throughput > 0 && p.throughput > 0 ? round2(s.throughput / p.throughput) : null,
        repeatView: round2(p.repeatView / Math.max(s.repeatView, 0.001)),
      };
    }
    const noErrors = [sqlite, postgres].every((run) =>
      Object.values(run.alone).every((r) => r.errors + r.timeouts + r.non2xx === 0),
    );
    const targets = {
      ...Object.fromEntries(
        Object.entries(worseBy).map(([k, w]) => [
          `${k}RatiosWithin${MAX_WORSE}x`,
          (w.throughput ?? 0) <= MAX_WORSE && w.repeatView <= MAX_WORSE,
        ]),
      ),
      zeroErrors: noErrors,
    };
    const output = {
      benchmark:
        "postgres: state-scale consortium on PostgreSQL and SQLite, each page alone against the rendered sign-in page",
      measuredAt: new Date().toISOString(),
      machine: {
        node: process.version,
        cpus: os.cpus().length,
        loadAverage1mBefore: round2(loadBefore),
        loadAverage1mAfter: round2(os.loadavg()[0]),
      },
      setup: {
        plan: STATE_PLAN,
        connectionsAlone: CONNECTIONS,
        secondsAlone: ALONE_S,
        sequentialViews: SEQUENTIAL_VIEWS,
        target: `PostgreSQL's ratios to sign-in (throughput, repeat view) at most ${MAX_WORSE}x worse than SQLite's`,
      },
      sqlite,
      postgres,
      postgresWorseBy: worseBy,
      targets,
    };
    fs.mkdirSync(path.join(here, "results"), { recursive: true });
    fs.writeFileSync(
      path.join(here, "results", "postgres.json"),
      JSON.stringify(output, null, 2) + "\n",
    );
    console.log(
      JSON.stringify(
        {
          importMs: { sqlite: sqlite.importMs, postgres: postgres.importMs },
          postgresWorseBy: worseBy,
          targets,
        },
        null,
        2,
      ),
    );
    if (!Object.values(targets).every(Boolean)) process.exitCode = 1;
  } finally {
    spawnSync("node", [path.join(PROJECT_ROOT, "scripts/pg-cluster.mjs"), "stop", cluster.dir]);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
