// The plan command line, run as users run it: a child process per call.
/* eslint-disable @typescript-eslint/no-explicit-any -- plans are edited as loose JSON here */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const root = path.resolve(__dirname, "../..");
const examples = path.join(root, "tests/fixtures/examples");
const example = (name: string) => path.join(examples, name);

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "plan-cli-"));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** `tsx scripts/plan.ts ...` (the source) or `node scripts/run-plan.mjs ...` (npm run plan). */
function run(
  args: string[],
  options: { via?: "tsx" | "launcher"; env?: Record<string, string> } = {},
) {
  const [command, prefix] =
    options.via === "launcher"
      ? [process.execPath, ["scripts/run-plan.mjs"]]
      : [path.join(root, "node_modules/.bin/tsx"), ["scripts/plan.ts"]];
  const result = spawnSync(command, [...prefix, ...args], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, ...options.env },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function writePlan(name: string, change: (plan: Record<string, any>) => void): string {
  const plan = JSON.parse(fs.readFileSync(example("02-edge-cases.plan.json"), "utf8"));
  change(plan);
  const file = path.join(tmp, name);
  fs.writeFileSync(file, JSON.stringify(plan));
  return file;
}

describe("plan calc", () => {
  it.each(["01-three-partners", "02-edge-cases", "03-kreis-coesfeld"])(
    "prints the golden result for %s",
    (name) => {
      const { status, stdout, stderr } = run(["calc", example(`${name}.plan.json`)]);
      expect(stderr).toBe("");
      expect(status).toBe(0);
      expect(JSON.parse(stdout)).toStrictEqual(
        JSON.parse(fs.readFileSync(example(`${name}.result.json`), "utf8")),
      );
      expect(stdout.startsWith('{\n  "format": "verbundkauf/result@1",')).toBe(true); // 2-space indent
    },
  );

  it("gives the same bytes through the fast launcher (npm run plan)", () => {
    const viaTsx = run(["calc", example("02-edge-cases.plan.json")]);
    const viaLauncher = run(["calc", example("02-edge-cases.plan.json")], { via: "launcher" });
    expect(viaLauncher.status).toBe(0);
    expect(viaLauncher.stdout).toBe(viaTsx.stdout);
  });

  it("exits 1 on an invalid plan: one line per problem with its path on stderr, nothing on stdout", () => {
    const file = writePlan("invalid.json", (p) => {
      p.demand[0].category = "XY";
      p.tenders[0].commonCosts[2].weights.FOO = "1";
      p.partners[1].population = -5;
    });
    for (const via of ["tsx", "launcher"] as const) {
      const { status, stdout, stderr } = run(["calc", file], { via });
      expect(status).toBe(1);
      expect(stdout).toBe("");
      const lines = stderr.trimEnd().split("\n");
      expect(lines).toContain("partners[1].population: Darf nicht negativ sein.");
      expect(lines).toContain("demand[0].category: Unbekannte Produktgruppe „XY“.");
      expect(stderr).not.toMatch(/\bat .+:\d+:\d+/); // no stack trace
    }
  });

  it("reports rule problems with the path of a custom weight", () => {
    const file = writePlan("weights.json", (p) => (p.tenders[0].commonCosts[2].weights.FOO = "1"));
    const { status, stdout, stderr } = run(["calc", file]);
    expect([status, stdout]).toEqual([1, ""]);
    expect(stderr).toBe("tenders[0].commonCosts[2].weights.FOO: Unbekannter Partner „FOO“.\n");
  });

  it("exits 1 on bad JSON with a problem at $", () => {
    const file = path.join(tmp, "bad.json");
    fs.writeFileSync(file, '{"format": "verbundkauf/plan@1",');
    const { status, stdout, stderr } = run(["calc", file]);
    expect([status, stdout]).toEqual([1, ""]);
    expect(stderr).toMatch(/^\$: Kein gültiges JSON/);
    expect(stderr.trim().split("\n")).toHaveLength(1);
  });

  it("exits 2 with one German line for a missing file", () => {
    const { status, stdout, stderr } = run(["calc", path.join(tmp, "missing.json")]);
    expect([status, stdout]).toEqual([2, ""]);
    expect(stderr).toMatch(/^Datei „.*missing\.json“ nicht gefunden\.\n$/);
  });
});

describe("plan validate", () => {
  it("prints ok for a valid plan", () => {
    expect(run(["validate", example("01-three-partners.plan.json")])).toEqual({
      status: 0,
      stdout: "ok\n",
      stderr: "",
    });
  });

  it("prints the problems and exits 1 for an invalid plan", () => {
    const file = writePlan("dup.json", (p) => p.demand.push({ ...p.demand[0] }));
    const { status, stdout, stderr } = run(["validate", file], { via: "launcher" });
    expect([status, stdout]).toEqual([1, ""]);
    expect(stderr).toMatch(/^demand\[14\]: Doppelte Bedarfsmeldung/);
  });
});

describe("usage", () => {
  it.each([
    [[]],
    [["frobnicate"]],
    [["calc"]],
    [["calc", "a.json", "b.json"]],
    [["export", "--bogus"]],
  ])("exits 2 with the usage for %j", (args) => {
    const { status, stdout, stderr } = run(args);
    expect([status, stdout]).toEqual([2, ""]);
    expect(stderr).toContain("npm run --silent plan -- calc PLAN.json");
  });
});

describe("plan import and export", () => {
  it("imports into an empty database, refuses a second import without --replace, exports what gives the same result", () => {
    const env = { DATABASE_PATH: path.join(tmp, "cli.db") };
    // An installation with one consortium: plan import/export need no --consortium then.
    const created = spawnSync(
      path.join(root, "node_modules/.bin/tsx"),
      [
        "scripts/admin.ts",
        "consortium",
        "create",
        "KC",
        "Kreis Coesfeld",
        "--coordinator",
        "k@example.org",
      ],
      { cwd: root, encoding: "utf8", env: { ...process.env, ...env } },
    );
    expect(created.status).toBe(0);
    const first = run(["import", example("01-three-partners.plan.json")], { env });
    expect(first.stderr).toContain("importiert");
    expect(first.status).toBe(0);

    const refused = run(["import", example("02-edge-cases.plan.json")], { env });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain("--replace");

    const replaced = run(["import", example("02-edge-cases.plan.json"), "--replace"], { env });
    expect(replaced.status).toBe(0);

    const out = path.join(tmp, "exported.json");
    const exported = run(["export", "--out", out], { env, via: "launcher" });
    expect(exported.status).toBe(0);
    const fromDatabase = run(["calc", out]);
    expect(fromDatabase.status).toBe(0);
    expect(JSON.parse(fromDatabase.stdout)).toStrictEqual(
      JSON.parse(fs.readFileSync(example("02-edge-cases.result.json"), "utf8")),
    );
  }, 90_000);

  it("does not import an invalid plan", () => {
    const env = { DATABASE_PATH: path.join(tmp, "invalid.db") };
    const file = writePlan("invalid-import.json", (p) => (p.format = "x"));
    const { status, stderr } = run(["import", file, "--replace"], { env });
    expect(status).toBe(1);
    expect(stderr).toContain("format: ");
    expect(fs.existsSync(env.DATABASE_PATH)).toBe(false);
  });
});
