// The support workbook against the golden example 04: every cached value is the
// engine's figure from the result file, and HyperFormula recalculates every formula
// (costs from staff, savings, sums) to exactly that value.
import fs from "node:fs";
import path from "node:path";
import type ExcelJS from "exceljs";
import { calculatePlan } from "../../domain/calculate";
import { validatePlan } from "../../domain/plan-validation";
import { buildSupportWorkbook, SUPPORT_SHEET } from "../../exports/support-workbook";
import { checkFormulas } from "./helpers/formula-check";
import { loadWorkbook } from "./helpers/stream-buffer";

const dir = path.resolve(__dirname, "../fixtures/examples");
const planText = fs.readFileSync(path.join(dir, "04-funding-support.plan.json"), "utf8");
const expected = JSON.parse(
  fs.readFileSync(path.join(dir, "04-funding-support.result.json"), "utf8"),
) as {
  support: {
    years: {
      year: number;
      units: string;
      soloFte: string;
      soloCostGross: string;
      pooledFte: string;
      pooledCostGross: string;
      savingsGross: string;
      partners: {
        code: string;
        units: string;
        soloFte: string;
        soloCostGross: string;
        pooledShareGross: string;
        savingsGross: string;
      }[];
    }[];
  };
};

function calculation() {
  const validation = validatePlan(JSON.parse(planText));
  if (!validation.ok) throw new Error("example 04 must be valid");
  return calculatePlan(validation.plan).support!;
}

const shown = (cell: ExcelJS.Cell) => (cell.type === 6 ? cell.result : cell.value);

async function build(includePartner?: (code: string) => boolean) {
  const buffer = await buildSupportWorkbook({
    support: calculation(),
    keyLabel: "Support-Einheiten",
    note: "Testannahmen",
    preview: false,
    includePartner,
    createdAt: new Date("2026-11-30T10:00:00Z"),
  });
  return loadWorkbook(buffer);
}

it("holds example 04's support figures as cached values and live formulas that recalculate to them", async () => {
  const workbook = await build();
  const years = workbook.getWorksheet(SUPPORT_SHEET.years)!;
  expected.support.years.forEach((y, i) => {
    const row = years.getRow(3 + i);
    expect(row.getCell(1).value).toBe(y.year);
    expect(shown(row.getCell(2))).toBe(Number(y.units));
    expect(shown(row.getCell(3))).toBe(Number(y.soloFte));
    expect(shown(row.getCell(4))).toBe(Number(y.soloCostGross));
    expect(shown(row.getCell(5))).toBe(Number(y.pooledFte));
    expect(shown(row.getCell(6))).toBe(Number(y.pooledCostGross));
    expect(shown(row.getCell(7))).toBe(Number(y.savingsGross));
    expect(row.getCell(6).type).toBe(6); // pooled cost: a formula
    expect(row.getCell(7).type).toBe(6); // savings: a formula
  });
  const partners = workbook.getWorksheet(SUPPORT_SHEET.partners)!;
  let row = 3;
  for (const y of expected.support.years)
    for (const p of y.partners) {
      const cells = partners.getRow(row++);
      expect([cells.getCell(1).value, cells.getCell(2).value]).toEqual([y.year, p.code]);
      expect(shown(cells.getCell(4))).toBe(Number(p.units));
      expect(shown(cells.getCell(5))).toBe(Number(p.soloFte));
      expect(shown(cells.getCell(6))).toBe(Number(p.soloCostGross));
      expect(shown(cells.getCell(7))).toBe(Number(p.pooledShareGross));
      expect(shown(cells.getCell(8))).toBe(Number(p.savingsGross));
    }
  const check = checkFormulas(workbook);
  expect(check.mismatches).toEqual([]);
  expect(check.formulasPerSheet[SUPPORT_SHEET.years]).toBeGreaterThan(
    expected.support.years.length * 4,
  );
  expect(check.formulasPerSheet[SUPPORT_SHEET.partners]).toBeGreaterThan(10);
});

it("gives an officer's copy only its own rows, with the totals of all", async () => {
  const workbook = await build((code) => code === "DUE");
  const partners = workbook.getWorksheet(SUPPORT_SHEET.partners)!;
  const codes = new Set<unknown>();
  partners.eachRow((r, n) => {
    if (n > 2 && r.getCell(2).value) codes.add(r.getCell(2).value);
  });
  expect([...codes]).toEqual(["DUE"]);
  const years = workbook.getWorksheet(SUPPORT_SHEET.years)!;
  const last = expected.support.years.length + 3;
  const totalSavings = expected.support.years.reduce(
    (s, y) => s + Math.round(Number(y.savingsGross) * 100),
    0,
  );
  expect(Math.round((shown(years.getRow(last).getCell(7)) as number) * 100)).toBe(totalSavings);
  expect(checkFormulas(workbook).mismatches).toEqual([]);
});
