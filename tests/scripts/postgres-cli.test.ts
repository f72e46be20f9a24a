// The operator's commands on PostgreSQL (DATABASE_URL), run as child processes against a
// fresh database of the test cluster: `admin consortium create/list`, `plan import/export
// --consortium`, and `npm start` (scripts/start.ts) serving /healthz and the sign-in page
// with the demo. Needs TEST_DATABASE_URL (a throwaway cluster: node scripts/pg-cluster.mjs start).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { DEMO_PASSWORD, DEMO_USERS } from "../../db/demo";
import { verifyPassword } from "../../db/passwords";
import { PROJECT_ROOT, buildIfStale } from "../../scripts/build-if-stale";
import {
  TEST_DATABASE_URL,
  createTestPostgresDatabase,
  type TestPostgresDatabase,
} from "../helpers/test-database";

if (!TEST_DATABASE_URL)
  console.warn(
    "\n*** tests/scripts/postgres-cli.test.ts SKIPPED: TEST_DATABASE_URL is not set " +
      "(start a cluster with `node scripts/pg-cluster.mjs start`) ***\n",
  );

const example = (name: string) => path.join(PROJECT_ROOT, "tests/fixtures/examples", name);

describe.skipIf(!TEST_DATABASE_URL)("operating on PostgreSQL (DATABASE_URL)", () => {
  let database: TestPostgresDatabase;
  let tmp: string;
  const running = new Set<ChildProcess>();

  beforeAll(async () => {
    database = await createTestPostgresDatabase();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "postgres-cli-"));
    buildIfStale();
  }, 180_000);

  afterAll(async () => {
    for (const child of running) killGroup(child, "SIGKILL");
    await database?.drop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  }, 60_000);

  /** The environment of an operator on PostgreSQL: no DATABASE_PATH file is touched. */
  function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    const childEnv: Record<string, string | undefined> = {
      ...process.env,
      DATABASE_URL: database.url,
      // Must stay untouched: everything lives in PostgreSQL (only the session secret file
      // goes beside it when SESSION_SECRET is unset).
      DATABASE_PATH: path.join(tmp, "unused", "verbundkauf.db"),
      ...extra,
    };
    for (const name of ["SESSION_SECRET", "NODE_ENV", "DEMO"])
      if (!(name in extra)) delete childEnv[name];
    return childEnv as NodeJS.ProcessEnv;
  }

  function tsx(script: string, args: string[]) {
    const result = spawnSync(path.join(PROJECT_ROOT, "node_modules/.bin/tsx"), [script, ...args], {
      cwd: PROJECT_ROOT,
      encoding: "utf8",
      env: env(),
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }
  const admin = (...args: string[]) => tsx("scripts/admin.ts", args);
  const plan = (...args: string[]) => tsx("scripts/plan.ts", args);

  async function query<T extends pg.QueryResultRow>(text: string): Promise<T[]> {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      return (await client.query<T>(text)).rows;
    } finally {
      await client.end();
    }
  }

  function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // already gone
    }
  }

  it("admin consortium create and list, plan import --replace and export, per consortium", async () => {
    const created = admin(
      "consortium",
      "create",
      "NW",
      "Kreis Nordwest",
      "--coordinator",
      "Koord@NW.example",
    );
    expect([created.status, created.stderr]).toEqual([0, expect.stringContaining("Verbund NW")]);
    const password = created.stdout.trim();
    expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    const [user] = await query<{ email: string; role: string; password_hash: string }>(
      "SELECT email, role, password_hash FROM consortium_nw.users",
    );
    expect([user.email, user.role]).toEqual(["koord@nw.example", "coordinator"]);
    expect(await verifyPassword(password, user.password_hash)).toBe(true);
    expect(
      await query("SELECT email_lower, consortium_code FROM verbundkauf_registry.user_directory"),
    ).toEqual([{ email_lower: "koord@nw.example", consortium_code: "NW" }]);

    const file = path.join(tmp, "pw");
    fs.writeFileSync(file, "ein-langes-passwort-123\n");
    expect(
      admin(
        "consortium",
        "create",
        "SW",
        "Kreis Südwest",
        "--coordinator",
        "k@sw.example",
        "--password-file",
        file,
      ).status,
    ).toBe(0);
    // An email of another consortium is refused, and no schema is made for the refused one.
    const taken = admin(
      "consortium",
      "create",
      "OW",
      "Kreis Ost",
      "--coordinator",
      "KOORD@nw.example",
    );
    expect(taken.status).toBe(1);
    expect(taken.stderr).toContain("Verbund NW");
    expect(await query("SELECT 1 FROM pg_namespace WHERE nspname = 'consortium_ow'")).toEqual([]);

    const listed = admin("consortium", "list");
    expect(listed.status).toBe(0);
    expect(
      listed.stdout
        .trim()
        .split("\n")
        .map((l) => l.split("\t").slice(0, 2)),
    ).toEqual([
      ["NW", "Kreis Nordwest"],
      ["SW", "Kreis Südwest"],
    ]);

    const unnamed = plan("export");
    expect(unnamed.status).toBe(2);
    expect(unnamed.stderr).toContain("NW, SW");
    expect(
      plan("import", example("01-three-partners.plan.json"), "--replace", "--consortium", "NW")
        .status,
    ).toBe(0);
    expect(
      plan("import", example("02-edge-cases.plan.json"), "--replace", "--consortium", "SW").status,
    ).toBe(0);
    const partners = (p: { partners: { code: string }[] }) => p.partners.map((x) => x.code);
    const source = (name: string) => JSON.parse(fs.readFileSync(example(name), "utf8"));
    const nw = plan("export", "--consortium", "NW");
    expect(nw.status).toBe(0);
    expect(partners(JSON.parse(nw.stdout))).toEqual(
      partners(source("01-three-partners.plan.json")),
    );
    expect(partners(JSON.parse(plan("export", "--consortium", "SW").stdout))).toEqual(
      partners(source("02-edge-cases.plan.json")),
    );
    // The rows are in the consortium's schema, nowhere else.
    const [{ n }] = await query<{ n: string }>("SELECT count(*) AS n FROM consortium_nw.partners");
    expect(Number(n)).toBe(source("01-three-partners.plan.json").partners.length);
    expect(fs.existsSync(path.join(tmp, "unused", "verbundkauf.db"))).toBe(false);
  }, 240_000);

  it("npm start (scripts/start.ts) loads the demo into KC and serves /healthz and the sign-in page", async () => {
    const fresh = await createTestPostgresDatabase();
    try {
      const child = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
        cwd: PROJECT_ROOT,
        env: {
          ...env({ HOST: "127.0.0.1", PORT: "0", AUTO_BACKUP: "0", TRUST_PROXY: "" }),
          DATABASE_URL: fresh.url,
        },
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
      });
      running.add(child);
      let output = "";
      child.stdout!.setEncoding("utf8").on("data", (c: string) => (output += c));
      child.stderr!.setEncoding("utf8").on("data", (c: string) => (output += c));
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no start:\n${output}`)), 90_000);
        child.once("exit", (code) => reject(new Error(`exited ${code}:\n${output}`)));
        child.stdout!.on("data", () => {
          const match = /läuft auf (http:\/\/\S+)/.exec(output);
          if (match) {
            clearTimeout(timer);
            resolve(match[1]);
          }
        });
      });
      try {
        expect(output).toContain("Schema consortium_kc");
        const health = await fetch(`${url}/healthz`);
        expect(health.status).toBe(200);
        expect(await health.json()).toEqual({ status: "ok" });
        const login = await fetch(`${url}/login`);
        expect(login.status).toBe(200);
        const page = await login.text();
        // The sign-in page carries the demo banner (the demo is in schema consortium_kc).
        expect(page).toContain('aria-label="Demodaten"');
        // And a demo account signs in (found through the user directory).
        const signedIn = await fetch(`${url}/login`, {
          method: "POST",
          body: new URLSearchParams({ email: DEMO_USERS[0].email, password: DEMO_PASSWORD }),
          headers: { Origin: url },
          redirect: "manual",
        });
        expect(signedIn.status).toBe(302);
        expect(signedIn.headers.get("Set-Cookie")).toContain("vk_session=");
        const fromPg = new pg.Client({ connectionString: fresh.url });
        await fromPg.connect();
        try {
          const { rows } = await fromPg.query(
            "SELECT count(*)::int AS n FROM consortium_kc.partners",
          );
          expect(rows[0].n).toBeGreaterThan(0);
          // The session of that sign-in lives in KC's schema.
          const sessions = await fromPg.query(
            "SELECT count(*)::int AS n FROM consortium_kc.sessions",
          );
          expect(sessions.rows[0].n).toBe(1);
        } finally {
          await fromPg.end();
        }
      } finally {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        killGroup(child, "SIGTERM");
        const timer = setTimeout(() => killGroup(child, "SIGKILL"), 10_000);
        await exited;
        clearTimeout(timer);
        running.delete(child);
      }
    } finally {
      await fresh.drop();
    }
  }, 240_000);
});
