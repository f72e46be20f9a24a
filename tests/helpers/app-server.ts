// Starts the built app as its own process (tsx scripts/server.ts) on a free port with
// a temporary database holding the demo, and waits until /healthz answers.
// setupAppServer() does that once for the enclosing suite (beforeAll/afterAll).
// Crash tests pass their own databasePath (to restart on the same file) and
// processGroup: true, so that kill() reaches the node process behind the tsx wrapper.
// With TEST_DATABASE_URL (a PostgreSQL superuser URL) each server gets a PostgreSQL
// database of its own instead (CREATE DATABASE vk_<random>, dropped by stop()), or the
// one passed as databaseUrl (two servers on one database).
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, inject } from "vitest";
import { openDatabase, openPostgres, type OpenedDatabase } from "../../db/database";
import { consortiumSchema, isPostgresUrl } from "../../db/engine";
import { loadDemo } from "../../db/demo";
import {
  consortiumFileFor,
  FIRST_CONSORTIUM,
  openInstallation,
  registerConsortium,
} from "../../db/registry";
import { PROJECT_ROOT, SERVER_BUILD } from "../../scripts/build-if-stale";

export interface AppServer {
  url: string;
  /** Consortium KC's database file (the data the tests look at). */
  databasePath: string;
  /** The installation's DATABASE_PATH: the registry of consortia. */
  registryPath: string;
  /** PostgreSQL only: the server's DATABASE_URL (one database for the whole installation). */
  databaseUrl?: string;
  /** Opens a consortium's data (default KC) on the server's engine; close() it after use. */
  openConsortium: (code?: string) => OpenedDatabase;
  stop: () => Promise<void>;
}

export interface AppServerOptions {
  /** Load the demo into a new database (default true); ignored for an existing databasePath. */
  demo?: boolean;
  /**
   * Use this database file: an existing one as it is (no migration, no demo), a missing
   * one is created and prepared. The caller owns the file and its folder: stop() leaves
   * them. Default: a fresh temporary folder that stop() removes.
   */
  databasePath?: string;
  /**
   * Return kill(), which signals the server's process group: the tsx wrapper and the
   * node process it spawns alike (a signal to the wrapper alone would leave the server
   * running, or orphaned after SIGKILL). Every server runs in its own group.
   */
  processGroup?: boolean;
  /**
   * PostgreSQL: use this database (DATABASE_URL) as it is, e.g. one prepared with
   * createPostgresDatabase() for two servers; the caller owns (and drops) it.
   */
  databaseUrl?: string;
  /** Extra environment for the server (applied last), e.g. a SESSION_SECRET shared by two servers. */
  env?: Record<string, string>;
}

export interface KillableAppServer extends AppServer {
  /** The process group id (the tsx wrapper's pid). */
  pid: number;
  /**
   * Sends `signal` to the whole process group and resolves once the wrapper has exited
   * and the port no longer accepts connections (the node server is gone too).
   */
  kill: (signal?: NodeJS.Signals) => Promise<void>;
}

const STARTUP_TIMEOUT_MS = 60_000;

/** The data file of consortium `code` (default KC) of the installation at `registryPath`. */
export function consortiumDataFile(registryPath: string, code: string = FIRST_CONSORTIUM.code) {
  return consortiumFileFor(registryPath, code);
}

/** The PostgreSQL cluster of the tests (a superuser URL), or undefined on SQLite. */
export function testPostgresUrl(): string | undefined {
  const url = process.env.TEST_DATABASE_URL;
  return isPostgresUrl(url) ? url : undefined;
}

/** `url` with another database name. */
function withDatabase(url: string, database: string): string {
  const changed = new URL(url);
  changed.pathname = `/${database}`;
  return changed.toString();
}

async function adminStatement(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

export interface PostgresDatabase {
  url: string;
  /** Drops the database, ending the connections still open to it. */
  drop: () => Promise<void>;
}

/** A new, empty database vk_<random> on the tests' PostgreSQL cluster (TEST_DATABASE_URL). */
export async function createPostgresDatabase(): Promise<PostgresDatabase> {
  const admin = testPostgresUrl();
  if (!admin) throw new Error("createPostgresDatabase needs TEST_DATABASE_URL");
  const name = `vk_${randomBytes(6).toString("hex")}`;
  await adminStatement(admin, `CREATE DATABASE ${name}`);
  return {
    url: withDatabase(admin, name),
    drop: () => adminStatement(admin, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

/** The installation at `location` (a registry file, or a PostgreSQL URL) with KC registered. */
export async function openTestInstallation(location: string) {
  return openInstallation(location);
}

/** Consortium `code`'s data at `location` (registry file or PostgreSQL URL). */
export function openConsortiumAt(
  location: string,
  code: string = FIRST_CONSORTIUM.code,
): OpenedDatabase {
  return isPostgresUrl(location)
    ? openPostgres(location, consortiumSchema(code), { max: 2 })
    : openDatabase(consortiumFileFor(location, code));
}

/** A registry at `location` (file or PostgreSQL URL) with consortium KC (and the demo in it). */
async function prepareDatabase(location: string, demo: boolean): Promise<void> {
  const stores = await openTestInstallation(location);
  try {
    await registerConsortium(stores.registry, FIRST_CONSORTIUM.code, FIRST_CONSORTIUM.name);
    const db = await stores.database(FIRST_CONSORTIUM.code);
    if (demo) await loadDemo(db);
  } finally {
    await stores.destroy();
  }
}

function waitForUrl(child: ChildProcess, output: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`App server did not start in time. Output:\n${output()}`)),
      STARTUP_TIMEOUT_MS,
    );
    const onData = () => {
      const match = /läuft auf (http:\/\/\S+)/.exec(output());
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`App server exited with ${code}. Output:\n${output()}`));
    });
  });
}

async function waitForHealth(url: string): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  for (;;) {
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url}/healthz did not answer 200 in time`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function portRefusesConnections(url: string): Promise<boolean> {
  const net = await import("node:net");
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), hostname);
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
  });
}

export async function startAppServer(
  options: AppServerOptions & { processGroup: true },
): Promise<KillableAppServer>;
export async function startAppServer(options?: AppServerOptions): Promise<AppServer>;
export async function startAppServer({
  demo = true,
  databasePath: givenPath,
  databaseUrl: givenUrl,
  processGroup = false,
  env = {},
}: AppServerOptions = {}): Promise<AppServer | KillableAppServer> {
  const buildError = inject("appBuildError");
  if (buildError) throw new Error(`remix build failed in global setup: ${buildError}`);
  if (!fs.existsSync(SERVER_BUILD))
    throw new Error(
      `${SERVER_BUILD} is missing: run "npm run build" (tests/global-setup.ts does it for npm test)`,
    );

  const ownDir =
    givenPath === undefined
      ? fs.mkdtempSync(path.join(os.tmpdir(), "verbundkauf-app-"))
      : undefined;
  const registryPath = givenPath ?? path.join(ownDir!, "app.db");
  // PostgreSQL unless the caller gave a SQLite file: a database of the server's own.
  const ownPostgres =
    givenUrl === undefined && givenPath === undefined && testPostgresUrl()
      ? await createPostgresDatabase()
      : undefined;
  const databaseUrl = givenUrl ?? ownPostgres?.url;
  try {
    if (ownPostgres) await prepareDatabase(ownPostgres.url, demo);
    else if (!databaseUrl && !fs.existsSync(registryPath))
      await prepareDatabase(registryPath, demo);
  } catch (error) {
    await ownPostgres?.drop();
    throw error;
  }
  const databasePath = consortiumDataFile(registryPath);
  const openConsortium = (code?: string) => openConsortiumAt(databaseUrl ?? registryPath, code);

  let output = "";
  // One node process with tsx's loader, as `npm start` runs: signals reach the server
  // itself, not a tsx wrapper that relays them.
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/server.ts"], {
    cwd: PROJECT_ROOT,
    env: {
      ...process.env,
      NODE_ENV: "production",
      HOST: "127.0.0.1",
      PORT: "0",
      // On PostgreSQL DATABASE_PATH only places the server's files (pending uploads).
      DATABASE_PATH: registryPath,
      DATABASE_URL: databaseUrl ?? "",
      SESSION_SECRET: randomBytes(32).toString("hex"),
      TRUST_PROXY: "",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
    // Always a process group of its own: a signal to the group reaches the server and
    // anything it started, so no server outlives the test as an orphan.
    detached: true,
  });
  const signalServer = (signal: NodeJS.Signals) => {
    if (child.pid !== undefined) {
      try {
        process.kill(-child.pid, signal);
      } catch {
        // the group is gone already
      }
    } else child.kill(signal);
  };
  // Never leave a server behind when the test process ends without calling stop().
  const killOnExit = () => signalServer("SIGKILL");
  process.once("exit", killOnExit);
  child.once("exit", () => process.off("exit", killOnExit));
  child.stdout?.setEncoding("utf8");
  child.stderr?.setEncoding("utf8");
  child.stdout?.on("data", (chunk: string) => (output += chunk));
  child.stderr?.on("data", (chunk: string) => (output += chunk));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      const timeout = setTimeout(() => signalServer("SIGKILL"), 5000);
      await exited;
      clearTimeout(timeout);
    }
    signalServer("SIGKILL"); // whatever of the group is left (nothing, normally)
    if (ownDir) fs.rmSync(ownDir, { recursive: true, force: true });
    await ownPostgres?.drop();
  };

  try {
    const url = await waitForUrl(child, () => output);
    await waitForHealth(url);
    const common = { url, databasePath, registryPath, databaseUrl, openConsortium, stop };
    if (!processGroup) return common;
    const kill = async (signal: NodeJS.Signals = "SIGKILL") => {
      const exited =
        child.exitCode === null && child.signalCode === null
          ? new Promise((resolve) => child.once("exit", resolve))
          : undefined;
      signalServer(signal);
      await exited;
      const deadline = Date.now() + 10_000;
      while (!(await portRefusesConnections(url))) {
        if (Date.now() > deadline)
          throw new Error(`${url} still accepts connections after ${signal}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    return { ...common, pid: child.pid!, kill };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Registers beforeAll/afterAll that start one app server for the enclosing suite and
 * stop it afterwards. The returned object reads the running server, so it can be taken
 * (and destructured) at definition time and used inside tests.
 */
export function setupAppServer(
  options: { demo?: boolean; env?: Record<string, string> } = {},
): AppServer {
  let server: AppServer | undefined;
  beforeAll(async () => {
    server = await startAppServer(options);
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });
  const running = (): AppServer => {
    if (!server) throw new Error("The app server runs only inside tests (it starts in beforeAll).");
    return server;
  };
  return {
    get url() {
      return running().url;
    },
    get databasePath() {
      return running().databasePath;
    },
    get registryPath() {
      return running().registryPath;
    },
    get databaseUrl() {
      return running().databaseUrl;
    },
    openConsortium: (code?: string) => running().openConsortium(code),
    stop: async () => server?.stop(),
  };
}
