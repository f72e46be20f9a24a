// Demand collection in the database: the editor's grids, saving with optimistic
// concurrency, the workflow status, the deadline, pending Excel imports and the
// history. Every change writes the audit log in the same transaction.
import { sql, type Kysely } from "kysely";
import type { DB } from "./schema";
import { writeAudit } from "./audit";
import { listGridCategories, loadGridBase } from "./grid-reads";
import { writeGridChanges, type GridTables } from "./grid-writes";
import {
  getRoundStatus,
  getRoundStatuses,
  listDemandRounds,
  ROUND_AUDIT_ENTITY,
  type DemandRound,
  type RoundStatus,
} from "./demand-status";
import {
  buildDemandGrids,
  cellKey,
  diffValues,
  findConflicts,
  gridValues,
  planningYears,
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
  changesOf,
  classifyImport,
  deletePendingImport,
  EMPTY_PREVIEW,
  keysOf,
  loadPendingImport,
  storePendingImport,
  wantedOf,
  type CreateImportResult as TemplateCreateResult,
  type ImportCell,
  type ImportNote,
  type ImportPreview,
  type PendingImport,
  type TemplateImportsTable,
} from "./template-imports";
import {
  canEditDemand,
  canReopenDemand,
  canSubmitDemand,
  type Decision,
  type DemandActor,
  type DemandStatus,
} from "../domain/demand-workflow";
import { DEMAND_DEADLINE_SETTING } from "../domain/demand-deadline";
import { lockedCells, lockKey, noteLocked, pickRound } from "../domain/demand-rounds";

/** Tables of migration 004; kept here so db/schema.ts stays untouched. */
export interface DemandNotesTable {
  partner_code: string;
  school_code: string | null;
  category_code: string;
  text: string;
  updated_at: string;
  updated_by: number | null;
}

/** demand_imports has the columns of every template import (db/template-imports.ts). */
export type DemandImportsTable = TemplateImportsTable;

type DemandDB = DB & { demand_notes: DemandNotesTable; demand_imports: DemandImportsTable };
type Db = Kysely<DB>;
const withDemandTables = (db: Db) => db as unknown as Kysely<DemandDB>;

/** The acting user as far as demand collection cares. */
export interface DemandUser extends DemandActor {
  id: number;
}

/** Where a change came from; stored in the audit entry's detail. */
export type ChangeSource = "editor" | "import";

export const AUDIT_ENTITY = {
  line: "demand_line",
  note: "demand_note",
  status: "demand_status",
  setting: "setting",
} as const;

const GRID_TABLES: GridTables = {
  lines: "demand_lines",
  notes: "demand_notes",
  action: "demand",
  entity: AUDIT_ENTITY,
};

// ---------------------------------------------------------------------------------
// Reading

export interface PartnerDemandData {
  partner: { code: string; name: string };
  schools: GridSchool[];
  categories: GridCategory[];
  years: number[];
  cells: DemandCell[];
  notes: DemandNote[];
}

/** Tender terms and demand years of the whole plan, so every partner sees the same columns. */
export async function demandHorizon(db: Db, now: Date): Promise<number[]> {
  const tenders = await db
    .selectFrom("tenders")
    .select(["start_year as startYear", "term_years as termYears"])
    .execute();
  const years = await db.selectFrom("demand_lines").select("year").distinct().execute();
  return planningYears({
    tenders,
    demandYears: years.map((y) => y.year),
    fallbackStartYear: now.getUTCFullYear() + 1,
  });
}

export async function loadPartnerDemand(
  db: Db,
  partnerCode: string,
  now = new Date(),
): Promise<PartnerDemandData | undefined> {
  const base = await loadGridBase(db, partnerCode);
  if (!base) return undefined;
  const cells = await db
    .selectFrom("demand_lines")
    .select(["school_code as schoolCode", "category_code as categoryCode", "year", "quantity"])
    .where("partner_code", "=", partnerCode)
    .execute();
  const notes = await withDemandTables(db)
    .selectFrom("demand_notes")
    .select(["school_code as schoolCode", "category_code as categoryCode", "text"])
    .where("partner_code", "=", partnerCode)
    .execute();
  return { ...base, years: await demandHorizon(db, now), cells, notes };
}

export function gridsOf(data: PartnerDemandData): DemandGrid[] {
  return buildDemandGrids(data);
}

/** Every stored value of the partner (quantities and notes) as flat maps. */
function valuesOf(data: PartnerDemandData): GridValues {
  const values: GridValues = { quantities: new Map(), notes: new Map() };
  for (const grid of gridsOf(data)) {
    const v = gridValues(grid);
    v.quantities.forEach((q, k) => values.quantities.set(k, q));
    v.notes.forEach((n, k) => values.notes.set(k, n));
  }
  // Cells outside the known schools would be invisible in the grids; keep them exact.
  for (const c of data.cells)
    values.quantities.set(cellKey(c.schoolCode, c.categoryCode, c.year), c.quantity);
  return values;
}

/** The rounds and the partner's status in each: what decides which cells are locked. */
export interface PartnerRounds {
  rounds: DemandRound[];
  statuses: Map<string, RoundStatus>;
}

export async function getPartnerRounds(db: Db, partnerCode: string): Promise<PartnerRounds> {
  return {
    rounds: await listDemandRounds(db),
    statuses: await getRoundStatuses(db, partnerCode),
  };
}

/** Why each locked cell ("CATEGORY|YEAR") of the partner's horizon is locked for the user. */
export function cellLocks(
  data: Pick<PartnerDemandData, "partner" | "years" | "categories">,
  rounds: PartnerRounds,
  user: DemandActor,
  now: Date,
): Map<string, string> {
  return lockedCells({
    actor: user,
    partnerCode: data.partner.code,
    rounds: rounds.rounds,
    statuses: rounds.statuses,
    years: data.years,
    categoryCodes: data.categories.map((c) => c.code),
    now,
  });
}

/**
 * May the user change anything of the partner's demand at all? Denied for the wrong
 * role or partner, and when every cell is locked (all rounds submitted or past their
 * deadline); the reason then is the first lock's. Used before reading an upload.
 */
export async function demandEditDecision(
  db: Db,
  user: DemandUser,
  partnerCode: string,
  now = new Date(),
): Promise<Decision> {
  const base = canEditDemand(user, partnerCode, { status: "draft", deadline: null }, now);
  if (!base.allowed) return base;
  const data = await loadPartnerDemand(db, partnerCode, now);
  if (!data) return { allowed: false, reason: "Diesen Partner gibt es nicht." };
  const locks = cellLocks(data, await getPartnerRounds(db, partnerCode), user, now);
  const cellCount = data.years.length * data.categories.length;
  if (cellCount > 0 && locks.size === cellCount)
    return { allowed: false, reason: locks.values().next().value! };
  return { allowed: true };
}

/**
 * Refuses changes (current → wanted) that touch a cell or justification the user may
 * not change: the role rule first, then the lock of each changed cell's round.
 */
async function changeDecision(
  trx: Db,
  user: DemandUser,
  data: PartnerDemandData,
  current: GridValues,
  wanted: GridValues,
  now: Date,
): Promise<Decision> {
  const base = canEditDemand(user, data.partner.code, { status: "draft", deadline: null }, now);
  if (!base.allowed) return base;
  const locks = cellLocks(data, await getPartnerRounds(trx, data.partner.code), user, now);
  if (locks.size === 0) return base;
  const { cells, notes } = diffValues(current, wanted);
  for (const c of cells) {
    const reason = locks.get(lockKey(c.categoryCode, c.year));
    if (reason) return { allowed: false, reason };
  }
  for (const n of notes) {
    const reason = noteLocked(locks, n.categoryCode, data.years);
    if (reason) return { allowed: false, reason };
  }
  return base;
}

// ---------------------------------------------------------------------------------
// Writing cells and notes

type Refusal = { kind: "denied"; reason: string };
export type SaveResult =
  | { kind: "saved"; cells: number; notes: number; at: string }
  | { kind: "conflict"; conflicts: Conflict[] }
  | Refusal;

/** The stored line of one cell: partner, school (or none), category and year. */
/** Writes the differences between `current` and `wanted`, each with an audit entry. */
function applyValues(
  trx: Db,
  partnerCode: string,
  current: GridValues,
  wanted: GridValues,
  user: DemandUser,
  source: "editor" | "import",
  at: string,
): Promise<{ cells: number; notes: number }> {
  return writeGridChanges(trx, GRID_TABLES, partnerCode, current, wanted, user, source, at);
}

/** Only values of this partner's own schools (or none) may be written. */
function foreignKeys(data: PartnerDemandData, wanted: GridValues): string[] {
  const schools = new Set(data.schools.map((s) => s.code));
  const categories = new Set(data.categories.map((c) => c.code));
  const years = new Set(data.years);
  const bad: string[] = [];
  for (const key of wanted.quantities.keys()) {
    const { schoolCode, categoryCode, year } = splitCellKey(key);
    if (
      (schoolCode !== null && !schools.has(schoolCode)) ||
      !categories.has(categoryCode) ||
      !years.has(year)
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

/**
 * Saves one grid (a school's, or the one without a school) if nobody changed it since
 * the form was loaded (`version`); otherwise nothing is saved and the conflicts list
 * each cell changed meanwhile with the stored and the submitted value.
 */
export async function saveGrid(
  db: Db,
  input: {
    partnerCode: string;
    schoolCode: string | null;
    version: string;
    baseline: GridValues;
    wanted: GridValues;
    user: DemandUser;
    now?: Date;
  },
): Promise<SaveResult> {
  const now = input.now ?? new Date();
  return db.transaction().execute(async (trx): Promise<SaveResult> => {
    await lockConsortiumWrites(trx);
    const role = canEditDemand(
      input.user,
      input.partnerCode,
      { status: "draft", deadline: null },
      now,
    );
    if (!role.allowed) return { kind: "denied", reason: role.reason };
    const data = await loadPartnerDemand(trx, input.partnerCode, now);
    if (!data) return { kind: "denied", reason: "Diesen Partner gibt es nicht." };
    const grid = gridsOf(data).find((g) => g.schoolCode === input.schoolCode);
    if (!grid) return { kind: "denied", reason: "Diese Schule gehört nicht zu diesem Partner." };
    const prefix = `${input.schoolCode ?? ""}|`;
    const keys = [...input.wanted.quantities.keys(), ...input.wanted.notes.keys()];
    if (foreignKeys(data, input.wanted).length > 0 || keys.some((k) => !k.startsWith(prefix))) {
      return { kind: "denied", reason: "Das Formular enthält Werte einer anderen Schule." };
    }
    const current = gridValues(grid);
    const decision = await changeDecision(trx, input.user, data, current, input.wanted, now);
    if (!decision.allowed) return { kind: "denied", reason: decision.reason };
    if (grid.version !== input.version) {
      const conflicts = findConflicts(input.baseline, current, input.wanted);
      return { kind: "conflict", conflicts };
    }
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
// Workflow

export type WorkflowResult = { kind: "done"; status: DemandStatus; round: string } | Refusal;

/** Audit key of a partner's status in a round: "PARTNER|TENDER" (in the partner's key range). */
export const statusAuditKey = (partnerCode: string, tenderCode: string) =>
  `${partnerCode}|${tenderCode}`;

/** The round named by the caller, or the default one (nearest open deadline) when none is named. */
async function roundOr(
  db: Db,
  tenderCode: string | null,
  now: Date,
): Promise<DemandRound | Refusal> {
  const { round } = pickRound(await listDemandRounds(db), tenderCode, now);
  return round ?? { kind: "denied", reason: "Diese Bedarfsrunde gibt es nicht." };
}

async function setStatus(
  trx: Db,
  partnerCode: string,
  tenderCode: string,
  from: DemandStatus,
  to: DemandStatus,
  user: DemandUser,
  now: Date,
  action: string,
): Promise<void> {
  const at = now.toISOString();
  await trx
    .insertInto("demand_round_status")
    .values({
      tender_code: tenderCode,
      partner_code: partnerCode,
      status: to,
      changed_at: at,
      changed_by: user.id,
    })
    .onConflict((oc) =>
      oc
        .columns(["tender_code", "partner_code"])
        .doUpdateSet({ status: to, changed_at: at, changed_by: user.id }),
    )
    .execute();
  await writeAudit(trx, {
    userId: user.id,
    action,
    entity: AUDIT_ENTITY.status,
    entityKey: statusAuditKey(partnerCode, tenderCode),
    oldValue: from,
    newValue: to,
    detail: { role: user.role, round: tenderCode },
    at: now,
  });
}

/** Submits the partner's demand of one round (null: the default round); locks only its cells. */
export async function submitDemand(
  db: Db,
  partnerCode: string,
  tenderCode: string | null,
  user: DemandUser,
  now = new Date(),
): Promise<WorkflowResult> {
  return db.transaction().execute(async (trx): Promise<WorkflowResult> => {
    await lockConsortiumWrites(trx);
    const round = await roundOr(trx, tenderCode, now);
    if ("kind" in round) return round;
    const status = await getRoundStatus(trx, round.tenderCode, partnerCode);
    const decision = canSubmitDemand(
      user,
      partnerCode,
      { status: status.status, deadline: round.deadline },
      now,
    );
    if (!decision.allowed)
      return { kind: "denied", reason: `Bedarfsrunde ${round.tenderCode}: ${decision.reason}` };
    await setStatus(
      trx,
      partnerCode,
      round.tenderCode,
      status.status,
      "submitted",
      user,
      now,
      "demand.submit",
    );
    return { kind: "done", status: "submitted", round: round.tenderCode };
  });
}

export async function reopenDemand(
  db: Db,
  partnerCode: string,
  tenderCode: string | null,
  user: DemandUser,
  now = new Date(),
): Promise<WorkflowResult> {
  return db.transaction().execute(async (trx): Promise<WorkflowResult> => {
    await lockConsortiumWrites(trx);
    const round = await roundOr(trx, tenderCode, now);
    if ("kind" in round) return round;
    const partner = await trx
      .selectFrom("partners")
      .select("code")
      .where("code", "=", partnerCode)
      .executeTakeFirst();
    if (!partner) return { kind: "denied", reason: "Diesen Partner gibt es nicht." };
    const status = await getRoundStatus(trx, round.tenderCode, partnerCode);
    const decision = canReopenDemand(user, { status: status.status, deadline: round.deadline });
    if (!decision.allowed) return { kind: "denied", reason: decision.reason };
    await setStatus(
      trx,
      partnerCode,
      round.tenderCode,
      status.status,
      "reopened",
      user,
      now,
      "demand.reopen",
    );
    return { kind: "done", status: "reopened", round: round.tenderCode };
  });
}

/**
 * Sets (Berlin wall time "2027-03-31T18:00") or clears (null) the deadline of one round
 * (null: the default round). Coordinator only: checked by the caller.
 */
export async function setDemandDeadline(
  db: Db,
  tenderCode: string | null,
  local: string | null,
  user: DemandUser,
  now = new Date(),
): Promise<{ kind: "done"; round: string } | Refusal> {
  return db
    .transaction()
    .execute(async (trx): Promise<{ kind: "done"; round: string } | Refusal> => {
      await lockConsortiumWrites(trx);
      const round = await roundOr(trx, tenderCode, now);
      if ("kind" in round) return round;
      const old = round.deadlineLocal;
      if (old === local) return { kind: "done", round: round.tenderCode };
      await trx
        .insertInto("demand_rounds")
        .values({
          tender_code: round.tenderCode,
          deadline: local,
          opened_at: now.toISOString(),
          opened_by: user.id,
        })
        .onConflict((oc) => oc.column("tender_code").doUpdateSet({ deadline: local }))
        .execute();
      await writeAudit(trx, {
        userId: user.id,
        action: "demand.deadline",
        entity: ROUND_AUDIT_ENTITY,
        entityKey: round.tenderCode,
        oldValue: old,
        newValue: local,
        at: now,
      });
      return { kind: "done", round: round.tenderCode };
    });
}

// ---------------------------------------------------------------------------------
// Pending Excel imports (shared with the inventory: db/template-imports.ts)

export {
  PENDING_IMPORT_TTL_MS,
  type ImportCell,
  type ImportConflict,
  type ImportNote,
  type ImportPreview,
  type PendingImport,
} from "./template-imports";
import { lockConsortiumWrites } from "./concurrency";

export type CreateImportResult = TemplateCreateResult | Refusal;

/**
 * Stores parsed template values for confirmation; the id is random and unguessable.
 * Only values the user changed in the file are kept: a value the file still holds as
 * downloaded is never written back, whatever is stored now.
 */
export async function createPendingImport(
  db: Db,
  input: {
    partnerCode: string;
    user: DemandUser;
    fileName: string;
    generatedAt: string;
    cells: ImportCell[];
    notes: ImportNote[];
    now?: Date;
  },
): Promise<CreateImportResult> {
  const now = input.now ?? new Date();
  const data = await loadPartnerDemand(db, input.partnerCode, now);
  if (!data) return { kind: "denied", reason: "Diesen Partner gibt es nicht." };
  return storePendingImport(db, "demand_imports", { ...input, now }, (keys) =>
    foreignKeys(data, keys),
  );
}

/** The pending import if it exists, has not expired and belongs to this user and partner. */
export function getPendingImport(
  db: Db,
  id: string,
  user: DemandUser,
  partnerCode: string,
  now = new Date(),
): Promise<PendingImport | undefined> {
  return loadPendingImport(db, "demand_imports", id, user, partnerCode, now);
}

/** What applying the import would change now, and what others changed since the download. */
export async function previewImport(
  db: Db,
  pending: PendingImport,
  now = new Date(),
): Promise<ImportPreview> {
  const data = await loadPartnerDemand(db, pending.partnerCode, now);
  if (!data) return EMPTY_PREVIEW;
  return classifyImport(pending, valuesOf(data));
}

/**
 * Would applying the import's changes touch a cell the user may not change (a submitted
 * or overdue round)? Lets the preview say so before the user confirms; the apply checks
 * again in its transaction.
 */
export async function importLockDecision(
  db: Db,
  user: DemandUser,
  pending: PendingImport,
  now = new Date(),
): Promise<Decision> {
  const data = await loadPartnerDemand(db, pending.partnerCode, now);
  if (!data) return { allowed: false, reason: "Diesen Partner gibt es nicht." };
  const current = valuesOf(data);
  const wanted = changesOf(classifyImport(pending, current));
  return changeDecision(db, user, data, current, wanted, now);
}

export type ApplyImportResult =
  | { kind: "applied"; cells: number; notes: number; skipped: number; at: string }
  | { kind: "changed" }
  | { kind: "missing" }
  | Refusal;

/**
 * Applies a confirmed import in one transaction: the plain changes, plus those conflicts
 * the user picked one by one (`take`: their keys). If the preview the user confirmed
 * (`token`) is no longer what the stored values give, nothing is applied ("changed").
 */
export async function applyPendingImport(
  db: Db,
  input: {
    id: string;
    partnerCode: string;
    user: DemandUser;
    token: string;
    take?: readonly string[];
    now?: Date;
  },
): Promise<ApplyImportResult> {
  const now = input.now ?? new Date();
  return db.transaction().execute(async (trx): Promise<ApplyImportResult> => {
    await lockConsortiumWrites(trx);
    const pending = await getPendingImport(trx, input.id, input.user, input.partnerCode, now);
    if (!pending) return { kind: "missing" };
    const data = await loadPartnerDemand(trx, input.partnerCode, now);
    if (!data) return { kind: "denied", reason: "Diesen Partner gibt es nicht." };
    if (foreignKeys(data, keysOf(pending)).length > 0) {
      return {
        kind: "denied",
        reason:
          "Schulen, Produktgruppen oder Jahre haben sich geändert. Bitte eine neue Vorlage herunterladen.",
      };
    }
    const current = valuesOf(data);
    const preview = classifyImport(pending, current);
    if (preview.token !== input.token) return { kind: "changed" };
    const { wanted, skipped } = wantedOf(preview, input.take);
    // Only the cells the import changes count: a submitted round's unchanged cells are fine.
    const decision = await changeDecision(trx, input.user, data, current, wanted, now);
    if (!decision.allowed) return { kind: "denied", reason: decision.reason };
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
    await deletePendingImport(trx, "demand_imports", pending.id);
    return { kind: "applied", ...counts, skipped, at };
  });
}

export async function discardPendingImport(db: Db, id: string, user: DemandUser): Promise<void> {
  await deletePendingImport(db, "demand_imports", id, user);
}

// ---------------------------------------------------------------------------------
// History and overview

export interface DemandHistoryEntry {
  id: number;
  at: string;
  userName: string | null;
  action: string;
  entity: string;
  /** Decoded cell or line; null for status and deadline entries. */
  schoolCode: string | null;
  /** The round (tender code) of a status or deadline entry; null for entries before rounds. */
  round: string | null;
  categoryCode: string | null;
  year: number | null;
  oldValue: string | null;
  newValue: string | null;
  source: string | null;
}

/** Entity keys of a partner's lines and notes start with "CODE|": a range scan on the index. */
const partnerKeyRange = (partnerCode: string) => [`${partnerCode}|`, `${partnerCode}}`] as const; // "}" follows "|"

/**
 * A partner's demand changes and status changes (per round, key "PARTNER|TENDER"; before
 * rounds the key was the partner), plus deadline changes of every round, newest first.
 */
export async function listDemandHistory(
  db: Db,
  partnerCode: string,
  limit = 1000,
): Promise<DemandHistoryEntry[]> {
  const [from, to] = partnerKeyRange(partnerCode);
  const rows = await db
    .selectFrom("audit_log as a")
    .leftJoin("users as u", "u.id", "a.user_id")
    .select([
      "a.id",
      "a.at",
      "u.name as userName",
      "a.action",
      "a.entity",
      "a.entity_key",
      "a.old_value",
      "a.new_value",
      "a.detail",
    ])
    .where((eb) =>
      eb.or([
        eb.and([
          eb("a.entity", "in", [AUDIT_ENTITY.line, AUDIT_ENTITY.note]),
          eb("a.entity_key", ">=", from),
          eb("a.entity_key", "<", to),
        ]),
        eb.and([
          eb("a.entity", "=", AUDIT_ENTITY.status),
          eb.or([
            eb("a.entity_key", "=", partnerCode),
            eb.and([eb("a.entity_key", ">=", from), eb("a.entity_key", "<", to)]),
          ]),
        ]),
        eb.and([
          eb("a.entity", "=", AUDIT_ENTITY.setting),
          eb("a.entity_key", "=", DEMAND_DEADLINE_SETTING),
        ]),
        eb.and([eb("a.entity", "=", ROUND_AUDIT_ENTITY), eb("a.action", "=", "demand.deadline")]),
      ]),
    )
    .orderBy("a.id", "desc")
    .limit(limit)
    .execute();
  return rows.map((r) => {
    const rest = r.entity_key.slice(partnerCode.length + 1);
    const cell = r.entity === AUDIT_ENTITY.line ? splitCellKey(rest) : null;
    const line = r.entity === AUDIT_ENTITY.note ? splitLineKey(rest) : null;
    const round =
      r.entity === ROUND_AUDIT_ENTITY
        ? r.entity_key
        : r.entity === AUDIT_ENTITY.status && r.entity_key !== partnerCode
          ? rest
          : null;
    let source: string | null = null;
    try {
      source = r.detail ? ((JSON.parse(r.detail) as { source?: string }).source ?? null) : null;
    } catch {
      source = null;
    }
    return {
      id: r.id,
      at: r.at,
      userName: r.userName,
      action: r.action,
      entity: r.entity,
      schoolCode: cell?.schoolCode ?? line?.schoolCode ?? null,
      round,
      categoryCode: cell?.categoryCode ?? line?.categoryCode ?? null,
      year: cell?.year ?? null,
      oldValue: r.old_value,
      newValue: r.new_value,
      source,
    };
  });
}

export interface DemandOverviewRow {
  partnerCode: string;
  partnerName: string;
  /** The partner's status in the round. */
  status: DemandStatus;
  /** The latest change of the round's cells, notes or status. */
  lastChange: { at: string; userName: string | null } | null;
  /** Quantity per category code of the round (its categories, its term years). */
  totals: Record<string, number>;
  total: number;
  officerEmails: string[];
}

/** Splits "PARTNER|rest" at the first "|". */
function splitPartnerKey(key: string): { partner: string; rest: string } {
  const i = key.indexOf("|");
  return i < 0 ? { partner: key, rest: "" } : { partner: key.slice(0, i), rest: key.slice(i + 1) };
}

/**
 * The coordinator's overview of one round: per partner its status there, the last change
 * of the round's demand and the round's totals per category (no sums across rounds).
 */
export async function loadDemandOverview(
  db: Db,
  round: DemandRound,
): Promise<{ categories: GridCategory[]; rows: DemandOverviewRow[] }> {
  const categories = (await listGridCategories(db)).filter((c) =>
    round.categoryCodes.includes(c.code),
  );
  const partners = await db
    .selectFrom("partners as p")
    .leftJoin("demand_round_status as s", (join) =>
      join.onRef("s.partner_code", "=", "p.code").on("s.tender_code", "=", round.tenderCode),
    )
    .select(["p.code", "p.name", "s.status"])
    .orderBy("p.position")
    .orderBy("p.code")
    .execute();
  const sums =
    categories.length === 0 || round.years.length === 0
      ? []
      : await db
          .selectFrom("demand_lines")
          .select([
            "partner_code",
            "category_code",
            (eb) => eb.fn.sum<number>("quantity").as("total"),
          ])
          .where("category_code", "in", round.categoryCodes)
          .where("year", "in", round.years)
          .groupBy(["partner_code", "category_code"])
          // Ordered: PostgreSQL's hash aggregate returns groups in any order, and the
          // totals' key order goes into the page (its bytes and the tests' comparisons).
          .orderBy("partner_code")
          .orderBy("category_code")
          .execute();
  const officers = await db
    .selectFrom("users")
    .select(["partner_code", "email"])
    .where("role", "=", "officer")
    .where("active", "=", 1)
    .orderBy("email")
    .execute();
  // The newest audit entry per key of lines, notes and statuses; those of this round are
  // picked below by decoding the key (lines: its category and year; notes: its category).
  const latest = await db
    .selectFrom("audit_log")
    .select(["entity", "entity_key", (eb) => eb.fn.max<number>("id").as("id")])
    .where("entity", "in", [AUDIT_ENTITY.line, AUDIT_ENTITY.note, AUDIT_ENTITY.status])
    .groupBy(["entity", "entity_key"])
    .execute();
  const lastId = new Map<string, number>();
  const years = new Set(round.years);
  const covered = new Set(round.categoryCodes);
  for (const entry of latest) {
    const { partner, rest } = splitPartnerKey(entry.entity_key);
    let inRound: boolean;
    if (entry.entity === AUDIT_ENTITY.line) {
      const cell = splitCellKey(rest);
      inRound = covered.has(cell.categoryCode) && years.has(cell.year);
    } else if (entry.entity === AUDIT_ENTITY.note) {
      inRound = covered.has(splitLineKey(rest).categoryCode);
    } else {
      inRound = rest === round.tenderCode;
    }
    if (inRound && Number(entry.id) > (lastId.get(partner) ?? 0))
      lastId.set(partner, Number(entry.id));
  }
  const ids = [...lastId.values()];
  const lastRows =
    ids.length === 0
      ? []
      : await db
          .selectFrom("audit_log as a")
          .leftJoin("users as u", "u.id", "a.user_id")
          .select(["a.id", "a.at", "u.name as userName"])
          .where("a.id", "in", ids)
          .execute();
  const rows: DemandOverviewRow[] = partners.map((p) => {
    const last = lastRows.find((r) => r.id === lastId.get(p.code));
    const totals: Record<string, number> = {};
    for (const s of sums) if (s.partner_code === p.code) totals[s.category_code] = Number(s.total);
    return {
      partnerCode: p.code,
      partnerName: p.name,
      status: p.status ?? "draft",
      lastChange: last ? { at: last.at, userName: last.userName } : null,
      totals,
      total: Object.values(totals).reduce((a, b) => a + b, 0),
      officerEmails: officers.filter((o) => o.partner_code === p.code).map((o) => o.email),
    };
  });
  return { categories, rows };
}

/** Test and script helper: the raw SQL count of a partner's stored lines. */
export async function countDemandLines(db: Db, partnerCode: string): Promise<number> {
  const r = await sql<{
    n: number;
  }>`select count(*) as n from demand_lines where partner_code = ${partnerCode}`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}
