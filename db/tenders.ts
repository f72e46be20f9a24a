// Editing tenders, their lots and their common costs (CALCULATION.md §1, §2, §5).
// Every change runs in one transaction that also writes the audit log and, before
// it commits, validates the whole plan as exported from the database: a change that
// would leave an invalid plan is rolled back and reported (see
// docs/decisions/007-tender-editing.md). Field-level refusals name the form field.
import type { Kysely } from "kysely";
import { calculatePlan } from "../domain/calculate";
import type { PlanCalculation } from "../domain/calculation";
import type { CostKey, Plan } from "../domain/plan";
import { formatProblem, validatePlan, type PlanProblem } from "../domain/plan-validation";
import { lotCoverageConflicts, tenderYearConflicts } from "../domain/tender-rules";
import { writeAudit } from "./audit";
import { storedCents } from "./cents";
import { normalizeDecimal, parseDecimal } from "../domain/decimal";
import {
  AWARD_FROZEN_MESSAGE,
  awardedLotCodes,
  isAwardFrozenError,
  reserveFrozenMessage,
} from "./awards";
import { exportPlan } from "./plan-io";
import type { DB } from "./schema";
import { getTenderForEditing, type CommonCostRecord, type LotRecord } from "./tender-inputs";
import { inTransaction } from "./transaction";
import { openDemandRound, renameDemandRound } from "./demand-status";
import { lockConsortiumWrites } from "./concurrency";

// ---- Refusals -------------------------------------------------------------------

/** A change refused at specific form fields (German messages, keyed by field name). */
export class EditRefused extends Error {
  constructor(readonly fieldErrors: Record<string, string[]>) {
    super(Object.values(fieldErrors).flat().join(" "));
    this.name = "EditRefused";
  }
}

export type { PlanProblem };

/** The change would have left an invalid plan; it was rolled back. */
export class PlanWouldBeInvalid extends Error {
  constructor(readonly problems: PlanProblem[]) {
    super(problems.map((p) => `${p.path}: ${p.message}`).join("\n"));
    this.name = "PlanWouldBeInvalid";
  }
}

/** The lot, cost or tender addressed by the form no longer exists. */
export class EditTargetMissing extends Error {
  constructor(what: string) {
    super(`${what} gibt es nicht (mehr). Bitte die Seite neu laden.`);
    this.name = "EditTargetMissing";
  }
}

/**
 * A refusal as conform reply options (`submission.reply(…)`): field errors at their
 * fields, plan problems and vanished targets as form errors. Undefined for other errors.
 */
export function refusalAsFormErrors(
  error: unknown,
): { fieldErrors?: Record<string, string[]>; formErrors?: string[] } | undefined {
  if (error instanceof EditRefused) return { fieldErrors: error.fieldErrors };
  if (error instanceof PlanWouldBeInvalid) {
    return {
      formErrors: [
        "Die Änderung wurde nicht gespeichert, weil der Plan danach ungültig wäre:",
        ...error.problems.map((problem) => formatProblem(problem)),
      ],
    };
  }
  if (error instanceof EditTargetMissing) return { formErrors: [error.message] };
  if (isAwardFrozenError(error)) return { formErrors: [AWARD_FROZEN_MESSAGE] };
  return undefined;
}

export type CurrentCalculation =
  | { ok: true; plan: Plan; calculation: PlanCalculation }
  | { ok: false; plan: Plan; problems: PlanProblem[] };

/** The plan as stored, validated and calculated (one consistent read). */
export async function calculateCurrentPlan(db: Kysely<DB>): Promise<CurrentCalculation> {
  const plan = await exportPlan(db);
  const validation = validatePlan(plan);
  if (!validation.ok) return { ok: false, plan, problems: validation.problems };
  return { ok: true, plan, calculation: calculatePlan(validation.plan) };
}

/**
 * Runs `work` in a transaction; commits only when the whole plan still validates.
 * `work` gets the plan as it was before the change, for rule checks with good messages.
 */
export function changePlan<T>(
  db: Kysely<DB>,
  work: (trx: Kysely<DB>, before: Plan) => Promise<T>,
): Promise<T> {
  return inTransaction(db, async (trx) => {
    await lockConsortiumWrites(trx);
    const result = await work(trx, await exportPlan(trx));
    const validation = validatePlan(await exportPlan(trx));
    if (!validation.ok) throw new PlanWouldBeInvalid(validation.problems);
    return result;
  });
}

// ---- Tender ----------------------------------------------------------------------

export interface TenderInput {
  code: string;
  name: string;
  startYear: number;
  termYears: number;
  /** Decimal fraction, 0 ≤ reserve ≤ 1. */
  reserve: string;
  soloProcessCostGrossCents: bigint;
}

function tenderRow(input: TenderInput) {
  return {
    code: input.code,
    name: input.name,
    start_year: input.startYear,
    term_years: input.termYears,
    reserve: input.reserve,
    solo_process_cost_cents: storedCents(input.soloProcessCostGrossCents),
  };
}

function auditable(input: TenderInput) {
  return { ...input, soloProcessCostGrossCents: input.soloProcessCostGrossCents.toString() };
}

async function nextPosition(
  db: Kysely<DB>,
  table: "tenders" | "lots" | "common_costs" | "categories",
  tenderCode?: string,
): Promise<number> {
  let query = db.selectFrom(table).select((eb) => eb.fn.max<number | null>("position").as("max"));
  if (tenderCode !== undefined && table !== "tenders" && table !== "categories") {
    query = query.where("tender_code", "=", tenderCode);
  }
  const row = await query.executeTakeFirst();
  return (row?.max ?? -1) + 1;
}

async function refuseTakenTenderCode(db: Kysely<DB>, code: string): Promise<void> {
  const taken = await db
    .selectFrom("tenders")
    .select("code")
    .where("code", "=", code)
    .executeTakeFirst();
  if (taken) throw new EditRefused({ code: [`Das Kürzel ${code} ist bereits vergeben.`] });
}

export function createTender(
  db: Kysely<DB>,
  input: TenderInput,
  userId: number | null,
): Promise<void> {
  return changePlan(db, async (trx) => {
    await refuseTakenTenderCode(trx, input.code);
    await trx
      .insertInto("tenders")
      .values({ ...tenderRow(input), position: await nextPosition(trx, "tenders") })
      .execute();
    // A new tender opens its demand round: every partner a draft, no deadline yet.
    await openDemandRound(trx, input.code, userId);
    await writeAudit(trx, {
      userId,
      action: "create",
      entity: "tender",
      entityKey: input.code,
      newValue: auditable(input),
    });
  });
}

/** "0.1" and "0.10" are the same reserve. */
function sameDecimal(a: string, b: string): boolean {
  try {
    const [x, y] = [normalizeDecimal(parseDecimal(a)), normalizeDecimal(parseDecimal(b))];
    return x.units === y.units && x.scale === y.scale;
  } catch {
    return a === b;
  }
}

/** Changes the tender's fields, including its code (lots and costs follow by ON UPDATE CASCADE). */
export function updateTender(
  db: Kysely<DB>,
  originalCode: string,
  input: TenderInput,
  userId: number | null,
): Promise<void> {
  return changePlan(db, async (trx, before) => {
    const old = await getTenderForEditing(trx, originalCode);
    if (!old) throw new EditTargetMissing(`Die Ausschreibung ${originalCode}`);
    if (input.code !== originalCode) await refuseTakenTenderCode(trx, input.code);
    const conflicts = tenderYearConflicts(before, originalCode, input);
    if (conflicts.length) throw new EditRefused({ startYear: conflicts.map((c) => c.message) });
    // The award's maximum quantities were computed with this reserve: frozen after an award.
    const awarded = await awardedLotCodes(trx, originalCode);
    if (awarded.length && !sameDecimal(old.reserve, input.reserve))
      throw new EditRefused({ reservePercent: [reserveFrozenMessage(awarded)] });
    await trx
      .updateTable("tenders")
      // The same reserve keeps its stored text ("0.10" stays, not "0.1").
      .set({
        ...tenderRow(input),
        ...(sameDecimal(old.reserve, input.reserve) ? { reserve: old.reserve } : {}),
      })
      .where("code", "=", originalCode)
      .execute();
    await renameDemandRound(trx, originalCode, input.code);
    const { lots: _lots, commonCosts: _costs, ...oldFields } = old;
    await writeAudit(trx, {
      userId,
      action: "update",
      entity: "tender",
      entityKey: input.code,
      oldValue: oldFields,
      newValue: auditable(input),
    });
  });
}

export function deleteTender(db: Kysely<DB>, code: string, userId: number | null): Promise<void> {
  return changePlan(db, async (trx) => {
    const old = await getTenderForEditing(trx, code);
    if (!old) throw new EditTargetMissing(`Die Ausschreibung ${code}`);
    await trx.deleteFrom("tenders").where("code", "=", code).execute();
    await writeAudit(trx, {
      userId,
      action: "delete",
      entity: "tender",
      entityKey: code,
      oldValue: old,
    });
  });
}

// ---- Lots ------------------------------------------------------------------------

export interface LotInput {
  code: string;
  name: string;
  categories: string[];
}

async function checkLot(
  trx: Kysely<DB>,
  before: Plan,
  tenderCode: string,
  originalLotCode: string | undefined,
  input: LotInput,
): Promise<void> {
  const errors: Record<string, string[]> = {};
  if (input.code !== originalLotCode) {
    const taken = await trx
      .selectFrom("lots")
      .select("id")
      .where("tender_code", "=", tenderCode)
      .where("code", "=", input.code)
      .executeTakeFirst();
    if (taken) errors.code = [`Das Los ${input.code} gibt es in dieser Ausschreibung schon.`];
  }
  const known = new Set(before.categories.map((c) => c.code));
  const unknown = input.categories.filter((c) => !known.has(c));
  const conflicts = lotCoverageConflicts(before, tenderCode, originalLotCode, input.categories);
  const categoryErrors = [
    ...unknown.map((c) => `Die Produktgruppe ${c} gibt es nicht.`),
    ...conflicts.map((c) => c.message),
  ];
  if (categoryErrors.length) errors.categories = categoryErrors;
  if (Object.keys(errors).length) throw new EditRefused(errors);
}

async function writeLotCategories(
  trx: Kysely<DB>,
  lotId: number,
  categories: string[],
): Promise<void> {
  await trx.deleteFrom("lot_categories").where("lot_id", "=", lotId).execute();
  const unique = [...new Set(categories)];
  if (unique.length) {
    await trx
      .insertInto("lot_categories")
      .values(unique.map((category_code, position) => ({ lot_id: lotId, category_code, position })))
      .execute();
  }
}

/**
 * Writes a lot's categories only where they changed: the same list is left alone and
 * a new order of the same categories only moves positions. Migration 005 freezes the
 * categories of an awarded lot (insert/delete), not their positions, so saving an
 * awarded lot with unchanged categories (a rename) goes through.
 */
async function updateLotCategories(
  trx: Kysely<DB>,
  lotId: number,
  old: string[],
  categories: string[],
): Promise<void> {
  const unique = [...new Set(categories)];
  if (unique.length === old.length && unique.every((code, i) => code === old[i])) return;
  const sameSet = unique.length === old.length && unique.every((code) => old.includes(code));
  if (!sameSet) {
    try {
      return await writeLotCategories(trx, lotId, unique);
    } catch (error) {
      // The lot is awarded: show the refusal at the field that asked for the change.
      if (isAwardFrozenError(error)) throw new EditRefused({ categories: [AWARD_FROZEN_MESSAGE] });
      throw error;
    }
  }
  for (const [position, category_code] of unique.entries()) {
    await trx
      .updateTable("lot_categories")
      .set({ position })
      .where("lot_id", "=", lotId)
      .where("category_code", "=", category_code)
      .execute();
  }
}

async function findLot(trx: Kysely<DB>, tenderCode: string, lotId: number): Promise<LotRecord> {
  const tender = await getTenderForEditing(trx, tenderCode);
  const lot = tender?.lots.find((l) => l.id === lotId);
  if (!lot) throw new EditTargetMissing("Dieses Los");
  return lot;
}

export function addLot(
  db: Kysely<DB>,
  tenderCode: string,
  input: LotInput,
  userId: number | null,
): Promise<number> {
  return changePlan(db, async (trx, before) => {
    if (!before.tenders?.some((t) => t.code === tenderCode))
      throw new EditTargetMissing(`Die Ausschreibung ${tenderCode}`);
    await checkLot(trx, before, tenderCode, undefined, input);
    const { id } = await trx
      .insertInto("lots")
      .values({
        tender_code: tenderCode,
        code: input.code,
        name: input.name,
        position: await nextPosition(trx, "lots", tenderCode),
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await writeLotCategories(trx, id, input.categories);
    await writeAudit(trx, {
      userId,
      action: "create",
      entity: "lot",
      entityKey: `${tenderCode}/${input.code}`,
      newValue: input,
    });
    return id;
  });
}

export function updateLot(
  db: Kysely<DB>,
  tenderCode: string,
  lotId: number,
  input: LotInput,
  userId: number | null,
): Promise<void> {
  return changePlan(db, async (trx, before) => {
    const old = await findLot(trx, tenderCode, lotId);
    await checkLot(trx, before, tenderCode, old.code, input);
    try {
      await trx
        .updateTable("lots")
        .set({ code: input.code, name: input.name })
        .where("id", "=", lotId)
        .execute();
    } catch (error) {
      // A new code for an awarded lot: refused at the code field.
      if (isAwardFrozenError(error)) throw new EditRefused({ code: [AWARD_FROZEN_MESSAGE] });
      throw error;
    }
    await updateLotCategories(trx, lotId, old.categories, input.categories);
    const { id: _id, ...oldValue } = old;
    await writeAudit(trx, {
      userId,
      action: "update",
      entity: "lot",
      entityKey: `${tenderCode}/${input.code}`,
      oldValue,
      newValue: input,
    });
  });
}

export function deleteLot(
  db: Kysely<DB>,
  tenderCode: string,
  lotId: number,
  userId: number | null,
): Promise<void> {
  return changePlan(db, async (trx) => {
    const old = await findLot(trx, tenderCode, lotId);
    await trx.deleteFrom("lots").where("id", "=", lotId).execute();
    const { id: _id, ...oldValue } = old;
    await writeAudit(trx, {
      userId,
      action: "delete",
      entity: "lot",
      entityKey: `${tenderCode}/${old.code}`,
      oldValue,
    });
  });
}

// ---- Common costs -----------------------------------------------------------------

export interface CommonCostInput {
  label: string;
  amountGrossCents: bigint;
  key: CostKey;
  /** Only key "custom"; partners without an entry weigh 0. */
  weights?: Record<string, string>;
}

async function checkWeights(trx: Kysely<DB>, input: CommonCostInput): Promise<void> {
  const codes = Object.keys(input.weights ?? {});
  if (!codes.length) return;
  const known = await trx
    .selectFrom("partners")
    .select("code")
    .where("code", "in", codes)
    .execute();
  const unknown = codes.filter((code) => !known.some((k) => k.code === code));
  if (unknown.length)
    throw new EditRefused({ weights: [`Unbekannte Partner: ${unknown.join(", ")}.`] });
}

async function writeWeights(
  trx: Kysely<DB>,
  costId: number,
  input: CommonCostInput,
): Promise<void> {
  await trx.deleteFrom("common_cost_weights").where("common_cost_id", "=", costId).execute();
  const entries = input.key === "custom" ? Object.entries(input.weights ?? {}) : [];
  if (entries.length) {
    await trx
      .insertInto("common_cost_weights")
      .values(
        entries.map(([partner_code, weight], position) => ({
          common_cost_id: costId,
          partner_code,
          weight,
          position,
        })),
      )
      .execute();
  }
}

function costAudit(input: CommonCostInput) {
  return { ...input, amountGrossCents: input.amountGrossCents.toString() };
}

async function findCost(
  trx: Kysely<DB>,
  tenderCode: string,
  costId: number,
): Promise<CommonCostRecord> {
  const tender = await getTenderForEditing(trx, tenderCode);
  const cost = tender?.commonCosts.find((c) => c.id === costId);
  if (!cost) throw new EditTargetMissing("Dieser Kostenposten");
  return cost;
}

export function addCommonCost(
  db: Kysely<DB>,
  tenderCode: string,
  input: CommonCostInput,
  userId: number | null,
): Promise<number> {
  return changePlan(db, async (trx, before) => {
    if (!before.tenders?.some((t) => t.code === tenderCode))
      throw new EditTargetMissing(`Die Ausschreibung ${tenderCode}`);
    await checkWeights(trx, input);
    const { id } = await trx
      .insertInto("common_costs")
      .values({
        tender_code: tenderCode,
        label: input.label,
        amount_cents: storedCents(input.amountGrossCents),
        key: input.key,
        position: await nextPosition(trx, "common_costs", tenderCode),
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await writeWeights(trx, id, input);
    await writeAudit(trx, {
      userId,
      action: "create",
      entity: "common_cost",
      entityKey: `${tenderCode}/${id}`,
      newValue: costAudit(input),
    });
    return id;
  });
}

export function updateCommonCost(
  db: Kysely<DB>,
  tenderCode: string,
  costId: number,
  input: CommonCostInput,
  userId: number | null,
): Promise<void> {
  return changePlan(db, async (trx) => {
    const old = await findCost(trx, tenderCode, costId);
    await checkWeights(trx, input);
    await trx
      .updateTable("common_costs")
      .set({
        label: input.label,
        amount_cents: storedCents(input.amountGrossCents),
        key: input.key,
      })
      .where("id", "=", costId)
      .execute();
    await writeWeights(trx, costId, input);
    const { id: _id, ...oldValue } = old;
    await writeAudit(trx, {
      userId,
      action: "update",
      entity: "common_cost",
      entityKey: `${tenderCode}/${costId}`,
      oldValue,
      newValue: costAudit(input),
    });
  });
}

export function deleteCommonCost(
  db: Kysely<DB>,
  tenderCode: string,
  costId: number,
  userId: number | null,
): Promise<void> {
  return changePlan(db, async (trx) => {
    const old = await findCost(trx, tenderCode, costId);
    await trx.deleteFrom("common_costs").where("id", "=", costId).execute();
    const { id: _id, ...oldValue } = old;
    await writeAudit(trx, {
      userId,
      action: "delete",
      entity: "common_cost",
      entityKey: `${tenderCode}/${costId}`,
      oldValue,
    });
  });
}
