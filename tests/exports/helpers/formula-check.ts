// Independent check of an exported workbook's formulas: every sheet's formulas and
// values go into HyperFormula (a spreadsheet engine that is not our code), which
// recalculates; each formula cell's computed value must equal the cached result that
// Excel shows without recalculating.
import type ExcelJS from "exceljs";
import { HyperFormula, type RawCellContent } from "hyperformula";

/** Money cells must agree to the cent; a tenth of a cent leaves room for float noise only. */
export const NUMBER_TOLERANCE = 0.001;

export interface FormulaMismatch {
  sheet: string;
  address: string;
  formula: string;
  cached: unknown;
  computed: unknown;
}

export interface FormulaCheck {
  /** Number of formula cells recalculated. */
  checked: number;
  mismatches: FormulaMismatch[];
  /** Formula cells per sheet, to assert that a sheet really has live formulas. */
  formulasPerSheet: Record<string, number>;
}

interface FormulaCellInfo {
  sheet: string;
  row: number;
  column: number;
  address: string;
  formula: string;
  cached: unknown;
}

function rawContent(cell: ExcelJS.Cell): RawCellContent {
  const value = cell.value;
  if (value === null || value === undefined) return null;
  if (typeof value === "number" || typeof value === "boolean") return value;
  // A leading apostrophe makes HyperFormula read text as text, even "=…".
  if (typeof value === "string") return value.startsWith("=") ? `'${value}` : value;
  if (value instanceof Date) return null;
  if (typeof value === "object" && "richText" in value)
    return value.richText.map((part) => part.text).join("");
  if (typeof value === "object" && "formula" in value) return `=${value.formula}`;
  throw new Error(`Unexpected cell value at ${cell.address}: ${JSON.stringify(value)}`);
}

/** `cell.result`, not `cell.value.result`: exceljs leaves a cached 0 out of the value object. */
function cachedResult(cell: ExcelJS.Cell): unknown {
  return cell.result;
}

function matches(cached: unknown, computed: unknown): boolean {
  if (typeof cached === "number" && typeof computed === "number") {
    return Math.abs(cached - computed) < NUMBER_TOLERANCE;
  }
  return cached === computed;
}

/** The workbook's values and formulas in a HyperFormula instance (destroy it when done). */
export function toHyperFormula(workbook: ExcelJS.Workbook): HyperFormula {
  return buildFromWorkbook(workbook).hf;
}

/** Recalculates the whole workbook with HyperFormula and compares every formula cell. */
export function checkFormulas(workbook: ExcelJS.Workbook): FormulaCheck {
  const { hf, formulaCells, formulasPerSheet } = buildFromWorkbook(workbook);
  return compareAll(hf, formulaCells, formulasPerSheet);
}

function buildFromWorkbook(workbook: ExcelJS.Workbook): {
  hf: HyperFormula;
  formulaCells: FormulaCellInfo[];
  formulasPerSheet: Record<string, number>;
} {
  const sheets: Record<string, RawCellContent[][]> = {};
  const formulaCells: FormulaCellInfo[] = [];
  const formulasPerSheet: Record<string, number> = {};
  let maxRows = 0;

  workbook.eachSheet((worksheet) => {
    const data: RawCellContent[][] = [];
    formulasPerSheet[worksheet.name] = 0;
    worksheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
      const cells: RawCellContent[] = [];
      row.eachCell({ includeEmpty: false }, (cell, columnNumber) => {
        cells[columnNumber - 1] = rawContent(cell);
        if (cell.type === 6 /* ExcelJS.ValueType.Formula */) {
          formulasPerSheet[worksheet.name]++;
          formulaCells.push({
            sheet: worksheet.name,
            row: rowNumber,
            column: columnNumber,
            address: cell.address,
            formula: (cell.value as ExcelJS.CellFormulaValue).formula,
            cached: cachedResult(cell),
          });
        }
      });
      for (let i = 0; i < cells.length; i++) if (cells[i] === undefined) cells[i] = null;
      data[rowNumber - 1] = cells;
    });
    for (let i = 0; i < data.length; i++) if (data[i] === undefined) data[i] = [];
    maxRows = Math.max(maxRows, data.length);
    sheets[worksheet.name] = data;
  });

  const hf = HyperFormula.buildFromSheets(sheets, {
    licenseKey: "gpl-v3",
    // Report all significant digits: the default (10) would cut large euro sums.
    precisionRounding: 14,
    maxRows: Math.max(maxRows, 40_000),
  });
  return { hf, formulaCells, formulasPerSheet };
}

function compareAll(
  hf: HyperFormula,
  formulaCells: FormulaCellInfo[],
  formulasPerSheet: Record<string, number>,
): FormulaCheck {
  try {
    const mismatches: FormulaMismatch[] = [];
    for (const cell of formulaCells) {
      const sheetId = hf.getSheetId(cell.sheet);
      if (sheetId === undefined) throw new Error(`HyperFormula lost sheet ${cell.sheet}`);
      const computed = hf.getCellValue({ sheet: sheetId, row: cell.row - 1, col: cell.column - 1 });
      const value =
        typeof computed === "object" && computed !== null
          ? `#ERROR ${JSON.stringify(computed)}`
          : computed;
      if (!matches(cell.cached, value)) {
        mismatches.push({
          sheet: cell.sheet,
          address: cell.address,
          formula: cell.formula,
          cached: cell.cached,
          computed: value,
        });
      }
    }
    return { checked: formulaCells.length, mismatches, formulasPerSheet };
  } finally {
    hf.destroy();
  }
}
