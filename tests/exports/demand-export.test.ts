import fs from "node:fs";
import ExcelJS from "exceljs";
import type { Plan } from "../../domain/plan";
import {
  demandCsv,
  demandRowsFromPlan,
  writeDemandWorkbook,
  type DemandExportRow,
} from "../../exports/demand-export";
import { loadWorkbook, writeToBuffer } from "./helpers/stream-buffer";

const plan = JSON.parse(
  fs.readFileSync("tests/fixtures/examples/03-kreis-coesfeld.plan.json", "utf8"),
) as Plan;

function row(overrides: Partial<DemandExportRow> = {}): DemandExportRow {
  return {
    partnerCode: "COE",
    partnerName: "Stadt Coesfeld",
    schoolCode: "COE-GY1",
    schoolName: "Gymnasium Coesfeld (Demo)",
    categoryCode: "NB",
    categoryName: "Notebook",
    unit: "Stück",
    year: 2027,
    quantity: 40,
    justification: null,
    ...overrides,
  };
}

describe("demandRowsFromPlan", () => {
  it("keeps every demand line in file order with partner, school and category names", () => {
    const rows = demandRowsFromPlan(plan);
    expect(rows).toHaveLength(plan.demand!.length);
    const first = plan.demand![0];
    expect(rows[0]).toMatchObject({
      partnerCode: first.partner,
      categoryCode: first.category,
      year: first.year,
      quantity: first.quantity,
    });
    expect(rows[0].partnerName).toBe(plan.partners.find((p) => p.code === first.partner)!.name);
    expect(rows[0].categoryName).toBe(plan.categories.find((c) => c.code === first.category)!.name);
    const withSchool = rows.find((r) => r.schoolCode !== null)!;
    expect(withSchool.schoolName).toBe(
      plan.schools!.find((s) => s.code === withSchool.schoolCode)!.name,
    );
  });
});

describe("demandCsv", () => {
  it("writes a header and one CRLF line per demand line, ';'-separated", () => {
    const text = demandCsv([
      row(),
      row({ schoolCode: null, schoolName: null, year: 2028, quantity: 7 }),
    ]);
    const lines = text.slice(1).split("\r\n");
    expect(lines[0]).toBe(
      "Partner;Schulträger;Schule;Schulname;Produktgruppe;Bezeichnung;Einheit;Jahr;Menge;Begründung",
    );
    expect(lines[1]).toBe(
      "COE;Stadt Coesfeld;COE-GY1;Gymnasium Coesfeld (Demo);NB;Notebook;Stück;2027;40;",
    );
    expect(lines[2]).toBe("COE;Stadt Coesfeld;;;NB;Notebook;Stück;2028;7;");
    expect(lines[3]).toBe("");
    expect(lines).toHaveLength(4);
  });

  it("neutralizes formulas in user-entered text (justification, names)", () => {
    const text = demandCsv([
      row({ justification: '=HYPERLINK("http://evil.example";"Klick")' }),
      row({ justification: "@SUM(1)" }),
      row({ partnerName: "+Ascheberg" }),
      row({ justification: "-1 Gerät, Rest 2028" }),
    ]);
    const lines = text.slice(1).split("\r\n");
    expect(lines[1].endsWith(';"\'=HYPERLINK(""http://evil.example"";""Klick"")"')).toBe(true);
    expect(lines[2].endsWith(";'@SUM(1)")).toBe(true);
    expect(lines[3]).toContain(";'+Ascheberg;");
    expect(lines[4].endsWith(";'-1 Gerät, Rest 2028")).toBe(true);
  });

  it("keeps a multi-line justification in one quoted field", () => {
    const text = demandCsv([
      row({ justification: "Ersatz\r\nfür 2019 beschaffte Geräte; dringend" }),
    ]);
    expect(text).toContain(';"Ersatz\r\nfür 2019 beschaffte Geräte; dringend"\r\n');
  });
});

describe("writeDemandWorkbook", () => {
  it("writes every row with types intact, a frozen header and an autofilter", async () => {
    const rows = demandRowsFromPlan(plan);
    const buffer = await writeToBuffer((stream) =>
      writeDemandWorkbook(rows, stream, { createdAt: new Date("2026-11-28T10:00:00Z") }),
    );
    const workbook = await loadWorkbook(buffer);
    expect(workbook.creator).toBe("Verbundkauf");
    const sheet = workbook.getWorksheet("Bedarf")!;
    expect(sheet.getRow(2).getCell(1).value).toBe("Partner");
    expect(sheet.views[0]).toMatchObject({ state: "frozen", ySplit: 2 });
    expect(sheet.autoFilter).toBe(`A2:J${rows.length + 2}`);
    rows.forEach((expected, index) => {
      const cells = sheet.getRow(index + 3);
      expect(cells.getCell(1).value).toBe(expected.partnerCode);
      expect(cells.getCell(5).value).toBe(expected.categoryCode);
      expect(cells.getCell(8).value).toBe(expected.year);
      expect(cells.getCell(9).value).toBe(expected.quantity);
    });
    expect(sheet.getRow(rows.length + 3).getCell(1).value).toBeNull();
  });

  it("stores text that looks like a formula as text, not as a formula", async () => {
    const buffer = await writeToBuffer((stream) =>
      writeDemandWorkbook([row({ justification: "=1+1" })], stream, { createdAt: new Date() }),
    );
    const workbook = await loadWorkbook(buffer);
    const cell = workbook.getWorksheet("Bedarf")!.getRow(3).getCell(10);
    expect(cell.type).toBe(ExcelJS.ValueType.String);
    expect(cell.value).toBe("=1+1");
  });
});
