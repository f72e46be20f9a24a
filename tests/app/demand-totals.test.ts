// The partner-wide totals on the demand editor ("Summe aller Schulen"): the loader's
// numbers against the stored demand lines, before and after a save.
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { loader as editorLoader, action as editorAction } from "../../app/routes/demand.$partner";
import { DemandTotalsTable } from "../../app/components/demand-totals";
import { baselineQuantityField, quantityField } from "../../domain/demand-form";
import type { DemandTotals } from "../../domain/demand-grid";
import type { TestDatabase } from "../helpers/test-database";
import {
  OFFICER_DUE,
  makeRequest,
  run,
  setUpAppDatabase,
  signIn,
  tearDownAppDatabase,
} from "./support";

let testDb: TestDatabase;
let cookie: string;

beforeAll(async () => {
  testDb = await setUpAppDatabase();
  cookie = await signIn(OFFICER_DUE);
});
afterAll(async () => tearDownAppDatabase(testDb));

interface EditorData {
  grids: {
    schoolCode: string | null;
    years: number[];
    version: string;
    rows: { category: { code: string }; quantities: number[] }[];
  }[];
  totals: DemandTotals;
}

async function loadEditor(): Promise<EditorData> {
  const response = await run(editorLoader, makeRequest("/demand/DUE", { cookie }), {
    partner: "DUE",
  });
  expect(response.status).toBe(200);
  return (await response.json()) as EditorData;
}

/** Sum of DUE's stored demand lines per "category|year", straight from the table. */
async function storedSums(): Promise<Map<string, number>> {
  const rows = await testDb.db
    .selectFrom("demand_lines")
    .select((eb) => ["category_code", "year", eb.fn.sum<number>("quantity").as("quantity")])
    .where("partner_code", "=", "DUE")
    .groupBy(["category_code", "year"])
    .execute();
  return new Map(rows.map((r) => [`${r.category_code}|${r.year}`, Number(r.quantity)]));
}

function expectTotalsMatch(totals: DemandTotals, sums: Map<string, number>) {
  let covered = 0;
  for (const row of totals.rows) {
    totals.years.forEach((year, i) => {
      const expected = sums.get(`${row.category.code}|${year}`) ?? 0;
      expect(row.quantities[i], `${row.category.code} ${year}`).toBe(expected);
      covered += expected;
    });
    expect(row.total).toBe(row.quantities.reduce((a, b) => a + b, 0));
  }
  const all = [...sums.values()].reduce((a, b) => a + b, 0);
  expect(covered).toBe(all); // no stored line falls outside the table's categories and years
  expect(totals.total).toBe(all);
  totals.years.forEach((year, i) => {
    const ofYear = [...sums]
      .filter(([key]) => key.endsWith(`|${year}`))
      .reduce((s, [, q]) => s + q, 0);
    expect(totals.yearTotals[i]).toBe(ofYear);
  });
}

test("DUE's totals equal the sum of its demand lines per category and year", async () => {
  const data = await loadEditor();
  const sums = await storedSums();
  expect(sums.size).toBeGreaterThan(0); // the demo has demand for DUE
  expect(
    data.grids.filter((g) => g.rows.some((r) => r.quantities.some((q) => q > 0))).length,
  ).toBeGreaterThan(1);
  expectTotalsMatch(data.totals, sums);
});

test("after a save in one school's grid the totals follow", async () => {
  const before = await loadEditor();
  const grid = before.grids.find((g) => g.schoolCode !== null)!;
  const row = grid.rows[0];
  const year = grid.years[0];
  const old = row.quantities[0];
  const form: Record<string, string> = {
    intent: "save",
    school: grid.schoolCode ?? "",
    version: grid.version,
    js: "1", // as the editor's fetcher posts it (without JavaScript a save redirects)
  };
  form[quantityField(year, row.category.code)] = String(old + 25);
  form[baselineQuantityField(year, row.category.code)] = String(old);
  const saved = await run(editorAction, makeRequest("/demand/DUE", { cookie, form }), {
    partner: "DUE",
  });
  expect(saved.status).toBe(200);

  const after = await loadEditor();
  const index = after.totals.rows.findIndex((r) => r.category.code === row.category.code);
  const yearIndex = after.totals.years.indexOf(year);
  expect(after.totals.rows[index].quantities[yearIndex]).toBe(
    before.totals.rows[index].quantities[yearIndex] + 25,
  );
  expect(after.totals.total).toBe(before.totals.total + 25);
  expectTotalsMatch(after.totals, await storedSums());
});

test("the table renders on the server with German number formats", async () => {
  const { totals } = await loadEditor();
  const html = renderToStaticMarkup(createElement(DemandTotalsTable, { totals }));
  expect(html).toContain("Summe aller Schulen");
  for (const year of totals.years) expect(html).toContain(`>${year}<`);
  const formatted = new Intl.NumberFormat("de-DE").format(totals.total);
  expect(html).toMatch(
    new RegExp(`data-testid="demand-totals-total"[^>]*>${formatted.replace(".", "\\.")}<`),
  );
});
