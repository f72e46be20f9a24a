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
  expect(sheet.getCell("F4").value).toBe("2027");
  // Codes are visible next to the names, so rows can be told apart however they move.
  expect(sheet.getCell("A4").value).toBe("Schulkürzel");
  expect(sheet.getCell("A5").value).toBe("COE-01");
  expect(sheet.getCell("B5").value).toBe(DEMO_PLAN.schools!.find((s) => s.code === "COE-01")!.name);
  expect(sheet.getCell("C5").value).toBe(DEMO_PLAN.categories[0].code);
  expect(sheet.getCell("D5").value).toBe(DEMO_PLAN.categories[0].name);
  const input = sheet.getCell("F5");
  expect(input.protection?.locked).toBe(false);
  expect(input.dataValidation).toMatchObject({
    type: "whole",
    operator: "between",
    formulae: [0, 100000],
    showErrorMessage: true,
  });
  expect(input.dataValidation.error).toMatch(/ganze Zahl/);
  expect(sheet.getCell("A5").protection?.locked).not.toBe(false);
  expect(sheet.getCell("J5").protection?.locked).not.toBe(false); // the sum
  expect((sheet.getCell("J5").value as ExcelJS.CellFormulaValue).formula).toBe("SUM(F5:I5)");
  expect(sheet.getCell("K5").protection?.locked).toBe(false); // justification
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
  expect(get(2028).ref).toBe(`G${row}`);
  expect(get(2028).downloaded).toBe(
    gridsFor("COE")
      .find((g) => g.schoolCode === "COE-03")!
      .rows.find((r) => r.category.code === "TAB")!.quantities[1],
  );
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
    { sheet: "Bedarf", cell: "F5", message: expect.stringContaining("negativ") },
    { sheet: "Bedarf", cell: "F6", message: expect.stringContaining("Nachkommastellen") },
    { sheet: "Bedarf", cell: `G${row}`, message: expect.stringContaining("Wahrheitswert") },
    { sheet: "Bedarf", cell: `H${row}`, message: expect.stringContaining("100.000") },
    { sheet: "Bedarf", cell: `I${row}`, message: expect.stringContaining("ganze Zahl") },
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

// ---- Trust: moved rows, cells outside the table, foreign files, crafted _meta -------

/** A stored zip (no compression) with the given files: enough to look like an archive. */
function storedZip(files: Record<string, string>): Uint8Array {
  const enc = new TextEncoder();
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const [name, text] of Object.entries(files)) {
    const nameBytes = enc.encode(name);
    const data = enc.encode(text);
    const local = new Uint8Array(30 + nameBytes.length + data.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint32(18, data.length, true);
    lv.setUint32(22, data.length, true);
    lv.setUint16(26, nameBytes.length, true);
    local.set(nameBytes, 30);
    local.set(data, 30 + nameBytes.length);
    const central = new Uint8Array(46 + nameBytes.length);
    const cv = new DataView(central.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint32(20, data.length, true);
    cv.setUint32(24, data.length, true);
    cv.setUint16(28, nameBytes.length, true);
    cv.setUint32(42, offset, true);
    central.set(nameBytes, 46);
    locals.push(local);
    centrals.push(central);
    offset += local.length;
  }
  const centralSize = centrals.reduce((s, c) => s + c.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, centrals.length, true);
  ev.setUint16(10, centrals.length, true);
  ev.setUint32(12, centralSize, true);
  ev.setUint32(16, offset, true);
  return Buffer.concat([...locals, ...centrals, end]);
}

const cellOf = (
  parsed: Awaited<ReturnType<typeof parseDemandTemplate>>,
  school: string | null,
  category: string,
  year: number,
) => {
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.cells.find(
    (c) => c.schoolCode === school && c.categoryCode === category && c.year === year,
  )!;
};

const errorsOf = (parsed: Awaited<ReturnType<typeof parseDemandTemplate>>) =>
  parsed.ok ? [] : parsed.errors;

/** Data rows of the sheet as value arrays (everything the user sees in a row). */
function dataRows(sheet: ExcelJS.Worksheet, count: number): ExcelJS.CellValue[][] {
  const rows: ExcelJS.CellValue[][] = [];
  for (let r = LAYOUT.firstDataRow; r < LAYOUT.firstDataRow + count; r++) {
    const values: ExcelJS.CellValue[] = [];
    for (let c = 1; c <= LAYOUT.firstYearColumn + 5; c++) values.push(sheet.getCell(r, c).value);
    rows.push(values);
  }
  return rows;
}
function writeRows(sheet: ExcelJS.Worksheet, rows: ExcelJS.CellValue[][], from: number) {
  rows.forEach((values, i) => values.forEach((v, c) => (sheet.getCell(from + i, c + 1).value = v)));
}

test("sorted rows are read by their codes, not by their position", async () => {
  const grids = gridsFor("COE");
  const count = grids.reduce((s, g) => s + g.rows.length, 0);
  const row = rowOf(grids, "COE-03", "TAB");
  const file = await edited(await build("COE"), (s) => {
    s.getCell(row, LAYOUT.firstYearColumn + 3).value = 99_999; // 2030 of COE-03/TAB
    // Then the user sorts all rows descending by product group (after unprotecting).
    const rows = dataRows(s, count).sort((a, b) =>
      String(b[LAYOUT.categoryColumn - 1]).localeCompare(String(a[LAYOUT.categoryColumn - 1])),
    );
    writeRows(s, rows, LAYOUT.firstDataRow);
  });
  const parsed = await parseDemandTemplate(file, expectationFor("COE"));
  expect(errorsOf(parsed)).toEqual([]);
  expect(cellOf(parsed, "COE-03", "TAB", 2030).quantity).toBe(99_999);
  // Every other cell still holds exactly its downloaded value.
  if (!parsed.ok) return;
  const changed = parsed.cells.filter((c) => c.quantity !== c.downloaded);
  expect(changed.map((c) => [c.schoolCode, c.categoryCode, c.year])).toEqual([
    ["COE-03", "TAB", 2030],
  ]);
  expect(cellOf(parsed, "COE-03", "TAB", 2030).ref).not.toBe(`I${row}`); // it moved
});

test("an inserted row with values and no codes is refused naming the row", async () => {
  const grids = gridsFor("COE");
  const count = grids.reduce((s, g) => s + g.rows.length, 0);
  const file = await edited(await build("COE"), (s) => {
    // Insert an empty row at 7: rows from 7 on move down by one, the new row gets a value.
    const below = dataRows(s, count).slice(2);
    writeRows(s, below, 8);
    for (let c = 1; c <= LAYOUT.firstYearColumn + 5; c++) s.getCell(7, c).value = null;
    s.getCell(7, LAYOUT.firstYearColumn).value = 6;
  });
  const errors = errorsOf(await parseDemandTemplate(file, expectationFor("COE")));
  expect(errors).toContainEqual({
    sheet: "Bedarf",
    cell: "F7",
    message: expect.stringMatching(/^Zeile 7 hat keine Kürzel/),
  });
});

test("values sorted apart from their codes and names are refused naming the row", async () => {
  const file = await edited(await build("COE"), (s) => {
    // Rows 5 and 6 sorted within D:K only (names, values and notes, not the codes A:C).
    for (let c = LAYOUT.categoryColumn; c <= LAYOUT.firstYearColumn + 5; c++) {
      const v = s.getCell(5, c).value;
      s.getCell(5, c).value = s.getCell(6, c).value;
      s.getCell(6, c).value = v;
    }
  });
  const errors = errorsOf(await parseDemandTemplate(file, expectationFor("COE")));
  expect(errors.map((e) => e.cell)).toEqual(["D5", "D6"]);
  expect(errors[0].message).toMatch(/^Zeile 5: .* passt nicht zum Kürzel/);
});

test("a deleted row and a copied row are refused, not read as 0", async () => {
  const grids = gridsFor("COE");
  const count = grids.reduce((s, g) => s + g.rows.length, 0);
  const deleted = await edited(await build("COE"), (s) => {
    const rows = dataRows(s, count + 1); // with the totals row
    writeRows(s, rows.slice(1), LAYOUT.firstDataRow); // row 5 deleted
    for (let c = 1; c <= LAYOUT.firstYearColumn + 5; c++)
      s.getCell(LAYOUT.firstDataRow + count, c).value = null;
  });
  const missing = errorsOf(await parseDemandTemplate(deleted, expectationFor("COE")));
  expect(missing).toEqual([
    {
      sheet: "Bedarf",
      cell: "",
      message: expect.stringMatching(
        /^Die Zeile „.*“ \(Kürzel COE-01 \/ .*, ursprünglich Zeile 5\) fehlt/,
      ),
    },
  ]);
  const copied = await edited(await build("COE"), (s) => {
    writeRows(s, dataRows(s, 1), LAYOUT.firstDataRow + 1);
  });
  const twice = errorsOf(await parseDemandTemplate(copied, expectationFor("COE")));
  expect(twice[0]).toEqual({
    sheet: "Bedarf",
    cell: "A6",
    message: expect.stringContaining("wie Zeile 5"),
  });
});

test("a cell filled outside the table is reported with sheet and cell", async () => {
  const grids = gridsFor("COE");
  const count = grids.reduce((s, g) => s + g.rows.length, 0);
  const below = LAYOUT.firstDataRow + count + 3;
  const file = await edited(await build("COE"), (s) => {
    s.getCell(below, LAYOUT.firstYearColumn).value = 40; // under the totals
    s.getCell(6, 20).value = "Nachtrag: 5 Tablets"; // far right of a data row
    s.getCell(3, 2).value = 7; // between title and header
  });
  const errors = errorsOf(await parseDemandTemplate(file, expectationFor("COE")));
  expect(errors.map((e) => `${e.sheet}!${e.cell}`).sort()).toEqual(
    ["Bedarf!B3", "Bedarf!T6", `Bedarf!F${below}`].sort(),
  );
  for (const e of errors) expect(e.message).toMatch(/außerhalb der Tabelle|keine Kürzel/);
});

test("another kind of file renamed to .xlsx is not an Excel file", async () => {
  const exp = expectationFor("COE");
  const message = async (bytes: Uint8Array) => {
    const r = await parseDemandTemplate(bytes, exp);
    return r.ok ? "ok" : r.errors[0].message;
  };
  const pdf = new TextEncoder().encode("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF");
  expect(await message(pdf)).toMatch(/keine Excel-Arbeitsmappe/);
  expect(await message(new TextEncoder().encode("Schule;Menge\n"))).toMatch(/keine Excel/);
  // A zip that is not an Office Open XML workbook (e.g. a .docx or .ods renamed).
  const docx = storedZip({
    "[Content_Types].xml": "<Types/>",
    "word/document.xml": "<w:document/>",
  });
  expect(await message(docx)).toMatch(/keine Excel-Arbeitsmappe/);
});

describe("a crafted _meta sheet gets a German message, never an exception", () => {
  const cases: [string, (meta: ExcelJS.Worksheet) => void][] = [
    ["row 1e308", (m) => (m.getCell(7, 1).value = 1e308)],
    ["row -5", (m) => (m.getCell(7, 1).value = -5)],
    ["row NaN", (m) => (m.getCell(7, 1).value = Number.NaN)],
    ["row missing", (m) => (m.getCell(8, 1).value = null)],
    ["row as text", (m) => (m.getCell(7, 1).value = "fünf")],
    ["value -3", (m) => (m.getCell(7, 6).value = -3)],
    ["value 1.5", (m) => (m.getCell(7, 6).value = 1.5)],
    ["year text", (m) => (m.getCell(3, 2).value = "2027x")],
    ["year 1e308", (m) => (m.getCell(3, 3).value = 1e308)],
    ["generatedAt", (m) => (m.getCell(4, 2).value = "gestern")],
    ["a line far below", (m) => (m.getCell(1_000_000, 1).value = 5)],
  ];
  test.each(cases)("%s", async (_, craft) => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await build("COE")) as unknown as ArrayBuffer);
    craft(wb.getWorksheet(META_SHEET)!);
    const file = Buffer.from((await wb.xlsx.writeBuffer()) as ArrayBuffer);
    const parsed = await parseDemandTemplate(file, expectationFor("COE"));
    expect(parsed).toEqual({
      ok: false,
      errors: [{ sheet: "", cell: "", message: expect.stringMatching(/beschädigt.*_meta/) }],
    });
  });

  test("an older template format asks for a new download", async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await build("COE")) as unknown as ArrayBuffer);
    wb.getWorksheet(META_SHEET)!.getCell(1, 2).value = "verbundkauf/demand-template@1";
    const parsed = await parseDemandTemplate(
      Buffer.from((await wb.xlsx.writeBuffer()) as ArrayBuffer),
      expectationFor("COE"),
    );
    expect(errorsOf(parsed)[0].message).toMatch(/älteres Format/);
  });
});

test("the download-time values come back next to the file's", async () => {
  const grids = gridsFor("COE");
  const row = rowOf(grids, "COE-01", "TAB");
  const before = grids[0].rows.find((r) => r.category.code === "TAB")!;
  const file = await edited(await build("COE"), (s) => {
    s.getCell(row, LAYOUT.firstYearColumn).value = before.quantities[0] + 5;
    s.getCell(row, LAYOUT.firstYearColumn + 6 - 1).value = "Neu";
  });
  const parsed = await parseDemandTemplate(file, expectationFor("COE"));
  expect(cellOf(parsed, "COE-01", "TAB", 2027)).toMatchObject({
    quantity: before.quantities[0] + 5,
    downloaded: before.quantities[0],
  });
  if (parsed.ok)
    expect(
      parsed.notes.find((n) => n.schoolCode === "COE-01" && n.categoryCode === "TAB"),
    ).toMatchObject({ text: "Neu", downloaded: "Ersatz für Geräte aus 2020" });
});
