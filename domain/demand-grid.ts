// The demand editor's grid: one grid per school of a partner plus one for demand
// without a school; rows are categories, columns the years of the planning horizon.
// Pure: the db layer supplies the rows, the app renders the result.
import { z } from "zod";
import { parseGermanWholeNumber } from "./german-input";

/** Highest quantity one cell may hold (a plausibility limit, not a legal one). */
export const MAX_CELL_QUANTITY = 100_000;
/** Longest justification text per line (school × category). */
export const MAX_JUSTIFICATION_LENGTH = 2_000;
/** German title of the grid for demand without a school. */
export const NO_SCHOOL_TITLE = "Ohne Schulzuordnung";

export interface GridSchool {
  code: string;
  name: string;
}

export interface GridCategory {
  code: string;
  name: string;
  unit: string | null;
}

/** One stored demand line as the grid needs it (school null = without a school). */
export interface DemandCell {
  schoolCode: string | null;
  categoryCode: string;
  year: number;
  quantity: number;
}

/** A free-text justification of one line (school × category). */
export interface DemandNote {
  schoolCode: string | null;
  categoryCode: string;
  text: string;
}

export interface GridRow {
  category: GridCategory;
  /** Quantity per year, in the order of `DemandGrid.years`; a missing line counts as 0. */
  quantities: number[];
  total: number;
  justification: string;
}

export interface DemandGrid {
  schoolCode: string | null;
  title: string;
  years: number[];
  rows: GridRow[];
  yearTotals: number[];
  total: number;
  /** Fingerprint of the grid's values at load time, for optimistic concurrency. */
  version: string;
}

export const cellKey = (schoolCode: string | null, categoryCode: string, year: number): string =>
  `${schoolCode ?? ""}|${categoryCode}|${year}`;

export const lineKey = (schoolCode: string | null, categoryCode: string): string =>
  `${schoolCode ?? ""}|${categoryCode}`;

/**
 * The years the editor shows: from the earliest to the latest year of any tender's term
 * and of any existing demand line, without gaps. With neither, four years from
 * `fallbackStartYear`, the usual term of a framework agreement (§21 VgV: at most 4).
 */
export function planningYears(input: {
  tenders: readonly { startYear: number; termYears: number }[];
  demandYears: readonly number[];
  fallbackStartYear: number;
}): number[] {
  const years: number[] = [...input.demandYears];
  for (const t of input.tenders) years.push(t.startYear, t.startYear + t.termYears - 1);
  if (years.length === 0) return range(input.fallbackStartYear, input.fallbackStartYear + 3);
  return range(Math.min(...years), Math.max(...years));
}

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let y = from; y <= to; y++) out.push(y);
  return out;
}

/** Builds one grid per school (in the given order) and a last one without a school. */
export function buildDemandGrids(input: {
  schools: readonly GridSchool[];
  categories: readonly GridCategory[];
  years: readonly number[];
  cells: readonly DemandCell[];
  notes: readonly DemandNote[];
}): DemandGrid[] {
  const quantities = new Map(
    input.cells.map((c) => [cellKey(c.schoolCode, c.categoryCode, c.year), c.quantity]),
  );
  const notes = new Map(input.notes.map((n) => [lineKey(n.schoolCode, n.categoryCode), n.text]));
  const owners: { code: string | null; title: string }[] = [
    ...input.schools.map((s) => ({ code: s.code, title: s.name })),
    { code: null, title: NO_SCHOOL_TITLE },
  ];
  return owners.map(({ code, title }) => {
    const rows = input.categories.map((category) => {
      const q = input.years.map((y) => quantities.get(cellKey(code, category.code, y)) ?? 0);
      return {
        category,
        quantities: q,
        total: sum(q),
        justification: notes.get(lineKey(code, category.code)) ?? "",
      };
    });
    const yearTotals = input.years.map((_, i) => sum(rows.map((r) => r.quantities[i])));
    return {
      schoolCode: code,
      title,
      years: [...input.years],
      rows,
      yearTotals,
      total: sum(yearTotals),
      version: gridVersion(code, input.years, rows),
    };
  });
}

const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);

/** The partner-wide sums of its grids: quantity per category and year over all schools. */
export interface DemandTotals {
  years: number[];
  rows: { category: GridCategory; quantities: number[]; total: number }[];
  yearTotals: number[];
  total: number;
}

/**
 * Adds up grids of the same partner cell by cell (category × year). Grids may list
 * categories and years in any order; the result keeps the first appearance of each,
 * years ascending. Quantities are whole numbers, so plain addition is exact.
 */
export function sumDemandGrids(
  grids: readonly {
    years: readonly number[];
    rows: readonly { category: GridCategory; quantities: readonly number[] }[];
  }[],
): DemandTotals {
  const years = [...new Set(grids.flatMap((g) => g.years))].sort((a, b) => a - b);
  const categories = new Map<string, GridCategory>();
  const cells = new Map<string, number>(); // cellKey(null, category, year) → sum
  for (const grid of grids) {
    for (const row of grid.rows) {
      if (!categories.has(row.category.code)) categories.set(row.category.code, row.category);
      grid.years.forEach((year, i) => {
        const key = cellKey(null, row.category.code, year);
        cells.set(key, (cells.get(key) ?? 0) + row.quantities[i]);
      });
    }
  }
  const rows = [...categories.values()].map((category) => {
    const quantities = years.map((y) => cells.get(cellKey(null, category.code, y)) ?? 0);
    return { category, quantities, total: sum(quantities) };
  });
  const yearTotals = years.map((_, i) => sum(rows.map((r) => r.quantities[i])));
  return { years, rows, yearTotals, total: sum(yearTotals) };
}

/** Grid values as a flat list, the shape forms, saves and the template use. */
export interface GridValues {
  quantities: Map<string, number>; // cellKey → quantity
  notes: Map<string, string>; // lineKey → justification
}

export function gridValues(grid: DemandGrid): GridValues {
  const quantities = new Map<string, number>();
  const notes = new Map<string, string>();
  for (const row of grid.rows) {
    grid.years.forEach((y, i) =>
      quantities.set(cellKey(grid.schoolCode, row.category.code, y), row.quantities[i]),
    );
    notes.set(lineKey(grid.schoolCode, row.category.code), row.justification);
  }
  return { quantities, notes };
}

/**
 * Version token of a grid: a hash of its canonical values (0 and a missing line are the
 * same). It only has to notice changes, so a fast non-cryptographic hash is enough and
 * keeps this module usable in the browser bundle.
 */
export function gridVersion(
  schoolCode: string | null,
  years: readonly number[],
  rows: readonly {
    category: { code: string };
    quantities: readonly number[];
    justification: string;
  }[],
): string {
  const canonical = JSON.stringify([
    schoolCode ?? "",
    years,
    rows.map((r) => [r.category.code, r.quantities, r.justification]),
  ]);
  return fnv1a(canonical, 0x811c9dc5) + fnv1a(canonical, 0x01000193);
}

function fnv1a(text: string, seed: number): string {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

const QUANTITY_RANGE = `Bitte eine ganze Zahl von 0 bis ${MAX_CELL_QUANTITY.toLocaleString("de-DE")} eintragen.`;

/**
 * A quantity typed by a user (editor cell or Excel text cell). Empty means 0; a German
 * thousands separator ("1.000") is read as such (the shared parseGermanWholeNumber).
 */
export const quantityTextSchema = z.string().transform((raw, ctx) => {
  const parsed = parseGermanWholeNumber(raw, {
    empty: 0,
    max: MAX_CELL_QUANTITY,
    message: QUANTITY_RANGE,
  });
  if (parsed.ok) return parsed.value;
  ctx.addIssue({ code: "custom", message: parsed.message });
  return z.NEVER;
});

/** A quantity from a numeric source (an Excel number cell). */
export function checkQuantityNumber(
  value: number,
): { ok: true; value: number } | { ok: false; message: string } {
  if (!Number.isFinite(value))
    return { ok: false, message: "Bitte eine ganze Zahl von 0 bis 100.000 eintragen." };
  if (value < 0)
    return { ok: false, message: "Keine negativen Mengen: bitte 0 oder mehr eintragen." };
  if (!Number.isInteger(value))
    return { ok: false, message: "Bitte eine ganze Zahl ohne Nachkommastellen eintragen." };
  if (value > MAX_CELL_QUANTITY) return { ok: false, message: "Höchstens 100.000 eintragen." };
  return { ok: true, value };
}

/** Parses one typed quantity; the message is German and meant for the cell. */
export function parseQuantityText(
  raw: string,
): { ok: true; value: number } | { ok: false; message: string } {
  const parsed = quantityTextSchema.safeParse(raw);
  return parsed.success
    ? { ok: true, value: parsed.data }
    : { ok: false, message: parsed.error.issues[0].message };
}

export const justificationSchema = z
  .string()
  .transform((s) => s.replace(/\r\n/g, "\n").trim())
  .pipe(
    z
      .string()
      .max(
        MAX_JUSTIFICATION_LENGTH,
        `Höchstens ${MAX_JUSTIFICATION_LENGTH.toLocaleString("de-DE")} Zeichen.`,
      ),
  );

export interface CellChange {
  schoolCode: string | null;
  categoryCode: string;
  year: number;
  oldQuantity: number;
  newQuantity: number;
}

export interface NoteChange {
  schoolCode: string | null;
  categoryCode: string;
  oldText: string;
  newText: string;
}

/** The cells and notes whose wanted value differs from the current one. */
export function diffValues(
  current: GridValues,
  wanted: GridValues,
): { cells: CellChange[]; notes: NoteChange[] } {
  const cells: CellChange[] = [];
  for (const [key, newQuantity] of wanted.quantities) {
    const oldQuantity = current.quantities.get(key) ?? 0;
    if (oldQuantity !== newQuantity) cells.push({ ...splitCellKey(key), oldQuantity, newQuantity });
  }
  const notes: NoteChange[] = [];
  for (const [key, newText] of wanted.notes) {
    const oldText = current.notes.get(key) ?? "";
    if (oldText !== newText) notes.push({ ...splitLineKey(key), oldText, newText });
  }
  return { cells, notes };
}

/** A cell someone else changed after the form was loaded. */
export interface Conflict {
  schoolCode: string | null;
  categoryCode: string;
  /** Year, or null for the line's justification. */
  year: number | null;
  theirs: string;
  yours: string;
}

/**
 * What changed between the values a form was loaded with (`baseline`) and the stored
 * ones (`current`), next to what the user now wants (`wanted`).
 */
export function findConflicts(
  baseline: GridValues,
  current: GridValues,
  wanted: GridValues,
): Conflict[] {
  const conflicts: Conflict[] = [];
  const keys = new Set([...baseline.quantities.keys(), ...current.quantities.keys()]);
  for (const key of keys) {
    const before = baseline.quantities.get(key) ?? 0;
    const now = current.quantities.get(key) ?? 0;
    if (before === now) continue;
    const { schoolCode, categoryCode, year } = splitCellKey(key);
    conflicts.push({
      schoolCode,
      categoryCode,
      year,
      theirs: String(now),
      yours: String(wanted.quantities.get(key) ?? before),
    });
  }
  const noteKeys = new Set([...baseline.notes.keys(), ...current.notes.keys()]);
  for (const key of noteKeys) {
    const before = baseline.notes.get(key) ?? "";
    const now = current.notes.get(key) ?? "";
    if (before === now) continue;
    conflicts.push({
      ...splitLineKey(key),
      year: null,
      theirs: now,
      yours: wanted.notes.get(key) ?? before,
    });
  }
  return conflicts;
}

export function splitCellKey(key: string): {
  schoolCode: string | null;
  categoryCode: string;
  year: number;
} {
  const first = key.indexOf("|");
  const last = key.lastIndexOf("|");
  const school = key.slice(0, first);
  return {
    schoolCode: school === "" ? null : school,
    categoryCode: key.slice(first + 1, last),
    year: Number(key.slice(last + 1)),
  };
}

export function splitLineKey(key: string): { schoolCode: string | null; categoryCode: string } {
  const first = key.indexOf("|");
  const school = key.slice(0, first);
  return { schoolCode: school === "" ? null : school, categoryCode: key.slice(first + 1) };
}
