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
  { header: "Los", width: 8, kind: "text" },
  { header: "Losbezeichnung", width: 26, kind: "text" },
  { header: "Produktgruppe", width: 16, kind: "text" },
  { header: "Bezeichnung", width: 28, kind: "text" },
  { header: "Einheit", width: 10, kind: "text" },
  {
    header: "Menge",
    width: 10,
    kind: "integer",
    note: "Gesamtmenge aller Partner über die ganze Laufzeit (Summe der Positionen).",
  },
  {
    header: "Höchstmenge",
    width: 12,
    kind: "integer",
    note: "Menge × (1 + Reserve), aufgerundet: die Höchstmenge, die der Rahmenvertrag nennt (EuGH C-23/20).",
  },
  {
    header: "Staffel ab",
    width: 10,
    kind: "integer",
    note: "Mindestmenge der Rabattstaffel, die für die Gesamtmenge gilt (0 = keine).",
  },
  { header: "Rabatt", width: 9, kind: "percent" },
  { header: "Grundpreis netto", width: 14, kind: "money" },
  {
    header: "Einzelpreis netto",
    width: 14,
    kind: "money",
    note: "Grundpreis × (1 − Rabatt), kaufmännisch auf Cent gerundet; die Formel rechnet in ganzen Cent.",
  },
  {
    header: "Geschätzter Wert netto",
    width: 17,
    kind: "money",
    note: "Höchstmenge × Einzelpreis (§ 3 VgV: einschließlich Optionen).",
  },
  { header: "USt-Satz", width: 9, kind: "percent" },
];

const LOT_HEADER: ColumnSpec[] = [
  { header: "Los", width: 8, kind: "text" },
  { header: "Losbezeichnung", width: 26, kind: "text" },
  { header: "Produktgruppen", width: 16, kind: "text" },
  {
    header: "Geschätzter Wert netto",
    width: 28,
    kind: "money",
    note: "Summe der geschätzten Werte der Produktgruppen des Loses.",
  },
  {
    header: "Kleinlos-Ausnahme",
    width: 10,
    kind: "text",
    note:
      "§ 3 Abs. 9 VgV, nur wenn ein EU-weites Verfahren erforderlich ist: Lose unter der Kleinlos-Grenze werden nach " +
      "aufsteigendem Wert (bei gleichem Wert nach Loskürzel) ausgenommen, solange ihre Summe höchstens die Quote des " +
      "Gesamtwerts erreicht; beim ersten Los, das nicht mehr passt, endet die Auswahl.",
  },
];

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

  const lots = new Map(tender.lots.map((lot) => [lot.code, lot]));
  const reserveFactor = onePlus(parseDecimal(tender.reserve));
  const positions = layout.positions;
  const categoryCodes = tender.categories.map((c) => c.code);
  const lotRows = new Map<string, RowRange>();
  for (const category of tender.categories) {
    const row = writer.currentRow;
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
      lots.get(category.lot)?.name ?? "",
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
      category.tierMinQuantity,
      decimalToCellNumber(category.discount),
      centsToCellNumber(category.basePriceNet),
      {
        formula: roundedMoneyTimes(
          cellRef(COL.basePrice, row),
          oneMinus(parseDecimal(category.discount)),
        ),
        result: centsToCellNumber(category.unitPriceNet),
      },
      {
        formula: `${cellRef(COL.maxQuantity, row)}*${cellRef(COL.unitPrice, row)}`,
        result: centsToCellNumber(category.estimatedValueNet),
      },
      decimalToCellNumber(category.vatRate),
    ]);
  }
  const lastCategoryRow = writer.currentRow - 1;
  writer.autoFilter(HEADER_ROW, lastCategoryRow);

  writer.blank();
  writer.header(LOT_HEADER);
  const firstLotRow = writer.currentRow;
  for (const lot of tender.lots) {
    // The categories of a lot stand together (lot order), so the lot's value is one SUM.
    const range = lotRows.get(lot.code);
    const value: CellValue = range
      ? {
          formula: `SUM(${rangeRef(COL.estimatedValue, range.first, range.last)})`,
          result: centsToCellNumber(lot.estimatedValueNet),
        }
      : centsToCellNumber(lot.estimatedValueNet);
    writer.row([
      lot.code,
      lot.name,
      lot.categories.join(", "),
      { value, kind: "money" },
      lot.smallLotExempt ? YES : NO,
    ]);
  }
  const lastLotRow = writer.currentRow - 1;

  writer.blank();
  const label = (
    text: string,
    value: CellValue,
    kind: "money" | "percent" | "text" = "money",
    note?: string,
  ): number => writer.row([null, { value: text, kind: "text" }, null, { value, kind, note }]);

  const lotValues = rangeRef(4, firstLotRow, lastLotRow);
  const totalRow = label(
    "Geschätzter Gesamtwert netto (§ 3 VgV)",
    lastLotRow >= firstLotRow
      ? { formula: `SUM(${lotValues})`, result: centsToCellNumber(tender.estimatedValueNet) }
      : centsToCellNumber(tender.estimatedValueNet),
  );
  const thresholdRow = label("EU-Schwellenwert netto", centsToCellNumber(tender.euThresholdNet));
  const verdict: FormulaCell = {
    // ROUND: a float sum of cents must not miss the threshold by a billionth.
    formula: `IF(ROUND(${cellRef(4, totalRow)},2)>=${cellRef(4, thresholdRow)},${formulaString(EU_VERDICT.required)},${formulaString(EU_VERDICT.national)})`,
    result: tender.euProcedureRequired ? EU_VERDICT.required : EU_VERDICT.national,
  };
  label(
    "Ergebnis",
    verdict,
    "text",
    "EU-weites Verfahren, wenn der geschätzte Gesamtwert den Schwellenwert erreicht oder übersteigt.",
  );
  label("Kleinlos-Grenze netto (je Los)", centsToCellNumber(settings.smallLotLimitNet));
  label("Kleinlos-Quote", decimalToCellNumber(settings.smallLotQuota), "percent");
  const quota = integerFraction(parseDecimal(settings.smallLotQuota));
  label(`Kontingent für Kleinlose (${percentLabel(settings.smallLotQuota)} des Gesamtwerts)`, {
    formula: `${cellRef(4, totalRow)}*${quota.numerator}/${quota.denominator}`,
    result: new Decimal(tender.estimatedValueNet.toString())
      .times(settings.smallLotQuota)
      .div(100)
      .toNumber(),
  });
  const exemptTotal = tender.lots
    .filter((lot) => lot.smallLotExempt)
    .reduce((sum, lot) => sum + lot.estimatedValueNet, 0n);
  label(
    "Summe der Kleinlos-Ausnahmen",
    lastLotRow >= firstLotRow
      ? {
          formula: `SUMIF(${rangeRef(5, firstLotRow, lastLotRow)},${formulaString(YES)},${lotValues})`,
          result: centsToCellNumber(exemptTotal),
        }
      : 0,
  );
  writer.commit();
}
