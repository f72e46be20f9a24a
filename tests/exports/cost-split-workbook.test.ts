import fs from "node:fs";
import path from "node:path";
import type ExcelJS from "exceljs";
import { calculatePlan } from "../../domain/calculate";
import { toResultFile } from "../../domain/serialize";
import type { Plan } from "../../domain/plan";
import type { Result } from "../../domain/result";
import {
  costSplitFileName,
  UnknownTenderError,
  writeCostSplitWorkbook,
} from "../../exports/cost-split-workbook";
import { SHEET } from "../../exports/cost-split-layout";
import { FONT_NAME, MONEY_FORMAT, PERCENT_FORMAT } from "../../exports/workbook-style";
import {
  LOT_CATEGORY_COLUMNS,
  OVERVIEW_COLUMNS,
  POSITION_COLUMNS,
} from "../../exports/cost-split-layout";
import { formatMoney } from "../../domain/money";
import { toHyperFormula } from "./helpers/formula-check";
import {
  buildCostSplit,
  expectWorkbookMatchesResult,
  headerColumn,
  rowsWithCode,
  shown,
} from "./helpers/cost-split";
import { writeToBuffer } from "./helpers/stream-buffer";

const EXAMPLES_DIR = "tests/fixtures/examples";
// All four examples; 04 is plan@2 (stated maxima on Lose, the sheet Förderung).
const examples = fs
  .readdirSync(EXAMPLES_DIR)
  .filter((file) => file.endsWith(".plan.json"))
  .map((file) => {
    const name = file.replace(/\.plan\.json$/, "");
    const plan = JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, file), "utf8")) as Plan;
    const result = JSON.parse(
      fs.readFileSync(path.join(EXAMPLES_DIR, `${name}.result.json`), "utf8"),
    ) as Result;
    return { name, plan, result };
  });

const cases = examples.flatMap(({ name, plan, result }) =>
  result.tenders.map((tender) => ({
    label: `${name} / ${tender.code}`,
    plan,
    result,
    tenderCode: tender.code,
  })),
);

describe("cost-split workbook for the golden examples", () => {
  it("covers all four examples", () => {
    expect(examples.map((e) => e.name)).toEqual([
      "01-three-partners",
      "02-edge-cases",
      "03-kreis-coesfeld",
      "04-funding-support",
    ]);
  });

  it.each(cases)(
    "$label: cached values are the expected result, formulas recalculate to them",
    async ({ plan, result, tenderCode }) => {
      const calculation = calculatePlan(plan);
      const { workbook } = await buildCostSplit(calculation, tenderCode);
      // Against the golden file itself, and against what the engine serializes today.
      expectWorkbookMatchesResult(workbook, result, calculation, tenderCode);
      expectWorkbookMatchesResult(workbook, toResultFile(calculation), calculation, tenderCode);
    },
  );
});

describe("cost-split workbook layout", () => {
  const { plan } = examples.find((e) => e.name === "03-kreis-coesfeld")!;
  const calculation = calculatePlan(plan);
  const tenderCode = calculation.tenders[0].code;
  let workbook: ExcelJS.Workbook;

  beforeAll(async () => {
    ({ workbook } = await buildCostSplit(calculation, tenderCode));
  });

  it("has the six sheets in order", () => {
    expect(workbook.worksheets.map((s) => s.name)).toEqual([
      "Übersicht",
      "Lose",
      "Haushaltsjahre",
      "USt-Sätze",
      "Förderung",
      "Positionen",
      "Gemeinkosten",
      "Parameter",
    ]);
  });

  it("sets document properties", () => {
    expect(workbook.creator).toBe("Verbundkauf");
    expect(workbook.title).toContain(`Kostenaufteilung ${tenderCode}`);
    expect(workbook.created?.toISOString()).toBe("2026-11-28T16:30:00.000Z");
  });

  it("freezes the header, filters, and prints landscape at 100 % (wide sheets continue on further pages) with page numbers", () => {
    for (const sheet of workbook.worksheets) {
      expect(sheet.views[0], sheet.name).toMatchObject({ state: "frozen", ySplit: 2 });
      expect(sheet.pageSetup.orientation, sheet.name).toBe("landscape");
      expect(sheet.pageSetup.fitToPage, sheet.name).toBe(false);
      expect(sheet.pageSetup.scale, sheet.name).toBe(100);
      expect(sheet.headerFooter.oddFooter, sheet.name).toContain("Seite &P von &N");
      expect(sheet.headerFooter.oddHeader, sheet.name).toContain(`Kostenaufteilung ${tenderCode}`);
      if (sheet.name !== SHEET.parameters)
        expect(sheet.autoFilter, sheet.name).toMatch(/^A2:[A-Z]+\d+$/);
    }
  });

  it("formats money as euros and savings as percent, with column widths", () => {
    const overview = workbook.getWorksheet(SHEET.overview)!;
    const row = overview.getRow(3);
    expect(row.getCell(4).numFmt).toBe(MONEY_FORMAT);
    expect(row.getCell(11).numFmt).toBe(PERCENT_FORMAT);
    expect(overview.getColumn(2).width).toBeGreaterThan(20);
    expect(overview.getRow(2).getCell(1).font?.bold).toBe(true);
  });

  it("explains the largest remainder step in a note and keeps each share's formula live", () => {
    const sheet = workbook.getWorksheet(SHEET.commonCosts)!;
    const restHeader = sheet.getRow(2).getCell(headerColumn(sheet, "Restcent"));
    expect(JSON.stringify(restHeader.note)).toContain("größten Reste");
    const share = sheet.getRow(3).getCell(headerColumn(sheet, "Anteil"));
    expect(share.formula).toBe("I3+J3");
    const exact = sheet.getRow(3).getCell(headerColumn(sheet, "Anteil exakt"));
    expect(exact.formula).toMatch(/^D3\*G3\/\$G\$\d+$/);
  });

  it("computes VAT with ROUND per partner, year and rate, in whole cents", () => {
    const sheet = workbook.getWorksheet(SHEET.vatRates)!;
    expect(sheet.getRow(3).getCell(4).value).toBe(0.19);
    const vat = sheet.getRow(3).getCell(headerColumn(sheet, "USt"));
    expect(vat.formula).toMatch(/^ROUND\(ROUND\([A-Z]+3\*100,0\)\*19\/100,0\)\/100$/);
    // Haushaltsjahre sums the rate rows, whatever the number of rates.
    const years = workbook.getWorksheet(SHEET.budgetYears)!;
    expect(years.getRow(3).getCell(headerColumn(years, "USt")).formula).toMatch(
      /^SUM\('USt-Sätze'!F\d+:F\d+\)$/,
    );
  });

  it("links every unit price on Positionen to its product group on Lose", () => {
    const positions = workbook.getWorksheet(SHEET.positions)!;
    const lots = workbook.getWorksheet(SHEET.lots)!;
    const price = positions.getRow(3).getCell(POSITION_COLUMNS.unitPrice);
    const match = /^'Lose'!\$L\$(\d+)$/.exec(price.formula ?? "");
    expect(match, String(price.formula)).not.toBeNull();
    const lotRow = lots.getRow(Number(match![1]));
    expect(lotRow.getCell(LOT_CATEGORY_COLUMNS.category).value).toBe(
      positions.getRow(3).getCell(POSITION_COLUMNS.category).value,
    );
  });

  it("a what-if price change on Lose flows through Positionen, Haushaltsjahre, Übersicht and Gemeinkosten", () => {
    const hf = toHyperFormula(workbook);
    try {
      const sheetId = (name: string) => hf.getSheetId(name)!;
      const overviewTotal = {
        sheet: sheetId(SHEET.overview),
        row: calculation.tenders[0].partners.length + 2, // the totals row (0-based)
        col: OVERVIEW_COLUMNS.directNet - 1,
      };
      const before = hf.getCellValue(overviewTotal) as number;
      const gross = { ...overviewTotal, col: OVERVIEW_COLUMNS.totalGross - 1 };
      const grossBefore = hf.getCellValue(gross) as number;
      // Raise the base price of the first product group by 100 € (row 3 on Lose).
      const base = { sheet: sheetId(SHEET.lots), row: 2, col: LOT_CATEGORY_COLUMNS.basePrice - 1 };
      hf.setCellContents(base, (hf.getCellValue(base) as number) + 100);
      const after = hf.getCellValue(overviewTotal) as number;
      expect(after).toBeGreaterThan(before);
      expect(hf.getCellValue(gross) as number).toBeGreaterThan(grossBefore);
    } finally {
      hf.destroy();
    }
  });

  it("has a total row per budget year across all partners on Haushaltsjahre", () => {
    const years = workbook.getWorksheet(SHEET.budgetYears)!;
    const tender = calculation.tenders[0];
    const net = headerColumn(years, "Netto");
    for (const year of tender.years) {
      const [row] = [] as ExcelJS.Row[];
      let found: ExcelJS.Row | undefined = row;
      years.eachRow((r) => {
        if (r.getCell(2).value === `Summe Haushaltsjahr ${year}`) found = r;
      });
      expect(found, `total row ${year}`).toBeDefined();
      const expected = tender.partners
        .flatMap((p) => p.years)
        .filter((y) => y.year === year)
        .reduce((sum, y) => sum + y.directNet, 0n);
      expect(shown(found!.getCell(net))).toBe(Number(formatMoney(expected)));
      expect(found!.getCell(net).formula).toMatch(/^SUMIF\(/);
    }
  });

  it("sizes header rows to their wrapped text and names the font of every cell", () => {
    const overview = workbook.getWorksheet(SHEET.overview)!;
    // "Einzelbeschaffung brutto" needs two lines in its column.
    expect(overview.getRow(2).height).toBeGreaterThanOrEqual(2 * 12.75);
    for (const sheet of workbook.worksheets) {
      sheet.eachRow((row) =>
        row.eachCell((cell) => {
          expect(cell.font?.name, `${sheet.name}!${cell.address}`).toBe(FONT_NAME);
        }),
      );
    }
  });

  it("sums Haushaltsjahre into Übersicht and Positionen into Haushaltsjahre", () => {
    const overview = workbook.getWorksheet(SHEET.overview)!;
    expect(overview.getRow(3).getCell(4).formula).toMatch(/^SUM\('Haushaltsjahre'!E\d+:E\d+\)$/);
    const years = workbook.getWorksheet(SHEET.budgetYears)!;
    const firstWithPositions = rowsWithCode(years, calculation.tenders[0].partners[0].code).find(
      (row) => typeof row.getCell(headerColumn(years, "Netto")).formula === "string",
    )!;
    expect(firstWithPositions.getCell(headerColumn(years, "Netto")).formula).toMatch(
      /^SUM\('Positionen'!K\d+:K\d+\)$/,
    );
  });

  it("shows the creation time, the state and the app version on Parameter", () => {
    const sheet = workbook.getWorksheet(SHEET.parameters)!;
    const values = new Map<unknown, unknown>();
    sheet.eachRow((row) => values.set(row.getCell(1).value, shown(row.getCell(2))));
    expect(values.get("Programmversion")).toBe("Verbundkauf 0.1.0-test");
    expect(values.get("Stand")).toBe("aktueller Planungsstand");
    // 16:30 UTC is 17:30 in Germany in November; xlsx stores wall-clock time.
    expect((values.get("Erstellt am") as Date).toISOString()).toBe("2026-11-28T17:30:00.000Z");
    const tierRows = rowsWithCode(sheet, calculation.tenders[0].categories[0].code);
    expect(tierRows.length).toBeGreaterThan(0);
  });
});

describe("codes that cannot be formula criteria", () => {
  it.each(["x*", "nb", ">5", "2027", "A B"])(
    "keeps the figures exact for a product group coded %j",
    async (awkward) => {
      // Example 01 with one category renamed; "nb" collides with "NB" case-insensitively in SUMIF.
      const plan = structuredClone(examples[0].plan);
      const renamed = plan.categories[0].code;
      const rename = (code: string) => (code === renamed ? awkward : code);
      plan.categories[0].code = awkward;
      if (awkward === "nb")
        plan.categories.push({ code: "NB", name: "Zweite Gruppe", basePriceNet: "10.00" });
      plan.demand = plan.demand?.map((line) => ({ ...line, category: rename(line.category) }));
      plan.tenders = plan.tenders?.map((tender) => ({
        ...tender,
        lots: tender.lots.map((lot, index) => ({
          ...lot,
          categories: [
            ...lot.categories.map(rename),
            ...(awkward === "nb" && index === 0 ? ["NB"] : []),
          ],
        })),
      }));
      const calculation = calculatePlan(plan);
      const tenderCode = calculation.tenders[0].code;
      const { workbook } = await buildCostSplit(calculation, tenderCode);
      expectWorkbookMatchesResult(workbook, toResultFile(calculation), calculation, tenderCode);
      const lots = workbook.getWorksheet(SHEET.lots)!;
      let quantityCell: ExcelJS.Cell | undefined;
      lots.eachRow((row, n) => {
        // The first match is the category row (the lot table below lists codes too).
        if (n > 2 && !quantityCell && row.getCell(LOT_CATEGORY_COLUMNS.category).value === awkward)
          quantityCell = row.getCell(LOT_CATEGORY_COLUMNS.quantity);
      });
      expect(quantityCell!.formula).toBeUndefined();
      expect(JSON.stringify(quantityCell!.note)).toContain("Suchkriterium");
    },
  );
});

describe("cost-split workbook metadata and errors", () => {
  const { plan } = examples[0];
  const calculation = calculatePlan(plan);
  const tenderCode = calculation.tenders[0].code;

  it("names a snapshot's version and lists all plan tiers when given", async () => {
    const tiers = new Map(plan.categories.map((c) => [c.code, c.tiers ?? []]));
    const { workbook } = await buildCostSplit(calculation, tenderCode, {
      createdAt: new Date("2026-11-28T16:30:00Z"),
      appVersion: "9.9.9",
      snapshot: {
        version: 3,
        createdAt: "2026-11-20T09:15:00Z",
        comment: "Beschluss Lenkungskreis",
        createdBy: "Koordination",
      },
      tiers,
    });
    const sheet = workbook.getWorksheet(SHEET.parameters)!;
    const values = new Map<unknown, unknown>();
    sheet.eachRow((row) => values.set(row.getCell(1).value, shown(row.getCell(2))));
    expect(values.get("Beschlussstand (Version)")).toBe(3);
    expect(values.get("Stand")).toBe("Beschlussstand Version 3 vom 20.11.2026, 10:15");
    expect(values.get("Kommentar zum Beschlussstand")).toBe("Beschluss Lenkungskreis");
    const category = plan.categories.find((c) => (c.tiers ?? []).length > 1)!;
    expect(rowsWithCode(sheet, category.code)).toHaveLength(category.tiers!.length);
    expect(String(workbook.getWorksheet(SHEET.overview)!.getRow(1).getCell(1).value)).toContain(
      "Version 3",
    );
  });

  it("warns when today's calculation differs from the snapshot's stored result", async () => {
    const { workbook } = await buildCostSplit(calculation, tenderCode, {
      createdAt: new Date(),
      appVersion: "9.9.9",
      snapshot: { version: 1, createdAt: "2026-11-20T09:15:00Z", matchesStoredResult: false },
    });
    const sheet = workbook.getWorksheet(SHEET.parameters)!;
    const notes = new Map<unknown, unknown>();
    sheet.eachRow((row) => notes.set(row.getCell(1).value, row.getCell(3).value));
    expect(String(notes.get("Hinweis"))).toContain("weicht vom damals gespeicherten Ergebnis ab");
  });

  it("refuses an unknown tender before writing", async () => {
    await expect(
      writeToBuffer((stream) =>
        writeCostSplitWorkbook(
          {
            calculation,
            tenderCode: "GIBT-ES-NICHT",
            meta: { createdAt: new Date(), appVersion: "x" },
          },
          stream,
        ).finally(() => stream.end()),
      ),
    ).rejects.toBeInstanceOf(UnknownTenderError);
  });

  it("builds safe file names", () => {
    expect(costSplitFileName("RV-2027")).toBe("Kostenaufteilung-RV-2027.xlsx");
    expect(costSplitFileName("RV 2027/Ä", 4)).toBe("Kostenaufteilung-RV_2027_-Beschluss-v4.xlsx");
  });
});
