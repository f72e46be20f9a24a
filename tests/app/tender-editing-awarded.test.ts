// The tender page after an award: renaming the awarded lot saves; changing its
// categories answers with the German message at the categories field.
import { sql } from "kysely";
import {
  action as categoriesAction,
  loader as categoriesLoader,
} from "../../app/routes/categories";
import {
  action as tenderAction,
  loader as tenderLoader,
} from "../../app/routes/tenders.$code._index";
import {
  AWARD_FROZEN_MESSAGE,
  awardLot,
  categoryPriceFrozenMessage,
  reserveFrozenMessage,
} from "../../db/awards";
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

// ---- What the award froze: the reserve, and price and tiers of the awarded categories ----

function postTo(
  action: typeof tenderAction,
  path: string,
  fields: Record<string, string>,
  params: Record<string, string>,
) {
  const request = new Request(`${BASE_URL}${path}`, {
    method: "POST",
    headers: { Cookie: cookie },
    body: new URLSearchParams(fields),
  });
  return run(action, request, params);
}

function saveTender(reservePercent: string, name = "Rahmenvertrag Endgeräte") {
  return postTo(
    tenderAction,
    "/tenders/RV-2027",
    {
      intent: "tender",
      code: "RV-2027",
      name,
      startYear: "2027",
      termYears: "2",
      reservePercent,
      soloProcessCostGross: "7.500,00",
    },
    { code: "RV-2027" },
  );
}

it("the tender page marks the awarded lot and locks the reserve with the reason", async () => {
  const data = await (
    await run(
      tenderLoader,
      new Request(`${BASE_URL}/tenders/RV-2027`, { headers: { Cookie: cookie } }),
      { code: "RV-2027" },
    )
  ).json();
  expect(data.awardedLots).toEqual(["L1"]);
  expect(data.reserveLocked).toBe(reserveFrozenMessage(["L1"]));
  expect(data.reserveLocked).toMatch(/^Die Reserve ist eingefroren: Los L1 ist vergeben/);
});

it("refuses a new reserve after the award at the reserve field; the same reserve saves", async () => {
  const refused = await saveTender("12");
  expect(refused.status).toBe(400);
  expect((await refused.json()).result.error).toEqual({
    reservePercent: [reserveFrozenMessage(["L1"])],
  });
  expect((await getTenderForEditing(testDb.db, "RV-2027"))!.reserve).toBe("0.10");
  const saved = await saveTender("10", "Rahmenvertrag Endgeräte 2027");
  expect(saved.status).toBe(302);
  expect((await getTenderForEditing(testDb.db, "RV-2027"))!.name).toBe(
    "Rahmenvertrag Endgeräte 2027",
  );
  // The database refuses it too.
  await expect(
    sql`update tenders set reserve = '0.2' where code = 'RV-2027'`.execute(testDb.db),
  ).rejects.toThrow(/Los ist vergeben/);
});

function saveCategory(fields: Record<string, string>) {
  return postTo(
    categoriesAction as unknown as typeof tenderAction,
    "/categories",
    {
      intent: "update-category",
      originalCode: "NB",
      code: "NB",
      name: "Notebook",
      unit: "Stück",
      basePriceNet: "520,00",
      vatPercent: "19",
      "tiers[0].minQuantity": "40",
      "tiers[0].discountPercent": "5",
      serviceLifeYears: "5",
      supportUnits: "1",
      ...fields,
    },
    {},
  );
}

it("refuses a new price or new tiers for a category of the awarded lot; its name still changes", async () => {
  const categories = await (
    await run(
      categoriesLoader,
      new Request(`${BASE_URL}/categories`, { headers: { Cookie: cookie } }),
      {},
    )
  ).json();
  const nb = categories.categories.find((c: { code: string }) => c.code === "NB");
  const tab = categories.categories.find((c: { code: string }) => c.code === "TAB");
  expect(nb.priceLocked).toBe(categoryPriceFrozenMessage(["Los L1 (RV-2027)"]));
  expect(tab.priceLocked).toBeNull();

  const changes: Record<string, string>[] = [
    { basePriceNet: "499,00" },
    { "tiers[0].discountPercent": "6" },
  ];
  for (const change of changes) {
    const response = await saveCategory(change);
    expect(response.status).toBe(400);
    expect((await response.json()).result.error).toEqual({
      basePriceNet: [categoryPriceFrozenMessage(["Los L1 (RV-2027)"])],
    });
  }
  expect((await saveCategory({ name: "Notebook 14 Zoll" })).status).toBe(302);
  const stored = await sql<{ name: string; base_price_cents: number }>`
    select name, base_price_cents from categories where code = 'NB'`.execute(testDb.db);
  expect(stored.rows).toEqual([{ name: "Notebook 14 Zoll", base_price_cents: 52_000 }]);
  await expect(
    sql`update categories set base_price_cents = 1 where code = 'NB'`.execute(testDb.db),
  ).rejects.toThrow(/Los ist vergeben/);
});
