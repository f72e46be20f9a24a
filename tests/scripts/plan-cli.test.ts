// The plan command line, run as users run it: a child process per call, through the
// launcher of `npm run plan` (scripts/run-plan.mjs: an esbuild bundle, ~0.1 s per start);
// a few calls through `tsx scripts/plan.ts` (~1 s of CPU per start) show that the source
// gives the same.
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

/** `node scripts/run-plan.mjs ...` (npm run plan, the default) or `tsx scripts/plan.ts ...` (the source). */
function run(
  args: string[],
  options: { via?: "tsx" | "launcher"; env?: Record<string, string> } = {},
) {
  const [command, prefix] =
    options.via === "tsx"
      ? [path.join(root, "node_modules/.bin/tsx"), ["scripts/plan.ts"]]
      : [process.execPath, ["scripts/run-plan.mjs"]];
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
      // plan@1 gives result@1 byte for byte as before: the golden file's key order, 2-space indent.
      const golden = JSON.parse(fs.readFileSync(example(`${name}.result.json`), "utf8"));
      expect(stdout).toBe(JSON.stringify(golden, null, 2) + "\n");
    },
  );

  it("prints result@2 for the plan@2 example 04", () => {
    const { status, stdout, stderr } = run(["calc", example("04-funding-support.plan.json")], {
      via: "tsx",
    });
    expect(stderr).toBe("");
    expect(status).toBe(0);
    expect(stdout.startsWith('{\n  "format": "verbundkauf/result@2",')).toBe(true);
    expect(JSON.parse(stdout)).toStrictEqual(
      JSON.parse(fs.readFileSync(example("04-funding-support.result.json"), "utf8")),
    );
  });

  it("exits 1 on an invalid plan@2, naming the JSON paths", () => {
    const plan = JSON.parse(fs.readFileSync(example("04-funding-support.plan.json"), "utf8"));
    plan.fundingProgrammes[1].categories = [];
    plan.inventory.push({ ...plan.inventory[3] });
    plan.support.fteStep = "0.125";
    plan.tenders[0].maxQuantities.NB = 3;
    const file = path.join(tmp, "invalid-v2.json");
    fs.writeFileSync(file, JSON.stringify(plan));
    const { status, stdout, stderr } = run(["calc", file]);
    expect(status).toBe(1);
    expect(stdout).toBe("");
    const paths = stderr
      .trimEnd()
      .split("\n")
      .map((line) => line.slice(0, line.indexOf(": ")));
    expect(paths.sort()).toEqual(
      [
        "fundingProgrammes[1].categories",
        "inventory[272]",
        "support.fteStep",
        "tenders[0].maxQuantities.NB",
      ].sort(),
    );
    expect(stderr).not.toMatch(/\bat .*\.ts:\d+/); // no stack trace
  });

  it("exits 1 for a plan@2 field in a plan@1 file", () => {
    const file = writePlan("v2-field-in-v1.json", (p) => (p.inventory = []));
    const { status, stdout, stderr } = run(["calc", file]);
    expect(status).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toBe("inventory: Unbekanntes Feld „inventory“.\n");
  });

  it("gives the same bytes through the fast launcher (npm run plan)", () => {
    const viaTsx = run(["calc", example("02-edge-cases.plan.json")], { via: "tsx" });
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
    const { status, stdout, stderr } = run(["validate", file], { via: "tsx" });
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
    const exported = run(["export", "--out", out], { env, via: "tsx" });
    expect(exported.status).toBe(0);
    // The product writes plan@2, so the export calculates to result@2: with the figures of
    // result@1, no funding (own = total) and no support.
    expect(JSON.parse(fs.readFileSync(out, "utf8")).format).toBe("verbundkauf/plan@2");
    const fromDatabase = run(["calc", out]);
    expect(fromDatabase.status).toBe(0);
    const result = JSON.parse(fromDatabase.stdout);
    expect(result.format).toBe("verbundkauf/result@2");
    expect(result.support).toBeNull();
    expect(result.funding).toEqual([]);
    for (const tender of result.tenders)
      for (const row of [...tender.partners, tender.totals]) {
        expect(row.fundingGross).toBe("0.00");
        expect(row.ownGross).toBe(row.totalGross);
        delete row.fundingGross;
        delete row.ownGross;
        for (const year of row.years ?? []) {
          delete year.fundingGross;
          delete year.ownGross;
        }
      }
    expect({ format: "verbundkauf/result@1", tenders: result.tenders }).toStrictEqual(
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
