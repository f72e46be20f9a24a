// Awards (Zuschlag) per lot: supplier, date, and per category the awarded net unit price
// and the maximum quantity, frozen with the award (migration 005 refuses any change).
// The maximum is the engine's maxQuantity (CALCULATION.md §6) at award time, or the
// coordinator's override set before the award. See docs/decisions/009-awards-and-call-offs.md.
import type { ColumnType, Generated, Kysely } from "kysely";
import { calculatePlan } from "../domain/calculate";
import type { TenderCalculation } from "../domain/calculation";
import {
  awardDateProblem,
  maxQuantityAboveEngineWarning,
  maxQuantityOverrideProblem,
  priceField,
} from "../domain/call-offs";
import type { Plan } from "../domain/plan";
import { validatePlan, type PlanProblem } from "../domain/plan-validation";
import { writeAudit } from "./audit";
import { storedCents } from "./cents";
import { exportPlan } from "./plan-io";
import type { DB } from "./schema";
import { listLots } from "./tender-inputs";
import { inTransaction } from "./transaction";
import { inReadSnapshot, lockConsortiumWrites } from "./concurrency";

// ---- Tables (kept here so db/schema.ts stays untouched) ----------------------------

export interface MaxQuantityOverridesTable {
  tender_code: string;
  category_code: string;
  max_quantity: number;
  updated_at: string;
  updated_by: number | null;
}

export interface AwardsTable {
  id: Generated<number>;
  tender_code: string;
  lot_code: string;
  lot_name: string;
  supplier: string;
  award_date: string;
  start_year: number;
  term_years: number;
  created_at: string;
  created_by: number;
}

export interface AwardCategoriesTable {
  award_id: number;
  category_code: string;
  category_name: string;
  unit: string | null;
  vat_rate: string;
  unit_price_cents: number;
  max_quantity: number;
  joint_quantity: number;
  engine_max_quantity: number;
  estimated_unit_price_cents: number;
  position: number;
}

export interface AwardPlannedDemandTable {
  award_id: number;
  partner_code: string;
  category_code: string;
  year: number;
  quantity: number;
}

export interface CallOffsTable {
  id: Generated<number>;
  award_id: number;
  category_code: string;
  partner_code: string;
  school_code: string | null;
  call_off_date: string;
  /** Generated from call_off_date; never written. */
  year: ColumnType<number, never, never>;
  quantity: number;
  order_number: string;
  created_at: string;
  created_by: number;
  /** One-time token of the form that stored it (migration 008); null for older rows. */
  form_token: string | null;
  /** The cancelled call-off this one corrects (migration 008). */
  corrects_id: number | null;
}

/** A cancellation (Storno) of one call-off (migration 008); append-only. */
export interface CallOffCancellationsTable {
  id: Generated<number>;
  call_off_id: number;
  reason: string;
  form_token: string | null;
  created_at: string;
  created_by: number;
}

// A type alias, not an interface: withTables needs an index-compatible record.
export type AwardTables = {
  max_quantity_overrides: MaxQuantityOverridesTable;
  awards: AwardsTable;
  award_categories: AwardCategoriesTable;
  award_planned_demand: AwardPlannedDemandTable;
  call_offs: CallOffsTable;
  call_off_cancellations: CallOffCancellationsTable;
};

export type AwardDB = DB & AwardTables;

export function awardTables(db: Kysely<DB>): Kysely<AwardDB> {
  return db.withTables<AwardTables>();
}

/** Field errors in German keyed by form field; "" holds errors of the whole form (conform's formErrors). */
export type FieldErrors = Record<string, string[]>;
export type Outcome<T> = { ok: true; value: T } | { ok: false; fieldErrors: FieldErrors };

export const FORM_ERRORS = "";

/** Part of the text the freezing triggers of migration 005 raise (kept in sync with it). */
const AWARD_FROZEN_TEXT = "Los ist vergeben";
export const AWARD_FROZEN_MESSAGE =
  "Das Los ist vergeben: seine Produktgruppen, Laufzeit und Kürzel der Ausschreibung sowie der Zuschlag sind eingefroren.";

/** For the plan import (admin page and command line): it replaces every lot, so any award refuses it. */
export const PLAN_IMPORT_AWARD_FROZEN_MESSAGE =
  "Der Plan wurde nicht übernommen: Mindestens ein Los ist vergeben, und ein Import würde die eingefrorenen Eingaben vergebener Lose ersetzen. Die Daten sind unverändert.";

/** Whether a database error is one of migration 005's refusals to change an awarded lot. */
export function isAwardFrozenError(error: unknown): boolean {
  return error instanceof Error && error.message.includes(AWARD_FROZEN_TEXT);
}

/** Shown at the reserve field once a lot of the tender is awarded. */
export function reserveFrozenMessage(lotCodes: readonly string[]): string {
  return `Die Reserve ist eingefroren: ${lotsText(lotCodes)} vergeben, und die Höchstmengen des Zuschlags wurden mit dieser Reserve berechnet.`;
}

/** Shown at a category's price and tiers while the category belongs to an awarded lot. */
export function categoryPriceFrozenMessage(places: readonly string[]): string {
  return `Grundpreis und Mengenstaffeln sind eingefroren: Die Produktgruppe gehört zum vergebenen ${places.join(", ")}; der Zuschlag beruht auf diesen Preisen.`;
}

/** Shown at an awarded lot's categories (and code). */
export const AWARDED_LOT_LOCKED_MESSAGE =
  "Das Los ist vergeben: Kürzel und Produktgruppen sind eingefroren, nur die Bezeichnung kann sich ändern.";

function lotsText(lotCodes: readonly string[]): string {
  return lotCodes.length === 1 ? `Los ${lotCodes[0]} ist` : `die Lose ${lotCodes.join(", ")} sind`;
}

/** Codes of the awarded lots of a tender, in code order. */
export async function awardedLotCodes(db: Kysely<DB>, tenderCode: string): Promise<string[]> {
  const rows = await awardTables(db)
    .selectFrom("awards")
    .select("lot_code")
    .where("tender_code", "=", tenderCode)
    .orderBy("lot_code")
    .execute();
  return rows.map((r) => r.lot_code);
}

/** Per category code, the awarded lots it belongs to ("Los L1 (RV-2027)"). */
export async function awardedCategoryPlaces(db: Kysely<DB>): Promise<Record<string, string[]>> {
  const rows = await awardTables(db)
    .selectFrom("lot_categories as lc")
    .innerJoin("lots as l", "l.id", "lc.lot_id")
    .innerJoin("awards as a", (join) =>
      join.onRef("a.tender_code", "=", "l.tender_code").onRef("a.lot_code", "=", "l.code"),
    )
    .select(["lc.category_code", "l.code as lotCode", "l.tender_code as tenderCode"])
    .orderBy("l.tender_code")
    .orderBy("l.code")
    .execute();
  const places: Record<string, string[]> = {};
  for (const row of rows)
    (places[row.category_code] ??= []).push(`Los ${row.lotCode} (${row.tenderCode})`);
  return places;
}

function refused<T>(field: string, message: string): Outcome<T> {
  return { ok: false, fieldErrors: { [field]: [message] } };
}

// ---- Reading -----------------------------------------------------------------------

export interface AwardedCategory {
  code: string;
  name: string;
  unit: string | null;
  vatRate: string;
  lotCode: string;
  unitPriceNetCents: number;
  maxQuantity: number;
  /** Q[c] when the lot was awarded. */
  jointQuantity: number;
  /** The engine's maxQuantity when the lot was awarded (before any override). */
  engineMaxQuantity: number;
  /** The engine's joint unit price at award time: the estimate the award replaced. */
  estimatedUnitPriceNetCents: number;
}

export interface Award {
  id: number;
  tenderCode: string;
  lotCode: string;
  lotName: string;
  supplier: string;
  /** ISO date. */
  awardDate: string;
  startYear: number;
  termYears: number;
  createdAt: string;
  createdBy: string;
  categories: AwardedCategory[];
}

/** All awards of a tender (lot order of the award), each with its categories. */
export async function listAwards(db: Kysely<DB>, tenderCode: string): Promise<Award[]> {
  const a = awardTables(db);
  const awards = await a
    .selectFrom("awards as w")
    .innerJoin("users as u", "u.id", "w.created_by")
    .select([
      "w.id",
      "w.tender_code as tenderCode",
      "w.lot_code as lotCode",
      "w.lot_name as lotName",
      "w.supplier",
      "w.award_date as awardDate",
      "w.start_year as startYear",
      "w.term_years as termYears",
      "w.created_at as createdAt",
      "u.name as createdBy",
    ])
    .where("w.tender_code", "=", tenderCode)
    .orderBy("w.lot_code")
    .execute();
  if (awards.length === 0) return [];
  const categories = await a
    .selectFrom("award_categories")
    .selectAll()
    .where(
      "award_id",
      "in",
      awards.map((w) => w.id),
    )
    .orderBy("award_id")
    .orderBy("position")
    .execute();
  return awards.map((award) => ({
    ...award,
    categories: categories
      .filter((c) => c.award_id === award.id)
      .map((c) => ({
        code: c.category_code,
        name: c.category_name,
        unit: c.unit,
        vatRate: c.vat_rate,
        lotCode: award.lotCode,
        unitPriceNetCents: c.unit_price_cents,
        maxQuantity: c.max_quantity,
        jointQuantity: c.joint_quantity,
        engineMaxQuantity: c.engine_max_quantity,
        estimatedUnitPriceNetCents: c.estimated_unit_price_cents,
      })),
  }));
}

export async function getAward(
  db: Kysely<DB>,
  tenderCode: string,
  lotCode: string,
): Promise<Award | undefined> {
  return (await listAwards(db, tenderCode)).find((award) => award.lotCode === lotCode);
}

/** Planned demand frozen with the awards of a tender, per partner, category and year. */
export async function listAwardedPlannedDemand(
  db: Kysely<DB>,
  tenderCode: string,
): Promise<{ partner: string; category: string; year: number; quantity: number }[]> {
  return awardTables(db)
    .selectFrom("award_planned_demand as d")
    .innerJoin("awards as w", "w.id", "d.award_id")
    .select(["d.partner_code as partner", "d.category_code as category", "d.year", "d.quantity"])
    .where("w.tender_code", "=", tenderCode)
    .orderBy("d.partner_code")
    .orderBy("d.category_code")
    .orderBy("d.year")
    .execute();
}

// ---- Engine figures before the award -----------------------------------------------

export type TenderFigures =
  | { ok: true; plan: Plan; tender: TenderCalculation }
  | { ok: false; problems: PlanProblem[] }
  | { ok: false; missing: true };

/** The tender as the engine calculates it from the current plan. */
export async function tenderFigures(db: Kysely<DB>, tenderCode: string): Promise<TenderFigures> {
  const validation = validatePlan(await exportPlan(db));
  if (!validation.ok) return { ok: false, problems: validation.problems };
  // The exported plan@2 carries the overrides as tenders[].maxQuantities (§11); the award
  // page compares an override with the maximum computed from demand and reserve alone.
  const computed: Plan = {
    ...validation.plan,
    tenders: validation.plan.tenders?.map(({ maxQuantities: _stated, ...t }) => t),
  };
  const tender = calculatePlan(computed).tenders.find((t) => t.code === tenderCode);
  return tender ? { ok: true, plan: validation.plan, tender } : { ok: false, missing: true };
}

export interface CategoryBeforeAward {
  code: string;
  name: string;
  unit: string | null;
  jointQuantity: number;
  engineMaxQuantity: number;
  overrideMaxQuantity: number | null;
  /** What the award would freeze: the override, else the engine's maximum. */
  maxQuantity: number;
  estimatedUnitPriceNetCents: number;
  /** German: the override lies above the engine's maximum, or below today's joint quantity. */
  warnings: string[];
}

export interface LotAwardView {
  code: string;
  name: string;
  award: Award | null;
  /** Only for lots not yet awarded, and only when the plan is valid. */
  categories: CategoryBeforeAward[];
}

export interface AwardPage {
  tender: { code: string; name: string; startYear: number; termYears: number; reserve: string };
  lots: LotAwardView[];
  /** The plan is invalid: nothing can be awarded until the problems are fixed. */
  planProblems: PlanProblem[];
}

async function listOverrides(db: Kysely<DB>, tenderCode: string): Promise<Map<string, number>> {
  const rows = await awardTables(db)
    .selectFrom("max_quantity_overrides")
    .select(["category_code", "max_quantity"])
    .where("tender_code", "=", tenderCode)
    .execute();
  return new Map(rows.map((r) => [r.category_code, r.max_quantity]));
}

function categoriesBeforeAward(
  tender: TenderCalculation,
  lotCode: string,
  overrides: Map<string, number>,
): CategoryBeforeAward[] {
  return tender.categories
    .filter((c) => c.lot === lotCode)
    .map((c) => {
      const override = overrides.get(c.code) ?? null;
      const maxQuantity = override ?? c.maxQuantity;
      const warnings: string[] = [];
      if (override !== null) {
        const below = maxQuantityOverrideProblem(override, c.quantity);
        if (below) warnings.push(below);
        const above = maxQuantityAboveEngineWarning(override, c.maxQuantity);
        if (above) warnings.push(above);
      }
      return {
        code: c.code,
        name: c.name,
        unit: c.unit ?? null,
        jointQuantity: c.quantity,
        engineMaxQuantity: c.maxQuantity,
        overrideMaxQuantity: override,
        maxQuantity,
        estimatedUnitPriceNetCents: storedCents(c.unitPriceNet),
        warnings,
      };
    });
}

export async function getAwardPage(
  db: Kysely<DB>,
  tenderCode: string,
): Promise<AwardPage | undefined> {
  // One read snapshot: the page's figures all come from the same state.
  return inReadSnapshot(db, async (trx) => {
    const tender = await trx
      .selectFrom("tenders")
      .selectAll()
      .where("code", "=", tenderCode)
      .executeTakeFirst();
    if (!tender) return undefined;
    const lots = await listLots(trx, tenderCode);
    const awards = await listAwards(trx, tenderCode);
    const figures = await tenderFigures(trx, tenderCode);
    const overrides = await listOverrides(trx, tenderCode);
    return {
      tender: {
        code: tender.code,
        name: tender.name,
        startYear: tender.start_year,
        termYears: tender.term_years,
        reserve: tender.reserve,
      },
      lots: lots.map((lot) => {
        const award = awards.find((a) => a.lotCode === lot.code) ?? null;
        const categories =
          !award && figures.ok ? categoriesBeforeAward(figures.tender, lot.code, overrides) : [];
        return { code: lot.code, name: lot.name, award, categories };
      }),
      planProblems: "problems" in figures ? figures.problems : [],
    };
  });
}

// ---- Maximum quantity before the award ----------------------------------------------

export interface OverrideInput {
  tenderCode: string;
  categoryCode: string;
  /** null: back to the engine's maximum. */
  maxQuantity: number | null;
  userId: number;
  at?: Date;
}

async function lotOfCategory(db: Kysely<DB>, tenderCode: string, categoryCode: string) {
  return db
    .selectFrom("lot_categories as lc")
    .innerJoin("lots as l", "l.id", "lc.lot_id")
    .select(["l.code", "l.name"])
    .where("l.tender_code", "=", tenderCode)
    .where("lc.category_code", "=", categoryCode)
    .executeTakeFirst();
}

async function isLotAwarded(db: Kysely<DB>, tenderCode: string, lotCode: string): Promise<boolean> {
  const row = await awardTables(db)
    .selectFrom("awards")
    .select("id")
    .where("tender_code", "=", tenderCode)
    .where("lot_code", "=", lotCode)
    .executeTakeFirst();
  return row !== undefined;
}

export async function setMaxQuantityOverride(
  db: Kysely<DB>,
  input: OverrideInput,
): Promise<Outcome<null>> {
  return inTransaction(db, async (trx) => {
    await lockConsortiumWrites(trx);
    const lot = await lotOfCategory(trx, input.tenderCode, input.categoryCode);
    if (!lot)
      return refused("category", "Diese Produktgruppe gehört zu keinem Los der Ausschreibung.");
    if (await isLotAwarded(trx, input.tenderCode, lot.code)) {
      return refused(
        "maxQuantity",
        "Das Los ist vergeben: die Höchstmenge ist mit dem Zuschlag festgelegt.",
      );
    }
    const overrides = awardTables(trx).selectFrom("max_quantity_overrides");
    const old = await overrides
      .select("max_quantity")
      .where("tender_code", "=", input.tenderCode)
      .where("category_code", "=", input.categoryCode)
      .executeTakeFirst();
    if (input.maxQuantity === null) {
      await awardTables(trx)
        .deleteFrom("max_quantity_overrides")
        .where("tender_code", "=", input.tenderCode)
        .where("category_code", "=", input.categoryCode)
        .execute();
    } else {
      const figures = await tenderFigures(trx, input.tenderCode);
      if (!figures.ok) {
        return refused(
          FORM_ERRORS,
          "Der Plan ist ungültig; bitte zuerst die Eingaben der Ausschreibung korrigieren.",
        );
      }
      const category = figures.tender.categories.find((c) => c.code === input.categoryCode);
      const problem = maxQuantityOverrideProblem(input.maxQuantity, category?.quantity ?? 0);
      if (problem) return refused("maxQuantity", problem);
      const row = {
        max_quantity: input.maxQuantity,
        updated_at: (input.at ?? new Date()).toISOString(),
        updated_by: input.userId,
      };
      await awardTables(trx)
        .insertInto("max_quantity_overrides")
        .values({ tender_code: input.tenderCode, category_code: input.categoryCode, ...row })
        .onConflict((oc) => oc.columns(["tender_code", "category_code"]).doUpdateSet(row))
        .execute();
    }
    await writeAudit(trx, {
      userId: input.userId,
      action: "award.max-quantity",
      entity: "max_quantity_override",
      entityKey: `${input.tenderCode}/${input.categoryCode}`,
      oldValue: old?.max_quantity ?? null,
      newValue: input.maxQuantity,
      at: input.at,
    });
    return { ok: true, value: null };
  });
}

// ---- The award ----------------------------------------------------------------------

export interface AwardInput {
  tenderCode: string;
  lotCode: string;
  supplier: string;
  /** ISO date. */
  awardDate: string;
  /** Awarded net unit price per category code of the lot, whole cents. */
  pricesCents: Record<string, bigint>;
  userId: number;
  /** Today in Germany (ISO date): the award date may not lie after it. */
  today: string;
  at?: Date;
}

/** Records the award of one lot; refuses a second award, a future date and missing prices. */
export async function awardLot(db: Kysely<DB>, input: AwardInput): Promise<Outcome<Award>> {
  const supplier = input.supplier.trim();
  if (supplier.length === 0 || supplier.length > 200)
    return refused("supplier", "Bitte den Auftragnehmer eingeben.");
  const dateProblem = awardDateProblem(input.awardDate, input.today);
  if (dateProblem) return refused("awardDate", dateProblem);

  return inTransaction(db, async (trx) => {
    await lockConsortiumWrites(trx);
    if (await isLotAwarded(trx, input.tenderCode, input.lotCode)) {
      return refused<Award>(FORM_ERRORS, "Dieses Los ist bereits vergeben.");
    }
    const figures = await tenderFigures(trx, input.tenderCode);
    if (!figures.ok) {
      return refused<Award>(
        FORM_ERRORS,
        "missing" in figures
          ? "Die Ausschreibung gibt es nicht (mehr)."
          : "Der Plan ist ungültig; bitte zuerst die Eingaben der Ausschreibung korrigieren.",
      );
    }
    const { tender, plan } = figures;
    const lot = tender.lots.find((l) => l.code === input.lotCode);
    if (!lot)
      return refused<Award>("lot", "Dieses Los gibt es nicht (mehr). Bitte die Seite neu laden.");
    const categories = tender.categories.filter((c) => c.lot === lot.code);
    if (categories.length === 0) return refused<Award>("lot", "Das Los hat keine Produktgruppen.");

    const overrides = await listOverrides(trx, input.tenderCode);
    const fieldErrors: FieldErrors = {};
    for (const category of categories) {
      const price = input.pricesCents[category.code];
      if (price === undefined || price <= 0n) {
        fieldErrors[priceField(category.code)] = ["Bitte den Zuschlagspreis (netto) eingeben."];
      }
      const override = overrides.get(category.code);
      const problem =
        override === undefined ? null : maxQuantityOverrideProblem(override, category.quantity);
      if (problem) {
        (fieldErrors[FORM_ERRORS] ??= []).push(
          `${category.name}: die festgelegte Höchstmenge (${override}) deckt den inzwischen gemeldeten Bedarf nicht mehr. ${problem}`,
        );
      }
    }
    if (Object.keys(fieldErrors).length > 0) return { ok: false, fieldErrors };

    const a = awardTables(trx);
    const { id } = await a
      .insertInto("awards")
      .values({
        tender_code: tender.code,
        lot_code: lot.code,
        lot_name: lot.name,
        supplier,
        award_date: input.awardDate,
        start_year: tender.startYear,
        term_years: tender.termYears,
        created_at: (input.at ?? new Date()).toISOString(),
        created_by: input.userId,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const categoryRows = categories.map((c, position) => ({
      award_id: id,
      category_code: c.code,
      category_name: c.name,
      unit: c.unit ?? null,
      vat_rate: c.vatRate,
      unit_price_cents: storedCents(input.pricesCents[c.code]),
      max_quantity: overrides.get(c.code) ?? c.maxQuantity,
      joint_quantity: c.quantity,
      engine_max_quantity: c.maxQuantity,
      estimated_unit_price_cents: storedCents(c.unitPriceNet),
      position,
    }));
    await a.insertInto("award_categories").values(categoryRows).execute();
    const planned = plannedDemand(plan, tender, new Set(categories.map((c) => c.code)));
    for (let i = 0; i < planned.length; i += 500) {
      await a
        .insertInto("award_planned_demand")
        .values(planned.slice(i, i + 500).map((line) => ({ award_id: id, ...line })))
        .execute();
    }
    await writeAudit(trx, {
      userId: input.userId,
      action: "award.create",
      entity: "award",
      entityKey: `${tender.code}/${lot.code}`,
      newValue: {
        supplier,
        awardDate: input.awardDate,
        categories: categoryRows.map((c) => ({
          category: c.category_code,
          unitPriceCents: c.unit_price_cents,
          maxQuantity: c.max_quantity,
          engineMaxQuantity: c.engine_max_quantity,
          jointQuantity: c.joint_quantity,
        })),
      },
      at: input.at,
    });
    const award = await getAward(trx, tender.code, lot.code);
    if (!award) throw new Error("award vanished inside its own transaction");
    return { ok: true, value: award };
  });
}

/** The plan's demand of the lot's categories in the term, summed per partner, category and year. */
function plannedDemand(
  plan: Plan,
  tender: TenderCalculation,
  categories: ReadonlySet<string>,
): { partner_code: string; category_code: string; year: number; quantity: number }[] {
  const sums = new Map<
    string,
    { partner_code: string; category_code: string; year: number; quantity: number }
  >();
  for (const line of plan.demand ?? []) {
    if (line.quantity <= 0 || !categories.has(line.category) || !tender.years.includes(line.year))
      continue;
    const key = `${line.partner}\u0000${line.category}\u0000${line.year}`;
    const sum = sums.get(key);
    if (sum) sum.quantity += line.quantity;
    else
      sums.set(key, {
        partner_code: line.partner,
        category_code: line.category,
        year: line.year,
        quantity: line.quantity,
      });
  }
  return [...sums.values()];
}

/** Tenders with at least one awarded lot, in plan order (for links to their call-offs). */
export async function listAwardedTenders(
  db: Kysely<DB>,
): Promise<{ code: string; name: string }[]> {
  return awardTables(db)
    .selectFrom("tenders as t")
    .select(["t.code", "t.name"])
    .where((eb) =>
      eb.exists(
        eb.selectFrom("awards as w").select("w.id").whereRef("w.tender_code", "=", "t.code"),
      ),
    )
    .orderBy("t.position")
    .orderBy("t.code")
    .execute();
}
