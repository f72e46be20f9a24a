import { action, loader } from "../../app/routes/categories";
import { listAudit } from "../../db/audit";
import { listCategoriesForEditing } from "../../db/categories";
import { snapshotDatabase } from "../db/plan-fixtures";
import type { TestDatabase } from "../helpers/test-database";
import {
  COMMITTEE,
  COORDINATOR,
  FINANCE,
  OFFICER_DUE,
  makeRequest,
  run,
  setUpAppDatabase,
  signIn,
  tearDownAppDatabase,
} from "./support";

let testDb: TestDatabase;
const cookies: Record<string, string> = {};
beforeAll(async () => {
  testDb = await setUpAppDatabase();
  for (const email of [COORDINATOR, FINANCE, COMMITTEE, OFFICER_DUE])
    cookies[email] = await signIn(email);
});
afterAll(() => tearDownAppDatabase(testDb));

function post(form: Record<string, string>, email = COORDINATOR) {
  return run(action, makeRequest("/categories", { cookie: cookies[email], form }));
}

const BEAMER = {
  intent: "add-category",
  code: "BEAM",
  name: "Beamer",
  unit: "Stück",
  basePriceNet: "1.299,00",
  vatPercent: "19",
  serviceLifeYears: "6",
  supportUnits: "0,5",
  "tiers[0].minQuantity": "100",
  "tiers[0].discountPercent": "7,5",
  "tiers[1].minQuantity": "20",
  "tiers[1].discountPercent": "3",
};

async function errorsOf(response: Response) {
  expect(response.status).toBe(400);
  const body = await response.json();
  return {
    formId: body.formId as string,
    errors: (body.result.error ?? {}) as Record<string, string[]>,
  };
}

it("lets finance and committee read, refuses officers", async () => {
  for (const email of [FINANCE, COMMITTEE]) {
    const response = await run(loader, makeRequest("/categories", { cookie: cookies[email] }));
    expect(response.status).toBe(200);
    const data = await response.json();
    expect(data.canEdit).toBe(false);
    const tab = data.categories.find((c: { code: string }) => c.code === "TAB");
    expect(tab).toMatchObject({
      basePrice: "389,00 €",
      vatRate: "19 %",
      tiersText: ["ab 250: −4 %", "ab 1.000: −8 %"],
    });
    expect(tab.usage[0]).toBe("Los RV-2027/L1");
  }
  expect(
    (await run(loader, makeRequest("/categories", { cookie: cookies[OFFICER_DUE] }))).status,
  ).toBe(403);
});

it("refuses every change to finance, committee and officers with 403", async () => {
  const before = await snapshotDatabase(testDb.db);
  for (const email of [FINANCE, COMMITTEE, OFFICER_DUE]) {
    expect((await post(BEAMER, email)).status).toBe(403);
    expect(
      (
        await post(
          { ...BEAMER, intent: "update-category", originalCode: "TAB", code: "TAB" },
          email,
        )
      ).status,
    ).toBe(403);
    expect((await post({ intent: "delete-category", code: "TAB" }, email)).status).toBe(403);
  }
  expect(await snapshotDatabase(testDb.db)).toEqual(before);
});

it("validates with German messages, including repeated minimum quantities", async () => {
  const { formId, errors } = await errorsOf(
    await post({
      ...BEAMER,
      basePriceNet: "-5",
      vatPercent: "100",
      "tiers[1].minQuantity": "100",
      "tiers[1].discountPercent": "3,123456",
    }),
  );
  expect(formId).toBe("new-category");
  expect(errors.basePriceNet).toEqual(["Der Betrag darf nicht negativ sein."]);
  expect(errors.vatPercent).toEqual(["Der Wert muss unter 100 % liegen."]);
  expect(errors["tiers[1].minQuantity"]).toEqual(["Die Mindestmenge 100 kommt doppelt vor."]);
  expect(errors["tiers[1].discountPercent"]).toEqual(["Höchstens 4 Nachkommastellen eingeben."]);
});

it("answers a tier row added without JavaScript with the longer list, saving nothing", async () => {
  const before = await snapshotDatabase(testDb.db);
  const response = await post({
    ...BEAMER,
    __intent__: JSON.stringify({ type: "insert", payload: { name: "tiers" } }),
  });
  expect(response.status).toBe(200);
  const body = await response.json();
  expect(body.formId).toBe("new-category");
  expect(body.result.initialValue.tiers).toHaveLength(3);
  expect(await snapshotDatabase(testDb.db)).toEqual(before);
});

it("creates, updates and deletes a category with exact values and audit entries", async () => {
  expect((await post(BEAMER)).headers.get("Location")).toBe("/categories?notice=created");
  let beam = (await listCategoriesForEditing(testDb.db)).find((c) => c.code === "BEAM");
  expect(beam).toMatchObject({
    basePriceNetCents: 129900,
    vatRate: "0.19",
    serviceLifeYears: 6,
    supportUnits: "0.5",
    tiers: [
      { minQuantity: 20, discount: "0.03" },
      { minQuantity: 100, discount: "0.075" },
    ],
  });
  const updated = await post({
    intent: "update-category",
    originalCode: "BEAM",
    code: "BEAMER",
    name: "Beamer (Kurzdistanz)",
    unit: "",
    basePriceNet: "1.199,99",
    vatPercent: "7",
    serviceLifeYears: "4",
    supportUnits: "1,25",
  });
  expect(updated.status).toBe(302);
  beam = (await listCategoriesForEditing(testDb.db)).find((c) => c.code === "BEAMER");
  expect(beam).toMatchObject({
    name: "Beamer (Kurzdistanz)",
    unit: null,
    basePriceNetCents: 119999,
    vatRate: "0.07",
    serviceLifeYears: 4,
    supportUnits: "1.25",
    tiers: [],
  });
  expect((await post({ intent: "delete-category", code: "BEAMER" })).headers.get("Location")).toBe(
    "/categories?notice=deleted",
  );
  expect(
    (await listAudit(testDb.db, { entity: "category" })).map((a) => `${a.action} ${a.entityKey}`),
  ).toEqual(["delete BEAMER", "update BEAMER", "create BEAM"]);
});

it("refuses to delete a category in use, at the form", async () => {
  const { formId, errors } = await errorsOf(await post({ intent: "delete-category", code: "TAB" }));
  expect(formId).toBe("delete-category-TAB");
  expect(errors.code?.[0]).toMatch(/^Die Produktgruppe TAB wird noch verwendet/);
});

it("validates service life and support units with German messages at the field", async () => {
  for (const [life, units, lifeError, unitsError] of [
    ["0", "-1", "Die Nutzungsdauer beträgt 1 bis 15 Jahre.", "Die Zahl darf nicht negativ sein."],
    [
      "16",
      "0,125",
      "Die Nutzungsdauer beträgt 1 bis 15 Jahre.",
      "Höchstens 2 Nachkommastellen eingeben.",
    ],
    [
      "",
      "",
      "Bitte die Nutzungsdauer in ganzen Jahren eingeben (1 bis 15).",
      "Bitte die Support-Einheiten je Gerät eingeben (z. B. 1 oder 0,5).",
    ],
  ]) {
    const { errors } = await errorsOf(
      await post({ ...BEAMER, serviceLifeYears: life, supportUnits: units }),
    );
    expect(errors.serviceLifeYears).toEqual([lifeError]);
    expect(errors.supportUnits).toEqual([unitsError]);
  }
});

it("shows service life and support units to readers", async () => {
  const response = await run(loader, makeRequest("/categories", { cookie: cookies[FINANCE] }));
  const data = await response.json();
  const tab = data.categories.find((c: { code: string }) => c.code === "TAB");
  expect(tab.serviceLifeYears).toBeGreaterThanOrEqual(1);
  expect(tab.defaults.supportUnits).toMatch(/^\d+(,\d{1,2})?$/);
});
