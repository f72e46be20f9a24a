// "The three views show the same figures as /api/result": golden example 04 imported
// into the database (db/plan-io), then the tender page, the committee summary, the
// finance workbook and /funding are compared field by field with /api/result, which
// itself equals the golden result file.
import fs from "node:fs";
import type ExcelJS from "exceljs";
import { loader as fundingLoader } from "../../app/routes/funding._index";
import { loader as resultLoader } from "../../app/routes/api.result";
import { loader as tenderLoader } from "../../app/routes/tenders.$code._index";
import { loader as summaryLoader } from "../../app/routes/tenders.$code.summary";
import { loader as costSplitLoader } from "../../app/routes/tenders.$code.cost-split[.]xlsx";
import { importPlan } from "../../db/plan-io";
import { formatEuro, parseMoney } from "../../domain/money";
import type { Plan } from "../../domain/plan";
import { headerColumn, rowsWithCode, shown } from "../exports/helpers/cost-split";
import { checkFormulas } from "../exports/helpers/formula-check";
import { loadWorkbook } from "../exports/helpers/stream-buffer";
import type { TestDatabase } from "../helpers/test-database";
import {
  FINANCE,
  OFFICER_DUE,
  makeRequest,
  run,
  setUpAppDatabase,
  signIn,
  tearDownAppDatabase,
} from "./support";

const EXAMPLE = "tests/fixtures/examples/04-funding-support";
const read = (file: string) => JSON.parse(fs.readFileSync(file, "utf8")) as unknown;

interface Money {
  fundingGross: string;
  ownGross: string;
  totalGross: string;
}
interface ResultFile {
  tenders: { code: string; partners: (Money & { code: string })[]; totals: Money }[];
  funding: {
    code: string;
    partners: {
      code: string;
      budgetGross: string | null;
      grantedGross: string;
      remainingGross: string | null;
    }[];
  }[];
}

let testDb: TestDatabase;
let cookie: string;
let result: ResultFile;
beforeAll(async () => {
  testDb = await setUpAppDatabase();
  await importPlan(testDb.db, read(`${EXAMPLE}.plan.json`) as Plan, { replace: true });
  cookie = await signIn(FINANCE);
  const response = await run(resultLoader, makeRequest("/api/result", { cookie }));
  expect(response.status).toBe(200);
  result = (await response.json()) as ResultFile;
});
afterAll(() => tearDownAppDatabase(testDb));

const euro = (text: string) => formatEuro(parseMoney(text));
const cents = (text: string) => parseMoney(text).toString();

it("/api/result for the imported example 04 is the golden result", () => {
  expect(result).toEqual(read(`${EXAMPLE}.result.json`));
  expect(result.tenders[0].totals.fundingGross).not.toBe("0.00");
});

it("the tender page shows each partner's Förderung and Eigenanteil as /api/result", async () => {
  for (const tender of result.tenders) {
    const response = await run(tenderLoader, makeRequest(`/tenders/${tender.code}`, { cookie }), {
      code: tender.code,
    });
    const { result: view } = await response.json();
    for (const partner of tender.partners) {
      const row = view.partners.find((p: { code: string }) => p.code === partner.code);
      expect(row.fundingGross, partner.code).toBe(euro(partner.fundingGross));
      expect(row.ownGross, partner.code).toBe(euro(partner.ownGross));
      expect(row.totalGross, partner.code).toBe(euro(partner.totalGross));
    }
    expect(view.totals.fundingGross).toBe(euro(tender.totals.fundingGross));
    expect(view.totals.ownGross).toBe(euro(tender.totals.ownGross));
  }
});

it("the committee summary carries the same figures (and its totals add up to /api/result's)", async () => {
  for (const tender of result.tenders) {
    const response = await run(
      summaryLoader,
      makeRequest(`/tenders/${tender.code}/summary`, { cookie }),
      { code: tender.code },
    );
    const { view, charts } = await response.json();
    for (const partner of tender.partners) {
      const row = view.partners.find((p: { code: string }) => p.code === partner.code);
      expect(row.fundingGross, partner.code).toBe(cents(partner.fundingGross));
      expect(row.ownGross, partner.code).toBe(cents(partner.ownGross));
    }
    const sum = (key: "fundingGross" | "ownGross") =>
      view.partners.reduce((a: bigint, p: Money) => a + BigInt(p[key]), 0n).toString();
    expect(sum("fundingGross")).toBe(cents(tender.totals.fundingGross));
    expect(sum("ownGross")).toBe(cents(tender.totals.ownGross));
    // The chart's text alternative names the exact own contribution of each participant.
    const dülmen = tender.partners.find((p) => p.code === "DUE")!;
    expect(charts.fundingPerPartner).toContain(euro(dülmen.ownGross).replace(" €", ""));
  }
});

it("the finance workbook carries the same figures, and its formulas recalculate to them", async () => {
  for (const tender of result.tenders) {
    const response = await run(
      costSplitLoader,
      makeRequest(`/tenders/${tender.code}/cost-split.xlsx`, { cookie }),
      { code: tender.code },
    );
    expect(response.status).toBe(200);
    const workbook: ExcelJS.Workbook = await loadWorkbook(
      Buffer.from(await response.arrayBuffer()),
    );
    const overview = workbook.getWorksheet("Übersicht")!;
    for (const partner of tender.partners) {
      const [row] = rowsWithCode(overview, partner.code);
      expect(shown(row.getCell(headerColumn(overview, "Förderung")))).toBe(
        Number(partner.fundingGross),
      );
      expect(shown(row.getCell(headerColumn(overview, "Eigenanteil")))).toBe(
        Number(partner.ownGross),
      );
    }
    expect(checkFormulas(workbook).mismatches).toEqual([]);
  }
});

it("/funding shows budget, granted and remaining per programme and partner as /api/result", async () => {
  const response = await run(fundingLoader, makeRequest("/funding", { cookie }));
  const data = await response.json();
  expect(data.programmes.map((p: { code: string }) => p.code)).toEqual(
    result.funding.map((f) => f.code),
  );
  for (const programme of result.funding) {
    const view = data.programmes.find((p: { code: string }) => p.code === programme.code);
    for (const partner of programme.partners) {
      const row = view.rows.find((r: { code: string }) => r.code === partner.code);
      expect(row.granted, `${programme.code} ${partner.code}`).toBe(euro(partner.grantedGross));
      expect(row.budget).toBe(partner.budgetGross === null ? null : euro(partner.budgetGross));
      expect(row.remaining).toBe(
        partner.remainingGross === null ? null : euro(partner.remainingGross),
      );
    }
  }
});

it("the officer's /funding data holds only the own partner's rows", async () => {
  const officer = await signIn(OFFICER_DUE);
  const response = await run(fundingLoader, makeRequest("/funding", { cookie: officer }));
  const data = await response.json();
  for (const programme of data.programmes) {
    expect(programme.rows.map((r: { code: string }) => r.code)).toEqual(["DUE"]);
  }
});
