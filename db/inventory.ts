// The installed base (Bestand, CALCULATION.md §13): devices a partner bought before or
// outside the joint tenders, per school (or none), category and purchase year, with a
// justification per line. The editor reuses the demand grid (domain/demand-grid.ts):
// same values, versions, conflicts; saves run in one transaction with an audit entry
// per change and a whole-plan validation before commit (changePlan).
import type { Kysely } from "kysely";
import { loadGridBase } from "./grid-reads";
import { writeGridChanges, type GridTables } from "./grid-writes";
import type { DB } from "./schema";
import { changePlan, PlanWouldBeInvalid } from "./tenders";
import { formatProblem } from "../domain/plan-validation";
import {
  buildDemandGrids,
  cellKey,
  findConflicts,
  gridValues,
  splitCellKey,
  splitLineKey,
  type Conflict,
  type DemandCell,
  type DemandGrid,
  type DemandNote,
  type GridCategory,
  type GridSchool,
  type GridValues,
} from "../domain/demand-grid";
import {
  classifyImport,
  deletePendingImport,
  EMPTY_PREVIEW,
  keysOf,
  loadPendingImport,
  storePendingImport,
  wantedOf,
  type CreateImportResult,
  type ImportCell,
  type ImportNote,
  type ImportPreview,
  type PendingImport,
} from "./template-imports";

/** The inventory_imports table (migration 010) has the columns of every template import. */
export type { TemplateImportsTable as InventoryImportsTable } from "./template-imports";

type Db = Kysely<DB>;

export interface InventoryUser {
  id: number;
  role: string;
}

export const INVENTORY_AUDIT_ENTITY = { line: "inventory_line", note: "inventory_note" } as const;

const GRID_TABLES: GridTables = {
  lines: "inventory_lines",
  notes: "inventory_notes",
  action: "inventory",
  entity: INVENTORY_AUDIT_ENTITY,
};

/** How many purchase years back from the current one the editor shows. */
export const INVENTORY_YEARS_BACK = 7;

/** Purchase years: the last eight years up to the current one, plus any year with data. */
export function inventoryYears(dataYears: readonly number[], now: Date): number[] {
  const current = now.getUTCFullYear();
  const from = Math.min(current - INVENTORY_YEARS_BACK, ...dataYears);
  const to = Math.max(current, ...dataYears);
  const years: number[] = [];
  for (let y = from; y <= to; y++) years.push(y);
  return years;
}

export interface PartnerInventoryData {
  partner: { code: string; name: string };
  schools: GridSchool[];
  categories: GridCategory[];
  years: number[];
  cells: DemandCell[];
  notes: DemandNote[];
}

export async function loadPartnerInventory(
  db: Db,
  partnerCode: string,
  now = new Date(),
): Promise<PartnerInventoryData | undefined> {
  const base = await loadGridBase(db, partnerCode);
  if (!base) return undefined;
  const cells = await db
    .selectFrom("inventory_lines")
    .select(["school_code as schoolCode", "category_code as categoryCode", "year", "quantity"])
    .where("partner_code", "=", partnerCode)
    .execute();
  const notes = await db
    .selectFrom("inventory_notes")
    .select(["school_code as schoolCode", "category_code as categoryCode", "text"])
    .where("partner_code", "=", partnerCode)
    .execute();
  const years = inventoryYears(
    cells.map((c) => c.year),
    now,
  );
  return { ...base, years, cells, notes };
}

export function inventoryGridsOf(data: PartnerInventoryData): DemandGrid[] {
  return buildDemandGrids(data);
}

function valuesOf(data: PartnerInventoryData): GridValues {
  const values: GridValues = { quantities: new Map(), notes: new Map() };
  for (const grid of inventoryGridsOf(data)) {
    const v = gridValues(grid);
    v.quantities.forEach((q, k) => values.quantities.set(k, q));
    v.notes.forEach((n, k) => values.notes.set(k, n));
  }
  for (const c of data.cells)
    values.quantities.set(cellKey(c.schoolCode, c.categoryCode, c.year), c.quantity);
  return values;
}

// ---------------------------------------------------------------------------------
// Writing

type Refusal = { kind: "denied"; reason: string };
type PlanRefusal = { kind: "invalid-plan"; problems: string[] };
export type InventorySaveResult =
  | { kind: "saved"; cells: number; notes: number; at: string }
  | { kind: "conflict"; conflicts: Conflict[] }
  | Refusal
  | PlanRefusal;

/** Writes the differences between `current` and `wanted`, each with an audit entry. */
function applyValues(
  trx: Db,
  partnerCode: string,
  current: GridValues,
  wanted: GridValues,
  user: InventoryUser,
  source: "editor" | "import",
  at: string,
): Promise<{ cells: number; notes: number }> {
  return writeGridChanges(trx, GRID_TABLES, partnerCode, current, wanted, user, source, at);
}

/** Keys outside this partner's schools, the categories or the purchase years 2000–2100. */
function foreignKeys(data: PartnerInventoryData, wanted: GridValues): string[] {
  const schools = new Set(data.schools.map((s) => s.code));
  const categories = new Set(data.categories.map((c) => c.code));
  const bad: string[] = [];
  for (const key of wanted.quantities.keys()) {
    const { schoolCode, categoryCode, year } = splitCellKey(key);
    if (
      (schoolCode !== null && !schools.has(schoolCode)) ||
      !categories.has(categoryCode) ||
      !Number.isInteger(year) ||
      year < 2000 ||
      year > 2100
    )
      bad.push(key);
  }
  for (const key of wanted.notes.keys()) {
    const { schoolCode, categoryCode } = splitLineKey(key);
    if ((schoolCode !== null && !schools.has(schoolCode)) || !categories.has(categoryCode))
      bad.push(key);
  }
  return bad;
}

/** Runs a change through changePlan; an invalid resulting plan becomes a refusal. */
async function planChecked<T>(db: Db, work: (trx: Db) => Promise<T>): Promise<T | PlanRefusal> {
  try {
    return await changePlan(db, (trx) => work(trx));
  } catch (error) {
    if (error instanceof PlanWouldBeInvalid)
      return { kind: "invalid-plan", problems: error.problems.map((p) => formatProblem(p)) };
    throw error;
  }
}

/**
 * Saves one grid of the inventory if nobody changed it since the form was loaded
 * (`version`); otherwise nothing is saved and the conflicts are listed.
 */
export async function saveInventoryGrid(
  db: Db,
  input: {
    partnerCode: string;
    schoolCode: string | null;
    version: string;
    baseline: GridValues;
    wanted: GridValues;
    user: InventoryUser;
    now?: Date;
  },
): Promise<InventorySaveResult> {
  const now = input.now ?? new Date();
  return planChecked(db, async (trx): Promise<InventorySaveResult> => {
    const data = await loadPartnerInventory(trx, input.partnerCode, now);
    if (!data) return { kind: "denied", reason: "Diesen Partner gibt es nicht." };
    const grid = inventoryGridsOf(data).find((g) => g.schoolCode === input.schoolCode);
    if (!grid) return { kind: "denied", reason: "Diese Schule gehört nicht zu diesem Partner." };
    const prefix = `${input.schoolCode ?? ""}|`;
    const keys = [...input.wanted.quantities.keys(), ...input.wanted.notes.keys()];
    if (foreignKeys(data, input.wanted).length > 0 || keys.some((k) => !k.startsWith(prefix)))
      return { kind: "denied", reason: "Das Formular enthält Werte einer anderen Schule." };
    const current = gridValues(grid);
    if (grid.version !== input.version)
      return { kind: "conflict", conflicts: findConflicts(input.baseline, current, input.wanted) };
    const at = now.toISOString();
    const counts = await applyValues(
      trx,
      input.partnerCode,
      current,
      input.wanted,
      input.user,
      "editor",
      at,
    );
    return { kind: "saved", ...counts, at };
  });
}

// ---------------------------------------------------------------------------------
// Pending Excel imports: preview, then confirm; the same per-value decision as the
// demand's (db/template-imports.ts): values the user did not touch never revert newer
// stored ones, values others changed since the download are conflicts, applied only
// when picked one by one.

export type CreateInventoryImportResult = CreateImportResult | Refusal;

export async function createPendingInventoryImport(
  db: Db,
  input: {
    partnerCode: string;
    user: InventoryUser;
    fileName: string;
    generatedAt: string;
    cells: ImportCell[];
    notes: ImportNote[];
    now?: Date;
  },
): Promise<CreateInventoryImportResult> {
  const now = input.now ?? new Date();
  const data = await loadPartnerInventory(db, input.partnerCode, now);
  if (!data) return { kind: "denied", reason: "Diesen Partner gibt es nicht." };
  return storePendingImport(db, "inventory_imports", { ...input, now }, (keys) =>
    foreignKeys(data, keys),
  );
}

export function getPendingInventoryImport(
  db: Db,
  id: string,
  user: InventoryUser,
  partnerCode: string,
  now = new Date(),
): Promise<PendingImport | undefined> {
  return loadPendingImport(db, "inventory_imports", id, user, partnerCode, now);
}

/** What applying the import would change now, and what others changed since the download. */
export async function previewInventoryImport(
  db: Db,
  pending: PendingImport,
  now = new Date(),
): Promise<ImportPreview> {
  const data = await loadPartnerInventory(db, pending.partnerCode, now);
  if (!data) return EMPTY_PREVIEW;
  return classifyImport(pending, valuesOf(data));
}

export type ApplyInventoryImportResult =
  | { kind: "applied"; cells: number; notes: number; skipped: number; at: string }
  | { kind: "changed" }
  | { kind: "missing" }
  | Refusal
  | PlanRefusal;

/**
 * Applies a confirmed import in one transaction: the plain changes plus the conflicts
 * picked in `take`. If the preview the user confirmed (`token`) is no longer what the
 * stored values give, nothing is applied ("changed").
 */
export async function applyPendingInventoryImport(
  db: Db,
  input: {
    id: string;
    partnerCode: string;
    user: InventoryUser;
    token: string;
    take?: readonly string[];
    now?: Date;
  },
): Promise<ApplyInventoryImportResult> {
  const now = input.now ?? new Date();
  return planChecked(db, async (trx): Promise<ApplyInventoryImportResult> => {
    const pending = await getPendingInventoryImport(
      trx,
      input.id,
      input.user,
      input.partnerCode,
      now,
    );
    if (!pending) return { kind: "missing" };
    const data = await loadPartnerInventory(trx, input.partnerCode, now);
    if (!data) return { kind: "denied", reason: "Diesen Partner gibt es nicht." };
    if (foreignKeys(data, keysOf(pending)).length > 0)
      return {
        kind: "denied",
        reason:
          "Schulen oder Produktgruppen haben sich geändert. Bitte eine neue Vorlage herunterladen.",
      };
    const current = valuesOf(data);
    const preview = classifyImport(pending, current);
    if (preview.token !== input.token) return { kind: "changed" };
    const { wanted, skipped } = wantedOf(preview, input.take);
    const at = now.toISOString();
    const counts = await applyValues(
      trx,
      input.partnerCode,
      current,
      wanted,
      input.user,
      "import",
      at,
    );
    await deletePendingImport(trx, "inventory_imports", pending.id);
    return { kind: "applied", ...counts, skipped, at };
  });
}

export async function discardPendingInventoryImport(
  db: Db,
  id: string,
  user: InventoryUser,
): Promise<void> {
  await deletePendingImport(db, "inventory_imports", id, user);
}

// ---------------------------------------------------------------------------------
// Overview and replacement inputs

export interface InventoryOverviewRow {
  partnerCode: string;
  partnerName: string;
  totals: Record<string, number>;
  total: number;
}

/** Every partner's inventory: quantity per category over all schools and years. */
export async function loadInventoryOverview(
  db: Db,
): Promise<{ categories: GridCategory[]; rows: InventoryOverviewRow[] }> {
  const categories = await db
    .selectFrom("categories")
    .select(["code", "name", "unit"])
    .orderBy("position")
    .orderBy("code")
    .execute();
  const partners = await db
    .selectFrom("partners")
    .select(["code", "name"])
    .orderBy("position")
    .orderBy("code")
    .execute();
  const sums = await db
    .selectFrom("inventory_lines")
    .select(["partner_code", "category_code", (eb) => eb.fn.sum<number>("quantity").as("total")])
    .groupBy(["partner_code", "category_code"])
    // Ordered on either engine (PostgreSQL's hash aggregate has no order of its own).
    .orderBy("partner_code")
    .orderBy("category_code")
    .execute();
  return {
    categories,
    rows: partners.map((p) => {
      const totals: Record<string, number> = {};
      for (const s of sums)
        if (s.partner_code === p.code) totals[s.category_code] = Number(s.total);
      return {
        partnerCode: p.code,
        partnerName: p.name,
        totals,
        total: Object.values(totals).reduce((a, b) => a + b, 0),
      };
    }),
  };
}

/**
 * What replacement planning needs for one partner: every purchase (inventory and
 * demand lines) and each category's service life.
 */
export async function loadReplacementInputs(
  db: Db,
  partnerCode: string,
): Promise<{
  purchases: { schoolCode: string | null; categoryCode: string; year: number; quantity: number }[];
  serviceLife: Map<string, number>;
}> {
  const columns = [
    "school_code as schoolCode",
    "category_code as categoryCode",
    "year",
    "quantity",
  ] as const;
  const inventory = await db
    .selectFrom("inventory_lines")
    .select(columns)
    .where("partner_code", "=", partnerCode)
    .execute();
  const demand = await db
    .selectFrom("demand_lines")
    .select(columns)
    .where("partner_code", "=", partnerCode)
    .execute();
  const categories = await db
    .selectFrom("categories")
    .select(["code", "service_life_years"])
    .execute();
  return {
    purchases: [...inventory, ...demand],
    serviceLife: new Map(categories.map((c) => [c.code, c.service_life_years])),
  };
}
