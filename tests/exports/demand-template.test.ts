import ExcelJS from "exceljs";
import { DEMO_PLAN } from "../../db/demo";
import {
  buildDemandGrids,
  cellKey,
  gridValues,
  lineKey,
  planningYears,
  type DemandGrid,
} from "../../domain/demand-grid";
import {
  buildDemandTemplate,
  DATA_SHEET,
  GUIDE_SHEET,
  LAYOUT,
  META_SHEET,
} from "../../exports/demand-template";
import {
  parseDemandTemplate,
  type TemplateExpectation,
} from "../../exports/demand-template-import";

function gridsFor(partnerCode: string): DemandGrid[] {
  const years = planningYears({
    tenders: DEMO_PLAN.tenders ?? [],
    demandYears: (DEMO_PLAN.demand ?? []).map((d) => d.year),
    fallbackStartYear: 2027,
  });
  return buildDemandGrids({
    schools: (DEMO_PLAN.schools ?? []).filter((s) => s.partner === partnerCode),
    categories: DEMO_PLAN.categories.map((c) => ({
      code: c.code,
      name: c.name,
      unit: c.unit ?? null,
    })),
    years,
    cells: (DEMO_PLAN.demand ?? [])
      .filter((d) => d.partner === partnerCode)
      .map((d) => ({
        schoolCode: d.school ?? null,
        categoryCode: d.category,
        year: d.year,
        quantity: d.quantity,
      })),
    notes: [
      { schoolCode: `${partnerCode}-01`, categoryCode: "TAB", text: "Ersatz für Geräte aus 2020" },
    ],
  });
}

function expectationFor(partnerCode: string): TemplateExpectation {
  const partner = DEMO_PLAN.partners.find((p) => p.code === partnerCode)!;
  return {
    partner: { code: partner.code, name: partner.name },
    schoolCodes: new Set(
      (DEMO_PLAN.schools ?? []).filter((s) => s.partner === partnerCode).map((s) => s.code),
    ),
    categoryCodes: new Set(DEMO_PLAN.categories.map((c) => c.code)),
    years: [2027, 2028, 2029, 2030],
  };
}

const partnerOf = (code: string) => {
  const p = DEMO_PLAN.partners.find((x) => x.code === code)!;
  return { code: p.code, name: p.name };
};

async function build(code: string) {
  return buildDemandTemplate({
    partner: partnerOf(code),
    grids: gridsFor(code),
    generatedAt: new Date("2027-01-10T09:00:00Z"),
    deadlineText: "31.03.2027, 18:00 Uhr",
  });
}

/** Opens a built template, lets `edit` change the data sheet and saves it again, as a user in Excel would. */
async function edited(buffer: Buffer, edit: (sheet: ExcelJS.Worksheet) => void): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buffer as unknown as ArrayBuffer);
  edit(wb.getWorksheet(DATA_SHEET)!);
  return Buffer.from((await wb.xlsx.writeBuffer()) as ArrayBuffer);
}

/** The sheet row of a school/category line: rows follow grids, then categories. */
function rowOf(grids: DemandGrid[], school: string | null, category: string): number {
  let row = LAYOUT.firstDataRow;
  for (const g of grids)
    for (const r of g.rows) {
      if (g.schoolCode === school && r.category.code === category) return row;
      row++;
    }
  throw new Error("no such row");
}

test("round trip: the parsed template gives back exactly the grid values", async () => {
  const grids = gridsFor("DUE");
  const parsed = await parseDemandTemplate(await build("DUE"), expectationFor("DUE"));
  expect(parsed.ok).toBe(true);
  if (!parsed.ok) return;
  const expected = new Map<string, number>();
  for (const g of grids) gridValues(g).quantities.forEach((q, k) => expected.set(k, q));
  expect(parsed.cells).toHaveLength(expected.size);
  expect(
    new Map(parsed.cells.map((c) => [cellKey(c.schoolCode, c.categoryCode, c.year), c.quantity])),
  ).toEqual(expected);
  expect(parsed.cells.reduce((s, c) => s + c.quantity, 0)).toBe(
    grids.reduce((s, g) => s + g.total, 0),
  );
  expect(parsed.notes.find((n) => n.text !== "")).toMatchObject({
    schoolCode: "DUE-01",
    categoryCode: "TAB",
    text: "Ersatz für Geräte aus 2020",
  });
});

test("the workbook: instructions, protected sheets, unlocked and validated inputs, hidden codes", async () => {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load((await build("COE")) as unknown as ArrayBuffer);
  expect(wb.worksheets.map((w) => w.name)).toEqual([GUIDE_SHEET, DATA_SHEET, META_SHEET]);
  expect(wb.getWorksheet(META_SHEET)!.state).toBe("veryHidden");
  const guide = wb.getWorksheet(GUIDE_SHEET)!;
  expect(String(guide.getCell("A1").value)).toContain("Anleitung");
  const sheet = wb.getWorksheet(DATA_SHEET)! as ExcelJS.Worksheet & {
    sheetProtection?: { sheet?: boolean };
  };
  expect(sheet.sheetProtection?.sheet).toBe(true);
  expect(sheet.getCell("D4").value).toBe("2027");
  expect(sheet.getCell("A5").value).toBe(DEMO_PLAN.schools!.find((s) => s.code === "COE-01")!.name);
  expect(sheet.getCell("B5").value).toBe(DEMO_PLAN.categories[0].name);
  const input = sheet.getCell("D5");
  expect(input.protection?.locked).toBe(false);
  expect(input.dataValidation).toMatchObject({
    type: "whole",
    operator: "between",
    formulae: [0, 100000],
    showErrorMessage: true,
  });
  expect(input.dataValidation.error).toMatch(/ganze Zahl/);
  expect(sheet.getCell("A5").protection?.locked).not.toBe(false);
  expect(sheet.getCell("H5").protection?.locked).not.toBe(false); // the sum
  expect((sheet.getCell("H5").value as ExcelJS.CellFormulaValue).formula).toBe("SUM(D5:G5)");
  expect(sheet.getCell("I5").protection?.locked).toBe(false); // justification
});

test("an edited cell comes back as the new value", async () => {
  const grids = gridsFor("COE");
  const row = rowOf(grids, "COE-03", "TAB");
  const file = await edited(await build("COE"), (s) => {
    s.getCell(row, LAYOUT.firstYearColumn + 1).value = 77; // 2028
    s.getCell(row, LAYOUT.firstYearColumn + 2).value = "1.200"; // typed as text, German thousands
    s.getCell(row, LAYOUT.firstYearColumn + 3).value = null; // emptied: 0
    s.getCell(row, LAYOUT.firstYearColumn + 5).value = "Neue Klassen";
  });
  const parsed = await parseDemandTemplate(file, expectationFor("COE"));
  expect(parsed.ok).toBe(true);
  if (!parsed.ok) return;
  const get = (y: number) =>
    parsed.cells.find(
      (c) => c.schoolCode === "COE-03" && c.categoryCode === "TAB" && c.year === y,
    )!;
  expect([get(2028).quantity, get(2029).quantity, get(2030).quantity]).toEqual([77, 1200, 0]);
  expect(get(2028).ref).toBe(`E${row}`);
  expect(
    parsed.notes.find((n) => n.schoolCode === "COE-03" && n.categoryCode === "TAB")!.text,
  ).toBe("Neue Klassen");
});

test("invalid cells: every one listed with sheet, cell and German message, no values", async () => {
  const grids = gridsFor("COE");
  const row = rowOf(grids, null, "AP");
  const file = await edited(await build("COE"), (s) => {
    s.getCell(LAYOUT.firstDataRow, LAYOUT.firstYearColumn).value = -4;
    s.getCell(LAYOUT.firstDataRow + 1, LAYOUT.firstYearColumn).value = 2.5;
    s.getCell(row, LAYOUT.firstYearColumn + 3).value = "viele";
    s.getCell(row, LAYOUT.firstYearColumn + 2).value = 100001;
    s.getCell(row, LAYOUT.firstYearColumn + 1).value = true;
  });
  const parsed = await parseDemandTemplate(file, expectationFor("COE"));
  expect(parsed.ok).toBe(false);
  if (parsed.ok) return;
  expect(parsed.errors).toEqual([
    { sheet: "Bedarf", cell: "D5", message: expect.stringContaining("negativ") },
    { sheet: "Bedarf", cell: "D6", message: expect.stringContaining("Nachkommastellen") },
    { sheet: "Bedarf", cell: `E${row}`, message: expect.stringContaining("Wahrheitswert") },
    { sheet: "Bedarf", cell: `F${row}`, message: expect.stringContaining("100.000") },
    { sheet: "Bedarf", cell: `G${row}`, message: expect.stringContaining("ganze Zahl") },
  ]);
});

test("the template of another partner is refused", async () => {
  const parsed = await parseDemandTemplate(await build("DUE"), expectationFor("COE"));
  expect(parsed).toEqual({
    ok: false,
    errors: [
      {
        sheet: "",
        cell: "",
        message: expect.stringMatching(/anderen Schulträger \(DUE\).*Stadt Coesfeld/),
      },
    ],
  });
});

test("empty, non-xlsx, broken and foreign workbooks are refused with a German message", async () => {
  const exp = expectationFor("COE");
  const message = async (bytes: Uint8Array) => {
    const r = await parseDemandTemplate(bytes, exp);
    return r.ok ? "ok" : r.errors[0].message;
  };
  expect(await message(new Uint8Array())).toMatch(/leer/);
  expect(await message(new TextEncoder().encode("Schule;Menge\nA;1"))).toMatch(
    /keine Excel-Arbeitsmappe/,
  );
  const good = await build("COE");
  expect(await message(good.subarray(0, good.length / 2))).toMatch(/beschädigt/);
  const other = new ExcelJS.Workbook();
  other.addWorksheet("Tabelle1").getCell("A1").value = 1;
  expect(await message(Buffer.from((await other.xlsx.writeBuffer()) as ArrayBuffer))).toMatch(
    /keine Bedarfsvorlage/,
  );
  expect(await message(new Uint8Array(5 * 1024 * 1024 + 1))).toMatch(/5 MB/);
});

test("rows of schools that no longer belong to the partner are reported", async () => {
  const exp = expectationFor("COE");
  const parsed = await parseDemandTemplate(await build("COE"), {
    ...exp,
    schoolCodes: new Set([...exp.schoolCodes].filter((c) => c !== "COE-02")),
  });
  expect(parsed.ok).toBe(false);
  if (!parsed.ok)
    expect(parsed.errors[0]).toEqual({
      sheet: "Bedarf",
      cell: "A15",
      message: expect.stringContaining("COE-02"),
    });
});

test("timing: build and parse the template of the biggest partner", async () => {
  const t0 = performance.now();
  const file = await build("DUE");
  const t1 = performance.now();
  const parsed = await parseDemandTemplate(file, expectationFor("DUE"));
  const t2 = performance.now();
  expect(parsed.ok).toBe(true);
  console.info(
    `DUE template (14 grids × 10 categories × 4 years, ${file.length} bytes): build ${(t1 - t0).toFixed(0)} ms, parse ${(t2 - t1).toFixed(0)} ms`,
  );
  expect(t2 - t0).toBeLessThan(5000);
});

test("lineKey is stable for notes of the grid without school", () => {
  expect(lineKey(null, "AP")).toBe("|AP");
});
