// Sheet "Positionen": per partner, year and product group the quantity, the unit
// prices (joint and solo) and the products quantity × price — the lines every other
// figure of the workbook sums up. Sorted by partner, then year, so that each
// partner-year is one contiguous block that Haushaltsjahre can sum.
import type ExcelJS from "exceljs";
import type { Cents } from "../domain/money";
import type { CostSplitContext } from "./cost-split-context";
import { HEADER_ROW, POSITION_COLUMNS as COL, TITLE_ROW } from "./cost-split-layout";
import { cellRef, centsToCellNumber, decimalToCellNumber } from "./formulas";
import { SheetWriter } from "./sheet-writer";
import type { ColumnSpec } from "./workbook-style";

const COLUMNS: ColumnSpec[] = [
  { header: "Partner", width: 10, kind: "text" },
  { header: "Schulträger", width: 26, kind: "text" },
  { header: "Haushaltsjahr", width: 9, kind: "year" },
  { header: "Los", width: 8, kind: "text" },
  { header: "Produktgruppe", width: 12, kind: "text" },
  { header: "Bezeichnung", width: 26, kind: "text" },
  { header: "Einheit", width: 9, kind: "text" },
  { header: "Menge", width: 9, kind: "integer" },
  { header: "USt-Satz", width: 8, kind: "percent" },
  {
    header: "Einzelpreis netto (gemeinsam)",
    width: 14,
    kind: "money",
    note: "Preis je Einheit mit der Staffel der gemeinsamen Gesamtmenge (siehe Blatt Lose).",
  },
  {
    header: "Netto (gemeinsam)",
    width: 15,
    kind: "money",
    note: "Menge × Einzelpreis (gemeinsam).",
  },
  {
    header: "Einzelpreis netto (allein)",
    width: 14,
    kind: "money",
    note: "Preis je Einheit, den der Partner mit seiner eigenen Gesamtmenge dieser Produktgruppe (ganze Laufzeit) erhielte.",
  },
  {
    header: "Netto (allein)",
    width: 15,
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
          centsToCellNumber(position.unitPriceNet),
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
