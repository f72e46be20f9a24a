// Sheet "Lose": the product groups of each lot with quantity, maximum quantity, tier,
// base and joint unit price and estimated value (CALCULATION.md §3, §6); below, the
// lots with their values, the EU threshold and its verdict, and the small-lot
// exemptions (§ 3 Abs. 9 VgV).
import type ExcelJS from "exceljs";
import Decimal from "decimal.js";
import { onePlus, oneMinus, parseDecimal, pow10, type ExactDecimal } from "../domain/decimal";
import { divCeil } from "../domain/money";
import type { CostSplitContext } from "./cost-split-context";
import {
  HEADER_ROW,
  isPlainCriterion,
  LOT_CATEGORY_COLUMNS as COL,
  LOT_TABLE_COLUMNS as LOT_COL,
  POSITION_COLUMNS,
  SHEET,
  type RowRange,
} from "./cost-split-layout";
import {
  cellRef,
  centsToCellNumber,
  decimalToCellNumber,
  formulaString,
  integerFraction,
  rangeRef,
  roundedMoneyTimes,
  roundedUpQuantityTimes,
  type FormulaCell,
} from "./formulas";
import { percentLabel } from "./german-text";
import { SheetWriter, type CellInput, type CellValue } from "./sheet-writer";
import type { ColumnSpec } from "./workbook-style";

export const EU_VERDICT = {
  required: "EU-weites Verfahren erforderlich",
  national: "Nationale Vergabe",
} as const;
const YES = "ja";
const NO = "nein";

const COLUMNS: ColumnSpec[] = [
  { header: "Los", width: 6, kind: "text" },
  { header: "Produktgruppe", width: 11, kind: "text" },
  { header: "Bezeichnung", width: 19, kind: "wrap" },
  { header: "Einheit", width: 7, kind: "text" },
  {
    header: "Menge",
    width: 8,
    kind: "integer",
    note: "Gesamtmenge aller Partner über die ganze Laufzeit (Summe der Positionen).",
  },
  {
    header: "Höchstmenge",
    width: 9,
    kind: "integer",
    note: "Menge × (1 + Reserve), aufgerundet: die Höchstmenge, die der Rahmenvertrag nennt (EuGH C-23/20).",
  },
  {
    header: "Staffel ab",
    width: 8,
    kind: "integer",
    note: "Mindestmenge der Rabattstaffel, die für die Gesamtmenge gilt (0 = keine).",
  },
  { header: "Rabatt", width: 7, kind: "percent" },
  { header: "Grundpreis netto", width: 11, kind: "money" },
  {
    header: "Schätzpreis netto",
    width: 11,
    kind: "money",
    note: "Grundpreis × (1 − Rabatt), kaufmännisch auf Cent gerundet; die Formel rechnet in ganzen Cent.",
  },
  {
    header: "Zuschlagspreis netto",
    width: 11,
    kind: "money",
    note: "Der Einzelpreis aus dem Zuschlag; leer, solange das Los nicht vergeben ist.",
  },
  {
    header: "Einzelpreis netto (maßgeblich)",
    width: 11,
    kind: "money",
    note: "Der Preis, mit dem alle Blätter rechnen: der Zuschlagspreis, wo das Los vergeben ist, sonst der Schätzpreis. Eine Änderung hier wirkt auf Positionen, Haushaltsjahre, Übersicht und Gemeinkosten.",
  },
  {
    header: "Geschätzter Wert netto",
    width: 13,
    kind: "money",
    note: "Höchstmenge × Schätzpreis (§ 3 VgV: einschließlich Optionen).",
  },
  { header: "USt-Satz", width: 7, kind: "percent" },
];

/** The lot table below the categories: the same columns, so only some are used. */
const LOT_HEADER: ColumnSpec[] = [];
LOT_HEADER[LOT_COL.lot - 1] = { header: "Los", width: 0, kind: "text" };
LOT_HEADER[LOT_COL.categories - 1] = { header: "Produktgruppen", width: 0, kind: "wrap" };
LOT_HEADER[LOT_COL.lotName - 1] = { header: "Losbezeichnung", width: 0, kind: "wrap" };
LOT_HEADER[LOT_COL.smallLotExempt - 1] = {
  header: "Kleinlos-Ausnahme",
  width: 0,
  kind: "text",
  note:
    "§ 3 Abs. 9 VgV, nur wenn ein EU-weites Verfahren erforderlich ist: Lose unter der Kleinlos-Grenze werden nach " +
    "aufsteigendem Wert (bei gleichem Wert nach Loskürzel) ausgenommen, solange ihre Summe höchstens die Quote des " +
    "Gesamtwerts erreicht; beim ersten Los, das nicht mehr passt, endet die Auswahl.",
};
LOT_HEADER[LOT_COL.value - 1] = {
  header: "Geschätzter Wert netto",
  width: 0,
  kind: "money",
  note: "Summe der geschätzten Werte der Produktgruppen des Loses.",
};

/** plan@2 `maxQuantities` (§11): a stated maximum above the computed one stands in a MAX(). */
function statedMaximum(
  computed: string,
  quantity: number,
  factor: ExactDecimal,
  maxQuantity: number,
): string {
  const ceil = divCeil(BigInt(quantity) * factor.units, pow10(factor.scale));
  return BigInt(maxQuantity) > ceil ? `MAX(${computed},${maxQuantity})` : computed;
}

export function writeLotsSheet(sheet: ExcelJS.Worksheet, context: CostSplitContext): void {
  const { tender, layout, settings } = context;
  const writer = new SheetWriter(sheet, COLUMNS);
  writer.title(`Lose und Schwellenwert – ${context.documentLabel}`);
  writer.header();

  // After the award `tender` prices awarded categories at their awarded price; the
  // estimate (base price, tier, estimated value, EU threshold) stays that of the plan.
  const estimate = context.estimate ?? tender;
  const estimatedCategories = new Map(estimate.categories.map((c) => [c.code, c]));
  const reserveFactor = onePlus(parseDecimal(tender.reserve));
  const positions = layout.positions;
  const categoryCodes = tender.categories.map((c) => c.code);
  const lotRows = new Map<string, RowRange>();
  for (const category of tender.categories) {
    const row = writer.currentRow;
    if (row !== layout.lotCategoryRow(category.code)) throw new Error("Lose: rows out of step");
    const estimated = estimatedCategories.get(category.code) ?? category;
    const awardedPrice = context.awardedPrices?.get(category.code);
    const lotRange = lotRows.get(category.lot);
    lotRows.set(category.lot, { first: lotRange?.first ?? row, last: row });
    const quantity: CellInput =
      positions && isPlainCriterion(category.code, categoryCodes)
        ? {
            formula: `SUMIF(${rangeRef(POSITION_COLUMNS.category, positions.first, positions.last, { sheet: SHEET.positions, absolute: true })},${cellRef(COL.category, row)},${rangeRef(POSITION_COLUMNS.quantity, positions.first, positions.last, { sheet: SHEET.positions, absolute: true })})`,
            result: category.quantity,
          }
        : {
            value: category.quantity,
            note: "Summe der Positionen dieser Produktgruppe, als Wert: das Kürzel taugt nicht als Suchkriterium einer Formel.",
          };
    writer.row([
      category.lot,
      category.code,
      category.name,
      category.unit ?? null,
      quantity,
      {
        formula: statedMaximum(
          roundedUpQuantityTimes(cellRef(COL.quantity, row), reserveFactor),
          category.quantity,
          reserveFactor,
          category.maxQuantity,
        ),
        result: category.maxQuantity,
      },
      estimated.tierMinQuantity,
      decimalToCellNumber(estimated.discount),
      centsToCellNumber(estimated.basePriceNet),
      {
        formula: roundedMoneyTimes(
          cellRef(COL.basePrice, row),
          oneMinus(parseDecimal(estimated.discount)),
        ),
        result: centsToCellNumber(estimated.unitPriceNet),
      },
      awardedPrice === undefined ? null : centsToCellNumber(awardedPrice),
      {
        formula: cellRef(awardedPrice === undefined ? COL.estimatedPrice : COL.awardedPrice, row),
        result: centsToCellNumber(category.unitPriceNet),
      },
      {
        formula: `${cellRef(COL.maxQuantity, row)}*${cellRef(COL.estimatedPrice, row)}`,
        result: centsToCellNumber(estimated.estimatedValueNet),
      },
      decimalToCellNumber(category.vatRate),
    ]);
  }
  const lastCategoryRow = writer.currentRow - 1;
  writer.autoFilter(HEADER_ROW, lastCategoryRow);

  writer.blank();
  writer.header(LOT_HEADER);
  const firstLotRow = writer.currentRow;
  const lotCells = (cells: Partial<Record<keyof typeof LOT_COL, CellInput>>): CellInput[] => {
    const row: CellInput[] = new Array(LOT_COL.value).fill(null);
    for (const [name, value] of Object.entries(cells))
      row[LOT_COL[name as keyof typeof LOT_COL] - 1] = value;
    return row;
  };
  for (const lot of estimate.lots) {
    // The categories of a lot stand together (lot order), so the lot's value is one SUM.
    const range = lotRows.get(lot.code);
    const value: CellValue = range
      ? {
          formula: `SUM(${rangeRef(COL.estimatedValue, range.first, range.last)})`,
          result: centsToCellNumber(lot.estimatedValueNet),
        }
      : centsToCellNumber(lot.estimatedValueNet);
    writer.row(
      lotCells({
        lot: lot.code,
        categories: { value: lot.categories.join(", "), kind: "wrap" },
        lotName: { value: lot.name, kind: "wrap" },
        smallLotExempt: lot.smallLotExempt ? YES : NO,
        value: { value, kind: "money" },
      }),
    );
  }
  const lastLotRow = writer.currentRow - 1;

  writer.blank();
  const label = (
    text: string,
    value: CellValue,
    kind: "money" | "percent" | "wrap" = "money",
    note?: string,
  ): number =>
    writer.row(lotCells({ lotName: { value: text, kind: "text" }, value: { value, kind, note } }));

  const lotValues = rangeRef(LOT_COL.value, firstLotRow, lastLotRow);
  const valueCell = (row: number) => cellRef(LOT_COL.value, row);
  const totalRow = label(
    "Geschätzter Gesamtwert netto (§ 3 VgV)",
    lastLotRow >= firstLotRow
      ? { formula: `SUM(${lotValues})`, result: centsToCellNumber(estimate.estimatedValueNet) }
      : centsToCellNumber(estimate.estimatedValueNet),
  );
  const thresholdRow = label("EU-Schwellenwert netto", centsToCellNumber(estimate.euThresholdNet));
  const verdict: FormulaCell = {
    // ROUND: a float sum of cents must not miss the threshold by a billionth.
    formula: `IF(ROUND(${valueCell(totalRow)},2)>=${valueCell(thresholdRow)},${formulaString(EU_VERDICT.required)},${formulaString(EU_VERDICT.national)})`,
    result: estimate.euProcedureRequired ? EU_VERDICT.required : EU_VERDICT.national,
  };
  label(
    "Ergebnis",
    verdict,
    "wrap", // wraps inside its column: overflowing text would widen the printed page
    "EU-weites Verfahren, wenn der geschätzte Gesamtwert den Schwellenwert erreicht oder übersteigt.",
  );
  label("Kleinlos-Grenze netto (je Los)", centsToCellNumber(settings.smallLotLimitNet));
  label("Kleinlos-Quote", decimalToCellNumber(settings.smallLotQuota), "percent");
  const quota = integerFraction(parseDecimal(settings.smallLotQuota));
  label(`Kontingent für Kleinlose (${percentLabel(settings.smallLotQuota)} des Gesamtwerts)`, {
    formula: `${valueCell(totalRow)}*${quota.numerator}/${quota.denominator}`,
    result: new Decimal(estimate.estimatedValueNet.toString())
      .times(settings.smallLotQuota)
      .div(100)
      .toNumber(),
  });
  const exemptTotal = estimate.lots
    .filter((lot) => lot.smallLotExempt)
    .reduce((sum, lot) => sum + lot.estimatedValueNet, 0n);
  label(
    "Summe der Kleinlos-Ausnahmen",
    lastLotRow >= firstLotRow
      ? {
          formula: `SUMIF(${rangeRef(LOT_COL.smallLotExempt, firstLotRow, lastLotRow)},${formulaString(YES)},${lotValues})`,
          result: centsToCellNumber(exemptTotal),
        }
      : 0,
  );
  writer.commit();
}
