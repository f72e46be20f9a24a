import { loader as overviewLoader } from "../../app/routes/funding._index";
import { action as newAction, loader as newLoader } from "../../app/routes/funding.new";
import { action as editAction, loader as editLoader } from "../../app/routes/funding.$code";
import { listAudit } from "../../db/audit";
import { getFundingProgramme, listBudgetBases } from "../../db/funding";
import { calculateCurrentPlan } from "../../db/tenders";
import { computeBudgets } from "../../domain/funding-budgets";
import { formatEuro } from "../../domain/money";
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
beforeEach(async () => {
  await testDb.db.deleteFrom("funding_programmes").execute();
});

const DP2_FORM = {
  intent: "save",
  code: "DP2",
  name: "DigitalPakt Schule 2.0",
  rate: "90 %",
  fromYear: "2027",
  toYear: "2029",
  maxPerUnit: "",
  categories: "NB-SUS",
  hasBudgets: "on",
  "budgets[0].partner": "DUE",
  "budgets[0].amount": "478.705,00",
  "budgets[1].partner": "COE",
  "budgets[1].amount": "1.000",
  "budgets[2].partner": "KRS",
  "budgets[2].amount": "",
};

function form(fields: Record<string, string>, extra: [string, string][] = []): URLSearchParams {
  const body = new URLSearchParams(fields);
  for (const [k, v] of extra) body.append(k, v);
  return body;
}

function postTo(
  handler: typeof newAction,
  path: string,
  body: URLSearchParams,
  email = COORDINATOR,
  params: Record<string, string> = {},
) {
  const request = new Request(`http://verbundkauf.test${path}`, {
    method: "POST",
    headers: { Cookie: cookies[email] },
    body,
  });
  return run(handler, request, params);
}

const createDp2 = () => postTo(newAction, "/funding/new", form(DP2_FORM, [["categories", "TAB"]]));

async function fieldErrors(response: Response): Promise<Record<string, string[]>> {
  expect(response.status).toBe(400);
  const body = await response.json();
  return body.result.error ?? {};
}

async function overview(email: string) {
  const response = await run(overviewLoader, makeRequest("/funding", { cookie: cookies[email] }));
  expect(response.status).toBe(200);
  return response.json();
}

it("the coordinator creates a programme from the no-JS form; budgets left empty are not listed", async () => {
  const response = await createDp2();
  expect(response.status).toBe(302);
  expect(response.headers.get("Location")).toBe("/funding?notice=created#programme-DP2");
  expect(await getFundingProgramme(testDb.db, "DP2")).toEqual({
    code: "DP2",
    name: "DigitalPakt Schule 2.0",
    rate: "0.9",
    fromYear: 2027,
    toYear: 2029,
    maxPerUnitCents: null,
    categories: ["NB-SUS", "TAB"],
    // Partner order of the plan (KRS, …, COE, DUE); KRS typed nothing.
    budgets: [
      { partner: "COE", amountCents: 100000 },
      { partner: "DUE", amountCents: 47870500 },
    ],
  });
  const [entry] = await listAudit(testDb.db, { entity: "funding_programme" });
  expect(entry.action).toBe("create");
});

it("a rate without % up to 1 is the fraction; a cap is stored in cents", async () => {
  const response = await postTo(
    newAction,
    "/funding/new",
    form({
      ...DP2_FORM,
      code: "LK",
      rate: "1",
      categories: "NB-LK",
      hasBudgets: "",
      maxPerUnit: "500,00",
    }),
  );
  expect(response.status).toBe(302);
  const lk = await getFundingProgramme(testDb.db, "LK");
  expect(lk).toMatchObject({ rate: "1", maxPerUnitCents: 50000, budgets: null });
});

it("refuses bad input with German messages at the fields and saves nothing", async () => {
  const errors = await fieldErrors(
    await postTo(
      newAction,
      "/funding/new",
      form({
        intent: "save",
        code: "",
        name: "X",
        rate: "0",
        fromYear: "2030",
        toYear: "2028",
        maxPerUnit: "5,001",
      }),
    ),
  );
  expect(errors.code).toEqual(["Bitte ein Kürzel eingeben."]);
  expect(errors.rate).toEqual(["Der Fördersatz muss größer als 0 % sein."]);
  expect(errors.toYear).toEqual(["Das letzte Jahr darf nicht vor dem ersten liegen."]);
  expect(errors.categories).toEqual(["Bitte mindestens eine Produktgruppe wählen."]);
  expect(errors.maxPerUnit).toEqual(["Höchstens zwei Nachkommastellen (Cent) eingeben."]);
  const tooHigh = await fieldErrors(
    await postTo(newAction, "/funding/new", form({ ...DP2_FORM, rate: "120 %" })),
  );
  expect(tooHigh.rate).toEqual(["Höchstens 100 % eingeben."]);
  expect(await getFundingProgramme(testDb.db, "DP2")).toBeUndefined();
});

it("refuses a category eligible under two programmes in the same year, at the categories field", async () => {
  expect((await createDp2()).status).toBe(302);
  const errors = await fieldErrors(
    await postTo(
      newAction,
      "/funding/new",
      form({ ...DP2_FORM, code: "DP3", fromYear: "2029", toYear: "2030" }),
    ),
  );
  expect(errors.categories?.[0]).toContain("NB-SUS ist in 2029 schon im Förderprogramm DP2");
  expect(await getFundingProgramme(testDb.db, "DP3")).toBeUndefined();
});

it("computes budgets once from a formula, keeps the typed fields and saves nothing", async () => {
  const response = await postTo(
    newAction,
    "/funding/new",
    form({ ...DP2_FORM, intent: "compute-budgets", formula: "perPupil", formulaAmount: "35" }),
  );
  expect(response.status).toBe(200);
  const { computed } = await response.json();
  const bases = await listBudgetBases(testDb.db);
  const expected = computeBudgets("perPupil", "35", bases);
  expect(computed.code).toBe("DP2");
  expect(computed.rate).toBe("90 %");
  expect(computed.hasBudgets).toBe("on");
  expect(computed.budgets).toHaveLength(bases.length);
  for (const [index, base] of bases.entries()) {
    expect(computed.budgets[index].partner).toBe(base.code);
    expect(`${computed.budgets[index].amount} €`).toBe(formatEuro(expected.get(base.code)!));
  }
  expect(bases.some((b) => b.pupils > 0)).toBe(true);
  expect(await getFundingProgramme(testDb.db, "DP2")).toBeUndefined();
  const bad = await fieldErrors(
    await postTo(
      newAction,
      "/funding/new",
      form({ intent: "compute-budgets", formula: "fixed", formulaAmount: "1,005" }),
    ),
  );
  expect(bad.formulaAmount).toEqual(["Höchstens zwei Nachkommastellen (Cent) eingeben."]);
});

it("edits a programme: the form shows the stored values; saving renames it", async () => {
  await createDp2();
  const response = await run(
    editLoader,
    makeRequest("/funding/DP2", { cookie: cookies[COORDINATOR] }),
    { code: "DP2" },
  );
  const data = await response.json();
  expect(data.defaults).toMatchObject({ rate: "90 %", fromYear: "2027", hasBudgets: "on" });
  expect(data.defaults.budgets.find((b: { partner: string }) => b.partner === "DUE").amount).toBe(
    "478.705,00",
  );
  const saved = await postTo(
    editAction,
    "/funding/DP2",
    form({ ...DP2_FORM, originalCode: "DP2", code: "DP-2", hasBudgets: "" }),
    COORDINATOR,
    { code: "DP2" },
  );
  expect(saved.status).toBe(302);
  expect(await getFundingProgramme(testDb.db, "DP2")).toBeUndefined();
  expect((await getFundingProgramme(testDb.db, "DP-2"))?.budgets).toBeNull();
});

it("deleting asks for confirmation first (no-JS step), then deletes", async () => {
  await createDp2();
  const ask = await postTo(editAction, "/funding/DP2", form({ intent: "delete" }), COORDINATOR, {
    code: "DP2",
  });
  expect(ask.status).toBe(200);
  expect(await ask.json()).toEqual({ deleteStep: "confirm" });
  expect(await getFundingProgramme(testDb.db, "DP2")).toBeDefined();
  const done = await postTo(
    editAction,
    "/funding/DP2",
    form({ intent: "delete", confirm: "yes" }),
    COORDINATOR,
    { code: "DP2" },
  );
  expect(done.status).toBe(302);
  expect(done.headers.get("Location")).toBe("/funding?notice=deleted");
  expect(await getFundingProgramme(testDb.db, "DP2")).toBeUndefined();
});

it("only the coordinator writes", async () => {
  for (const email of [FINANCE, COMMITTEE, OFFICER_DUE]) {
    expect((await postTo(newAction, "/funding/new", form(DP2_FORM), email)).status).toBe(403);
    expect(
      (await run(newLoader, makeRequest("/funding/new", { cookie: cookies[email] }))).status,
    ).toBe(403);
  }
  expect(await getFundingProgramme(testDb.db, "DP2")).toBeUndefined();
});

it("everyone reads the overview; an officer's loader data holds only its own partner's row", async () => {
  await createDp2();
  const all = await overview(FINANCE);
  const partners = (await listBudgetBases(testDb.db)).map((b) => b.code);
  expect(all.canEdit).toBe(false);
  expect(all.programmes[0].rows.map((r: { code: string }) => r.code)).toEqual(partners);
  expect((await overview(COORDINATOR)).canEdit).toBe(true);
  expect((await overview(COMMITTEE)).programmes[0].rows).toHaveLength(partners.length);

  const officer = await overview(OFFICER_DUE);
  expect(officer.canEdit).toBe(false);
  expect(officer.programmes[0].rows.map((r: { code: string }) => r.code)).toEqual(["DUE"]);
  expect(officer.programmes[0].rows[0].budget).toBe("478.705,00 €");
  // The totals are those of all partners.
  expect(officer.programmes[0].totals).toEqual(all.programmes[0].totals);
  // No other partner's figures anywhere in the data sent to the browser.
  const text = JSON.stringify(officer);
  for (const code of partners.filter((c) => c !== "DUE")) {
    expect(text).not.toContain(`"code":"${code}"`);
  }
  expect(text).not.toContain("1.000,00 €");
});

it("shows the engine's budget, granted and remaining per partner, and the purpose binding", async () => {
  await createDp2();
  const data = await overview(FINANCE);
  const current = await calculateCurrentPlan(testDb.db);
  if (!current.ok) throw new Error("demo plan invalid");
  const engine = current.calculation.funding.programmes.find((p) => p.code === "DP2");
  expect(engine, "the engine calculates the stored programme").toBeDefined();
  for (const row of data.programmes[0].rows) {
    const figures = engine!.partners.find((p) => p.code === row.code)!;
    expect(row.granted).toBe(formatEuro(figures.grantedGross));
    expect(row.budget).toBe(figures.budgetGross === null ? null : formatEuro(figures.budgetGross));
    expect(row.remaining).toBe(
      figures.remainingGross === null ? null : formatEuro(figures.remainingGross),
    );
    const years = current.calculation.funding.grants
      .filter((g) => g.programme === "DP2" && g.partner === row.code && g.grantedGross > 0n)
      .map((g) => g.year);
    expect(row.boundUntil).toBe(years.length ? Math.max(...years) + 5 : null);
  }
  // The demo's notebooks in 2027–2029 are funded: Dülmen has a purpose binding.
  expect(
    data.programmes[0].rows.find((r: { code: string }) => r.code === "DUE").boundUntil,
  ).toBeGreaterThanOrEqual(2032);
});
