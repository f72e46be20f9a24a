import fs from "node:fs";
import path from "node:path";
import { sql } from "kysely";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";
import { createSnapshot, getSnapshot, listSnapshots } from "../../db/snapshots";
import { createUser } from "../../db/users";
import type { Plan } from "../../domain/plan";
import type { Result } from "../../domain/result";
import { isForeignKeyViolation } from "../../db/errors";

const examples = path.resolve(__dirname, "../fixtures/examples");
const plan = JSON.parse(
  fs.readFileSync(path.join(examples, "01-three-partners.plan.json"), "utf8"),
) as Plan;
const result = JSON.parse(
  fs.readFileSync(path.join(examples, "01-three-partners.result.json"), "utf8"),
) as Result;

let t: TestDatabase;
let userId: number;
beforeAll(async () => {
  t = await createTestDatabase();
  const user = await createUser(t.db, {
    email: "koordination@example.test",
    name: "Kim Koordination",
    role: "coordinator",
    password: "geheimes-passwort",
  });
  userId = user.id;
});
afterAll(async () => t.cleanup());

test("versions count up per tender and a snapshot round-trips plan and result", async () => {
  const at = new Date("2026-11-28T10:15:00Z");
  const first = await createSnapshot(t.db, {
    tenderCode: "T-A",
    comment: " Ausschuss 1 ",
    plan,
    result,
    userId,
    at,
  });
  const second = await createSnapshot(t.db, {
    tenderCode: "T-A",
    comment: "Ausschuss 2",
    plan,
    result,
    userId,
  });
  const other = await createSnapshot(t.db, {
    tenderCode: "T-B",
    comment: "anderes Verfahren",
    plan,
    result,
    userId,
  });

  expect([first.version, second.version, other.version]).toEqual([1, 2, 1]);
  expect(first).toMatchObject({
    comment: "Ausschuss 1",
    createdAt: at.toISOString(),
    createdBy: "Kim Koordination",
  });

  const stored = await getSnapshot(t.db, "T-A", 1);
  expect(stored?.plan).toEqual(plan);
  expect(stored?.result).toEqual(result);
  expect(stored?.createdByUserId).toBe(userId);

  const list = await listSnapshots(t.db, "T-A");
  expect(list.map((s) => s.version)).toEqual([2, 1]);
});

test("unknown versions and tenders give undefined", async () => {
  expect(await getSnapshot(t.db, "T-A", 99)).toBeUndefined();
  expect(await getSnapshot(t.db, "NOPE", 1)).toBeUndefined();
  expect(await getSnapshot(t.db, "T-A", 0)).toBeUndefined();
  expect(await getSnapshot(t.db, "T-A", 1.5)).toBeUndefined();
});

test("concurrent creates never share a version number", async () => {
  const created = await Promise.all(
    Array.from({ length: 8 }, (_, i) =>
      createSnapshot(t.db, { tenderCode: "T-C", comment: `Stand ${i}`, plan, result, userId }),
    ),
  );
  expect(created.map((s) => s.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
});

test("comments must be 1 to 500 characters", async () => {
  await expect(
    createSnapshot(t.db, { tenderCode: "T-D", comment: "   ", plan, result, userId }),
  ).rejects.toThrow();
  await expect(
    createSnapshot(t.db, { tenderCode: "T-D", comment: "x".repeat(501), plan, result, userId }),
  ).rejects.toThrow();
  const longest = await createSnapshot(t.db, {
    tenderCode: "T-D",
    comment: "x".repeat(500),
    plan,
    result,
    userId,
  });
  expect(longest.comment).toHaveLength(500);
});

test("the database itself refuses to change or delete a snapshot", async () => {
  await createSnapshot(t.db, { tenderCode: "T-E", comment: "fest", plan, result, userId });
  await expect(
    sql`update snapshots set comment = 'geändert' where tender_code = 'T-E'`.execute(t.db),
  ).rejects.toThrow(/immutable/);
  await expect(sql`delete from snapshots where tender_code = 'T-E'`.execute(t.db)).rejects.toThrow(
    /immutable/,
  );
  if (t.engine === "sqlite") {
    // Past Kysely, on the raw connection, too.
    expect(() => t.sqlite.prepare("delete from snapshots").run()).toThrow(/immutable/);
  } else {
    // PostgreSQL's TRUNCATE skips row triggers: a statement trigger refuses it.
    await expect(sql`truncate snapshots`.execute(t.db)).rejects.toThrow(/immutable/);
  }
  expect((await getSnapshot(t.db, "T-E", 1))?.comment).toBe("fest");
});

test("a snapshot needs an existing user", async () => {
  await expect(
    createSnapshot(t.db, { tenderCode: "T-F", comment: "x", plan, result, userId: 12345 }),
  ).rejects.toSatisfy(isForeignKeyViolation);
});

test("old plan@1/result@1 snapshots stay readable beside plan@2/result@2 ones; pairs must match", async () => {
  const v2Plan = JSON.parse(
    fs.readFileSync(path.join(examples, "04-funding-support.plan.json"), "utf8"),
  ) as Plan;
  const v2Result = JSON.parse(
    fs.readFileSync(path.join(examples, "04-funding-support.result.json"), "utf8"),
  ) as Result;
  const base = { tenderCode: "T-FMT", comment: "Format", userId };
  await createSnapshot(t.db, { ...base, plan, result });
  await createSnapshot(t.db, { ...base, plan: v2Plan, result: v2Result });
  const old = await getSnapshot(t.db, "T-FMT", 1);
  const current = await getSnapshot(t.db, "T-FMT", 2);
  expect([old?.plan.format, old?.result.format]).toEqual([
    "verbundkauf/plan@1",
    "verbundkauf/result@1",
  ]);
  expect(old?.result).toEqual(result);
  expect([current?.plan.format, current?.result.format]).toEqual([
    "verbundkauf/plan@2",
    "verbundkauf/result@2",
  ]);
  expect(current?.result).toEqual(v2Result);
  await expect(createSnapshot(t.db, { ...base, plan: v2Plan, result })).rejects.toThrow(
    /plan@2 with a result@2/,
  );
  await expect(createSnapshot(t.db, { ...base, plan, result: v2Result })).rejects.toThrow(
    /plan@1 with a result@1/,
  );
  await sql`insert into snapshots (tender_code, version, comment, plan_json, result_json, created_at, created_by)
    values ('T-FMT', 3, 'x', '{"format":"verbundkauf/plan@3"}', '{}', '2026-01-01T00:00:00Z', ${userId})`.execute(
    t.db,
  );
  await expect(getSnapshot(t.db, "T-FMT", 3)).rejects.toThrow(/plan@1 or verbundkauf\/plan@2/);
});
