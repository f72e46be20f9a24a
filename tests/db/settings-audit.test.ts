import { listAudit, writeAudit } from "../../db/audit";
import {
  deleteSetting,
  getPlanSettings,
  getSetting,
  getSettings,
  setSetting,
} from "../../db/settings";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t.cleanup());

test("settings: get, set (upsert), list, delete; plan settings fall back to the defaults", async () => {
  expect(await getSetting(t.db, "demo")).toBeUndefined();
  expect(await getPlanSettings(t.db)).toEqual({
    euThresholdNet: "216000.00",
    smallLotLimitNet: "80000.00",
    smallLotQuota: "0.20",
  });
  await setSetting(t.db, "demo", "1");
  await setSetting(t.db, "euThresholdNet", "221000.00");
  await setSetting(t.db, "euThresholdNet", "216500.00");
  expect(await getSetting(t.db, "euThresholdNet")).toBe("216500.00");
  expect(await getSettings(t.db)).toEqual({ demo: "1", euThresholdNet: "216500.00" });
  expect((await getPlanSettings(t.db)).euThresholdNet).toBe("216500.00");
  await deleteSetting(t.db, "demo");
  expect(await getSetting(t.db, "demo")).toBeUndefined();
});

test("audit: entries with ISO timestamps, JSON for non-text values, filtered and newest first", async () => {
  const now = new Date().toISOString();
  const { id: userId } = await t.db
    .insertInto("users")
    .values({
      email: "k@x.example",
      name: "Koordination",
      password_hash: "x",
      role: "coordinator",
      partner_code: null,
      active: 1,
      created_at: now,
      updated_at: now,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  await writeAudit(t.db, {
    userId,
    action: "demand.set",
    entity: "demand",
    entityKey: "COE/NB/2027",
    oldValue: "40",
    newValue: "50",
  });
  await writeAudit(t.db, {
    userId: null,
    action: "plan.import",
    entity: "plan",
    entityKey: "plan",
    detail: { partners: 12 },
  });
  await t.db.transaction().execute(async (trx) => {
    await writeAudit(trx, {
      userId,
      action: "demand.set",
      entity: "demand",
      entityKey: "COE/NB/2027",
      oldValue: 50,
      newValue: null,
      at: new Date("2026-02-01T08:00:00Z"),
    });
  });

  const demand = await listAudit(t.db, { entity: "demand", entityKey: "COE/NB/2027" });
  expect(demand.map((e) => [e.oldValue, e.newValue])).toEqual([
    ["50", null],
    ["40", "50"],
  ]);
  expect(demand[0]).toMatchObject({
    at: "2026-02-01T08:00:00.000Z",
    userId,
    userName: "Koordination",
    userEmail: "k@x.example",
  });
  expect(demand[1].at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

  const plan = await listAudit(t.db, { entity: "plan" });
  expect(plan).toHaveLength(1);
  expect(plan[0]).toMatchObject({ userId: null, userName: null, action: "plan.import" });
  expect(JSON.parse(plan[0].detail ?? "null")).toEqual({ partners: 12 });
  expect(await listAudit(t.db, { limit: 2 })).toHaveLength(2);
});

test("an audit entry written in a rolled-back transaction disappears with it", async () => {
  const before = (await listAudit(t.db)).length;
  await expect(
    t.db.transaction().execute(async (trx) => {
      await writeAudit(trx, { action: "x", entity: "x", entityKey: "x" });
      throw new Error("abort");
    }),
  ).rejects.toThrow("abort");
  expect(await listAudit(t.db)).toHaveLength(before);
});
