// Call-offs (Abrufe) against awarded framework agreements. A call-off is checked and
// stored in one transaction that takes SQLite's write lock first, so call-offs that
// arrive at the same time can never together exceed the maximum quantity; a trigger
// of migration 005 refuses an excess even then. Call-offs are append-only.
import type { Kysely } from "kysely";
import {
  callOffDateProblem,
  callOffQuantityProblem,
  overdrawWarning,
  partnerShareLimit,
  type Overdraw,
  remainingQuantity,
  usageLevel,
  usagePerMille,
  worstUsageLevel,
  type UsageLevel,
} from "../domain/call-offs";
import {
  comparePlanVsActual,
  type AwardedCategoryPrice,
  type PlanVsActual,
} from "../domain/plan-vs-actual";
import { writeAudit } from "./audit";
import {
  awardTables,
  FORM_ERRORS,
  listAwardedPlannedDemand,
  listAwards,
  type FieldErrors,
} from "./awards";
import { exportPlan } from "./plan-io";
import type { DB } from "./schema";
import { listLots } from "./tender-inputs";
import { inReadSnapshot } from "./concurrency";
import { immediateTransaction } from "./transaction";

export interface CallOffInput {
  tenderCode: string;
  partnerCode: string;
  categoryCode: string;
  schoolCode: string | null;
  /** ISO date. */
  date: string;
  quantity: number;
  orderNumber: string;
  userId: number;
  /** The one-time token of the rendered form: a second post with it stores nothing new. */
  token?: string | null;
  /** The user saw the warning about the partner's own share and still calls off. */
  confirmOverdraw?: boolean;
  at?: Date;
}

export interface CallOffCancellation {
  reason: string;
  cancelledAt: string;
  cancelledBy: string;
}

export interface CallOffRecord {
  id: number;
  tenderCode: string;
  lotCode: string;
  date: string;
  partnerCode: string;
  partnerName: string;
  schoolCode: string | null;
  schoolName: string | null;
  categoryCode: string;
  categoryName: string;
  unit: string | null;
  quantity: number;
  orderNumber: string;
  createdAt: string;
  createdBy: string;
  /** The cancelled call-off this one corrects. */
  correctsId: number | null;
  /** Set once the call-off is cancelled (Storno). */
  cancellation: CallOffCancellation | null;
}

export const NOT_AWARDED_MESSAGE =
  "Für diese Produktgruppe gibt es noch keinen Zuschlag: Abrufe sind erst nach der Vergabe des Loses möglich.";
export const ALREADY_CANCELLED_MESSAGE = "Dieser Abruf ist bereits storniert.";
export const TOKEN_USED_MESSAGE =
  "Dieses Formular wurde bereits für eine andere Buchung verwendet. Bitte die Seite neu laden.";

/**
 * Result of recording a call-off: stored (or found stored under the same form token:
 * `duplicate`), refused with field errors, or held back with a warning that the partner
 * would exceed its own share (`overdraw`; nothing stored, post again with confirmOverdraw).
 */
export type CallOffOutcome =
  | { ok: true; value: CallOffRecord; duplicate: boolean }
  | { ok: false; fieldErrors: FieldErrors; overdraw?: string };

function refused(field: string, message: string): CallOffOutcome {
  return { ok: false, fieldErrors: { [field]: [message] } };
}

/** Thrown inside a transaction to roll back what it wrote and answer with `outcome`. */
class RolledBack extends Error {
  constructor(readonly outcome: CallOffOutcome) {
    super("rolled back");
  }
}

async function inWriteLock(
  db: Kysely<DB>,
  work: (conn: Kysely<DB>) => Promise<CallOffOutcome>,
): Promise<CallOffOutcome> {
  try {
    return await immediateTransaction(db, async (conn) => {
      const outcome = await work(conn);
      if (!outcome.ok) throw new RolledBack(outcome);
      return outcome;
    });
  } catch (error) {
    if (error instanceof RolledBack) return error.outcome;
    throw error;
  }
}

function inputProblem(input: CallOffInput): CallOffOutcome | null {
  const orderNumber = input.orderNumber.trim();
  if (orderNumber.length === 0 || orderNumber.length > 50)
    return refused("orderNumber", "Bitte die Bestellnummer angeben.");
  if (!Number.isSafeInteger(input.quantity) || input.quantity < 1)
    return refused("quantity", "Bitte eine ganze Zahl ab 1 eingeben.");
  return null;
}

/** The call-off already stored under this form token, if any. */
async function storedUnderToken(
  conn: Kysely<DB>,
  tenderCode: string,
  token: string | null | undefined,
  partnerCode: string,
): Promise<CallOffOutcome | null> {
  if (!token) return null;
  const a = awardTables(conn);
  const row = await a
    .selectFrom("call_offs")
    .select(["id", "partner_code"])
    .where("form_token", "=", token)
    .executeTakeFirst();
  if (!row) return null;
  if (row.partner_code !== partnerCode) return refused(FORM_ERRORS, TOKEN_USED_MESSAGE);
  const [record] = await listCallOffs(conn, tenderCode, { id: row.id });
  if (!record) return refused(FORM_ERRORS, TOKEN_USED_MESSAGE);
  return { ok: true, value: record, duplicate: true };
}

/** Sum of the call-offs not cancelled, of one category (and partner). */
async function activeQuantity(
  conn: Kysely<DB>,
  awardId: number,
  categoryCode: string,
  partnerCode?: string,
): Promise<number> {
  let query = awardTables(conn)
    .selectFrom("call_offs as c")
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>("c.quantity"), eb.lit(0)).as("total"))
    .where("c.award_id", "=", awardId)
    .where("c.category_code", "=", categoryCode)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom("call_off_cancellations as x")
            .select("x.id")
            .whereRef("x.call_off_id", "=", "c.id"),
        ),
      ),
    );
  if (partnerCode !== undefined) query = query.where("c.partner_code", "=", partnerCode);
  const { total } = await query.executeTakeFirstOrThrow();
  return Number(total);
}

/**
 * Checks and stores one call-off inside the caller's write lock (see recordCallOff).
 * `correctsId`: the call-off this one replaces (already cancelled in the same transaction).
 */
async function insertCallOff(
  conn: Kysely<DB>,
  input: CallOffInput,
  correctsId: number | null,
): Promise<CallOffOutcome> {
  const problem = inputProblem(input);
  if (problem) return problem;
  const orderNumber = input.orderNumber.trim();
  const a = awardTables(conn);
  const awarded = await a
    .selectFrom("award_categories as ac")
    .innerJoin("awards as w", "w.id", "ac.award_id")
    .select([
      "ac.award_id",
      "ac.max_quantity",
      "ac.unit",
      "ac.category_name",
      "w.lot_code",
      "w.award_date",
      "w.start_year",
      "w.term_years",
    ])
    .where("w.tender_code", "=", input.tenderCode)
    .where("ac.category_code", "=", input.categoryCode)
    .executeTakeFirst();
  if (!awarded) return refused("category", NOT_AWARDED_MESSAGE);

  const partner = await conn
    .selectFrom("partners")
    .select(["code", "name"])
    .where("code", "=", input.partnerCode)
    .executeTakeFirst();
  if (!partner) return refused("partner", "Diesen Schulträger gibt es nicht.");
  if (input.schoolCode !== null) {
    const school = await conn
      .selectFrom("schools")
      .select("partner_code")
      .where("code", "=", input.schoolCode)
      .executeTakeFirst();
    if (!school || school.partner_code !== input.partnerCode) {
      return refused("school", "Diese Schule gehört nicht zum gewählten Schulträger.");
    }
  }
  const dateProblem = callOffDateProblem(input.date, {
    startYear: awarded.start_year,
    termYears: awarded.term_years,
    awardDate: awarded.award_date,
  });
  if (dateProblem) return refused("date", dateProblem);

  // The hard stop: the framework's maximum, all partners together.
  const calledOff = await activeQuantity(conn, awarded.award_id, input.categoryCode);
  const quantityProblem = callOffQuantityProblem(
    input.quantity,
    { maxQuantity: awarded.max_quantity, calledOff },
    awarded.unit ?? undefined,
  );
  if (quantityProblem) return refused("quantity", quantityProblem);

  // The soft stop: the partner's own planned share plus the reserve.
  if (!input.confirmOverdraw) {
    const { planned } = await a
      .selectFrom("award_planned_demand")
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number>("quantity"), eb.lit(0)).as("planned"))
      .where("award_id", "=", awarded.award_id)
      .where("category_code", "=", input.categoryCode)
      .where("partner_code", "=", input.partnerCode)
      .executeTakeFirstOrThrow();
    const tender = await conn
      .selectFrom("tenders")
      .select("reserve")
      .where("code", "=", input.tenderCode)
      .executeTakeFirst();
    const limit = partnerShareLimit(Number(planned), tender?.reserve ?? "0");
    const after =
      (await activeQuantity(conn, awarded.award_id, input.categoryCode, input.partnerCode)) +
      input.quantity;
    if (after > limit) {
      return {
        ok: false,
        fieldErrors: {},
        overdraw: overdrawWarning({
          partnerName: partner.name,
          categoryName: awarded.category_name,
          unit: awarded.unit,
          planned: Number(planned),
          limit,
          calledOffAfter: after,
        }),
      };
    }
  }

  const createdAt = (input.at ?? new Date()).toISOString();
  const { id } = await a
    .insertInto("call_offs")
    .values({
      award_id: awarded.award_id,
      category_code: input.categoryCode,
      partner_code: input.partnerCode,
      school_code: input.schoolCode,
      call_off_date: input.date,
      quantity: input.quantity,
      order_number: orderNumber,
      created_at: createdAt,
      created_by: input.userId,
      form_token: input.token ?? null,
      corrects_id: correctsId,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  await writeAudit(conn, {
    userId: input.userId,
    action: "call-off.create",
    entity: "call_off",
    entityKey: String(id),
    newValue: {
      tender: input.tenderCode,
      lot: awarded.lot_code,
      partner: input.partnerCode,
      school: input.schoolCode,
      category: input.categoryCode,
      date: input.date,
      quantity: input.quantity,
      orderNumber,
      ...(correctsId !== null ? { corrects: correctsId } : {}),
      ...(input.confirmOverdraw ? { overdrawConfirmed: true } : {}),
    },
    at: input.at,
  });
  const [record] = await listCallOffs(conn, input.tenderCode, { id });
  return { ok: true, value: record, duplicate: false };
}

/**
 * Checks and stores one call-off. Refuses (German field errors, nothing stored) a
 * category that is not awarded, an unknown partner, a school of another partner, a
 * date outside the term or before the award, and a quantity beyond what is left.
 * Holds back (nothing stored, `overdraw`) a call-off that takes the partner beyond its
 * own planned share plus the reserve, unless `confirmOverdraw`. A form token already
 * used answers with the call-off stored then (`duplicate`), so a double post stores once.
 * Whether the user may record for this partner is the caller's check.
 */
export async function recordCallOff(db: Kysely<DB>, input: CallOffInput): Promise<CallOffOutcome> {
  const problem = inputProblem(input);
  if (problem) return problem;
  return inWriteLock(db, async (conn) => {
    const stored = await storedUnderToken(conn, input.tenderCode, input.token, input.partnerCode);
    return stored ?? insertCallOff(conn, input, null);
  });
}

/** The tender and partner of a call-off, for the authorization check before a cancellation. */
export async function getCallOffOwner(
  db: Kysely<DB>,
  tenderCode: string,
  id: number,
): Promise<{ partnerCode: string } | undefined> {
  const row = await awardTables(db)
    .selectFrom("call_offs as c")
    .innerJoin("awards as w", "w.id", "c.award_id")
    .select("c.partner_code")
    .where("c.id", "=", id)
    .where("w.tender_code", "=", tenderCode)
    .executeTakeFirst();
  return row ? { partnerCode: row.partner_code } : undefined;
}

export interface CancelInput {
  tenderCode: string;
  callOffId: number;
  reason: string;
  userId: number;
  token?: string | null;
  at?: Date;
}

async function writeCancellation(
  conn: Kysely<DB>,
  input: CancelInput,
  /** Token stored with the cancellation (a correction keeps it on the new call-off). */
  token: string | null,
): Promise<CallOffOutcome> {
  const reason = input.reason.trim();
  if (reason.length === 0 || reason.length > 500)
    return refused("reason", "Bitte den Grund der Stornierung angeben.");
  const [original] = await listCallOffs(conn, input.tenderCode, { id: input.callOffId });
  if (!original) return refused(FORM_ERRORS, "Diesen Abruf gibt es nicht.");
  if (original.cancellation) return refused(FORM_ERRORS, ALREADY_CANCELLED_MESSAGE);
  await awardTables(conn)
    .insertInto("call_off_cancellations")
    .values({
      call_off_id: input.callOffId,
      reason,
      form_token: token,
      created_at: (input.at ?? new Date()).toISOString(),
      created_by: input.userId,
    })
    .execute();
  await writeAudit(conn, {
    userId: input.userId,
    action: "call-off.cancel",
    entity: "call_off",
    entityKey: String(input.callOffId),
    oldValue: {
      partner: original.partnerCode,
      category: original.categoryCode,
      date: original.date,
      quantity: original.quantity,
      orderNumber: original.orderNumber,
    },
    newValue: { reason },
    at: input.at,
  });
  const [record] = await listCallOffs(conn, input.tenderCode, { id: input.callOffId });
  return { ok: true, value: record, duplicate: false };
}

/**
 * Cancels one call-off (Storno) with a reason: a cancellation row that references it,
 * so both stay in the history and its quantity is available again. A call-off is
 * cancelled once; the same form posted again answers with that cancellation.
 * Whether the user may cancel it is the caller's check (getCallOffOwner).
 */
export async function cancelCallOff(db: Kysely<DB>, input: CancelInput): Promise<CallOffOutcome> {
  return inWriteLock(db, async (conn) => {
    if (input.token) {
      const done = await awardTables(conn)
        .selectFrom("call_off_cancellations")
        .select("call_off_id")
        .where("form_token", "=", input.token)
        .executeTakeFirst();
      if (done) {
        if (done.call_off_id !== input.callOffId) return refused(FORM_ERRORS, TOKEN_USED_MESSAGE);
        const [record] = await listCallOffs(conn, input.tenderCode, { id: done.call_off_id });
        return { ok: true, value: record, duplicate: true };
      }
    }
    return writeCancellation(conn, input, input.token ?? null);
  });
}

/**
 * A correction in one step: cancels `callOffId` with the reason and records `replacement`
 * in the same transaction; either both are stored or neither. The replacement carries
 * the form token, so a second post answers with it.
 */
export async function correctCallOff(
  db: Kysely<DB>,
  cancel: CancelInput,
  replacement: CallOffInput,
): Promise<CallOffOutcome> {
  const problem = inputProblem(replacement);
  if (problem) return problem;
  return inWriteLock(db, async (conn) => {
    const stored = await storedUnderToken(
      conn,
      replacement.tenderCode,
      replacement.token,
      replacement.partnerCode,
    );
    if (stored) return stored;
    const cancelled = await writeCancellation(conn, cancel, null);
    if (!cancelled.ok) return cancelled;
    return insertCallOff(conn, replacement, cancel.callOffId);
  });
}

export interface CallOffFilter {
  partnerCode?: string;
  id?: number;
}

/** Call-offs of a tender, newest first, each with its cancellation (if any). */
export async function listCallOffs(
  db: Kysely<DB>,
  tenderCode: string,
  filter: CallOffFilter = {},
): Promise<CallOffRecord[]> {
  let query = awardTables(db)
    .selectFrom("call_offs as c")
    .innerJoin("awards as w", "w.id", "c.award_id")
    .innerJoin("award_categories as ac", (join) =>
      join
        .onRef("ac.award_id", "=", "c.award_id")
        .onRef("ac.category_code", "=", "c.category_code"),
    )
    .innerJoin("users as u", "u.id", "c.created_by")
    .leftJoin("partners as p", "p.code", "c.partner_code")
    .leftJoin("schools as s", "s.code", "c.school_code")
    .leftJoin("call_off_cancellations as x", "x.call_off_id", "c.id")
    .leftJoin("users as ux", "ux.id", "x.created_by")
    .select([
      "c.id",
      "w.tender_code as tenderCode",
      "w.lot_code as lotCode",
      "c.call_off_date as date",
      "c.partner_code as partnerCode",
      "p.name as partnerName",
      "c.school_code as schoolCode",
      "s.name as schoolName",
      "c.category_code as categoryCode",
      "ac.category_name as categoryName",
      "ac.unit",
      "c.quantity",
      "c.order_number as orderNumber",
      "c.created_at as createdAt",
      "u.name as createdBy",
      "c.corrects_id as correctsId",
      "x.reason as cancelReason",
      "x.created_at as cancelledAt",
      "ux.name as cancelledBy",
    ])
    .where("w.tender_code", "=", tenderCode)
    .orderBy("c.call_off_date", "desc")
    .orderBy("c.id", "desc");
  if (filter.partnerCode !== undefined)
    query = query.where("c.partner_code", "=", filter.partnerCode);
  if (filter.id !== undefined) query = query.where("c.id", "=", filter.id);
  const rows = await query.execute();
  return rows.map(({ cancelReason, cancelledAt, cancelledBy, ...row }) => ({
    ...row,
    // A partner removed by a later plan import keeps its call-offs under its code.
    partnerName: row.partnerName ?? row.partnerCode,
    cancellation:
      cancelReason !== null && cancelledAt !== null
        ? { reason: cancelReason, cancelledAt, cancelledBy: cancelledBy ?? "" }
        : null,
  }));
}

/**
 * Called-off quantities of a tender per partner, category and year (for plan against
 * actual and the overview); cancelled call-offs do not count.
 */
export async function listCalledOffQuantities(
  db: Kysely<DB>,
  tenderCode: string,
): Promise<{ partner: string; category: string; year: number; quantity: number }[]> {
  const rows = await awardTables(db)
    .selectFrom("call_offs as c")
    .innerJoin("awards as w", "w.id", "c.award_id")
    .leftJoin("call_off_cancellations as x", "x.call_off_id", "c.id")
    .select((eb) => [
      "c.partner_code as partner",
      "c.category_code as category",
      "c.year",
      eb.fn.sum<number>("c.quantity").as("quantity"),
    ])
    .where("w.tender_code", "=", tenderCode)
    .where("x.id", "is", null)
    .groupBy(["c.partner_code", "c.category_code", "c.year"])
    .orderBy("c.partner_code")
    .orderBy("c.category_code")
    .orderBy("c.year")
    .execute();
  return rows.map((row) => ({ ...row, quantity: Number(row.quantity) }));
}

// ---- The overview of one tender ----------------------------------------------------

export interface PartnerShare {
  partnerCode: string;
  calledOff: number;
  /** The partner's planned quantity of the category over the term, frozen with the award. */
  planned: number;
  /** Planned plus the reserve: beyond it, a call-off asks first. */
  limit: number;
}

export interface CategoryUse {
  code: string;
  name: string;
  unit: string | null;
  lotCode: string;
  unitPriceNetCents: number;
  maxQuantity: number;
  calledOff: number;
  remaining: number;
  level: UsageLevel;
  /** Tenths of a percent, rounded down; null when the maximum is 0. */
  perMille: number | null;
  /** Only when a partner was asked for. */
  share: PartnerShare | null;
}

export interface CallOffOverview {
  tender: { code: string; name: string; startYear: number; termYears: number };
  awards: { lotCode: string; lotName: string; supplier: string; awardDate: string }[];
  /** Lots of the tender without an award yet. */
  pendingLots: { code: string; name: string }[];
  categories: CategoryUse[];
  level: UsageLevel;
  /** Partners that called off more than their planned share plus the reserve. */
  overdraws: Overdraw[];
}

/** Maximum, called off and left per awarded category; with `partnerCode` also that partner's share. */
export async function getCallOffOverview(
  db: Kysely<DB>,
  tenderCode: string,
  partnerCode: string | null,
): Promise<CallOffOverview | undefined> {
  const tender = await db
    .selectFrom("tenders")
    .selectAll()
    .where("code", "=", tenderCode)
    .executeTakeFirst();
  if (!tender) return undefined;
  const awards = await listAwards(db, tenderCode);
  const lots = await listLots(db, tenderCode);
  const calledOff = await listCalledOffQuantities(db, tenderCode);
  const planned = await listAwardedPlannedDemand(db, tenderCode);
  const sum = (
    lines: { category: string; quantity: number; partner: string }[],
    category: string,
    partner?: string,
  ) =>
    lines
      .filter((l) => l.category === category && (partner === undefined || l.partner === partner))
      .reduce((total, l) => total + l.quantity, 0);

  const categories: CategoryUse[] = awards.flatMap((award) =>
    award.categories.map((c) => {
      const use = { maxQuantity: c.maxQuantity, calledOff: sum(calledOff, c.code) };
      return {
        code: c.code,
        name: c.name,
        unit: c.unit,
        lotCode: award.lotCode,
        unitPriceNetCents: c.unitPriceNetCents,
        ...use,
        remaining: remainingQuantity(use),
        level: usageLevel(use),
        perMille: usagePerMille(use),
        share:
          partnerCode === null
            ? null
            : {
                partnerCode,
                calledOff: sum(calledOff, c.code, partnerCode),
                planned: sum(planned, c.code, partnerCode),
                limit: partnerShareLimit(sum(planned, c.code, partnerCode), tender.reserve),
              },
      };
    }),
  );
  const partnerNames = new Map(
    (await db.selectFrom("partners").select(["code", "name"]).execute()).map((p) => [
      p.code,
      p.name,
    ]),
  );
  const overdraws: Overdraw[] = [];
  for (const c of categories) {
    const partners = new Set(calledOff.filter((l) => l.category === c.code).map((l) => l.partner));
    for (const partner of [...partners].sort()) {
      const partnerPlanned = sum(planned, c.code, partner);
      const limit = partnerShareLimit(partnerPlanned, tender.reserve);
      const partnerCalledOff = sum(calledOff, c.code, partner);
      if (partnerCalledOff > limit) {
        overdraws.push({
          partnerCode: partner,
          partnerName: partnerNames.get(partner) ?? partner,
          categoryCode: c.code,
          categoryName: c.name,
          unit: c.unit,
          planned: partnerPlanned,
          limit,
          calledOff: partnerCalledOff,
        });
      }
    }
  }
  const awardedLots = new Set(awards.map((a) => a.lotCode));
  return {
    tender: {
      code: tender.code,
      name: tender.name,
      startYear: tender.start_year,
      termYears: tender.term_years,
    },
    awards: awards.map((a) => ({
      lotCode: a.lotCode,
      lotName: a.lotName,
      supplier: a.supplier,
      awardDate: a.awardDate,
    })),
    pendingLots: lots
      .filter((lot) => !awardedLots.has(lot.code))
      .map(({ code, name }) => ({ code, name })),
    categories,
    level: worstUsageLevel(categories.map((c) => c.level)),
    overdraws,
  };
}

/** The worst use level per tender with awards, for a badge in the tenders list. */
export async function tenderUsageLevels(db: Kysely<DB>): Promise<Record<string, UsageLevel>> {
  const a = awardTables(db);
  const rows = await a
    .selectFrom("award_categories as ac")
    .innerJoin("awards as w", "w.id", "ac.award_id")
    .select((eb) => [
      "w.tender_code as tenderCode",
      "ac.max_quantity as maxQuantity",
      eb
        .selectFrom("call_offs as c")
        .select((inner) =>
          inner.fn.coalesce(inner.fn.sum<number>("c.quantity"), inner.lit(0)).as("q"),
        )
        .whereRef("c.award_id", "=", "ac.award_id")
        .whereRef("c.category_code", "=", "ac.category_code")
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom("call_off_cancellations as x")
                .select("x.id")
                .whereRef("x.call_off_id", "=", "c.id"),
            ),
          ),
        )
        .as("calledOff"),
    ])
    .execute();
  const levels: Record<string, UsageLevel[]> = {};
  for (const row of rows) {
    (levels[row.tenderCode] ??= []).push(
      usageLevel({ maxQuantity: row.maxQuantity, calledOff: Number(row.calledOff ?? 0) }),
    );
  }
  return Object.fromEntries(
    Object.entries(levels).map(([code, list]) => [code, worstUsageLevel(list)]),
  );
}

export interface PartnerOption {
  code: string;
  name: string;
  schools: { code: string; name: string }[];
}

/** Partners (plan order) with their schools, for the call-off form. */
export async function listPartnersWithSchools(
  db: Kysely<DB>,
  onlyPartner: string | null,
): Promise<PartnerOption[]> {
  let partners = db
    .selectFrom("partners")
    .select(["code", "name"])
    .orderBy("position")
    .orderBy("code");
  if (onlyPartner !== null) partners = partners.where("code", "=", onlyPartner);
  let schools = db
    .selectFrom("schools")
    .select(["code", "name", "partner_code"])
    .orderBy("position")
    .orderBy("code");
  if (onlyPartner !== null) schools = schools.where("partner_code", "=", onlyPartner);
  const schoolRows = await schools.execute();
  return (await partners.execute()).map((p) => ({
    ...p,
    schools: schoolRows
      .filter((s) => s.partner_code === p.code)
      .map(({ code, name }) => ({ code, name })),
  }));
}

// ---- Plan against actual ---------------------------------------------------------

export interface PlanVsActualData {
  tender: { code: string; name: string; startYear: number; termYears: number };
  awards: { lotCode: string; lotName: string; supplier: string; awardDate: string }[];
  pendingLots: { code: string; name: string }[];
  /** null until a lot is awarded. */
  comparison: PlanVsActual | null;
}

/**
 * Planned demand (frozen with the awards) against the call-offs, both priced at the
 * awarded prices by the engine with the tender's current common costs.
 */
export async function getPlanVsActual(
  db: Kysely<DB>,
  tenderCode: string,
): Promise<PlanVsActualData | undefined> {
  // One read snapshot, so all parts of the page come from the same state.
  return inReadSnapshot(db, async (trx) => {
    const overview = await getCallOffOverview(trx, tenderCode, null);
    if (!overview) return undefined;
    const awards = await listAwards(trx, tenderCode);
    const base = {
      tender: overview.tender,
      awards: overview.awards,
      pendingLots: overview.pendingLots,
    };
    if (awards.length === 0) return { ...base, comparison: null };
    const awarded: AwardedCategoryPrice[] = awards.flatMap((award) =>
      award.categories.map((c) => ({
        category: c.code,
        name: c.name,
        unit: c.unit,
        lot: award.lotCode,
        vatRate: c.vatRate,
        unitPriceNet: BigInt(c.unitPriceNetCents),
        maxQuantity: c.maxQuantity,
      })),
    );
    const comparison = comparePlanVsActual({
      plan: await exportPlan(trx),
      tenderCode,
      awarded,
      planned: await listAwardedPlannedDemand(trx, tenderCode),
      calledOff: await listCalledOffQuantities(trx, tenderCode),
    });
    return { ...base, comparison };
  });
}

export { FORM_ERRORS };
