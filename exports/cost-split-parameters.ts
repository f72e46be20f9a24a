// Sheet "Parameter": the settings behind the figures (term, reserve, own procedure
// cost, thresholds), the volume tiers, the time of creation, the snapshot version and
// the app version, and the rules in short German sentences.
import type ExcelJS from "exceljs";
import type { CostSplitContext } from "./cost-split-context";
import { COMMON_COST_COLUMNS, PARAMETER_ROWS, SHEET } from "./cost-split-layout";
import { cellRef, centsToCellNumber, decimalToCellNumber } from "./formulas";
import { berlinWallClock, germanDateTime } from "./german-text";
import { SheetWriter, type CellValue } from "./sheet-writer";
import type { CellKind, ColumnSpec } from "./workbook-style";

const COLUMNS: ColumnSpec[] = [
  { header: "Parameter", width: 36, kind: "wrap" },
  { header: "Wert", width: 20, kind: "text" },
  { header: "Erläuterung", width: 52, kind: "wrap" },
  { header: "", width: 10, kind: "text" },
  { header: "", width: 8, kind: "text" },
  { header: "", width: 10, kind: "text" },
];

const TIER_HEADER: ColumnSpec[] = [
  { header: "Produktgruppe", width: 0, kind: "text" },
  { header: "Bezeichnung", width: 0, kind: "text" },
  { header: "Grundpreis netto", width: 0, kind: "money" },
  { header: "ab Menge", width: 0, kind: "integer" },
  { header: "Rabatt", width: 0, kind: "percent" },
  { header: "angewandt", width: 0, kind: "text" },
];

export const RULES_TEXT: readonly string[] = [
  "Rechenregeln (Kurzfassung)",
  "Einzelpreis: Grundpreis × (1 − Rabatt der Staffel), kaufmännisch auf Cent gerundet. Es gilt die Staffel mit der größten Mindestmenge, die die Menge erreicht; der Rabatt gilt für alle Einheiten.",
  "Gemeinsamer Preis: Staffel nach der Gesamtmenge aller Partner über die ganze Laufzeit. Preis allein: Staffel nach der eigenen Gesamtmenge des Partners.",
  "Netto je Partner und Jahr: Summe Menge × Einzelpreis. Umsatzsteuer: je Partner, Jahr und Steuersatz einmal kaufmännisch auf Cent gerundet.",
  "Gemeinkosten: jeder Posten einzeln nach seinem Schlüssel auf die teilnehmenden Partner verteilt, centgenau nach dem Verfahren der größten Reste; der Anteil wird im ersten Jahr gebucht.",
  "Einzelbeschaffung: eigene Menge zu Preisen allein (brutto) plus die Kosten eines eigenen Vergabeverfahrens. Ersparnis = Einzelbeschaffung − (Direkt brutto + Anteil Gemeinkosten).",
  "Höchstmenge je Produktgruppe: Gesamtmenge × (1 + Reserve), aufgerundet. Geschätzter Auftragswert (§ 3 VgV): Summe Höchstmenge × Einzelpreis, netto.",
  "EU-weites Verfahren, wenn der geschätzte Gesamtwert den EU-Schwellenwert erreicht. Kleinlose (§ 3 Abs. 9 VgV): Lose unter der Kleinlos-Grenze, solange ihre Summe höchstens die Quote des Gesamtwerts ausmacht.",
  "Alle Beträge sind exakt in Cent berechnet; Summen und Produkte in dieser Mappe sind Formeln, deren gespeicherte Werte den Ergebnissen der Anwendung entsprechen.",
];

export function writeParametersSheet(sheet: ExcelJS.Worksheet, context: CostSplitContext): void {
  const { tender, settings, meta, layout } = context;
  const writer = new SheetWriter(sheet, COLUMNS);
  writer.title(`Parameter – ${context.documentLabel}`);
  writer.header(COLUMNS.slice(0, 3));

  const put = (label: string, value: CellValue, kind: CellKind = "text", note?: string): number =>
    writer.row([label, { value, kind }, note ?? null]);

  const lastYear = tender.startYear + tender.termYears - 1;
  put("Ausschreibung (Kürzel)", tender.code);
  put("Bezeichnung", tender.name);
  put("Erstes Haushaltsjahr", tender.startYear, "year");
  put(
    "Laufzeit (Jahre)",
    tender.termYears,
    "integer",
    "§ 21 VgV: ein Rahmenvertrag läuft höchstens 4 Jahre.",
  );
  put(
    "Haushaltsjahre",
    tender.termYears > 1 ? `${tender.startYear}–${lastYear}` : String(tender.startYear),
  );
  put(
    "Reserve für Höchstmengen",
    decimalToCellNumber(tender.reserve),
    "percent",
    "Aufschlag auf die Gesamtmenge für die Höchstmenge.",
  );
  if (writer.currentRow !== PARAMETER_ROWS.soloProcessCost)
    throw new Error("Parameter: rows out of step");
  put(
    "Kosten eines eigenen Vergabeverfahrens (brutto, je Partner)",
    centsToCellNumber(tender.soloProcessCostGross),
    "money",
    "Wird in der Einzelbeschaffung jedes teilnehmenden Partners einmal angesetzt (Übersicht).",
  );
  put("EU-Schwellenwert netto", centsToCellNumber(settings.euThresholdNet), "money");
  put("Kleinlos-Grenze netto (je Los)", centsToCellNumber(settings.smallLotLimitNet), "money");
  put("Kleinlos-Quote", decimalToCellNumber(settings.smallLotQuota), "percent");
  put(
    "Teilnehmende Partner",
    tender.participants.length,
    "integer",
    "Partner mit einer Menge größer 0 in dieser Ausschreibung.",
  );
  put(
    "Gemeinkosten gesamt (brutto)",
    layout.commonCostItems.length > 0
      ? {
          formula: cellRef(COMMON_COST_COLUMNS.share, layout.commonCostTotalRow, {
            sheet: SHEET.commonCosts,
          }),
          result: centsToCellNumber(tender.commonCostsTotal),
        }
      : 0,
    "money",
  );
  put("Stand", context.stateLabel);
  put(
    "Beschlussstand (Version)",
    meta.snapshot ? meta.snapshot.version : "– (aktueller Planungsstand)",
    meta.snapshot ? "integer" : "text",
  );
  if (meta.snapshot) {
    put("Beschlussstand gespeichert am", germanDateTime(new Date(meta.snapshot.createdAt)));
    if (meta.snapshot.createdBy) put("Beschlussstand gespeichert von", meta.snapshot.createdBy);
    if (meta.snapshot.comment) put("Kommentar zum Beschlussstand", meta.snapshot.comment);
    if (meta.snapshot.matchesStoredResult === false) {
      put(
        "Hinweis",
        "Abweichung",
        "text",
        "Die heutige Berechnung des gespeicherten Plans weicht vom damals gespeicherten Ergebnis ab (geänderte Rechenregel). Diese Mappe zeigt die heutige Berechnung.",
      );
    }
  }
  put(
    "Erstellt am",
    berlinWallClock(meta.createdAt),
    "dateTime",
    "Zeitpunkt dieses Exports (deutsche Zeit).",
  );
  put("Programmversion", `Verbundkauf ${meta.appVersion}`);

  writer.blank();
  writer.row([{ value: "Rabattstaffeln", kind: "text" }], { total: true });
  writer.header(TIER_HEADER);
  for (const category of tender.categories) {
    const tiers = meta.tiers?.get(category.code);
    const listed =
      tiers ??
      (category.tierMinQuantity > 0
        ? [{ minQuantity: category.tierMinQuantity, discount: category.discount }]
        : []);
    const sorted = [...listed].sort((a, b) => a.minQuantity - b.minQuantity);
    if (sorted.length === 0) {
      writer.row([
        category.code,
        category.name,
        { value: centsToCellNumber(category.basePriceNet), kind: "money" },
        "keine Staffel",
      ]);
    }
    for (const tier of sorted) {
      writer.row([
        category.code,
        category.name,
        { value: centsToCellNumber(category.basePriceNet), kind: "money" },
        { value: tier.minQuantity, kind: "integer" },
        { value: decimalToCellNumber(tier.discount), kind: "percent" },
        tier.minQuantity === category.tierMinQuantity ? "gemeinsam" : null,
      ]);
    }
  }

  writer.blank();
  RULES_TEXT.forEach((line, index) =>
    writer.paragraph(line, COLUMNS.length, { total: index === 0 }),
  );
  writer.commit();
}
