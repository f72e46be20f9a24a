import { listAudit } from "../../db/audit";
import {
  createFundingProgramme,
  deleteFundingProgramme,
  getFundingProgramme,
  listBudgetBases,
  listFundingProgrammes,
  updateFundingProgramme,
  type FundingProgrammeInput,
} from "../../db/funding";
import { importPlan } from "../../db/plan-io";
import { EditRefused, EditTargetMissing } from "../../db/tenders";
import { createUser } from "../../db/users";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";
import { readDemoPlan } from "./tenders-fixtures";

let t: TestDatabase;
let userId: number;
beforeAll(async () => {
  t = await createTestDatabase();
  userId = (
    await createUser(t.db, {
      email: "k@example.org",
      name: "Koordination",
      role: "coordinator",
      password: "geheim-geheim",
    })
  ).id;
});
afterAll(async () => t.cleanup());
beforeEach(async () => {
  await t.db.deleteFrom("funding_programmes").execute();
  await importPlan(t.db, readDemoPlan(), { replace: true });
  await t.db.deleteFrom("funding_programmes").execute();
  await t.db.deleteFrom("audit_log").execute();
});

const DP2: FundingProgrammeInput = {
  code: "DP2",
  name: "DigitalPakt Schule 2.0",
  rate: "0.9",
  fromYear: 2027,
  toYear: 2029,
  maxPerUnitCents: null,
  categories: ["NB-SUS", "TAB"],
  budgets: [
    { partner: "COE", amountCents: 39814500n },
    { partner: "DUE", amountCents: 47870500n },
  ],
};
const LK: FundingProgrammeInput = {
  code: "LK",
  name: "Endgeräte für Lehrkräfte",
  rate: "1",
  fromYear: 2027,
  toYear: 2030,
  maxPerUnitCents: 50000n,
  categories: ["NB-LK"],
  budgets: null,
};

async function refusal(promise: Promise<unknown>): Promise<EditRefused> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EditRefused);
  return error as EditRefused;
}

test("creates programmes with categories and budgets, in plan order, with an audit entry", async () => {
  await createFundingProgramme(t.db, DP2, userId);
  await createFundingProgramme(t.db, LK, userId);
  const programmes = await listFundingProgrammes(t.db);
  expect(programmes.map((p) => p.code)).toEqual(["DP2", "LK"]);
  expect(programmes[0]).toEqual({
    code: "DP2",
    name: "DigitalPakt Schule 2.0",
    rate: "0.9",
    fromYear: 2027,
    toYear: 2029,
    maxPerUnitCents: null,
    categories: ["NB-SUS", "TAB"],
    // In partner order (the plan's), not as typed.
    budgets: [
      { partner: "COE", amountCents: 39814500 },
      { partner: "DUE", amountCents: 47870500 },
    ],
  });
  expect(programmes[1].budgets).toBeNull();
  expect(programmes[1].maxPerUnitCents).toBe(50000);
  const audit = await listAudit(t.db, { entity: "funding_programme" });
  expect(audit.map((a) => [a.action, a.entityKey, a.userId])).toEqual([
    ["create", "LK", userId],
    ["create", "DP2", userId],
  ]);
  expect(JSON.parse(audit[1].newValue!).budgets[0]).toEqual({
    partner: "COE",
    amountCents: "39814500",
  });
});

test("refuses a taken code at the code field", async () => {
  await createFundingProgramme(t.db, DP2, userId);
  const error = await refusal(createFundingProgramme(t.db, { ...LK, code: "DP2" }, userId));
  expect(error.fieldErrors.code).toEqual(["Das Kürzel DP2 ist bereits vergeben."]);
  expect(await listFundingProgrammes(t.db)).toHaveLength(1);
});

test("refuses a (category, year) pair eligible under two programmes, and nothing is saved", async () => {
  await createFundingProgramme(t.db, DP2, userId);
  const error = await refusal(
    createFundingProgramme(
      t.db,
      { ...LK, code: "X", categories: ["NB-LK", "TAB"], fromYear: 2029, toYear: 2031 },
      userId,
    ),
  );
  expect(error.fieldErrors.categories?.[0]).toContain(
    "TAB ist in 2029 schon im Förderprogramm DP2",
  );
  expect((await listFundingProgrammes(t.db)).map((p) => p.code)).toEqual(["DP2"]);
  expect(await listAudit(t.db, { entity: "funding_programme" })).toHaveLength(1);
  const two = await refusal(
    createFundingProgramme(t.db, { ...DP2, code: "Y", fromYear: 2020, toYear: 2027 }, userId),
  );
  expect(two.fieldErrors.categories?.[0]).toContain(
    "NB-SUS, TAB sind in 2027 schon im Förderprogramm DP2",
  );
  // Adjacent years do not overlap.
  await createFundingProgramme(
    t.db,
    { ...LK, code: "X", categories: ["TAB"], fromYear: 2030, toYear: 2031 },
    userId,
  );
  expect((await listFundingProgrammes(t.db)).map((p) => p.code)).toEqual(["DP2", "X"]);
});

test("refuses unknown categories and partners at their fields", async () => {
  const error = await refusal(
    createFundingProgramme(
      t.db,
      { ...DP2, categories: ["NOPE"], budgets: [{ partner: "XYZ", amountCents: 1n }] },
      userId,
    ),
  );
  expect(error.fieldErrors.categories).toEqual(["Unbekannte Produktgruppen: NOPE."]);
  expect(error.fieldErrors.budgets).toEqual(["Unbekannte Partner: XYZ."]);
  expect(await listFundingProgrammes(t.db)).toEqual([]);
});

test("updates a programme, renaming its code; its own years do not count as an overlap", async () => {
  await createFundingProgramme(t.db, DP2, userId);
  await updateFundingProgramme(
    t.db,
    "DP2",
    { ...DP2, code: "DP-2", toYear: 2030, budgets: [{ partner: "KRS", amountCents: 100n }] },
    userId,
  );
  expect(await getFundingProgramme(t.db, "DP2")).toBeUndefined();
  const renamed = await getFundingProgramme(t.db, "DP-2");
  expect(renamed?.toYear).toBe(2030);
  expect(renamed?.budgets).toEqual([{ partner: "KRS", amountCents: 100 }]);
  const [entry] = await listAudit(t.db, { entity: "funding_programme", action: "update" });
  expect(JSON.parse(entry.oldValue!).code).toBe("DP2");
  expect(JSON.parse(entry.newValue!).code).toBe("DP-2");
});

test("dropping the budgets makes the programme unlimited", async () => {
  await createFundingProgramme(t.db, DP2, userId);
  await updateFundingProgramme(t.db, "DP2", { ...DP2, budgets: null }, userId);
  expect((await getFundingProgramme(t.db, "DP2"))?.budgets).toBeNull();
  expect(await t.db.selectFrom("funding_budgets").selectAll().execute()).toEqual([]);
});

test("deletes a programme with its categories and budgets", async () => {
  await createFundingProgramme(t.db, DP2, userId);
  await deleteFundingProgramme(t.db, "DP2", userId);
  expect(await listFundingProgrammes(t.db)).toEqual([]);
  expect(await t.db.selectFrom("funding_programme_categories").selectAll().execute()).toEqual([]);
  expect(await t.db.selectFrom("funding_budgets").selectAll().execute()).toEqual([]);
  const [entry] = await listAudit(t.db, { entity: "funding_programme", action: "delete" });
  expect(JSON.parse(entry.oldValue!).budgets).toHaveLength(2);
  await expect(deleteFundingProgramme(t.db, "DP2", userId)).rejects.toBeInstanceOf(
    EditTargetMissing,
  );
});

test("budget bases sum each partner's pupils over its schools", async () => {
  const plan = readDemoPlan();
  const bases = await listBudgetBases(t.db);
  expect(bases.map((b) => b.code)).toEqual(plan.partners.map((p) => p.code));
  for (const base of bases) {
    const pupils = (plan.schools ?? [])
      .filter((s) => s.partner === base.code)
      .reduce((sum, s) => sum + (s.pupils ?? 0), 0);
    expect(base.pupils).toBe(pupils);
    expect(base.population).toBe(plan.partners.find((p) => p.code === base.code)!.population);
  }
});
