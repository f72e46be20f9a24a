// The installed base (Bestand, CALCULATION.md §13): devices a partner bought before or
// outside the joint tenders, per school (or none), category and purchase year, with a
// justification per line. The editor reuses the demand grid (domain/demand-grid.ts):
// same values, versions, conflicts; saves run in one transaction with an audit entry
// per change and a whole-plan validation before commit (changePlan).
import { randomBytes } from "node:crypto";
import type { ExpressionBuilder, Kysely } from "kysely";
import { writeAudit } from "./audit";
import type { DB } from "./schema";
import { changePlan, PlanWouldBeInvalid } from "./tenders";
import { formatProblem } from "../domain/plan-validation";
import {
  buildDemandGrids,
  cellKey,
  diffValues,
  findConflicts,
  gridValues,
  lineKey,
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

/** Table of migration 008; kept here so db/schema.ts stays untouched. */
export interface InventoryImportsTable {
  id: string;
  partner_code: string;
  user_id: number;
  file_name: string;
  payload: string;
  created_at: string;
  expires_at: string;
}

type Db = Kysely<DB>;
type InventoryDB = DB & { inventory_imports: InventoryImportsTable };
const withImports = (db: Db) => db as unknown as Kysely<InventoryDB>;

export interface InventoryUser {
  id: number;
  role: string;
}

export const INVENTORY_AUDIT_ENTITY = { line: "inventory_line", note: "inventory_note" } as const;

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
  const partner = await db
    .selectFrom("partners")
    .select(["code", "name"])
    .where("code", "=", partnerCode)
    .executeTakeFirst();
  if (!partner) return undefined;
  const schools = await db
    .selectFrom("schools")
    .select(["code", "name"])
    .where("partner_code", "=", partnerCode)
    .orderBy("position")
    .orderBy("code")
    .execute();
  const categories = await db
    .selectFrom("categories")
    .select(["code", "name", "unit"])
    .orderBy("position")
    .orderBy("code")
    .execute();
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
  return { partner, schools, categories, years, cells, notes };
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

function lineFilter(
  eb: ExpressionBuilder<DB, "inventory_lines">,
  partnerCode: string,
  c: { schoolCode: string | null; categoryCode: string; year: number },
) {
  return eb.and([
    eb("partner_code", "=", partnerCode),
    eb("category_code", "=", c.categoryCode),
    eb("year", "=", c.year),
    c.schoolCode === null ? eb("school_code", "is", null) : eb("school_code", "=", c.schoolCode),
  ]);
}

/** Writes the differences between `current` and `wanted`, each with an audit entry. */
async function applyValues(
  trx: Db,
  partnerCode: string,
  current: GridValues,
  wanted: GridValues,
  user: InventoryUser,
  source: "editor" | "import",
  at: string,
): Promise<{ cells: number; notes: number }> {
  const { cells, notes } = diffValues(current, wanted);
  const audit = (entity: string, entityKey: string, oldValue: string, newValue: string) =>
    writeAudit(trx, {
      userId: user.id,
      action: source === "import" ? "inventory.import" : "inventory.update",
      entity,
      entityKey,
      oldValue,
      newValue,
      detail: { source, role: user.role },
      at: new Date(at),
    });
  let position: number | null = null;
  for (const c of cells) {
    if (c.newQuantity === 0) {
      await trx
        .deleteFrom("inventory_lines")
        .where((eb) => lineFilter(eb, partnerCode, c))
        .execute();
    } else {
      const updated = await trx
        .updateTable("inventory_lines")
        .set({ quantity: c.newQuantity, updated_at: at, updated_by: user.id })
        .where((eb) => lineFilter(eb, partnerCode, c))
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) {
        if (position === null) {
          const max = await trx
            .selectFrom("inventory_lines")
            .select((eb) => eb.fn.max<number | null>("position").as("p"))
            .executeTakeFirst();
          position = Number(max?.p ?? -1);
        }
        position += 1;
        await trx
          .insertInto("inventory_lines")
          .values({
            partner_code: partnerCode,
            school_code: c.schoolCode,
            category_code: c.categoryCode,
            year: c.year,
            quantity: c.newQuantity,
            position,
            updated_at: at,
            updated_by: user.id,
          })
          .execute();
      }
    }
    await audit(
      INVENTORY_AUDIT_ENTITY.line,
      `${partnerCode}|${cellKey(c.schoolCode, c.categoryCode, c.year)}`,
      String(c.oldQuantity),
      String(c.newQuantity),
    );
  }
  for (const n of notes) {
    await trx
      .deleteFrom("inventory_notes")
      .where("partner_code", "=", partnerCode)
      .where("category_code", "=", n.categoryCode)
      .where((eb) =>
        n.schoolCode === null
          ? eb("school_code", "is", null)
          : eb("school_code", "=", n.schoolCode),
      )
      .execute();
    if (n.newText !== "") {
      await trx
        .insertInto("inventory_notes")
        .values({
          partner_code: partnerCode,
          school_code: n.schoolCode,
          category_code: n.categoryCode,
          text: n.newText,
          updated_at: at,
          updated_by: user.id,
        })
        .execute();
    }
    await audit(
      INVENTORY_AUDIT_ENTITY.note,
      `${partnerCode}|${lineKey(n.schoolCode, n.categoryCode)}`,
      n.oldText,
      n.newText,
    );
  }
  return { cells: cells.length, notes: notes.length };
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
// Pending Excel imports (preview, then confirm; all or nothing)

export const PENDING_INVENTORY_IMPORT_TTL_MS = 2 * 60 * 60 * 1000;

export interface InventoryImportCell {
  schoolCode: string | null;
  categoryCode: string;
  year: number;
  quantity: number;
}

export interface InventoryImportNote {
  schoolCode: string | null;
  categoryCode: string;
  text: string;
}

interface PendingPayload {
  cells: InventoryImportCell[];
  notes: InventoryImportNote[];
  baseline: { quantities: [string, number][]; notes: [string, string][] };
}

export interface PendingInventoryImport {
  id: string;
  partnerCode: string;
  fileName: string;
  wanted: GridValues;
  baseline: GridValues;
}

function toValues(
  cells: readonly InventoryImportCell[],
  notes: readonly InventoryImportNote[],
): GridValues {
  return {
    quantities: new Map(
      cells.map((c) => [cellKey(c.schoolCode, c.categoryCode, c.year), c.quantity]),
    ),
    notes: new Map(notes.map((n) => [lineKey(n.schoolCode, n.categoryCode), n.text])),
  };
}

function pick(current: GridValues, keys: GridValues): GridValues {
  return {
    quantities: new Map(
      [...keys.quantities.keys()].map((k) => [k, current.quantities.get(k) ?? 0]),
    ),
    notes: new Map([...keys.notes.keys()].map((k) => [k, current.notes.get(k) ?? ""])),
  };
}

export type CreateInventoryImportResult =
  { kind: "created"; id: string } | { kind: "invalid"; keys: string[] } | Refusal;

export async function createPendingInventoryImport(
  db: Db,
  input: {
    partnerCode: string;
    user: InventoryUser;
    fileName: string;
    cells: InventoryImportCell[];
    notes: InventoryImportNote[];
    now?: Date;
  },
): Promise<CreateInventoryImportResult> {
  const now = input.now ?? new Date();
  const data = await loadPartnerInventory(db, input.partnerCode, now);
  if (!data) return { kind: "denied", reason: "Diesen Partner gibt es nicht." };
  const wanted = toValues(input.cells, input.notes);
  const bad = foreignKeys(data, wanted);
  if (bad.length > 0) return { kind: "invalid", keys: bad };
  const baseline = pick(valuesOf(data), wanted);
  const payload: PendingPayload = {
    cells: input.cells,
    notes: input.notes,
    baseline: { quantities: [...baseline.quantities], notes: [...baseline.notes] },
  };
  const id = randomBytes(18).toString("base64url");
  const d = withImports(db);
  await d.deleteFrom("inventory_imports").where("expires_at", "<", now.toISOString()).execute();
  await d
    .insertInto("inventory_imports")
    .values({
      id,
      partner_code: input.partnerCode,
      user_id: input.user.id,
      file_name: input.fileName.slice(0, 200),
      payload: JSON.stringify(payload),
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + PENDING_INVENTORY_IMPORT_TTL_MS).toISOString(),
    })
    .execute();
  return { kind: "created", id };
}

export async function getPendingInventoryImport(
  db: Db,
  id: string,
  user: InventoryUser,
  partnerCode: string,
  now = new Date(),
): Promise<PendingInventoryImport | undefined> {
  const row = await withImports(db)
    .selectFrom("inventory_imports")
    .selectAll()
    .where("id", "=", id)
    .where("user_id", "=", user.id)
    .where("partner_code", "=", partnerCode)
    .where("expires_at", ">", now.toISOString())
    .executeTakeFirst();
  if (!row) return undefined;
  const payload = JSON.parse(row.payload) as PendingPayload;
  return {
    id: row.id,
    partnerCode: row.partner_code,
    fileName: row.file_name,
    wanted: toValues(payload.cells, payload.notes),
    baseline: {
      quantities: new Map(payload.baseline.quantities),
      notes: new Map(payload.baseline.notes),
    },
  };
}

export async function previewInventoryImport(
  db: Db,
  pending: PendingInventoryImport,
  now = new Date(),
) {
  const data = await loadPartnerInventory(db, pending.partnerCode, now);
  if (!data) return { cells: [], notes: [] };
  return diffValues(valuesOf(data), pending.wanted);
}

export type ApplyInventoryImportResult =
  | { kind: "applied"; cells: number; notes: number; at: string }
  | { kind: "conflict"; conflicts: Conflict[] }
  | { kind: "missing" }
  | Refusal
  | PlanRefusal;

/** Applies a confirmed import in one transaction, unless values changed since the upload. */
export async function applyPendingInventoryImport(
  db: Db,
  input: { id: string; partnerCode: string; user: InventoryUser; now?: Date },
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
    if (foreignKeys(data, pending.wanted).length > 0)
      return {
        kind: "denied",
        reason:
          "Schulen oder Produktgruppen haben sich geändert. Bitte eine neue Vorlage herunterladen.",
      };
    const current = valuesOf(data);
    const conflicts = findConflicts(
      pending.baseline,
      pick(current, pending.wanted),
      pending.wanted,
    );
    if (conflicts.length > 0) return { kind: "conflict", conflicts };
    const at = now.toISOString();
    const counts = await applyValues(
      trx,
      input.partnerCode,
      current,
      pending.wanted,
      input.user,
      "import",
      at,
    );
    await withImports(trx).deleteFrom("inventory_imports").where("id", "=", pending.id).execute();
    return { kind: "applied", ...counts, at };
  });
}

export async function discardPendingInventoryImport(
  db: Db,
  id: string,
  user: InventoryUser,
): Promise<void> {
  await withImports(db)
    .deleteFrom("inventory_imports")
    .where("id", "=", id)
    .where("user_id", "=", user.id)
    .execute();
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
