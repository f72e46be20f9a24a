// Call-offs (Abrufe) against awarded framework agreements. A call-off is checked and
// stored in one transaction that takes SQLite's write lock first, so call-offs that
// arrive at the same time can never together exceed the maximum quantity; a trigger
// of migration 005 refuses an excess even then. Call-offs are append-only.
import type { Kysely } from "kysely";
import {
  callOffDateProblem,
  callOffQuantityProblem,
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
  type Outcome,
} from "./awards";
import { exportPlan } from "./plan-io";
import type { DB } from "./schema";
import { listLots } from "./tender-inputs";
import { immediateTransaction, inTransaction } from "./transaction";

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
  at?: Date;
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
}

export const NOT_AWARDED_MESSAGE =
  "Für diese Produktgruppe gibt es noch keinen Zuschlag: Abrufe sind erst nach der Vergabe des Loses möglich.";

function refused(field: string, message: string): Outcome<CallOffRecord> {
  return { ok: false, fieldErrors: { [field]: [message] } };
}

/**
 * Checks and stores one call-off. Refuses (German field errors, nothing stored) a
 * category that is not awarded, an unknown partner, a school of another partner, a
 * date outside the term or before the award, and a quantity beyond what is left.
 * Whether the user may record for this partner is the caller's check.
 */
export async function recordCallOff(
  db: Kysely<DB>,
  input: CallOffInput,
): Promise<Outcome<CallOffRecord>> {
  const orderNumber = input.orderNumber.trim();
  if (orderNumber.length === 0 || orderNumber.length > 50)
    return refused("orderNumber", "Bitte die Bestellnummer angeben.");
  if (!Number.isSafeInteger(input.quantity) || input.quantity < 1) {
    return refused("quantity", "Bitte eine ganze Zahl ab 1 eingeben.");
  }
  return immediateTransaction(db, async (conn) => {
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
      .select("code")
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

    const { calledOff } = await a
      .selectFrom("call_offs")
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number>("quantity"), eb.lit(0)).as("calledOff"))
      .where("award_id", "=", awarded.award_id)
      .where("category_code", "=", input.categoryCode)
      .executeTakeFirstOrThrow();
    const quantityProblem = callOffQuantityProblem(
      input.quantity,
      { maxQuantity: awarded.max_quantity, calledOff: Number(calledOff) },
      awarded.unit ?? undefined,
    );
    if (quantityProblem) return refused("quantity", quantityProblem);

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
      },
      at: input.at,
    });
    const [record] = await listCallOffs(conn, input.tenderCode, { id });
    return { ok: true, value: record };
  });
}

export interface CallOffFilter {
  partnerCode?: string;
  id?: number;
}

/** Call-offs of a tender, newest first. */
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
    ])
    .where("w.tender_code", "=", tenderCode)
    .orderBy("c.call_off_date", "desc")
    .orderBy("c.id", "desc");
  if (filter.partnerCode !== undefined)
    query = query.where("c.partner_code", "=", filter.partnerCode);
  if (filter.id !== undefined) query = query.where("c.id", "=", filter.id);
  const rows = await query.execute();
  // A partner removed by a later plan import keeps its call-offs under its code.
  return rows.map((row) => ({ ...row, partnerName: row.partnerName ?? row.partnerCode }));
}

/** Called-off quantities of a tender per partner, category and year (for plan against actual). */
export async function listCalledOffQuantities(
  db: Kysely<DB>,
  tenderCode: string,
): Promise<{ partner: string; category: string; year: number; quantity: number }[]> {
  const rows = await awardTables(db)
    .selectFrom("call_offs as c")
    .innerJoin("awards as w", "w.id", "c.award_id")
    .select((eb) => [
      "c.partner_code as partner",
      "c.category_code as category",
      "c.year",
      eb.fn.sum<number>("c.quantity").as("quantity"),
    ])
    .where("w.tender_code", "=", tenderCode)
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
  const planned = partnerCode === null ? [] : await listAwardedPlannedDemand(db, tenderCode);
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
              },
      };
    }),
  );
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
  // One read transaction, so all parts of the page come from the same state.
  return inTransaction(db, async (trx) => {
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
