// The operator's commands for several consortia: `npm run admin -- consortium create/list`
// and `npm run plan -- import/export --consortium`. One admin call runs as a real child
// process (tsx, as `npm run admin` does); the others run scripts/admin.ts in this process
// (a fresh copy of the module per call, with its argv, its output and its exit code),
// which saves a tsx start (about a second of CPU) per call. The plan calls run through
// the launcher of `npm run plan` (an esbuild bundle, ~0.1 s per start).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { verifyPassword } from "../../db/passwords";

const root = path.resolve(__dirname, "../..");
const example = (name: string) => path.join(root, "tests/fixtures/examples", name);

let tmp: string;
let databasePath: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "consortium-cli-"));
  databasePath = path.join(tmp, "verbundkauf.db");
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

interface Outcome {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `command args…` as a child process with DATABASE_PATH set. */
function spawnCommand(command: string, args: string[]): Outcome {
  const result = spawnSync(command, args, {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, DATABASE_PATH: databasePath },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

let adminRuns = 0;
/**
 * scripts/admin.ts run in this process as `admin ARGS` would run it: a fresh module
 * instance (its top-level `await main()` is done when the import resolves), with
 * process.argv and DATABASE_PATH set, stdout and stderr captured, and the exit code it
 * sets read from process.exitCode (unset: 0). All restored afterwards.
 */
async function admin(...args: string[]): Promise<Outcome> {
  const saved = {
    argv: process.argv,
    exitCode: process.exitCode,
    databasePath: process.env.DATABASE_PATH,
    stdout: process.stdout.write,
    stderr: process.stderr.write,
  };
  const out = { stdout: "", stderr: "" };
  const capture = (stream: "stdout" | "stderr") =>
    ((chunk: string | Uint8Array) => {
      out[stream] += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
      return true;
    }) as typeof process.stdout.write;
  process.argv = [process.execPath, path.join(root, "scripts/admin.ts"), ...args];
  process.exitCode = undefined;
  process.env.DATABASE_PATH = databasePath;
  process.stdout.write = capture("stdout");
  process.stderr.write = capture("stderr");
  let status: number;
  try {
    const module = `${path.join(root, "scripts/admin.ts")}?run=${++adminRuns}`;
    await import(/* @vite-ignore */ module);
    status = Number(process.exitCode ?? 0);
  } finally {
    process.argv = saved.argv;
    process.exitCode = saved.exitCode;
    if (saved.databasePath === undefined) delete process.env.DATABASE_PATH;
    else process.env.DATABASE_PATH = saved.databasePath;
    process.stdout.write = saved.stdout;
    process.stderr.write = saved.stderr;
  }
  return { status, ...out };
}

/** `npm run plan -- ARGS`: the launcher scripts/run-plan.mjs in a child process. */
const plan = (...args: string[]) =>
  spawnCommand(process.execPath, [path.join(root, "scripts/run-plan.mjs"), ...args]);

function userOf(code: string, email: string) {
  const db = new Database(path.join(tmp, "consortia", `${code}.db`), { readonly: true });
  try {
    return db
      .prepare("SELECT email, role, password_hash AS hash FROM users WHERE email = ?")
      .get(email) as { email: string; role: string; hash: string } | undefined;
  } finally {
    db.close();
  }
}

describe("consortium create and list", () => {
  it("creates a consortium with its coordinator and prints a one-time password that works", async () => {
    // The one real `npm run admin` (tsx) process: exit code and output as the operator sees them.
    const created = spawnCommand(path.join(root, "node_modules/.bin/tsx"), [
      "scripts/admin.ts",
      "consortium",
      "create",
      "KC",
      "Kreis Coesfeld",
      "--coordinator",
      "Koord@KC.example",
    ]);
    expect(created.status).toBe(0);
    const password = created.stdout.trim();
    expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    const user = userOf("KC", "koord@kc.example")!;
    expect(user.role).toBe("coordinator");
    expect(await verifyPassword(password, user.hash)).toBe(true);
  }, 60_000);

  it("takes the password from --password-file", async () => {
    const file = path.join(tmp, "pw");
    fs.writeFileSync(file, "ein-langes-passwort-123\n");
    const created = await admin(
      "consortium",
      "create",
      "MS",
      "Kreis Münster-Land",
      "--coordinator",
      "koord@ms.example",
      "--password-file",
      file,
    );
    expect(created.status).toBe(0);
    expect(created.stdout).toBe("");
    expect(
      await verifyPassword("ein-langes-passwort-123", userOf("MS", "koord@ms.example")!.hash),
    ).toBe(true);
  }, 60_000);

  it("refuses a taken code, an email of another consortium and bad arguments", async () => {
    const taken = await admin(
      "consortium",
      "create",
      "KC",
      "Noch einmal",
      "--coordinator",
      "x@kc.example",
    );
    expect([taken.status, taken.stderr]).toEqual([1, "Den Verbund KC gibt es schon.\n"]);
    const email = await admin(
      "consortium",
      "create",
      "BOR",
      "Kreis Borken",
      "--coordinator",
      "koord@kc.example",
    );
    expect(email.status).toBe(1);
    expect(email.stderr).toContain("Verbund KC");
    expect(fs.existsSync(path.join(tmp, "consortia", "BOR.db"))).toBe(false);
    expect(
      (await admin("consortium", "create", "k c", "X", "--coordinator", "a@b.example")).status,
    ).toBe(1);
    const usage = await admin("consortium", "create", "XY", "X");
    expect([usage.status, usage.stdout]).toEqual([2, ""]);
    expect(usage.stderr).toContain("--coordinator");
    expect((await admin("nonsense")).status).toBe(2);
  }, 60_000);

  it("lists the consortia", async () => {
    const listed = await admin("consortium", "list");
    expect(listed.status).toBe(0);
    const lines = listed.stdout
      .trim()
      .split("\n")
      .map((l) => l.split("\t").slice(0, 2));
    expect(lines).toEqual([
      ["KC", "Kreis Coesfeld"],
      ["MS", "Kreis Münster-Land"],
    ]);
  }, 30_000);
});

describe("plan --consortium", () => {
  it("without --consortium names the choices; with it, each consortium has its own plan", () => {
    const unnamed = plan("export");
    expect(unnamed.status).toBe(2);
    expect(unnamed.stderr).toContain("KC, MS");
    expect(plan("export", "--consortium", "XX").stderr).toContain("Unbekannter Verbund „XX“");

    expect(
      plan("import", example("01-three-partners.plan.json"), "--consortium", "KC").status,
    ).toBe(0);
    expect(
      plan("import", example("02-edge-cases.plan.json"), "--replace", "--consortium", "MS").status,
    ).toBe(0);
    const kc = JSON.parse(plan("export", "--consortium", "KC").stdout);
    const ms = JSON.parse(plan("export", "--consortium", "MS").stdout);
    const partners = (p: { partners: { code: string }[] }) => p.partners.map((x) => x.code);
    const source = (name: string) => JSON.parse(fs.readFileSync(example(name), "utf8"));
    expect(partners(kc)).toEqual(partners(source("01-three-partners.plan.json")));
    expect(partners(ms)).toEqual(partners(source("02-edge-cases.plan.json")));
    expect(partners(kc)).not.toEqual(partners(ms));
  }, 120_000);
});
