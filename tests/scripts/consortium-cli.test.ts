// The operator's commands for several consortia, run as child processes:
// `npm run admin -- consortium create/list` and `plan import/export --consortium`.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { verifyPassword } from "../../db/passwords";

const root = path.resolve(__dirname, "../..");
const example = (name: string) => path.join(root, "tests/fixtures/examples", name);

let tmp: string;
let env: Record<string, string>;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "consortium-cli-"));
  env = { DATABASE_PATH: path.join(tmp, "verbundkauf.db") };
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function tsx(script: string, args: string[]) {
  const result = spawnSync(path.join(root, "node_modules/.bin/tsx"), [script, ...args], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, ...env },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
const admin = (...args: string[]) => tsx("scripts/admin.ts", args);
const plan = (...args: string[]) => tsx("scripts/plan.ts", args);

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
    const created = admin(
      "consortium",
      "create",
      "KC",
      "Kreis Coesfeld",
      "--coordinator",
      "Koord@KC.example",
    );
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
    const created = admin(
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

  it("refuses a taken code, an email of another consortium and bad arguments", () => {
    const taken = admin(
      "consortium",
      "create",
      "KC",
      "Noch einmal",
      "--coordinator",
      "x@kc.example",
    );
    expect([taken.status, taken.stderr]).toEqual([1, "Den Verbund KC gibt es schon.\n"]);
    const email = admin(
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
    expect(admin("consortium", "create", "k c", "X", "--coordinator", "a@b.example").status).toBe(
      1,
    );
    expect(admin("consortium", "create", "XY", "X").status).toBe(2);
    expect(admin("nonsense").status).toBe(2);
  }, 60_000);

  it("lists the consortia", () => {
    const listed = admin("consortium", "list");
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
