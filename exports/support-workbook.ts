// The pooled-support comparison (CALCULATION.md §13) as an Excel workbook: the
// assumptions, one row per year (devices in use, staff and cost alone and pooled,
// savings) and one row per partner and year. Cached values are the engine's figures;
// costs from staff, sums and differences are live formulas an auditor can follow
// (checked with HyperFormula in tests/exports/support-workbook.test.ts).
import ExcelJS from "exceljs";
import type { SupportCalculation } from "../domain/calculation";
import { centsToCellNumber, cellRef, type FormulaCell } from "./formulas";
import { SheetWriter, type CellInput } from "./sheet-writer";
import { worksheetOptions, type ColumnSpec } from "./workbook-style";

export const SUPPORT_SHEET = {
  parameters: "Annahmen",
  years: "Je Jahr",
  partners: "Je Schulträger",
} as const;

export interface SupportWorkbookInput {
  support: SupportCalculation;
  /** German label of the key ("Support-Einheiten (Geräte im Einsatz)"). */
  keyLabel: string;
  note: string;
  /** Without stored parameters the figures are a preview with the defaults. */
  preview: boolean;
  /** Which partners' rows to include (officers: their own); all when omitted. */
  includePartner?: (code: string) => boolean;
  createdAt: Date;
}

const HEADER_ROW = 2;

const YEAR_COLUMNS: readonly ColumnSpec[] = [
  { header: "Jahr", width: 8, kind: "year" },
  {
    header: "Support-Einheiten",
    width: 16,
    kind: "weight",
    note: "Geräte im Einsatz × Support-Einheiten je Gerät, alle Schulträger.",
  },
  { header: "Stellen allein (Summe)", width: 14, kind: "weight" },
  { header: "Kosten allein", width: 16, kind: "money", note: "Summe der Schulträger." },
  {
    header: "Stellen gemeinsam",
    width: 14,
    kind: "weight",
    note: "Aufgerundet auf die Stufung, mindestens die Mindestausstattung, plus Mehraufwand.",
  },
  { header: "Kosten gemeinsam", width: 16, kind: "money", note: "Stellen × Kosten je Stelle." },
  { header: "Ersparnis", width: 16, kind: "money", note: "Kosten allein − Kosten gemeinsam." },
];

const PARTNER_COLUMNS: readonly ColumnSpec[] = [
  { header: "Jahr", width: 8, kind: "year" },
  { header: "Partner", width: 9, kind: "text" },
  { header: "Schulträger", width: 26, kind: "text" },
  { header: "Support-Einheiten", width: 16, kind: "weight" },
  { header: "Stellen allein", width: 12, kind: "weight" },
  { header: "Kosten allein", width: 16, kind: "money", note: "Stellen allein × Kosten je Stelle." },
  {
    header: "Anteil gemeinsam",
    width: 16,
    kind: "money",
    note: "Anteil an den gemeinsamen Kosten nach dem Schlüssel (größte Reste, auf den Cent).",
  },
  { header: "Ersparnis", width: 16, kind: "money", note: "Kosten allein − Anteil gemeinsam." },
];

const PARAMETER_COLUMNS: readonly ColumnSpec[] = [
  { header: "Annahme", width: 38, kind: "text" },
  { header: "Wert", width: 18, kind: "weight" },
];

const formula = (text: string, result: number): FormulaCell => ({ formula: text, result });
const units = (text: string) => Number(text);

/** FTE × cost per FTE in whole cents: exact in every spreadsheet program (see formulas.ts). */
const fteTimesCost = (fteRef: string, costRef: string) =>
  `ROUND(ROUND(${fteRef}*100,0)*ROUND(${costRef}*100,0)/100,0)/100`;

export async function buildSupportWorkbook(input: SupportWorkbookInput): Promise<Buffer> {
  const { support } = input;
  const include = input.includePartner ?? (() => true);
  const allPartners = input.includePartner === undefined;
  const workbook = new ExcelJS.Workbook();
  workbook.creator = "Verbundkauf";
  workbook.created = input.createdAt;
  const range = `${support.parameters.fromYear}–${support.parameters.toYear}`;
  const label = `Schul-IT-Support allein oder gemeinsam ${range}`;

  // Annahmen: the cost per post is the cell every cost formula refers to.
  const params = new SheetWriter(
    workbook.addWorksheet(
      SUPPORT_SHEET.parameters,
      worksheetOptions({ documentLabel: label, frozenRows: 0 }),
    ),
    PARAMETER_COLUMNS,
  );
  params.title(`${label}${input.preview ? " (Vorschau mit Standardannahmen)" : ""}`);
  params.header();
  const p = support.parameters;
  params.row(["Erstes Jahr", { value: p.fromYear, kind: "year" }]);
  params.row(["Letztes Jahr", { value: p.toYear, kind: "year" }]);
  params.row(["Geräte (Support-Einheiten) je Stelle", units(p.devicesPerFte)]);
  params.row(["Stellen in Schritten von", units(p.fteStep)]);
  params.row(["Mindestausstattung je Schulträger (Stellen)", units(p.minFtePerPartner)]);
  params.row(["Mehraufwand des Verbunds (Stellen)", units(p.poolOverheadFte)]);
  const costRow = params.row([
    "Kosten je Stelle und Jahr (brutto)",
    { value: centsToCellNumber(p.costPerFteGross), kind: "money" },
  ]);
  params.row(["Verteilung der gemeinsamen Kosten", input.keyLabel]);
  if (input.note) params.row(["Herkunft der Zahlen", { value: input.note, kind: "wrap" }]);
  params.row([
    "Erstellt",
    {
      value: new Intl.DateTimeFormat("de-DE", {
        timeZone: "Europe/Berlin",
        dateStyle: "medium",
        timeStyle: "short",
      }).format(input.createdAt),
      kind: "text",
    },
  ]);
  const cost = cellRef(2, costRow, { sheet: SUPPORT_SHEET.parameters, absolute: true });

  // Je Schulträger first, so that the year sheet can sum its rows.
  const partnerSheet = workbook.addWorksheet(
    SUPPORT_SHEET.partners,
    worksheetOptions({ documentLabel: label, frozenRows: HEADER_ROW, frozenColumns: 3 }),
  );
  const partners = new SheetWriter(partnerSheet, PARTNER_COLUMNS);
  partners.title(`${label}: je Schulträger und Jahr`);
  partners.header();
  const partnerRows = new Map<number, { from: number; to: number }>();
  for (const year of support.years) {
    const from = partners.currentRow;
    for (const r of year.partners) {
      if (!include(r.code)) continue;
      const row = partners.currentRow;
      partners.row([
        year.year,
        r.code,
        r.name,
        units(r.units),
        units(r.soloFte),
        formula(fteTimesCost(cellRef(5, row), cost), centsToCellNumber(r.soloCostGross)),
        centsToCellNumber(r.pooledShareGross),
        formula(`${cellRef(6, row)}-${cellRef(7, row)}`, centsToCellNumber(r.savingsGross)),
      ]);
    }
    partnerRows.set(year.year, { from, to: partners.currentRow - 1 });
  }
  const lastPartnerRow = partners.currentRow - 1;
  const shown = support.years.flatMap((y) => y.partners.filter((r) => include(r.code)));
  const sumOf = (column: number, cents: bigint) =>
    formula(
      lastPartnerRow > HEADER_ROW
        ? `SUM(${cellRef(column, HEADER_ROW + 1)}:${cellRef(column, lastPartnerRow)})`
        : "0",
      centsToCellNumber(cents),
    );
  partners.row(
    [
      "",
      "",
      "Summe",
      "",
      "",
      sumOf(
        6,
        shown.reduce((s, r) => s + r.soloCostGross, 0n),
      ),
      sumOf(
        7,
        shown.reduce((s, r) => s + r.pooledShareGross, 0n),
      ),
      sumOf(
        8,
        shown.reduce((s, r) => s + r.savingsGross, 0n),
      ),
    ],
    { total: true },
  );
  partners.autoFilter(HEADER_ROW, lastPartnerRow);

  // Je Jahr: with every partner's rows present, the solo figures sum them (formulas);
  // an officer's copy holds only its own rows, so there they are the engine's values.
  const years = new SheetWriter(
    workbook.addWorksheet(
      SUPPORT_SHEET.years,
      worksheetOptions({ documentLabel: label, frozenRows: HEADER_ROW, frozenColumns: 1 }),
    ),
    YEAR_COLUMNS,
  );
  years.title(`${label}: je Jahr`);
  years.header();
  const firstYearRow = years.currentRow;
  for (const y of support.years) {
    const row = years.currentRow;
    const rows = partnerRows.get(y.year)!;
    const sumPartners = (column: number, result: number): CellInput =>
      allPartners
        ? formula(
            rows.to >= rows.from
              ? `SUM(${cellRef(column, rows.from, { sheet: SUPPORT_SHEET.partners })}:${cellRef(column, rows.to, { sheet: SUPPORT_SHEET.partners })})`
              : "0",
            result,
          )
        : result;
    years.row([
      y.year,
      sumPartners(4, units(y.units)),
      sumPartners(5, units(y.soloFte)),
      sumPartners(6, centsToCellNumber(y.soloCostGross)),
      units(y.pooledFte),
      formula(fteTimesCost(cellRef(5, row), cost), centsToCellNumber(y.pooledCostGross)),
      formula(`${cellRef(4, row)}-${cellRef(6, row)}`, centsToCellNumber(y.savingsGross)),
    ]);
  }
  const lastYearRow = years.currentRow - 1;
  const total = (column: number, cents: bigint) =>
    formula(
      `SUM(${cellRef(column, firstYearRow)}:${cellRef(column, lastYearRow)})`,
      centsToCellNumber(cents),
    );
  years.row(
    [
      "Summe",
      "",
      "",
      total(4, support.totals.soloCostGross),
      "",
      total(6, support.totals.pooledCostGross),
      total(7, support.totals.savingsGross),
    ],
    { total: true },
  );
  // The year sheet is the one to read first.
  workbook.views = [
    { activeTab: 2, x: 0, y: 0, width: 20000, height: 12000, firstSheet: 0, visibility: "visible" },
  ];
  const data = await workbook.xlsx.writeBuffer();
  return Buffer.from(data as ArrayBuffer);
}
