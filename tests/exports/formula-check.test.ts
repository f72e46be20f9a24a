// The harness itself must be able to fail: a wrong cached value, a broken reference
// and float traps that a naive formula would fall into.
import ExcelJS from "exceljs";
import { checkFormulas } from "./helpers/formula-check";
import { roundedMoneyTimes, roundedUpQuantityTimes } from "../../exports/formulas";
import { onePlus, parseDecimal } from "../../domain/decimal";

function workbookWith(
  fill: (sheet: ExcelJS.Worksheet, other: ExcelJS.Worksheet) => void,
): ExcelJS.Workbook {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet("Übersicht");
  const other = workbook.addWorksheet("Positionen");
  fill(sheet, other);
  return workbook;
}

describe("checkFormulas (HyperFormula)", () => {
  it("accepts correct cached results, across sheets with umlauts in their names", () => {
    const workbook = workbookWith((sheet, other) => {
      other.getCell("A1").value = 12.5;
      other.getCell("A2").value = 7.25;
      sheet.getCell("A1").value = { formula: "SUM('Positionen'!A1:A2)", result: 19.75 };
      sheet.getCell("B1").value = {
        formula: 'IF(A1>=10,"EU-weites Verfahren erforderlich","Nationale Vergabe")',
        result: "EU-weites Verfahren erforderlich",
      };
      sheet.getCell("C1").value = "=kein Formeltext";
    });
    const check = checkFormulas(workbook);
    expect(check.checked).toBe(2);
    expect(check.mismatches).toEqual([]);
    expect(check.formulasPerSheet).toEqual({ Übersicht: 2, Positionen: 0 });
  });

  it("reports a cached value that is one cent off", () => {
    const workbook = workbookWith((sheet) => {
      sheet.getCell("A1").value = 100;
      sheet.getCell("A2").value = { formula: "A1*3", result: 300.01 };
    });
    const check = checkFormulas(workbook);
    expect(check.mismatches).toHaveLength(1);
    expect(check.mismatches[0]).toMatchObject({
      sheet: "Übersicht",
      address: "A2",
      cached: 300.01,
      computed: 300,
    });
  });

  it("reports formulas that do not evaluate", () => {
    const workbook = workbookWith((sheet) => {
      sheet.getCell("A1").value = { formula: "SUM('Fehlt'!A1:A2)", result: 0 };
    });
    expect(checkFormulas(workbook).mismatches).toHaveLength(1);
  });

  it("shows why VAT is computed in whole cents: 12.50 € × 19 % is 2.38 €, naive ROUND may say 2.37", () => {
    // Exact: 1250 ct × 19 / 100 = 237.5 ct → 238 ct. Search nets ending in ,50 where
    // the float product falls below the half cent, then check both formulas.
    let trap = 0;
    for (let cents = 50; cents < 1_000_000 && trap === 0; cents += 100) {
      const net = Number((cents / 100).toFixed(2));
      if (Math.round(net * 0.19 * 100) !== Math.round((cents * 19) / 100)) trap = cents;
    }
    expect(trap).toBeGreaterThan(0);
    const net = Number((trap / 100).toFixed(2));
    const exactVat = Number((Math.round((trap * 19) / 100) / 100).toFixed(2));
    const workbook = workbookWith((sheet) => {
      sheet.getCell("A1").value = net;
      sheet.getCell("B1").value = { formula: "ROUND(A1*0.19,2)", result: exactVat };
      sheet.getCell("C1").value = { formula: roundedMoneyTimes("A1", "0.19"), result: exactVat };
    });
    const check = checkFormulas(workbook);
    expect(check.mismatches.map((m) => m.address)).toEqual(["B1"]);
  });

  it("rounds the maximum quantity up without float surprises (40 × 1.1 = 44, not 45)", () => {
    const factor = onePlus(parseDecimal("0.10"));
    const workbook = workbookWith((sheet) => {
      sheet.getCell("A1").value = 40;
      sheet.getCell("B1").value = { formula: roundedUpQuantityTimes("A1", factor), result: 44 };
      sheet.getCell("A2").value = 41;
      sheet.getCell("B2").value = { formula: roundedUpQuantityTimes("A2", factor), result: 46 };
    });
    expect(roundedUpQuantityTimes("A1", factor)).toBe("ROUNDUP(A1*11/10,0)");
    expect(checkFormulas(workbook).mismatches).toEqual([]);
  });
});
