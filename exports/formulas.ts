// Building blocks for the formulas in exported workbooks, and the cell values that
// go with them. Cell numbers come from the engine's exact figures as text
// (Number("1234.56")), never from float arithmetic on euros.
//
// Where a rule multiplies money by a rate (VAT, discount, reserve) the formula works
// in whole cents with the rate as an integer fraction, e.g. VAT 19 %:
//   ROUND(ROUND(net*100,0)*19/100,0)/100
// In binary floating point `net*0.19` can land just below a half cent (12.50 € ×
// 0.19 = 2.37499…), and spreadsheet programs differ in how ROUND repairs that; with
// whole cents times an integer, divided once, every half cent is exact, so Excel,
// LibreOffice and HyperFormula all give the engine's cent.
import { formatMoney, type Cents } from "../domain/money";
import { normalizeDecimal, parseDecimal, pow10, type ExactDecimal } from "../domain/decimal";
import { columnLetter } from "./workbook-style";

/** A formula cell with its cached result, as exceljs writes it (no leading "="). */
export interface FormulaCell {
  formula: string;
  result: number | string;
}

/** Euros for a cell, exact to the cent as far as a double can hold it. */
export function centsToCellNumber(cents: Cents): number {
  // Whole cents below 2^53 are exact as a double, and one IEEE division is correctly
  // rounded: the same double as parsing "1234.56", without building the text (hot path).
  const asNumber = Number(cents);
  return Number.isSafeInteger(asNumber) ? asNumber / 100 : Number(formatMoney(cents));
}

/** A decimal string from the engine ("0.19", "56100.45") as a cell number. */
export function decimalToCellNumber(text: string): number {
  return Number(text);
}

/** Sheet names are always quoted: several have umlauts ("Übersicht"). */
export function sheetPrefix(sheet: string): string {
  return `'${sheet.replaceAll("'", "''")}'!`;
}

export function cellRef(
  column: number,
  row: number,
  options: { sheet?: string; absolute?: boolean } = {},
): string {
  const dollar = options.absolute ? "$" : "";
  return `${options.sheet ? sheetPrefix(options.sheet) : ""}${dollar}${columnLetter(column)}${dollar}${row}`;
}

export function rangeRef(
  column: number,
  firstRow: number,
  lastRow: number,
  options: { sheet?: string; absolute?: boolean } = {},
): string {
  const dollar = options.absolute ? "$" : "";
  const letter = columnLetter(column);
  return `${options.sheet ? sheetPrefix(options.sheet) : ""}${dollar}${letter}${dollar}${firstRow}:${dollar}${letter}${dollar}${lastRow}`;
}

/** A string literal inside a formula ("" doubles quotes). */
export function formulaString(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}

/** numerator/denominator of a decimal in lowest terms, as formula text: "19/100", "11/10". */
export function integerFraction(value: ExactDecimal): { numerator: bigint; denominator: bigint } {
  const { units, scale } = normalizeDecimal(value);
  let numerator = units;
  let denominator = pow10(scale);
  const divisor = gcd(numerator < 0n ? -numerator : numerator, denominator);
  if (divisor > 1n) {
    numerator /= divisor;
    denominator /= divisor;
  }
  return { numerator, denominator };
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

function timesFraction(expression: string, factor: ExactDecimal): string {
  const { numerator, denominator } = integerFraction(factor);
  return denominator === 1n
    ? `${expression}*${numerator}`
    : `${expression}*${numerator}/${denominator}`;
}

/**
 * money × factor, commercially rounded to the cent, computed in whole cents:
 * ROUND(ROUND(x*100,0)*19/100,0)/100. `expression` must evaluate to euros >= 0.
 */
export function roundedMoneyTimes(expression: string, factor: string | ExactDecimal): string {
  const exact = typeof factor === "string" ? parseDecimal(factor) : factor;
  const { numerator, denominator } = integerFraction(exact);
  if (numerator === denominator) return expression; // factor 1 (no discount): nothing to round
  return `ROUND(${timesFraction(`ROUND(${expression}*100,0)`, exact)},0)/100`;
}

/** quantity × factor rounded up to a whole number: ROUNDUP(q*11/10,0). */
export function roundedUpQuantityTimes(expression: string, factor: ExactDecimal): string {
  const { numerator, denominator } = integerFraction(factor);
  if (numerator === denominator) return expression;
  return `ROUNDUP(${timesFraction(expression, factor)},0)`;
}
