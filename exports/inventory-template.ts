// The Excel template of one partner's installed base (Bestand): the demand template's
// layout (exports/demand-template.ts) with purchase years as columns, its own sheet
// name and format tag (so a demand template is never taken for an inventory one, or
// the other way round) and its own instructions. Parsing reuses the demand parser.
import {
  buildDemandTemplate,
  DEMAND_TEMPLATE,
  type DemandTemplateInput,
  type TemplateVariant,
} from "./demand-template";
import type { GridTemplateKind } from "./grid-template";
import {
  parseDemandTemplate,
  type TemplateExpectation,
  type TemplateParseResult,
} from "./demand-template-import";
import { MAX_CELL_QUANTITY, type DemandGrid } from "../domain/demand-grid";

export const INVENTORY_TEMPLATE_FORMAT = "verbundkauf/inventory-template@1";
export const INVENTORY_SHEET = "Bestand";

const berlinDateTime = (d: Date) =>
  new Intl.DateTimeFormat("de-DE", {
    timeZone: "Europe/Berlin",
    dateStyle: "medium",
    timeStyle: "short",
  }).format(d);

function guideLines(input: DemandTemplateInput, years: readonly number[]): [string, boolean?][] {
  const span = years.length > 0 ? `${years[0]}–${years[years.length - 1]}` : "–";
  return [
    [`Bestand ${input.partner.name} – Anleitung`, true],
    [""],
    [
      `Diese Vorlage gehört zu ${input.partner.name} (${input.partner.code}). Sie enthält Ihre Schulen, alle Produktgruppen und die Anschaffungsjahre ${span} mit dem Bestand, der beim Herunterladen gespeichert war (${berlinDateTime(input.generatedAt)} Uhr).`,
    ],
    [""],
    ["So gehen Sie vor", true],
    [
      `1. Öffnen Sie das Blatt „${INVENTORY_SHEET}“. Tragen Sie in den gelben Feldern ein, wie viele Geräte je Schule und Produktgruppe im jeweiligen Jahr angeschafft wurden – außerhalb der gemeinsamen Ausschreibungen (z. B. aus eigenen Beschaffungen oder Förderprogrammen).`,
    ],
    [
      `2. Erlaubt sind ganze Zahlen von 0 bis ${MAX_CELL_QUANTITY.toLocaleString("de-DE")}. Ein leeres Feld bedeutet 0.`,
    ],
    [
      "3. In der Spalte „Begründung“ nennen Sie je Zeile die Quelle der Zahlen (z. B. Inventarliste, Stand).",
    ],
    [
      "4. Speichern Sie die Datei als Excel-Arbeitsmappe (.xlsx) und laden Sie sie in Verbundkauf auf der Seite „Bestand“ hoch.",
    ],
    [
      "5. Verbundkauf zeigt Ihnen vor dem Übernehmen jede Änderung (alter Wert → neuer Wert). Erst nach Ihrer Bestätigung wird gespeichert – alles oder nichts.",
    ],
    [""],
    ["Wofür der Bestand gebraucht wird", true],
    [
      "• Aus Anschaffungsjahr und Nutzungsdauer der Produktgruppe berechnet Verbundkauf, wann Geräte ersetzt werden müssen, und schlägt den Ersatz in der Bedarfsmeldung vor.",
    ],
    [
      "• Die Geräte im Einsatz bestimmen den Personalbedarf für den Schul-IT-Support (allein oder gemeinsam).",
    ],
    [""],
    ["Gut zu wissen", true],
    [
      "• Die Blätter sind geschützt. Bitte keine Zeilen oder Spalten einfügen, löschen oder sortieren.",
    ],
    [
      "• Enthält die Datei ein ungültiges Feld, wird nichts übernommen; Verbundkauf nennt Blatt und Zelle mit dem Fehler.",
    ],
    [
      "• Hat jemand den Bestand nach dem Herunterladen geändert, werden Sie vor dem Überschreiben gewarnt.",
    ],
  ];
}

/** The demand grid's layout with its own format tag, sheet and name. */
export const INVENTORY_KIND: GridTemplateKind = {
  ...DEMAND_TEMPLATE,
  format: INVENTORY_TEMPLATE_FORMAT,
  dataSheet: INVENTORY_SHEET,
  templateName: "Bestandsvorlage",
};

export const INVENTORY_TEMPLATE: TemplateVariant = {
  kind: INVENTORY_KIND,
  title: "Bestand",
  guideLines,
};

export function buildInventoryTemplate(input: {
  partner: { code: string; name: string };
  grids: readonly DemandGrid[];
  generatedAt: Date;
}): Promise<Buffer> {
  return buildDemandTemplate({ ...input, variant: INVENTORY_TEMPLATE });
}

export function parseInventoryTemplate(
  bytes: Uint8Array,
  expected: TemplateExpectation,
): Promise<TemplateParseResult> {
  return parseDemandTemplate(bytes, expected, INVENTORY_KIND);
}
