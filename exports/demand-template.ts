// The Excel template of one partner's demand: a sheet "Bedarf" pre-filled with every
// school × category line and the current quantities per year, an instruction sheet
// "Anleitung", and a very hidden sheet "_meta" with the codes that map each row back
// exactly on upload (names may repeat or change; codes do not).
import ExcelJS from "exceljs";
import {
  MAX_CELL_QUANTITY,
  MAX_JUSTIFICATION_LENGTH,
  type DemandGrid,
} from "../domain/demand-grid";

export const TEMPLATE_FORMAT = "verbundkauf/demand-template@1";
export const DATA_SHEET = "Bedarf";
export const GUIDE_SHEET = "Anleitung";
export const META_SHEET = "_meta";

/** Layout of the data sheet, shared with the parser. */
export const LAYOUT = {
  headerRow: 4,
  firstDataRow: 5,
  schoolColumn: 1,
  categoryColumn: 2,
  unitColumn: 3,
  firstYearColumn: 4,
} as const;

/** Rows of the _meta sheet: key/value pairs on top, then one row per data row. */
export const META = {
  formatRow: 1,
  partnerRow: 2,
  yearsRow: 3,
  noteColumnRow: 4,
  generatedRow: 5,
  firstLineRow: 8,
} as const;

/** What differs between the demand template and others built on it (the inventory's). */
export interface TemplateVariant {
  format: string;
  dataSheet: string;
  /** "Bedarfsmeldung": the sheet title is "<title> <partner>". */
  title: string;
  /** The German message for a file that is not this kind of template. */
  notATemplate?: string;
  guideLines?: (input: DemandTemplateInput, years: readonly number[]) => [string, boolean?][];
}

export const DEMAND_TEMPLATE: TemplateVariant = {
  format: TEMPLATE_FORMAT,
  dataSheet: DATA_SHEET,
  title: "Bedarfsmeldung",
};

export interface DemandTemplateInput {
  /** Defaults to the demand template. */
  variant?: TemplateVariant;
  partner: { code: string; name: string };
  grids: readonly DemandGrid[];
  generatedAt: Date;
  /** "31.03.2027, 18:00 Uhr", shown in the instructions. */
  deadlineText?: string | null;
}

const QUANTITY_ERROR = `Bitte eine ganze Zahl von 0 bis ${MAX_CELL_QUANTITY.toLocaleString("de-DE")} eintragen (ohne Nachkommastellen).`;
const INPUT_FILL: ExcelJS.Fill = {
  type: "pattern",
  pattern: "solid",
  fgColor: { argb: "FFFFF7BF" },
};
const HEADER_FILL: ExcelJS.Fill = {
  type: "pattern",
  pattern: "solid",
  fgColor: { argb: "FFE5E6E7" },
};
const THIN: Partial<ExcelJS.Borders> = {
  top: { style: "thin", color: { argb: "FFB1B4B6" } },
  bottom: { style: "thin", color: { argb: "FFB1B4B6" } },
  left: { style: "thin", color: { argb: "FFB1B4B6" } },
  right: { style: "thin", color: { argb: "FFB1B4B6" } },
};

export function columnLetter(column: number): string {
  let n = column;
  let s = "";
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

const berlinDateTime = (d: Date) =>
  new Intl.DateTimeFormat("de-DE", {
    timeZone: "Europe/Berlin",
    dateStyle: "medium",
    timeStyle: "short",
  }).format(d);

export async function buildDemandTemplate(input: DemandTemplateInput): Promise<Buffer> {
  const years = input.grids[0]?.years ?? [];
  const variant = input.variant ?? DEMAND_TEMPLATE;
  const workbook = new ExcelJS.Workbook();
  workbook.creator = "Verbundkauf";
  workbook.created = input.generatedAt;

  const guide = workbook.addWorksheet(GUIDE_SHEET, {
    properties: { tabColor: { argb: "FF1D70B8" } },
  });
  const sheet = workbook.addWorksheet(variant.dataSheet, {
    views: [{ state: "frozen", xSplit: LAYOUT.firstYearColumn - 1, ySplit: LAYOUT.headerRow }],
  });
  const meta = workbook.addWorksheet(META_SHEET, { state: "veryHidden" });

  const sumColumn = LAYOUT.firstYearColumn + years.length;
  const noteColumn = sumColumn + 1;
  writeGuide(guide, input, years);

  // Title and header
  sheet.getCell(1, 1).value = `${variant.title} ${input.partner.name}`;
  sheet.getCell(1, 1).font = { bold: true, size: 14 };
  sheet.getCell(2, 1).value =
    `Stand: ${berlinDateTime(input.generatedAt)} Uhr. Gelbe Felder ausfüllen, dann die Datei in Verbundkauf hochladen.`;
  const header = [
    "Schule",
    "Produktgruppe",
    "Einheit",
    ...years.map(String),
    "Summe",
    "Begründung (optional)",
  ];
  header.forEach((text, i) => {
    const cell = sheet.getCell(LAYOUT.headerRow, i + 1);
    cell.value = text;
    cell.font = { bold: true };
    cell.fill = HEADER_FILL;
    cell.border = THIN;
    cell.alignment = {
      vertical: "middle",
      horizontal: i >= LAYOUT.firstYearColumn - 1 && i < noteColumn - 1 ? "right" : "left",
    };
  });
  sheet.getColumn(LAYOUT.schoolColumn).width = 38;
  sheet.getColumn(LAYOUT.categoryColumn).width = 28;
  sheet.getColumn(LAYOUT.unitColumn).width = 9;
  years.forEach((_, i) => (sheet.getColumn(LAYOUT.firstYearColumn + i).width = 10));
  sheet.getColumn(sumColumn).width = 10;
  sheet.getColumn(noteColumn).width = 50;

  // _meta: key/value pairs, then the codes of every data row.
  meta.getCell(META.formatRow, 1).value = "format";
  meta.getCell(META.formatRow, 2).value = variant.format;
  meta.getCell(META.partnerRow, 1).value = "partner";
  meta.getCell(META.partnerRow, 2).value = input.partner.code;
  meta.getCell(META.yearsRow, 1).value = "years";
  years.forEach((y, i) => (meta.getCell(META.yearsRow, 2 + i).value = y));
  meta.getCell(META.noteColumnRow, 1).value = "noteColumn";
  meta.getCell(META.noteColumnRow, 2).value = noteColumn;
  meta.getCell(META.generatedRow, 1).value = "generatedAt";
  meta.getCell(META.generatedRow, 2).value = input.generatedAt.toISOString();
  meta.getCell(META.firstLineRow - 1, 1).value = "row";
  meta.getCell(META.firstLineRow - 1, 2).value = "school";
  meta.getCell(META.firstLineRow - 1, 3).value = "category";

  let row = LAYOUT.firstDataRow;
  let metaRow = META.firstLineRow;
  const firstYear = columnLetter(LAYOUT.firstYearColumn);
  const lastYear = columnLetter(sumColumn - 1);
  for (const grid of input.grids) {
    for (const line of grid.rows) {
      const r = sheet.getRow(row);
      r.getCell(LAYOUT.schoolColumn).value = grid.title;
      r.getCell(LAYOUT.categoryColumn).value = line.category.name;
      r.getCell(LAYOUT.unitColumn).value = line.category.unit ?? "";
      line.quantities.forEach((q, i) => {
        const cell = r.getCell(LAYOUT.firstYearColumn + i);
        cell.value = q === 0 ? null : q; // empty means 0, and keeps the sheet readable
        cell.protection = { locked: false };
        cell.fill = INPUT_FILL;
        cell.numFmt = "#,##0";
        cell.dataValidation = {
          type: "whole",
          operator: "between",
          formulae: [0, MAX_CELL_QUANTITY],
          allowBlank: true,
          showErrorMessage: true,
          errorStyle: "stop",
          errorTitle: "Ungültige Menge",
          error: QUANTITY_ERROR,
          showInputMessage: true,
          promptTitle: `${line.category.name} ${years[i]}`,
          prompt: "Ganze Zahl ≥ 0; leer bedeutet 0.",
        };
      });
      r.getCell(sumColumn).value = {
        formula: `SUM(${firstYear}${row}:${lastYear}${row})`,
        result: line.total,
      } as ExcelJS.CellFormulaValue;
      r.getCell(sumColumn).numFmt = "#,##0";
      const note = r.getCell(noteColumn);
      note.value = line.justification === "" ? null : line.justification;
      note.protection = { locked: false };
      note.fill = INPUT_FILL;
      note.alignment = { wrapText: true, vertical: "top" };
      note.dataValidation = {
        type: "textLength",
        operator: "lessThanOrEqual",
        formulae: [MAX_JUSTIFICATION_LENGTH],
        allowBlank: true,
        showErrorMessage: true,
        errorStyle: "stop",
        errorTitle: "Begründung zu lang",
        error: `Höchstens ${MAX_JUSTIFICATION_LENGTH.toLocaleString("de-DE")} Zeichen.`,
      };
      for (let c = 1; c <= noteColumn; c++) r.getCell(c).border = THIN;

      meta.getCell(metaRow, 1).value = row;
      meta.getCell(metaRow, 2).value = grid.schoolCode ?? "";
      meta.getCell(metaRow, 3).value = line.category.code;
      row++;
      metaRow++;
    }
  }

  // Totals per year (formulas with cached results, so viewers without recalculation agree).
  const lastDataRow = row - 1;
  const totals = sheet.getRow(row);
  totals.getCell(LAYOUT.schoolColumn).value = "Summe";
  totals.font = { bold: true };
  const yearTotals = years.map((_, i) => input.grids.reduce((s, g) => s + g.yearTotals[i], 0));
  [...yearTotals, yearTotals.reduce((a, b) => a + b, 0)].forEach((total, i) => {
    const col = columnLetter(LAYOUT.firstYearColumn + i);
    const cell = totals.getCell(LAYOUT.firstYearColumn + i);
    cell.value =
      lastDataRow >= LAYOUT.firstDataRow
        ? ({
            formula: `SUM(${col}${LAYOUT.firstDataRow}:${col}${lastDataRow})`,
            result: total,
          } as ExcelJS.CellFormulaValue)
        : 0;
    cell.numFmt = "#,##0";
    cell.border = { top: { style: "double" } };
  });

  // Sheet protection keeps codes, names and formulas intact; it is not a security
  // boundary (no password: the upload validates every cell anyway).
  const options: Partial<ExcelJS.WorksheetProtection> = {
    selectLockedCells: true,
    selectUnlockedCells: true,
    formatColumns: true,
    formatRows: true,
  };
  await sheet.protect("", options);
  await guide.protect("", options);
  await meta.protect("", options);
  workbook.views = [
    { activeTab: 1, x: 0, y: 0, width: 20000, height: 12000, firstSheet: 0, visibility: "visible" },
  ];
  const data = await workbook.xlsx.writeBuffer();
  return Buffer.from(data as ArrayBuffer);
}

function writeGuide(
  guide: ExcelJS.Worksheet,
  input: DemandTemplateInput,
  years: readonly number[],
): void {
  const span = years.length > 0 ? `${years[0]}–${years[years.length - 1]}` : "–";
  const lines: [string, boolean?][] = input.variant?.guideLines?.(input, years) ?? [
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
      "• Die Blätter sind geschützt, damit Zeilen, Namen und Summen unverändert bleiben. Bitte keine Zeilen oder Spalten einfügen, löschen oder sortieren.",
    ],
    [
      "• Bedarf, der keiner Schule zugeordnet ist, tragen Sie in den Zeilen „Ohne Schulzuordnung“ ein.",
    ],
    [
      "• Enthält die Datei ein ungültiges Feld, wird nichts übernommen; Verbundkauf nennt Blatt und Zelle (z. B. D7) mit dem Fehler.",
    ],
    [
      "• Hat jemand den Bedarf nach dem Herunterladen geändert, werden Sie vor dem Überschreiben gewarnt. Laden Sie im Zweifel eine neue Vorlage herunter.",
    ],
    [
      "• Die Vorlage passt nur zu diesem Schulträger. Die Vorlage eines anderen Partners wird abgewiesen.",
    ],
  ];
  if (input.deadlineText)
    lines.push([""], [`Frist für die Bedarfsmeldung: ${input.deadlineText}`, true]);
  lines.forEach(([text, bold], i) => {
    const cell = guide.getCell(i + 1, 1);
    cell.value = text;
    cell.alignment = { wrapText: true, vertical: "top" };
    if (bold) cell.font = { bold: true, size: i === 0 ? 14 : 12 };
  });
  guide.getColumn(1).width = 110;
}
