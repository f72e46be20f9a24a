// Route integration tests for the award page: roles, German money parsed to the cent,
// the maximum before and after the award, the audit log.
import { action as awardAction, loader as awardLoader } from "../../app/routes/tenders.$code.award";
import { listAudit } from "../../db/audit";
import { listAwards } from "../../db/awards";
import { priceField } from "../../domain/call-offs";
import { seedCallOffPlan, SEED_PASSWORD, type SeededUsers } from "../helpers/call-offs-seed";
import type { TestDatabase } from "../helpers/test-database";
import { makeRequest, run, setUpAppDatabase, signIn, tearDownAppDatabase } from "./support";

let testDb: TestDatabase;
let users: SeededUsers;
const cookies: Partial<Record<keyof SeededUsers, string>> = {};

beforeAll(async () => {
  testDb = await setUpAppDatabase({ demo: false });
  users = await seedCallOffPlan(testDb.db);
  for (const key of ["coordinator", "officerCoe", "finance"] as const)
    cookies[key] = await signIn(users[key].email, SEED_PASSWORD);
});
afterAll(() => tearDownAppDatabase(testDb));

const PATH = "/tenders/RV-2027/award";
const PARAMS = { code: "RV-2027" };

function post(who: keyof SeededUsers, form: Record<string, string>) {
  return run(awardAction, makeRequest(PATH, { cookie: cookies[who], form }), PARAMS);
}

const AWARD_L1 = {
  intent: "award",
  lot: "L1",
  supplier: "Muster IT GmbH",
  awardDate: "2026-11-02",
  [priceField("NB")]: "479,50",
};

async function errorsOf(
  response: Response,
  formId: string,
): Promise<Record<string, string[] | null>> {
  expect(response.status).toBe(400);
  const body = (await response.json()) as {
    formId: string;
    result: { error?: Record<string, string[] | null> };
  };
  expect(body.formId).toBe(formId);
  return body.result.error ?? {};
}

test("officers may not see the page; finance reads but may not award", async () => {
  expect(
    (await run(awardLoader, makeRequest(PATH, { cookie: cookies.officerCoe }), PARAMS)).status,
  ).toBe(403);
  const finance = await run(awardLoader, makeRequest(PATH, { cookie: cookies.finance }), PARAMS);
  expect(finance.status).toBe(200);
  expect((await finance.json()).canEdit).toBe(false);
  expect((await post("finance", AWARD_L1)).status).toBe(403);
  expect((await post("officerCoe", AWARD_L1)).status).toBe(403);
  expect(await listAwards(testDb.db, "RV-2027")).toEqual([]);
});

test("the maximum before the award: not below the joint quantity, German message at the field", async () => {
  const errors = await errorsOf(
    await post("coordinator", { intent: "max-quantity", category: "NB", maxQuantity: "39" }),
    "max-NB",
  );
  expect(errors.maxQuantity).toEqual([
    "Die Höchstmenge muss mindestens die gemeldete Gesamtmenge abdecken (40).",
  ]);
  expect(
    (await post("coordinator", { intent: "max-quantity", category: "NB", maxQuantity: "46" }))
      .status,
  ).toBe(302);
  const page = await (
    await run(awardLoader, makeRequest(PATH, { cookie: cookies.coordinator }), PARAMS)
  ).json();
  expect(page.page.lots[0].categories[0]).toMatchObject({
    engineMaxQuantity: 44,
    overrideMaxQuantity: 46,
    maxQuantity: 46,
  });
});

test("the maximum quantity reads 1.000 as one thousand and refuses 1.00", async () => {
  expect(
    (await post("coordinator", { intent: "max-quantity", category: "NB", maxQuantity: "1.000" }))
      .status,
  ).toBe(302);
  const page = await (
    await run(awardLoader, makeRequest(PATH, { cookie: cookies.coordinator }), PARAMS)
  ).json();
  expect(page.page.lots[0].categories[0]).toMatchObject({ maxQuantity: 1000 });
  const errors = await errorsOf(
    await post("coordinator", { intent: "max-quantity", category: "NB", maxQuantity: "1.00" }),
    "max-NB",
  );
  expect(errors.maxQuantity?.[0]).toMatch(/ohne Nachkommastellen/);
  // Back to the value the following tests expect.
  expect(
    (await post("coordinator", { intent: "max-quantity", category: "NB", maxQuantity: "46" }))
      .status,
  ).toBe(302);
});

test("refuses a price that is not German money, a future date and a missing supplier", async () => {
  const errors = await errorsOf(
    await post("coordinator", {
      ...AWARD_L1,
      supplier: " ",
      [priceField("NB")]: "479.50",
      awardDate: "2999-01-01",
    }),
    "award-L1",
  );
  expect(errors.supplier).toEqual(["Bitte den Auftragnehmer eingeben."]);
  expect(errors[priceField("NB")]?.[0]).toMatch(/7\.500,00/);
  expect(await listAwards(testDb.db, "RV-2027")).toEqual([]);
  const future = await errorsOf(
    await post("coordinator", { ...AWARD_L1, awardDate: "2999-01-01" }),
    "award-L1",
  );
  expect(future.awardDate).toEqual(["Das Zuschlagsdatum darf nicht in der Zukunft liegen."]);
});

test("the coordinator awards: price exact to the cent, maximum frozen with the override, audited; then frozen", async () => {
  const response = await post("coordinator", AWARD_L1);
  expect(response.status).toBe(302);
  expect(response.headers.get("Location")).toBe(`${PATH}?notice=awarded`);
  const [award] = await listAwards(testDb.db, "RV-2027");
  expect(award).toMatchObject({
    lotCode: "L1",
    supplier: "Muster IT GmbH",
    awardDate: "2026-11-02",
  });
  expect(award.categories[0]).toMatchObject({
    unitPriceNetCents: 47_950,
    maxQuantity: 46,
    engineMaxQuantity: 44,
  });
  const audit = await listAudit(testDb.db, { action: "award.create" });
  expect(audit).toHaveLength(1);
  expect(audit[0].userId).toBe(users.coordinator.id);

  expect((await errorsOf(await post("coordinator", AWARD_L1), "award-L1"))[""]).toEqual([
    "Dieses Los ist bereits vergeben.",
  ]);
  expect(await listAwards(testDb.db, "RV-2027")).toHaveLength(1);
  const overrideAfter = await errorsOf(
    await post("coordinator", { intent: "max-quantity", category: "NB", maxQuantity: "100" }),
    "max-NB",
  );
  expect(overrideAfter.maxQuantity?.[0]).toMatch(/vergeben/);

  const page = await (
    await run(awardLoader, makeRequest(PATH, { cookie: cookies.coordinator }), PARAMS)
  ).json();
  expect(page.page.lots[0].award.categories[0].maxQuantity).toBe(46);
  expect(page.page.lots[1]).toMatchObject({ code: "L2", award: null });
});
