// Several processes, each with its own connection to the same database file, call off
// at the same moment against the last units of a maximum. BEGIN IMMEDIATE makes each
// check-and-insert wait for the write lock (busy_timeout), so none may see a stale
// total and no request may fail with SQLITE_BUSY. (With a plain deferred BEGIN this
// test fails: the insert after the read meets SQLITE_BUSY_SNAPSHOT in the other processes.)
// On PostgreSQL (TEST_DATABASE_URL) the processes share the test's schema, each with a
// pool of its own; the advisory write lock takes the place of BEGIN IMMEDIATE.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { sql } from "kysely";
import { awardLot } from "../../db/awards";
import { recordCallOff } from "../../db/call-offs";
import { awardOfL1, seedCallOffPlan } from "../helpers/call-offs-seed";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

const ROOT = path.resolve(__dirname, "../..");
const PROCESSES = 4;
const ATTEMPTS_PER_PROCESS = 15;

// Runs in each child (ESM, TypeScript through tsx): wait for the go file, then fire.
const CHILD = `
const config = JSON.parse(process.env.CALL_OFF_CHILD);
const fs = await import("node:fs");
const { openDatabase, openPostgres } = await import(config.root + "/db/database.ts");
const { recordCallOff } = await import(config.root + "/db/call-offs.ts");
const { db } = config.url ? openPostgres(config.url, config.schema) : openDatabase(config.file);
await db.selectFrom("partners").select("code").execute(); // connect before the start
process.stdout.write("ready\\n");
while (!fs.existsSync(config.go)) await new Promise((r) => setTimeout(r, 2));
const counts = { ok: 0, refused: 0, errors: [] };
await Promise.all(Array.from({ length: config.attempts }, async (_, i) => {
  try {
    const outcome = await recordCallOff(db, {
      tenderCode: "RV-2027", partnerCode: "COE", categoryCode: "NB", schoolCode: null, date: "2027-02-01",
      quantity: 1, orderNumber: config.tag + "-" + i, userId: config.userId, confirmOverdraw: true,
    });
    if (outcome.ok) counts.ok++; else counts.refused++;
  } catch (error) {
    counts.errors.push(String(error));
  }
}));
await db.destroy();
process.stdout.write(JSON.stringify(counts) + "\\n");
`;

interface ChildCounts {
  ok: number;
  refused: number;
  errors: string[];
}

function startChild(env: Record<string, unknown>, onReady: () => void): Promise<ChildCounts> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", CHILD], {
      cwd: ROOT,
      env: { ...process.env, CALL_OFF_CHILD: JSON.stringify(env) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => {
      const before = out;
      out += chunk.toString();
      if (!before.includes("ready") && out.includes("ready")) onReady();
    });
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      const last = out.trim().split("\n").at(-1) ?? "";
      if (code !== 0 || !last.startsWith("{"))
        reject(new Error(`child exited ${code}: ${err || out}`));
      else resolve(JSON.parse(last) as ChildCounts);
    });
  });
}

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t.cleanup());

test(`${PROCESSES} processes × ${ATTEMPTS_PER_PROCESS} call-offs on one file: exactly the units left succeed`, async () => {
  const users = await seedCallOffPlan(t.db);
  expect((await awardLot(t.db, awardOfL1(users))).ok).toBe(true);
  // 44 at most; 20 already called off → 24 left for 60 attempts.
  expect(
    (
      await recordCallOff(t.db, {
        tenderCode: "RV-2027",
        partnerCode: "COE",
        categoryCode: "NB",
        schoolCode: null,
        date: "2027-01-10",
        quantity: 20,
        orderNumber: "START",
        userId: users.coordinator.id,
        confirmOverdraw: true,
      })
    ).ok,
  ).toBe(true);

  const go = path.join(path.dirname(t.file), "go");
  let ready = 0;
  let release: () => void = () => {};
  const allReady = new Promise<void>((resolve) => (release = resolve));
  const children = Array.from({ length: PROCESSES }, (_, i) =>
    startChild(
      {
        root: ROOT,
        file: t.file,
        url: t.schema ? process.env.TEST_DATABASE_URL : undefined,
        schema: t.schema,
        go,
        attempts: ATTEMPTS_PER_PROCESS,
        userId: users.officerCoe.id,
        tag: `P${i}`,
      },
      () => {
        if (++ready === PROCESSES) release();
      },
    ),
  );
  await allReady;
  fs.writeFileSync(go, "");
  const counts = await Promise.all(children);

  expect(counts.flatMap((c) => c.errors)).toEqual([]);
  expect(counts.reduce((sum, c) => sum + c.ok, 0)).toBe(24);
  expect(counts.reduce((sum, c) => sum + c.refused, 0)).toBe(PROCESSES * ATTEMPTS_PER_PROCESS - 24);
  const { rows } = await sql<{
    total: number;
  }>`select sum(quantity) as total from call_offs`.execute(t.db);
  expect(rows[0].total).toBe(44);
}, 120_000);
