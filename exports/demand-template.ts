// The Excel template of one partner's demand: a sheet "Bedarf" pre-filled with every
// school × category line (codes shown in their own columns) and the current quantities
// per year, an instruction sheet "Anleitung", and a very hidden sheet "_meta" with the
// codes, names and values of every row at download time. The layout and the reading
// are the shared grid template (grid-template.ts); this file only says what is demand.
import {
  MAX_CELL_QUANTITY,
  MAX_JUSTIFICATION_LENGTH,
  type DemandGrid,
} from "../domain/demand-grid";
import {
  buildGridTemplate,
  gridColumns,
  LAYOUT as GRID_LAYOUT,
  type GridTemplateKind,
} from "./grid-template";

export { columnLetter, META_SHEET } from "./grid-template";

export const TEMPLATE_FORMAT = "verbundkauf/demand-template@2";
export const DATA_SHEET = "Bedarf";
export const GUIDE_SHEET = "Anleitung";

export const DEMAND_TEMPLATE: GridTemplateKind = {
  format: TEMPLATE_FORMAT,
  dataSheet: DATA_SHEET,
  guideSheet: GUIDE_SHEET,
  keys: [
    { codeHeader: "Schulkürzel", nameHeader: "Schule", codeWidth: 9, nameWidth: 26 },
    { codeHeader: "Gruppenkürzel", nameHeader: "Produktgruppe", codeWidth: 9, nameWidth: 18 },
  ],
  unitHeader: "Einheit",
  note: { header: "Begründung (optional)", maxLength: MAX_JUSTIFICATION_LENGTH },
  maxValue: MAX_CELL_QUANTITY,
  templateName: "Bedarfsvorlage",
};

const COLUMNS = gridColumns(DEMAND_TEMPLATE, 0);

/** Layout of the data sheet (the year columns start at `firstYearColumn`). */
export const LAYOUT = {
  ...GRID_LAYOUT,
  schoolCodeColumn: COLUMNS.codeColumns[0],
  schoolColumn: COLUMNS.nameColumns[0],
  categoryCodeColumn: COLUMNS.codeColumns[1],
  categoryColumn: COLUMNS.nameColumns[1],
  unitColumn: COLUMNS.unitColumn!,
  firstYearColumn: COLUMNS.firstValueColumn,
} as const;

/** Another template of the demand grid's shape (the inventory template): own kind, title and guide. */
export interface TemplateVariant {
  kind: GridTemplateKind;
  /** "Bedarfsmeldung": the sheet title is "<title> <partner>". */
  title: string;
  guideLines: (input: DemandTemplateInput, years: readonly number[]) => [string, boolean?][];
}

export interface DemandTemplateInput {
  /** Defaults to the demand template. */
  variant?: TemplateVariant;
  partner: { code: string; name: string };
  grids: readonly DemandGrid[];
  generatedAt: Date;
  /** "31.03.2027, 18:00 Uhr", shown in the instructions. */
  deadlineText?: string | null;
}

const berlinDateTime = (d: Date) =>
  new Intl.DateTimeFormat("de-DE", {
    timeZone: "Europe/Berlin",
    dateStyle: "medium",
    timeStyle: "short",
  }).format(d);

export async function buildDemandTemplate(input: DemandTemplateInput): Promise<Buffer> {
  const years = input.grids[0]?.years ?? [];
  const variant = input.variant;
  return buildGridTemplate(variant?.kind ?? DEMAND_TEMPLATE, {
    owner: input.partner,
    columns: years,
    rows: input.grids.flatMap((grid) =>
      grid.rows.map((line) => ({
        codes: [grid.schoolCode ?? "", line.category.code],
        names: [grid.title, line.category.name],
        unit: line.category.unit ?? "",
        values: line.quantities,
        note: line.justification,
      })),
    ),
    generatedAt: input.generatedAt,
    title: `${variant?.title ?? "Bedarfsmeldung"} ${input.partner.name}`,
    subtitle: `Stand: ${berlinDateTime(input.generatedAt)} Uhr. Gelbe Felder ausfüllen, dann die Datei in Verbundkauf hochladen.`,
    guide: (variant?.guideLines ?? guideLines)(input, years),
  });
}

function guideLines(input: DemandTemplateInput, years: readonly number[]): [string, boolean?][] {
  const span = years.length > 0 ? `${years[0]}–${years[years.length - 1]}` : "–";
  const lines: [string, boolean?][] = [
    [`Bedarfsmeldung ${input.partner.name} – Anleitung`, true],
    [""],
    [
      `Diese Vorlage gehört zu ${input.partner.name} (${input.partner.code}). Sie enthält Ihre Schulen, alle Produktgruppen und die Jahre ${span} mit den Mengen, die zum Zeitpunkt des Herunterladens gespeichert waren (${berlinDateTime(input.generatedAt)} Uhr).`,
    ],
    [""],
    ["So gehen Sie vor", true],
    [
      `1. Öffnen Sie das Blatt „${DATA_SHEET}“. Tragen Sie in den gelben Feldern die Stückzahl je Schule, Produktgruppe und Jahr ein.`,
    ],
    [
      `2. Erlaubt sind ganze Zahlen von 0 bis ${MAX_CELL_QUANTITY.toLocaleString("de-DE")}. Ein leeres Feld bedeutet 0.`,
    ],
    [
      "3. In der Spalte „Begründung“ können Sie je Zeile kurz erläutern, wofür der Bedarf besteht (optional).",
    ],
    [
      "4. Speichern Sie die Datei als Excel-Arbeitsmappe (.xlsx) und laden Sie sie in Verbundkauf auf der Seite Ihres Bedarfs hoch.",
    ],
    [
      "5. Verbundkauf zeigt Ihnen vor dem Übernehmen jede Änderung (alter Wert → neuer Wert). Erst nach Ihrer Bestätigung wird gespeichert.",
    ],
    [""],
    ["Gut zu wissen", true],
    [
      "• Die Blätter sind geschützt, damit Zeilen, Namen und Summen unverändert bleiben. Bitte keine Zeilen oder Spalten einfügen oder löschen. Jede Zeile wird beim Hochladen an ihren Kürzeln (Schulkürzel, Gruppenkürzel) erkannt; ganze Zeilen zu sortieren schadet daher nicht.",
    ],
    [
      "• Bedarf, der keiner Schule zugeordnet ist, tragen Sie in den Zeilen „Ohne Schulzuordnung“ ein.",
    ],
    [
      "• Enthält die Datei ein ungültiges Feld, wird nichts übernommen; Verbundkauf nennt Blatt und Zelle (z. B. F7) mit dem Fehler. Das gilt auch für Einträge außerhalb der gelben Felder.",
    ],
    [
      "• Hat jemand anderes einen Wert nach dem Herunterladen geändert, überschreibt Ihre Datei ihn nicht stillschweigend: Verbundkauf zeigt den Wert beim Herunterladen, den jetzt gespeicherten und Ihren, und übernimmt Ihren nur, wenn Sie ihn einzeln auswählen. Werte, die Sie nicht geändert haben, bleiben, wie sie jetzt gespeichert sind.",
    ],
    [
      "• Die Vorlage passt nur zu diesem Schulträger. Die Vorlage eines anderen Partners wird abgewiesen.",
    ],
  ];
  if (input.deadlineText)
    lines.push([""], [`Frist für die Bedarfsmeldung: ${input.deadlineText}`, true]);
  return lines;
}
