import { loader, action } from "../../app/routes/support._index";
import { listAudit } from "../../db/audit";
import { getSupportParameters } from "../../db/support";
import { DEFAULT_SUPPORT_NOTE } from "../../domain/support-form";
import type { TestDatabase } from "../helpers/test-database";
import {
  COMMITTEE,
  COORDINATOR,
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
  // The demo carries an installed base; these tests start from none.
  await testDb.db.deleteFrom("inventory_lines").execute();
  await testDb.db.deleteFrom("inventory_notes").execute();
  // … and support parameters: here a new consortium that has not set its own yet.
  await testDb.db.deleteFrom("support_parameters").execute();
  for (const email of [COORDINATOR, COMMITTEE, OFFICER_DUE]) cookies[email] = await signIn(email);
});
afterAll(() => tearDownAppDatabase(testDb));

interface SupportData {
  preview: boolean;
  canEdit: boolean;
  parameters: Record<string, string>;
  result: {
    years: {
      year: number;
      soloCostGross: string;
      pooledCostGross: string;
      savingsGross: string;
      partners: { code: string; pooledShareGross: string; savingsGross: string }[];
    }[];
    partners: { code: string }[];
    totals: { soloCostGross: string; pooledCostGross: string; savingsGross: string };
    chartSvg: string;
  } | null;
}

async function load(email: string): Promise<SupportData> {
  const response = await run(loader, makeRequest("/support", { cookie: cookies[email] }));
  expect(response.status).toBe(200);
  return response.json();
}

const VALID = {
  intent: "save",
  fromYear: "2027",
  toYear: "2030",
  devicesPerFte: "350",
  fteStep: "0,5",
  minFtePerPartner: "0,5",
  poolOverheadFte: "1",
  costPerFte: "80.000,00",
  key: "units",
  note: "Stellenkosten laut Personalkostentabelle NRW 2026.",
};

it("shows a preview with the defaults for a new consortium, with totals that add up", async () => {
  const data = await load(COMMITTEE);
  const year = new Date().getUTCFullYear();
  expect(data.preview).toBe(true);
  expect(data.canEdit).toBe(false);
  expect(data.parameters).toMatchObject({
    years: `${year}–${year + 6}`,
    devicesPerFte: "400",
    fteStep: "0,25",
    minFtePerPartner: "0,5",
    poolOverheadFte: "1",
    costPerFte: "72.000,00 €",
    note: DEFAULT_SUPPORT_NOTE,
  });
  const result = data.result!;
  expect(result.years.map((y) => y.year)).toEqual([0, 1, 2, 3, 4, 5, 6].map((i) => year + i));
  const sum = (f: (y: SupportData["result"] & object) => bigint) => f(result);
  expect(BigInt(result.totals.savingsGross)).toBe(
    sum((r) => r.years.reduce((s, y) => s + BigInt(y.savingsGross), 0n)),
  );
  expect(BigInt(result.totals.savingsGross)).toBe(
    BigInt(result.totals.soloCostGross) - BigInt(result.totals.pooledCostGross),
  );
  expect(result.chartSvg).toContain("<svg");
});

it("gives officers their own partner's rows and the totals only", async () => {
  await testDb.db
    .insertInto("inventory_lines")
    .values([
      {
        partner_code: "DUE",
        school_code: null,
        category_code: "NB-SUS",
        year: 2025,
        quantity: 300,
        position: 0,
        updated_at: "2026-01-01T00:00:00Z",
        updated_by: null,
      },
      {
        partner_code: "COE",
        school_code: null,
        category_code: "NB-SUS",
        year: 2025,
        quantity: 500,
        position: 1,
        updated_at: "2026-01-01T00:00:00Z",
        updated_by: null,
      },
    ])
    .execute();
  const all = await load(COMMITTEE);
  const own = await load(OFFICER_DUE);
  const codes = new Set(all.result!.years.flatMap((y) => y.partners.map((p) => p.code)));
  expect(codes.size).toBeGreaterThan(1);
  for (const y of own.result!.years) expect(y.partners.map((p) => p.code)).toEqual(["DUE"]);
  expect(own.result!.partners.map((p) => p.code)).toEqual(["DUE"]);
  expect(own.result!.totals).toEqual(all.result!.totals);
  expect(own.result!.years.map((y) => y.savingsGross)).toEqual(
    all.result!.years.map((y) => y.savingsGross),
  );
  // nothing of another partner anywhere in the officer's data
  expect(JSON.stringify(own)).not.toContain('"COE"');
});

it("lets only the coordinator set the parameters, with German messages at the field", async () => {
  const refused = await run(
    action,
    makeRequest("/support", { cookie: cookies[OFFICER_DUE], form: VALID }),
  );
  expect(refused.status).toBe(403);
  const invalid = await run(
    action,
    makeRequest("/support", {
      cookie: cookies[COORDINATOR],
      form: { ...VALID, toYear: "2026", devicesPerFte: "0", fteStep: "0,125", costPerFte: "-1" },
    }),
  );
  expect(invalid.status).toBe(400);
  const errors = (await invalid.json()).result.error as Record<string, string[]>;
  expect(errors.toYear).toEqual(["Das letzte Jahr darf nicht vor dem ersten liegen."]);
  expect(errors.devicesPerFte).toEqual(["Bitte eine Zahl über 0 eingeben."]);
  expect(errors.fteStep).toEqual(["Höchstens 2 Nachkommastellen eingeben."]);
  expect(errors.costPerFte).toEqual(["Der Betrag darf nicht negativ sein."]);
  expect(await getSupportParameters(testDb.db)).toBeNull();

  const saved = await run(
    action,
    makeRequest("/support", { cookie: cookies[COORDINATOR], form: VALID }),
  );
  expect(saved.status).toBe(302);
  expect(await getSupportParameters(testDb.db)).toMatchObject({
    fromYear: 2027,
    toYear: 2030,
    devicesPerFte: "350",
    fteStep: "0.5",
    minFtePerPartner: "0.5",
    poolOverheadFte: "1",
    costPerFteCents: 8_000_000n,
    key: "units",
    note: VALID.note,
  });
  expect((await listAudit(testDb.db, { entity: "support_parameters" })).length).toBe(1);
  const data = await load(COORDINATOR);
  expect(data.preview).toBe(false);
  expect(data.canEdit).toBe(true);
  expect(data.result!.years.map((y) => y.year)).toEqual([2027, 2028, 2029, 2030]);
  expect(data.parameters.note).toBe(VALID.note);
  // Every year's pooled cost is split exactly among its partners.
  for (const y of data.result!.years)
    expect(y.partners.reduce((s, p) => s + BigInt(p.pooledShareGross), 0n)).toBe(
      BigInt(y.pooledCostGross),
    );
});

it("puts the support savings into the committee summary, the same figure as /support", async () => {
  const { loader: summaryLoader } = await import("../../app/routes/tenders.$code.summary");
  const response = await run(
    summaryLoader,
    makeRequest("/tenders/RV-2027/summary", { cookie: cookies[COMMITTEE] }),
    { code: "RV-2027" },
  );
  expect(response.status).toBe(200);
  const summary = await response.json();
  const support = await load(COMMITTEE);
  expect(summary.support).toMatchObject({
    savingsGross: support.result!.totals.savingsGross,
    soloCostGross: support.result!.totals.soloCostGross,
    pooledCostGross: support.result!.totals.pooledCostGross,
    preview: support.preview,
  });
});

it("exports the comparison as a workbook; an officer's copy holds only its own partner", async () => {
  const { loader: exportLoader } = await import("../../app/routes/support.export[.]xlsx");
  const { loadWorkbook } = await import("../exports/helpers/stream-buffer");
  const { SUPPORT_SHEET } = await import("../../exports/support-workbook");
  const codesIn = async (email: string) => {
    const response = await run(
      exportLoader,
      makeRequest("/support/export.xlsx", { cookie: cookies[email] }),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Disposition")).toMatch(/IT-Support-\d{4}-\d\d-\d\d\.xlsx/);
    const workbook = await loadWorkbook(Buffer.from(await response.arrayBuffer()));
    const codes = new Set<unknown>();
    workbook.getWorksheet(SUPPORT_SHEET.partners)!.eachRow((row, n) => {
      if (n > 2 && row.getCell(2).value) codes.add(row.getCell(2).value);
    });
    return [...codes];
  };
  expect((await codesIn(COMMITTEE)).length).toBeGreaterThan(1);
  expect(await codesIn(OFFICER_DUE)).toEqual(["DUE"]);
});
