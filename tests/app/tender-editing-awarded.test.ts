// The tender page after an award: renaming the awarded lot saves; changing its
// categories answers with the German message at the categories field.
import { action as tenderAction } from "../../app/routes/tenders.$code._index";
import { AWARD_FROZEN_MESSAGE, awardLot } from "../../db/awards";
import { createCategory } from "../../db/categories";
import { getTenderForEditing } from "../../db/tender-inputs";
import { awardOfL1, seedCallOffPlan, SEED_PASSWORD } from "../helpers/call-offs-seed";
import type { TestDatabase } from "../helpers/test-database";
import { BASE_URL, run, setUpAppDatabase, signIn, tearDownAppDatabase } from "./support";

let testDb: TestDatabase;
let cookie: string;
let lotId: number;

beforeAll(async () => {
  testDb = await setUpAppDatabase({ demo: false });
  const users = await seedCallOffPlan(testDb.db);
  await createCategory(
    testDb.db,
    { code: "MON", name: "Monitor", basePriceNetCents: 15_000n, vatRate: "0.19", tiers: [] },
    null,
  );
  cookie = await signIn(users.coordinator.email, SEED_PASSWORD);
  const outcome = await awardLot(testDb.db, awardOfL1(users));
  expect(outcome.ok).toBe(true);
  lotId = (await getTenderForEditing(testDb.db, "RV-2027"))!.lots.find((l) => l.code === "L1")!.id;
});
afterAll(() => tearDownAppDatabase(testDb));

function saveLot(name: string, categories: string[]) {
  const body = new URLSearchParams({
    intent: "update-lot",
    lotId: String(lotId),
    code: "L1",
    name,
  });
  for (const category of categories) body.append("categories", category);
  const request = new Request(`${BASE_URL}/tenders/RV-2027`, {
    method: "POST",
    headers: { Cookie: cookie },
    body,
  });
  return run(tenderAction, request, { code: "RV-2027" });
}

it("renames the awarded lot", async () => {
  const response = await saveLot("Notebooks (vergeben)", ["NB"]);
  expect(response.status).toBe(302);
  expect(response.headers.get("Location")).toBe("/tenders/RV-2027?notice=lot-saved");
  const lot = (await getTenderForEditing(testDb.db, "RV-2027"))!.lots.find((l) => l.id === lotId);
  expect(lot).toMatchObject({ name: "Notebooks (vergeben)", categories: ["NB"] });
});

it("refuses another category for the awarded lot at the categories field", async () => {
  const response = await saveLot("Notebooks und Monitore", ["NB", "MON"]);
  expect(response.status).toBe(400);
  const body = await response.json();
  expect(body.formId).toBe(`lot-${lotId}`);
  expect(body.result.error).toEqual({ categories: [AWARD_FROZEN_MESSAGE] });
  const lot = (await getTenderForEditing(testDb.db, "RV-2027"))!.lots.find((l) => l.id === lotId);
  expect(lot).toMatchObject({ name: "Notebooks (vergeben)", categories: ["NB"] });
});
