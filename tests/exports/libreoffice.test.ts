// The workbooks as finance staff meet them: opened in LibreOffice Calc 7.4, printed to
// PDF and recalculated. Asserts that no text prints over other text (a wrapped header
// over the first data row), that every page prints at 9 pt or more, and that
// LibreOffice's recalculated value of every formula equals the cached one.
// Needs Debian's libreoffice-calc-nogui and poppler-utils (.ci/run installs them);
// skipped loudly without them, except under CI=true, where it fails.
import fs from "node:fs";
import path from "node:path";
import type ExcelJS from "exceljs";
import { calculatePlan } from "../../domain/calculate";
import type { Plan } from "../../domain/plan";
import { calculateWithAwardedPrices } from "../../domain/awarded-calculation";
import type { Cents } from "../../domain/money";
import { comparePlanVsActual } from "../../domain/plan-vs-actual";
import { writeCostSplitWorkbook } from "../../exports/cost-split-workbook";
import { demandRowsFromPlan, writeDemandWorkbook } from "../../exports/demand-export";
import { buildDemandTemplate } from "../../exports/demand-template";
import { MIN_PRINT_FONT_SIZE } from "../../exports/workbook-style";
import { DEMO_PLAN } from "../../db/demo";
import { buildDemandGrids, planningYears } from "../../domain/demand-grid";
import { FIXED_META } from "./helpers/cost-split";
import {
  convertToPdf,
  fontSizesPerPage,
  hasLibreOffice,
  makeScratch,
  overlappingWords,
  readRecalculated,
  recalculateToCsv,
  wordsOf,
} from "./helpers/libreoffice";
import { loadWorkbook, writeToBuffer } from "./helpers/stream-buffer";
import { NUMBER_TOLERANCE } from "./helpers/formula-check";

const available = hasLibreOffice();
if (!available) {
  if (process.env.CI === "true")
    throw new Error("LibreOffice (soffice) and poppler-utils are required under CI=true");
  console.warn(
    "SKIPPING tests/exports/libreoffice.test.ts: /usr/bin/soffice or pdftotext missing " +
      "(apt-get install -y libreoffice-calc-nogui poppler-utils)",
  );
}
const describeLo = available ? describe : describe.skip;

function examplePlan(name: string): Plan {
  return JSON.parse(
    fs.readFileSync(path.join("tests/fixtures/examples", `${name}.plan.json`), "utf8"),
  ) as Plan;
}

async function costSplit(name: string, awarded = false): Promise<Buffer> {
  const plan = examplePlan(name);
  const estimate = calculatePlan(plan).tenders[0];
  // Awarded: every lot at a cent below the estimate; the workbook shows both.
  const prices = new Map<string, Cents>(
    estimate.categories.map((c) => [c.code, c.unitPriceNet - 1n]),
  );
  const priced = awarded
    ? calculateWithAwardedPrices(plan, estimate.code, prices)
    : { calculation: calculatePlan(plan), estimate: null };
  const calculation = priced.calculation;
  const tender = calculation.tenders[0];
  const planVsActual = awarded
    ? comparePlanVsActual({
        plan,
        tenderCode: tender.code,
        awarded: tender.categories.map((c) => ({
          category: c.code,
          name: c.name,
          unit: c.unit,
          lot: c.lot,
          vatRate: c.vatRate,
          unitPriceNet: c.unitPriceNet - 1n,
          maxQuantity: c.maxQuantity,
        })),
        planned: (plan.demand ?? []).map(({ partner, category, year, quantity }) => ({
          partner,
          category,
          year,
          quantity,
        })),
        // Only the first partner has called off so far.
        calledOff: (plan.demand ?? [])
          .filter((line) => line.partner === tender.partners[0].code)
          .map(({ partner, category, year, quantity }) => ({
            partner,
            category,
            year,
            quantity: Math.ceil(quantity / 2),
          })),
      })
    : null;
  return writeToBuffer((stream) =>
    writeCostSplitWorkbook(
      {
        calculation,
        tenderCode: tender.code,
        meta: FIXED_META,
        planVsActual,
        award: priced.estimate ? { estimate: priced.estimate, prices } : null,
      },
      stream,
    ),
  );
}

async function demandTemplate(): Promise<Buffer> {
  const partner = DEMO_PLAN.partners[0];
  const years = planningYears({
    tenders: DEMO_PLAN.tenders ?? [],
    demandYears: (DEMO_PLAN.demand ?? []).map((d) => d.year),
    fallbackStartYear: 2027,
  });
  const grids = buildDemandGrids({
    schools: (DEMO_PLAN.schools ?? []).filter((s) => s.partner === partner.code),
    categories: DEMO_PLAN.categories.map((c) => ({
      code: c.code,
      name: c.name,
      unit: c.unit ?? null,
    })),
    years,
    cells: (DEMO_PLAN.demand ?? [])
      .filter((d) => d.partner === partner.code)
      .map((d) => ({
        schoolCode: d.school ?? null,
        categoryCode: d.category,
        year: d.year,
        quantity: d.quantity,
      })),
    notes: [],
  });
  return buildDemandTemplate({
    partner: { code: partner.code, name: partner.name },
    grids,
    generatedAt: new Date("2027-01-10T09:00:00Z"),
    deadlineText: "31.03.2027, 18:00 Uhr",
  });
}

async function demandExport(): Promise<Buffer> {
  const rows = demandRowsFromPlan(examplePlan("03-kreis-coesfeld")).map((row, i) => ({
    ...row,
    justification:
      i % 7 === 0
        ? "Ersatz der Geräte aus dem Digitalpakt 2020, die das Ende ihrer Lebensdauer erreichen"
        : null,
  }));
  return writeToBuffer((stream) =>
    writeDemandWorkbook(rows, stream, { createdAt: new Date("2026-11-28T16:30:00Z") }),
  );
}

/** Every formula cell's cached value against LibreOffice's recalculated value (CSV text). */
function recalculationMismatches(
  workbook: ExcelJS.Workbook,
  recalculated: Record<string, string[][]>,
): string[] {
  const mismatches: string[] = [];
  workbook.eachSheet((sheet) => {
    const rows = recalculated[sheet.name];
    if (!rows) return;
    sheet.eachRow((row, rowNumber) =>
      row.eachCell((cell, column) => {
        if (cell.type !== 6) return;
        const cached = cell.result;
        const text = rows[rowNumber - 1]?.[column - 1] ?? "";
        // Percent cells come back as "9.63135413993442%".
        const number = text.endsWith("%") ? Number(text.slice(0, -1)) / 100 : Number(text);
        const same =
          typeof cached === "number"
            ? text !== "" && Math.abs(number - cached) < NUMBER_TOLERANCE
            : String(cached ?? "") === text;
        if (!same) mismatches.push(`${sheet.name}!${cell.address}: cached ${cached}, LO ${text}`);
      }),
    );
  });
  return mismatches;
}

describeLo("workbooks in LibreOffice Calc", () => {
  const scratch = available ? makeScratch() : null;
  const files: Record<string, string> = {};
  const pdfs: Record<string, string> = {};
  afterAll(() => scratch?.cleanUp());

  beforeAll(async () => {
    const dir = scratch!.dir;
    const builds: [string, () => Promise<Buffer>][] = [
      ["three-partners", () => costSplit("01-three-partners")],
      ["kreis-coesfeld", () => costSplit("03-kreis-coesfeld")],
      ["kreis-coesfeld-awarded", () => costSplit("03-kreis-coesfeld", true)],
      ["funding-support", () => costSplit("04-funding-support")],
      ["demand-template", demandTemplate],
      ["demand-export", demandExport],
    ];
    for (const [name, build] of builds) {
      files[name] = path.join(dir, `${name}.xlsx`);
      fs.writeFileSync(files[name], await build());
    }
    const converted = await convertToPdf(Object.values(files), dir, scratch!.profile);
    Object.keys(files).forEach((name, i) => (pdfs[name] = converted[i]));
    fs.mkdirSync(path.join(dir, "csv"));
    await recalculateToCsv(Object.values(files), path.join(dir, "csv"), scratch!.profile);
  }, 300_000);

  const names = [
    "three-partners",
    "kreis-coesfeld",
    "kreis-coesfeld-awarded",
    "demand-template",
    "demand-export",
  ];

  it.each(names)("%s: every page prints at 9 pt or more", (name) => {
    const pages = fontSizesPerPage(pdfs[name]);
    expect(pages.length).toBeGreaterThan(0);
    const smallest = pages.map((sizes) => Math.min(...sizes));
    const tooSmall = smallest
      .map((size, page) => ({ page: page + 1, size }))
      .filter(({ size }) => size < MIN_PRINT_FONT_SIZE - 0.001);
    expect(tooSmall).toEqual([]);
  });

  it.each(names)(
    "%s: no text prints over other text (header rows sized to their text)",
    async (name) => {
      const words = await wordsOf(pdfs[name]);
      expect(words.length).toBeGreaterThan(20);
      const overlaps = overlappingWords(words).map(
        ([a, b]) => `page ${a.page}: "${a.text}" over "${b.text}"`,
      );
      expect(overlaps).toEqual([]);
    },
  );

  it.each(names)(
    "%s: LibreOffice's recalculated values equal the cached ones",
    async (name) => {
      const workbook = await loadWorkbook(fs.readFileSync(files[name]));
      const sheetNames = workbook.worksheets
        .filter((sheet) => sheet.state === "visible" || sheet.state === undefined)
        .map((sheet) => sheet.name);
      const recalculated = readRecalculated(
        files[name],
        sheetNames,
        path.join(scratch!.dir, "csv"),
      );
      let formulas = 0;
      workbook.eachSheet((sheet) =>
        sheet.eachRow((row) => row.eachCell((cell) => (formulas += cell.type === 6 ? 1 : 0))),
      );
      if (name !== "demand-export") expect(formulas).toBeGreaterThan(0);
      expect(recalculationMismatches(workbook, recalculated)).toEqual([]);
    },
    120_000,
  );

  it("the recalculation check can fail: LibreOffice recalculates a wrong cached value", async () => {
    const { default: ExcelJSModule } = await import("exceljs");
    const workbook = new ExcelJSModule.Workbook();
    const sheet = workbook.addWorksheet("Übersicht");
    sheet.getCell("A1").value = 100;
    sheet.getCell("A2").value = { formula: "A1*3", result: 301 };
    const file = path.join(scratch!.dir, "wrong.xlsx");
    await workbook.xlsx.writeFile(file);
    const outDir = path.join(scratch!.dir, "csv-wrong");
    fs.mkdirSync(outDir);
    await recalculateToCsv([file], outDir, scratch!.profile);
    const recalculated = readRecalculated(file, ["Übersicht"], outDir);
    const reread = await loadWorkbook(fs.readFileSync(file));
    expect(recalculationMismatches(reread, recalculated)).toEqual([
      "Übersicht!A2: cached 301, LO 300",
    ]);
  }, 60_000);
});
