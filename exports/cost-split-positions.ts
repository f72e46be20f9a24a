// Sheet "Positionen": per partner, year and product group the quantity, the unit
// prices (joint and solo) and the products quantity × price — the lines every other
// figure of the workbook sums up. Sorted by partner, then year, so that each
// partner-year is one contiguous block that Haushaltsjahre can sum.
import type ExcelJS from "exceljs";
import type { Cents } from "../domain/money";
import type { CostSplitContext } from "./cost-split-context";
import {
  HEADER_ROW,
  LOT_CATEGORY_COLUMNS,
  POSITION_COLUMNS as COL,
  SHEET,
  TITLE_ROW,
} from "./cost-split-layout";
import { cellRef, centsToCellNumber, decimalToCellNumber } from "./formulas";
import { SheetWriter } from "./sheet-writer";
import type { ColumnSpec } from "./workbook-style";

const COLUMNS: ColumnSpec[] = [
  { header: "Partner", width: 7, kind: "text" },
  { header: "Schulträger", width: 18, kind: "text" },
  { header: "Jahr", width: 6, kind: "year" },
  { header: "Los", width: 6, kind: "text" },
  { header: "Produktgruppe", width: 10, kind: "text" },
  { header: "Bezeichnung", width: 20, kind: "text" },
  { header: "Einheit", width: 7, kind: "text" },
  { header: "Menge", width: 7, kind: "integer" },
  { header: "USt-Satz", width: 7, kind: "percent" },
  {
    header: "Einzelpreis netto (gemeinsam)",
    width: 11,
    kind: "money",
    note: "Der maßgebliche Preis je Einheit der Produktgruppe auf dem Blatt Lose (Zuschlagspreis, sonst Schätzpreis mit der Staffel der gemeinsamen Gesamtmenge): eine Änderung dort wirkt hier und auf allen Blättern.",
  },
  {
    header: "Netto (gemeinsam)",
    width: 12,
    kind: "money",
    note: "Menge × Einzelpreis (gemeinsam).",
  },
  {
    header: "Einzelpreis netto (allein)",
    width: 11,
    kind: "money",
    note: "Preis je Einheit, den der Partner mit seiner eigenen Gesamtmenge dieser Produktgruppe (ganze Laufzeit) erhielte.",
  },
  {
    header: "Netto (allein)",
    width: 12,
    kind: "money",
    note: "Menge × Einzelpreis (allein): Vergleich Einzelbeschaffung.",
  },
];

export async function writePositionsSheet(
  sheet: ExcelJS.Worksheet,
  context: CostSplitContext,
): Promise<void> {
  const { tender, layout } = context;
  const writer = new SheetWriter(sheet, COLUMNS);
  writer.title(`Positionen – ${context.documentLabel}`);
  writer.header();
  if (writer.currentRow !== HEADER_ROW + 1 || TITLE_ROW !== 1)
    throw new Error("Positionen: layout out of step");

  const categories = new Map(tender.categories.map((c) => [c.code, c]));
  const soloPrices = new Map<string, Cents>();
  for (const category of tender.categories) {
    for (const solo of category.soloPrices)
      soloPrices.set(`${solo.partner}\u0000${category.code}`, solo.unitPriceNet);
  }

  for (const partner of tender.partners) {
    for (const year of partner.years) {
      const expected = layout.positionsOf(partner.code, year.year);
      if (expected && writer.currentRow !== expected.first)
        throw new Error("Positionen: rows out of step");
      for (const position of year.positions) {
        const category = categories.get(position.category);
        if (!category) throw new Error(`Position of unknown category ${position.category}`);
        const soloPrice = soloPrices.get(`${partner.code}\u0000${position.category}`);
        if (soloPrice === undefined)
          throw new Error(`No solo price for ${partner.code} ${position.category}`);
        const row = writer.currentRow;
        writer.row([
          partner.code,
          partner.name,
          year.year,
          category.lot,
          category.code,
          category.name,
          category.unit ?? null,
          position.quantity,
          decimalToCellNumber(position.vatRate),
          {
            // The category's price on Lose: a what-if change there flows through every sheet.
            formula: cellRef(LOT_CATEGORY_COLUMNS.unitPrice, layout.lotCategoryRow(category.code), {
              sheet: SHEET.lots,
              absolute: true,
            }),
            result: centsToCellNumber(position.unitPriceNet),
          },
          {
            formula: `${cellRef(COL.quantity, row)}*${cellRef(COL.unitPrice, row)}`,
            result: centsToCellNumber(position.net),
          },
          centsToCellNumber(soloPrice),
          {
            // Solo net of one line: the engine's solo price times the quantity.
            formula: `${cellRef(COL.quantity, row)}*${cellRef(COL.soloUnitPrice, row)}`,
            result: centsToCellNumber(BigInt(position.quantity) * soloPrice),
          },
        ]);
        await writer.pause();
      }
    }
  }
  writer.autoFilter(HEADER_ROW, writer.currentRow - 1);
  writer.commit();
}
