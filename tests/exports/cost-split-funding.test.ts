// Sheet "Förderung" and the Förderung/Eigenanteil columns of the cost-split workbook
// (CALCULATION.md §12, §14) for golden example 04: cached values are the engine's and
// the golden file's figures, and HyperFormula recalculates every new formula to them.
import fs from "node:fs";
import type ExcelJS from "exceljs";
import { calculatePlan } from "../../domain/calculate";
import type { PlanCalculation } from "../../domain/calculation";
import { formatMoney } from "../../domain/money";
import fc from "fast-check";
import { PLAN_FORMAT_V2, type Plan } from "../../domain/plan";
import { centsToMoney, planArbitrary } from "../helpers/plan-arbitrary";
import { validatePlan } from "../../domain/plan-validation";
import { FUNDING_COLUMNS, FUNDING_SHEET } from "../../exports/cost-split-funding";
import { SHEET } from "../../exports/cost-split-layout";
import { buildCostSplit, headerColumn, rowsWithCode, shown } from "./helpers/cost-split";
import { checkFormulas } from "./helpers/formula-check";

const read = (name: string) =>
  JSON.parse(fs.readFileSync(`tests/fixtures/examples/${name}`, "utf8")) as unknown;
const plan = read("04-funding-support.plan.json") as Plan;
interface MoneyRow {
  code: string;
  fundingGross: string;
  ownGross: string;
  years: { year: number; fundingGross: string; ownGross: string }[];
}
const golden = read("04-funding-support.result.json") as {
  tenders: {
    code: string;
    partners: MoneyRow[];
    totals: { fundingGross: string; ownGross: string };
  }[];
};

let calculation: PlanCalculation;
let workbook: ExcelJS.Workbook;
const TENDER = golden.tenders[0].code;

beforeAll(async () => {
  const validation = validatePlan(plan);
  if (!validation.ok) throw new Error("example 04 is invalid");
  calculation = calculatePlan(validation.plan);
  ({ workbook } = await buildCostSplit(calculation, TENDER));
});

const money = (text: string) => Number(text);
const cents = (value: bigint) => Number(formatMoney(value));

it("has a Förderung sheet with one row per grant of the tender, cached as the engine granted", () => {
  const sheet = workbook.getWorksheet(FUNDING_SHEET)!;
  expect(sheet).toBeDefined();
  const grants = calculation.funding.grants.filter((g) => g.tender === TENDER);
  expect(grants.some((g) => g.grantedGross > 0n)).toBe(true);
  const rows: ExcelJS.Row[] = [];
  sheet.eachRow((row, n) => {
    if (n > 2 && typeof row.getCell(1).value === "string") rows.push(row);
  });
  expect(rows).toHaveLength(grants.length);
  for (const grant of grants) {
    const row = rows.find(
      (r) =>
        r.getCell(FUNDING_COLUMNS.partner).value === grant.partner &&
        r.getCell(FUNDING_COLUMNS.year).value === grant.year &&
        r.getCell(FUNDING_COLUMNS.programme).value === grant.programme,
    );
    const label = `${grant.programme} ${grant.partner} ${grant.year}`;
    expect(row, label).toBeDefined();
    expect(shown(row!.getCell(FUNDING_COLUMNS.eligibleGross)), label).toBe(
      cents(grant.eligibleGross),
    );
    expect(shown(row!.getCell(FUNDING_COLUMNS.requestedGross)), label).toBe(
      cents(grant.requestedGross),
    );
    expect(shown(row!.getCell(FUNDING_COLUMNS.grantedGross)), label).toBe(
      cents(grant.grantedGross),
    );
    expect(row!.getCell(FUNDING_COLUMNS.grantedGross).formula, label).toMatch(/^MIN\(/);
    if (grant.remainingAfterGross === null) {
      expect(row!.getCell(FUNDING_COLUMNS.budgetAfter).value, label).toBeNull();
    } else {
      expect(shown(row!.getCell(FUNDING_COLUMNS.budgetAfter)), label).toBe(
        cents(grant.remainingAfterGross),
      );
    }
  }
});

it("shows Förderung and Eigenanteil per partner on Übersicht and per year on Haushaltsjahre as in the golden file", () => {
  const overview = workbook.getWorksheet(SHEET.overview)!;
  const years = workbook.getWorksheet(SHEET.budgetYears)!;
  const tender = golden.tenders[0];
  for (const partner of tender.partners) {
    const [row] = rowsWithCode(overview, partner.code);
    expect(shown(row.getCell(headerColumn(overview, "Förderung"))), partner.code).toBe(
      money(partner.fundingGross),
    );
    expect(shown(row.getCell(headerColumn(overview, "Eigenanteil"))), partner.code).toBe(
      money(partner.ownGross),
    );
    const yearRows = rowsWithCode(years, partner.code);
    expect(yearRows).toHaveLength(partner.years.length);
    partner.years.forEach((year, index) => {
      const cells = yearRows[index];
      expect(
        shown(cells.getCell(headerColumn(years, "Förderung"))),
        `${partner.code} ${year.year}`,
      ).toBe(money(year.fundingGross));
      expect(
        shown(cells.getCell(headerColumn(years, "Eigenanteil"))),
        `${partner.code} ${year.year}`,
      ).toBe(money(year.ownGross));
    });
  }
  let totalRow: ExcelJS.Row | undefined;
  overview.eachRow((row) => {
    if (row.getCell(2).value === "Summe") totalRow = row;
  });
  expect(shown(totalRow!.getCell(headerColumn(overview, "Förderung")))).toBe(
    money(tender.totals.fundingGross),
  );
  expect(shown(totalRow!.getCell(headerColumn(overview, "Eigenanteil")))).toBe(
    money(tender.totals.ownGross),
  );
});

it("the independent formula check covers the new cells and finds no mismatch", () => {
  const check = checkFormulas(workbook);
  expect(check.mismatches).toEqual([]);
  const grants = calculation.funding.grants.filter((g) => g.tender === TENDER).length;
  // Per grant: direct gross, still fundable, granted, budget after (with budgets); plus sums.
  expect(check.formulasPerSheet[FUNDING_SHEET]).toBeGreaterThanOrEqual(3 * grants);
});

it("the check would catch a wrong granted amount", async () => {
  const { workbook: tampered } = await buildCostSplit(calculation, TENDER);
  const sheet = tampered.getWorksheet(FUNDING_SHEET)!;
  let tamperedRow = 0;
  sheet.eachRow((row, n) => {
    const cell = row.getCell(FUNDING_COLUMNS.grantedGross);
    if (!tamperedRow && n > 2 && typeof row.getCell(1).value === "string" && cell.formula) {
      cell.value = { formula: cell.formula, result: Number(cell.result) + 0.01 };
      tamperedRow = n;
    }
  });
  expect(tamperedRow).toBeGreaterThan(0);
  const addresses = checkFormulas(tampered).mismatches.map((m) => `${m.sheet}!${m.address}`);
  expect(addresses).toContain(`${FUNDING_SHEET}!K${tamperedRow}`);
});

it("a plan without programmes gets an empty Förderung sheet and zero funding", async () => {
  const validation = validatePlan(read("01-three-partners.plan.json") as Plan);
  if (!validation.ok) throw new Error("example 01 is invalid");
  const plain = calculatePlan(validation.plan);
  const code = plain.tenders[0].code;
  const { workbook: book } = await buildCostSplit(plain, code);
  const overview = book.getWorksheet(SHEET.overview)!;
  for (const partner of plain.tenders[0].partners) {
    const [row] = rowsWithCode(overview, partner.code);
    expect(shown(row.getCell(headerColumn(overview, "Förderung")))).toBe(0);
    expect(shown(row.getCell(headerColumn(overview, "Eigenanteil")))).toBe(
      cents(partner.totalGross),
    );
  }
  expect(checkFormulas(book).mismatches).toEqual([]);
});

// Random plans with random programmes: budgets that run out, caps per device, two
// programmes in one year; the workbook's MIN formulas must reach the engine's cents.
const fundedPlan = planArbitrary().chain((base) => {
  const categories = base.categories.map((c) => c.code);
  const partners = base.partners.map((p) => p.code);
  const years = (base.tenders ?? []).flatMap((t) =>
    Array.from({ length: t.termYears }, (_, i) => t.startYear + i),
  );
  const first = years.length ? Math.min(...years) : 2027;
  const last = years.length ? Math.max(...years) : 2027;
  const programme = (code: string, eligible: string[]) =>
    fc.record(
      {
        code: fc.constant(code),
        name: fc.constant(`Programm ${code}`),
        rate: fc.constantFrom("0.9", "1", "0.5", "0.333"),
        categories: fc.constant(eligible),
        fromYear: fc.integer({ min: first, max: last }),
        toYear: fc.constant(last),
        maxPerUnitGross: fc.constantFrom("500.00", "10.00", "0.01"),
        budgets: fc.dictionary(
          fc.constantFrom(...partners),
          fc.integer({ min: 0, max: 5_000_000 }).map(centsToMoney),
        ),
      },
      { requiredKeys: ["code", "name", "rate", "categories", "fromYear", "toYear"] },
    );
  return fc
    .shuffledSubarray(categories, { minLength: 1 })
    .chain((chosen) => {
      const split = Math.ceil(chosen.length / 2);
      const parts = [chosen.slice(0, split), chosen.slice(split)].filter((p) => p.length);
      return fc.tuple(...parts.map((part, i) => programme(`F${i + 1}`, part)));
    })
    .map((programmes): Plan => ({
      ...base,
      format: PLAN_FORMAT_V2,
      fundingProgrammes: programmes,
    }));
});

it("random plans with funding: cached values are the engine's, formulas recalculate to them", async () => {
  const seen = { granted: 0, bounded: 0 };
  await fc.assert(
    fc.asyncProperty(fundedPlan, async (candidate) => {
      const validation = validatePlan(candidate);
      if (!validation.ok) throw new Error(JSON.stringify(validation.problems.slice(0, 3)));
      const calc = calculatePlan(validation.plan);
      for (const grant of calc.funding.grants) {
        if (grant.grantedGross > 0n) seen.granted++;
        if (grant.grantedGross < grant.requestedGross) seen.bounded++;
      }
      for (const tender of calc.tenders) {
        const { workbook: book } = await buildCostSplit(calc, tender.code);
        expect(checkFormulas(book).mismatches).toEqual([]);
        const overview = book.getWorksheet(SHEET.overview)!;
        for (const partner of tender.partners) {
          const [row] = rowsWithCode(overview, partner.code);
          expect(shown(row.getCell(headerColumn(overview, "Förderung")))).toBe(
            cents(partner.fundingGross),
          );
        }
      }
    }),
    { numRuns: Number(process.env.EXPORT_PROPERTY_RUNS ?? 15) },
  );
  // The runs did fund something, and some grants were cut by a budget or the year's cost.
  expect(seen.granted).toBeGreaterThan(0);
  expect(seen.bounded).toBeGreaterThan(0);
}, 120_000);
