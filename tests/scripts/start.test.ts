// `npm start` (node --import tsx scripts/start.ts) as an operator runs it: three real starts as child
// processes. First on an empty database (migrate, load the demo, create the session
// secret), then again on the same database (nothing loaded twice, same secret), then
// with DEMO=0 on a fresh one (no data, `/` leads to the setup).
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { migrateToLatest, openDatabase } from "../../db/database";
import { DEMO_USERS, loadDemo } from "../../db/demo";
import { migrations } from "../../db/migrations";
import { PROJECT_ROOT, buildIfStale } from "../../scripts/build-if-stale";

const STARTUP_TIMEOUT_MS = 45_000;

interface Started {
  child: ChildProcess;
  url: string;
  output: () => string;
}

const running = new Set<ChildProcess>();
let tmp: string;
// Detached children outlive a crashed test worker unless someone kills their group.
process.once("exit", () => {
  for (const child of running) killGroup(child, "SIGKILL");
});

// One build up front when sources changed, so the three starts below do not each build.
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "verbundkauf-start-"));
  buildIfStale();
}, 180_000);

afterAll(() => {
  for (const child of running) killGroup(child, "SIGKILL");
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Signal the whole process group: the server and anything it started (compute workers are threads). */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // already gone
  }
}

async function start(databasePath: string, env: Record<string, string> = {}): Promise<Started> {
  // As from a shell: no secret given (start.ts must create the file), NODE_ENV left to
  // start.ts, the demo on unless the test says DEMO=0.
  const childEnv: Record<string, string | undefined> = {
    ...process.env,
    DATABASE_PATH: databasePath,
    HOST: "127.0.0.1",
    PORT: "0",
    AUTO_BACKUP: "0",
    TRUST_PROXY: "",
  };
  for (const name of ["SESSION_SECRET", "NODE_ENV", "DEMO"]) delete childEnv[name];
  Object.assign(childEnv, env);

  // As `npm start` runs it: one node process with tsx's loader, so SIGTERM reaches the
  // server itself (the tsx CLI's relay kills its child when it does not confirm a signal
  // within 30 ms, e.g. on a busy machine, and exits 143).
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
    cwd: PROJECT_ROOT,
    // @remix-run/node declares NODE_ENV as always set; here it is deliberately left out.
    env: childEnv as NodeJS.ProcessEnv,
    detached: true, // own process group, so killGroup reaches everything it started
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  child.once("exit", () => running.delete(child));
  let output = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`npm start did not come up in time. Output:\n${output}`)),
      STARTUP_TIMEOUT_MS,
    );
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited with ${code}. Output:\n${output}`));
    };
    child.once("exit", onExit);
    child.stdout!.on("data", () => {
      const match = /läuft auf (http:\/\/\S+)/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      child.off("exit", onExit);
      resolve(match[1]);
    });
  });
  const health = await fetch(`${url}/healthz`);
  expect(health.status).toBe(200);
  expect(await health.json()).toEqual({ status: "ok" });
  return { child, url, output: () => output };
}

/** SIGTERM as from a service manager; start.ts closes the server and exits 0. */
async function stop({ child }: Started): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => resolve(code)),
  );
  killGroup(child, "SIGTERM");
  const timer = setTimeout(() => killGroup(child, "SIGKILL"), 10_000);
  const code = await exited;
  clearTimeout(timer);
  return code;
}

function counts(databasePath: string) {
  const db = new Database(databasePath, { readonly: true });
  try {
    const count = (table: string) =>
      (db.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
    const applied = (
      db.prepare("select name from kysely_migration order by name").all() as { name: string }[]
    ).map((r) => r.name);
    return {
      applied,
      partners: count("partners"),
      users: count("users"),
      demandLines: count("demand_lines"),
      tenders: count("tenders"),
    };
  } finally {
    db.close();
  }
}

const kcFileOf = (databasePath: string) =>
  path.join(path.dirname(databasePath), "consortia", "KC.db");

function consortiaOf(registryPath: string) {
  const db = new Database(registryPath, { readonly: true });
  try {
    return db.prepare("select code, name from consortia order by code").all();
  } finally {
    db.close();
  }
}

const secretFileOf = (databasePath: string) =>
  path.join(path.dirname(databasePath), "session-secret");

describe("npm start", () => {
  test("first start migrates, loads the demo and creates the secret; a restart changes nothing", async () => {
    const dir = path.join(tmp, "demo");
    const databasePath = path.join(dir, "verbundkauf.db");
    fs.mkdirSync(dir);

    const first = await start(databasePath);
    const firstOutput = first.output();
    expect(await stop(first)).toBe(0);

    // DATABASE_PATH is the registry; the demo is consortium KC in its own file beside it.
    expect(consortiaOf(databasePath)).toEqual([{ code: "KC", name: "Kreis Coesfeld" }]);
    const kc = kcFileOf(databasePath);
    expect(firstOutput).toContain(
      `Datenbank ${kc}: Migrationen ${Object.keys(migrations).join(", ")}`,
    );
    expect(firstOutput).toContain("Demodaten (Kreis Coesfeld) geladen: Verbund KC.");
    expect(firstOutput).toContain("Demo-Anmeldungen");
    for (const user of DEMO_USERS) expect(firstOutput).toContain(user.email);
    const afterFirst = counts(kc);
    expect(afterFirst.applied).toEqual(Object.keys(migrations).sort());
    expect(afterFirst.partners).toBe(12);
    expect(afterFirst.users).toBe(DEMO_USERS.length);
    expect(afterFirst.demandLines).toBeGreaterThan(0);

    const secretFile = secretFileOf(databasePath);
    expect(firstOutput).toContain(`Sitzungsschlüssel: ${secretFile}`);
    const stat = fs.statSync(secretFile);
    expect(stat.mode & 0o777).toBe(0o600);
    const secret = fs.readFileSync(secretFile, "utf8");
    expect(secret.trim()).toMatch(/^[0-9a-f]{64}$/);

    const second = await start(databasePath);
    const secondOutput = second.output();
    expect(await stop(second)).toBe(0);

    expect(secondOutput).not.toContain("geladen");
    expect(secondOutput).not.toContain("Migrationen");
    expect(secondOutput).toContain("Demo-Anmeldungen"); // still a demo installation
    expect(fs.readFileSync(secretFile, "utf8")).toBe(secret);
    expect(fs.statSync(secretFile).mode & 0o777).toBe(0o600);
    expect(counts(kc)).toEqual(afterFirst);
  }, 120_000);

  test("DEMO=0 on a fresh database: no partners, and / leads to the setup", async () => {
    const dir = path.join(tmp, "empty");
    const databasePath = path.join(dir, "verbundkauf.db");
    fs.mkdirSync(dir);

    const started = await start(databasePath, { DEMO: "0" });
    try {
      const home = await fetch(`${started.url}/`, { redirect: "manual" });
      expect(home.status).toBe(302);
      expect(home.headers.get("Location")).toBe("/setup");
      expect((await fetch(`${started.url}/setup`)).status).toBe(200);
    } finally {
      expect(await stop(started)).toBe(0);
    }
    const output = started.output();
    expect(output).not.toContain("geladen");
    expect(output).not.toContain("Demo-Anmeldungen");
    expect(output).toContain("/setup: Koordinationskonto anlegen");
    // No consortium yet: /setup creates KC with its first coordinator.
    expect(consortiaOf(databasePath)).toEqual([]);
    expect(fs.existsSync(kcFileOf(databasePath))).toBe(false);
    expect(fs.statSync(secretFileOf(databasePath)).mode & 0o777).toBe(0o600);
  }, 60_000);

  test("an installation from before consortia (one DATABASE_PATH file) becomes consortium KC without loss", async () => {
    const dir = path.join(tmp, "legacy");
    const databasePath = path.join(dir, "verbundkauf.db");
    fs.mkdirSync(dir);
    const legacy = openDatabase(databasePath);
    await migrateToLatest(legacy.db);
    await loadDemo(legacy.db);
    legacy.sqlite.exec("UPDATE partners SET name = 'Stadt Coesfeld (alt)' WHERE code = 'COE'");
    await legacy.db.destroy();
    const before = counts(databasePath);

    const started = await start(databasePath);
    expect(await stop(started)).toBe(0);

    expect(consortiaOf(databasePath)).toEqual([{ code: "KC", name: "Kreis Coesfeld" }]);
    const kc = kcFileOf(databasePath);
    expect(counts(kc)).toEqual(before);
    const db = new Database(kc, { readonly: true });
    try {
      expect(db.prepare("select name from partners where code = 'COE'").pluck().get()).toBe(
        "Stadt Coesfeld (alt)",
      );
    } finally {
      db.close();
    }
    expect(started.output()).not.toContain("geladen");
  }, 60_000);
});
