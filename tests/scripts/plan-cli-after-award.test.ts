// `plan import --replace` after an award: the database refuses it (migration 005);
// the command line says so in one German line, exits 1 and changes nothing.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { migrateToLatest, openDatabase } from "../../db/database";
import { awardLot, PLAN_IMPORT_AWARD_FROZEN_MESSAGE } from "../../db/awards";
import { exportPlan } from "../../db/plan-io";
import { awardOfL1, seedCallOffPlan } from "../helpers/call-offs-seed";

const root = path.resolve(__dirname, "../..");
let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "plan-cli-award-"));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function awardedDatabase(file: string) {
  const { db } = openDatabase(file);
  try {
    await migrateToLatest(db);
    const users = await seedCallOffPlan(db);
    const outcome = await awardLot(db, awardOfL1(users));
    expect(outcome.ok).toBe(true);
    return await exportPlan(db);
  } finally {
    await db.destroy();
  }
}

/** The plan of consortium KC: the first start of the CLI made the single file consortium KC. */
async function planIn(file: string) {
  const { db } = openDatabase(path.join(path.dirname(file), "consortia", "KC.db"));
  try {
    return await exportPlan(db);
  } finally {
    await db.destroy();
  }
}

it("refuses with one German line on stderr, exit 1, no stack trace, the plan unchanged", async () => {
  const file = path.join(tmp, "awarded.db");
  const before = await awardedDatabase(file);
  const planFile = path.join(root, "tests/fixtures/examples/01-three-partners.plan.json");
  // The source through tsx, and the bundle `npm run plan` uses.
  for (const [command, script] of [
    [path.join(root, "node_modules/.bin/tsx"), "scripts/plan.ts"],
    [process.execPath, "scripts/run-plan.mjs"],
  ]) {
    const result = spawnSync(command, [script, "import", planFile, "--replace"], {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, DATABASE_PATH: file },
    });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(PLAN_IMPORT_AWARD_FROZEN_MESSAGE + "\n");
    expect(await planIn(file)).toEqual(before);
  }
}, 60_000);
