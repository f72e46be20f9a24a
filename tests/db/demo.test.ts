import { DEMO_PASSWORD, DEMO_USERS, isDemo, loadDemo } from "../../db/demo";
import { listDemandRounds, listRoundProgress } from "../../db/demand-status";
import { verifyPassword } from "../../db/passwords";
import { exportPlan } from "../../db/plan-io";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";
import { normalizePlan, readExamplePlan, snapshotDatabase } from "./plan-fixtures";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t.cleanup());

const count = async (table: "partners" | "schools" | "categories" | "demand_lines" | "users") =>
  Number(
    (
      await t.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll().as("n"))
        .executeTakeFirstOrThrow()
    ).n,
  );

test("loads the Kreis Coesfeld demo into an empty database", async () => {
  expect(await isDemo(t.db)).toBe(false);
  expect(await loadDemo(t.db)).toBe(true);
  expect(await isDemo(t.db)).toBe(true);

  expect(await count("partners")).toBe(12);
  expect(await count("schools")).toBe(68);
  expect(await count("categories")).toBe(10);
  expect(await count("demand_lines")).toBe(1244);
  const plan = await exportPlan(t.db);
  // Golden example 04 (plan@2) without its stated maxima: example 03's tender figures
  // plus funding, inventory and support.
  const example = readExamplePlan("04-funding-support");
  for (const tender of example.tenders ?? []) delete tender.maxQuantities;
  expect(plan).toEqual(normalizePlan(example));
  expect(plan.fundingProgrammes?.map((f) => f.code)).toEqual(["DP2", "LK"]);
  expect(plan.inventory).toHaveLength(272);
  expect(plan.support?.costPerFteGross).toBe("72000.00");
  // Marked as demo data.
  for (const item of [...(plan.schools ?? []), ...(plan.fundingProgrammes ?? [])])
    expect(item.name).toMatch(/\(Demo\)$/);
  expect(plan.tenders).toHaveLength(1);
  expect(plan.tenders?.[0].code).toBe("RV-2027");
  expect(plan.tenders?.[0].lots).toHaveLength(4);
  expect(plan.tenders?.[0].commonCosts).toHaveLength(3);

  // RV-2027's demand round: every partner a draft (no stored status), no deadline.
  const rounds = await listDemandRounds(t.db);
  expect(rounds.map((r) => [r.tenderCode, r.deadline])).toEqual([["RV-2027", null]]);
  const progress = await listRoundProgress(t.db, rounds[0]);
  expect(progress).toHaveLength(12);
  expect(new Set(progress.map((p) => p.status))).toEqual(new Set(["draft"]));
});

test("creates 15 demo users: one per partner's officer, plus coordinator, finance and committee", async () => {
  const users = await t.db.selectFrom("users").selectAll().orderBy("id").execute();
  expect(users).toHaveLength(15);
  expect(DEMO_USERS).toHaveLength(15);
  expect(users.map((u) => [u.email, u.role, u.partner_code, u.active])).toEqual(
    DEMO_USERS.map((u) => [u.email, u.role, u.partner, 1]),
  );
  const officerPartners = users
    .filter((u) => u.role === "officer")
    .map((u) => u.partner_code)
    .sort();
  const partners = (await t.db.selectFrom("partners").select("code").orderBy("code").execute()).map(
    (p) => p.code,
  );
  expect(officerPartners).toEqual(partners);
  expect(users.find((u) => u.role === "coordinator")).toMatchObject({
    email: "koordination@kreis-coesfeld.example",
    name: "Koordination Kreis Coesfeld",
  });
  expect(users.find((u) => u.partner_code === "DUE")?.email).toBe("beschaffung@duelmen.example");
  expect(users.find((u) => u.partner_code === "KRS")?.email).toBe("schulen@kreis-coesfeld.example");

  // Salt per user: no two hashes alike, and every one verifies.
  expect(new Set(users.map((u) => u.password_hash)).size).toBe(15);
  const checks = await Promise.all(
    users.map((u) => verifyPassword(DEMO_PASSWORD, u.password_hash)),
  );
  expect(checks.every(Boolean)).toBe(true);
  expect(await verifyPassword("falsch", users[0].password_hash)).toBe(false);
});

test("a second load is a no-op", async () => {
  await t.db.updateTable("demand_lines").set({ quantity: 999 }).where("id", "=", 1).execute();
  const before = await snapshotDatabase(t.db);
  expect(await loadDemo(t.db)).toBe(false);
  expect(await snapshotDatabase(t.db)).toEqual(before);
});
