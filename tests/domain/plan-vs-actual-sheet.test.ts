// The "Plan-Ist" sheet builder (exports/plan-vs-actual.ts), tested here next to the
// comparison it writes: cached values are the engine's figures, and every formula,
// recalculated by HyperFormula, gives the cached value.
import fs from "node:fs";
import path from "node:path";
import ExcelJS from "exceljs";
import { calculatePlan } from "../../domain/calculate";
import type { Plan } from "../../domain/plan";
import { comparePlanVsActual, type PlanVsActual } from "../../domain/plan-vs-actual";
import {
  addPlanVsActualSheet,
  PLAN_VS_ACTUAL_COLUMNS,
  PLAN_VS_ACTUAL_SHEET,
} from "../../exports/plan-vs-actual";
import { checkFormulas } from "../exports/helpers/formula-check";

function comparisonFor(name: string): PlanVsActual {
  const plan = JSON.parse(
    fs.readFileSync(path.resolve(__dirname, "../fixtures/examples", `${name}.plan.json`), "utf8"),
  ) as Plan;
  const tender = calculatePlan(plan).tenders[0];
  const awarded = tender.categories.map((c) => ({
    category: c.code,
    name: c.name,
    unit: c.unit,
    lot: c.lot,
    vatRate: c.vatRate,
    unitPriceNet: c.unitPriceNet - 1n, // a cent below the estimate
    maxQuantity: c.maxQuantity,
  }));
  const planned = (plan.demand ?? []).map(({ partner, category, year, quantity }) => ({
    partner,
    category,
    year,
    quantity,
  }));
  // Called off: about two thirds of the plan, a little more in the first year.
  const calledOff = planned.map((line, i) => ({
    ...line,
    quantity: Math.floor((line.quantity * 2) / 3) + (i % 2),
  }));
  return comparePlanVsActual({ plan, tenderCode: tender.code, awarded, planned, calledOff });
}

function cellNumber(sheet: ExcelJS.Worksheet, row: number, column: number): number {
  const value = sheet.getRow(row).getCell(column).value;
  if (typeof value === "number") return value;
  if (value && typeof value === "object" && "result" in value) return value.result as number;
  throw new Error(`no number at ${row}/${column}: ${JSON.stringify(value)}`);
}

test.each(["01-three-partners", "03-kreis-coesfeld"])(
  "%s: every formula recalculates to its cached value",
  async (name) => {
    const data = comparisonFor(name);
    const workbook = new ExcelJS.Workbook();
    addPlanVsActualSheet(workbook, data);
    // Through a real file round trip, as finance opens it.
    const reread = new ExcelJS.Workbook();
    await reread.xlsx.load(await workbook.xlsx.writeBuffer());
    const check = checkFormulas(reread);
    expect(check.mismatches).toEqual([]);
    expect(check.formulasPerSheet[PLAN_VS_ACTUAL_SHEET]).toBeGreaterThan(data.partners.length * 7);

    const sheet = reread.getWorksheet(PLAN_VS_ACTUAL_SHEET)!;
    const totalRow = 2 + data.partners.length * (data.years.length + 1) + 1;
    expect(sheet.getRow(totalRow).getCell(2).value).toBe("Summe aller Schulträger");
    // Cached totals are the engine's, to the cent.
    expect(cellNumber(sheet, totalRow, PLAN_VS_ACTUAL_COLUMNS.planTotal)).toBe(
      Number(data.totals.planned.totalGross) / 100,
    );
    expect(cellNumber(sheet, totalRow, PLAN_VS_ACTUAL_COLUMNS.actualTotal)).toBe(
      Number(data.totals.actual.totalGross) / 100,
    );
    expect(cellNumber(sheet, totalRow, 5)).toBe(data.totals.actual.quantity);
  },
);

test("a wrong cached figure is caught by the recalculation (the check can fail)", async () => {
  const data = comparisonFor("01-three-partners");
  const first = data.partners[0];
  const broken: PlanVsActual = {
    ...data,
    partners: [
      { ...first, actual: { ...first.actual, totalGross: first.actual.totalGross + 1n } },
      ...data.partners.slice(1),
    ],
  };
  const workbook = new ExcelJS.Workbook();
  addPlanVsActualSheet(workbook, broken);
  expect(checkFormulas(workbook).mismatches.length).toBeGreaterThan(0);
});

test("writes with the streaming writer too", async () => {
  const chunks: Buffer[] = [];
  const { PassThrough } = await import("node:stream");
  const stream = new PassThrough();
  stream.on("data", (chunk: Buffer) => chunks.push(chunk));
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream,
    useStyles: true,
    useSharedStrings: false,
  });
  addPlanVsActualSheet(workbook, comparisonFor("01-three-partners"));
  await workbook.commit();
  const reread = new ExcelJS.Workbook();
  await reread.xlsx.load(Buffer.concat(chunks) as unknown as ArrayBuffer);
  expect(reread.getWorksheet(PLAN_VS_ACTUAL_SHEET)?.getRow(1).getCell(1).value).toMatch(
    /^Plan-Ist RV-GS-2027/,
  );
});
