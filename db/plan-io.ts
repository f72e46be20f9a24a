// The database ↔ plan file (`verbundkauf/plan@2`, CALCULATION.md §7, §11–§13; a
// plan@1 file is read as a plan@2 without the new fields). exportPlan always writes one
// normalized plan@2, so database → plan → database → plan is stable. importPlan replaces the plan's content in one transaction; users,
// sessions and the audit log stay (see docs/decisions/004-database-and-plan-import.md).
import {
  sql,
  type Insertable,
  type InsertQueryBuilder,
  type InsertResult,
  type Kysely,
} from "kysely";
import {
  DEFAULT_SERVICE_LIFE_YEARS,
  DEFAULT_SUPPORT,
  DEFAULT_SUPPORT_UNITS,
  PLAN_FORMAT_V2,
  type CostKey,
  type Plan,
  type PlanCategory,
  type PlanCommonCost,
  type PlanDemandLine,
  type PlanFundingProgramme,
  type PlanInventoryLine,
  type PlanSchool,
  type PlanSupport,
  type PlanTender,
  type SchoolType,
} from "../domain/plan";
import type { MaxQuantityOverridesTable } from "./awards";
import { writeAudit } from "./audit";
import type { DemandNotesTable } from "./demand";
import { centsFromMoneyString, moneyStringFromCents } from "./cents";
import type { DB, InventoryNotesTable } from "./schema";
import { getPlanSettings, PLAN_SETTING_KEYS } from "./settings";
import { inTransaction } from "./transaction";
import { engineOf } from "./engine";
import { copyRows } from "./pg-copy";
import { inReadSnapshot, lockConsortiumWrites } from "./concurrency";

/** Thrown when the database already holds a plan and the caller did not ask to replace it. */
export class PlanImportRefused extends Error {
  constructor() {
    super(
      "Die Datenbank enthält bereits Plandaten. Der Import ersetzt sie nur mit ausdrücklicher Bestätigung (--replace).",
    );
    this.name = "PlanImportRefused";
  }
}

export interface ImportOptions {
  replace: boolean;
  /** The acting user, for updated_by, and the audit log. */
  userId?: number | null;
}

/** What an import changed, also written to the audit log. */
export interface ImportSummary {
  partners: number;
  schools: number;
  categories: number;
  demandLines: number;
  tenders: number;
  lots: number;
  commonCosts: number;
  /** plan@2 */
  fundingProgrammes: number;
  inventoryLines: number;
  support: boolean;
  maxQuantities: number;
  /** Justifications (demand_notes, migration 004) of lines that still exist in the new plan. */
  demandNotesKept: number;
  /** Justifications of inventory (inventory_notes) whose partner, school and category stay. */
  inventoryNotesKept: number;
  removedPartners: string[];
  deactivatedOfficers: string[];
}

/** Multi-row inserts of this many rows keep SQLite's bound parameters well below its limit. */
const CHUNK_ROWS = 500;

export async function databaseHasPlanData(db: Kysely<DB>): Promise<boolean> {
  const row = await db.selectFrom("partners").select("code").limit(1).executeTakeFirst();
  return row !== undefined;
}

// ---------------------------------------------------------------------------
// Export

/**
 * The current database as a normalized plan@2: every list in `position` order (then
 * code). Categories always carry serviceLifeYears and supportUnits; `fundingProgrammes`
 * and `inventory` are always lists; `support` only when set; a tender's `maxQuantities`
 * only when the coordinator stated one (max_quantity_overrides) for a category of its
 * lots, in the tender's category order (see docs/decisions/012-plan-v2-data-model.md).
 */
export function exportPlan(db: Kysely<DB>): Promise<Plan> {
  // One read snapshot (REPEATABLE READ on PostgreSQL), so the plan is one consistent state;
  // inside a caller's transaction the caller decides.
  return inReadSnapshot(db, readPlan);
}

async function readPlan(trx: Kysely<DB>): Promise<Plan> {
  const settings = await getPlanSettings(trx);
  const partners = await trx
    .selectFrom("partners")
    .selectAll()
    .orderBy("position")
    .orderBy("code")
    .execute();
  const schools = await trx
    .selectFrom("schools")
    .selectAll()
    .orderBy("position")
    .orderBy("code")
    .execute();
  const categories = await trx
    .selectFrom("categories")
    .selectAll()
    .orderBy("position")
    .orderBy("code")
    .execute();
  const tiers = await trx
    .selectFrom("category_tiers")
    .selectAll()
    .orderBy("category_code")
    .orderBy("position")
    .orderBy("min_quantity")
    .execute();
  const demand = await trx
    .selectFrom("demand_lines")
    .select(["partner_code", "school_code", "category_code", "year", "quantity"])
    .orderBy("position")
    .orderBy("id")
    .execute();
  const tenders = await trx
    .selectFrom("tenders")
    .selectAll()
    .orderBy("position")
    .orderBy("code")
    .execute();
  const lots = await trx
    .selectFrom("lots")
    .selectAll()
    .orderBy("position")
    .orderBy("code")
    .execute();
  const lotCategories = await trx
    .selectFrom("lot_categories")
    .selectAll()
    .orderBy("position")
    .orderBy("category_code")
    .execute();
  const commonCosts = await trx
    .selectFrom("common_costs")
    .selectAll()
    .orderBy("position")
    .orderBy("id")
    .execute();
  const weights = await trx
    .selectFrom("common_cost_weights")
    .selectAll()
    .orderBy("position")
    .orderBy("partner_code")
    .execute();

  const programmes = await trx
    .selectFrom("funding_programmes")
    .selectAll()
    .orderBy("position")
    .orderBy("code")
    .execute();
  const programmeCategories = await trx
    .selectFrom("funding_programme_categories")
    .selectAll()
    .orderBy("position")
    .orderBy("category_code")
    .execute();
  const budgets = await trx
    .selectFrom("funding_budgets")
    .selectAll()
    .orderBy("position")
    .orderBy("partner_code")
    .execute();
  const inventory = await trx
    .selectFrom("inventory_lines")
    .select(["partner_code", "school_code", "category_code", "year", "quantity"])
    .orderBy("position")
    .orderBy("id")
    .execute();
  const support = await trx
    .selectFrom("support_parameters")
    .selectAll()
    .where("id", "=", 1)
    .executeTakeFirst();
  const overrides = await overrideTable(trx)
    .selectFrom("max_quantity_overrides")
    .select(["tender_code", "category_code", "max_quantity"])
    .execute();

  const tiersByCategory = groupBy(tiers, (t) => t.category_code);
  const categoriesByProgramme = groupBy(programmeCategories, (c) => c.programme_code);
  const budgetsByProgramme = groupBy(budgets, (b) => b.programme_code);
  const overridesByTender = groupBy(overrides, (o) => o.tender_code);
  const lotsByTender = groupBy(lots, (l) => l.tender_code);
  const categoriesByLot = groupBy(lotCategories, (lc) => lc.lot_id);
  const costsByTender = groupBy(commonCosts, (c) => c.tender_code);
  const weightsByCost = groupBy(weights, (w) => w.common_cost_id);

  const maxQuantitiesOf = (tender: PlanTender): Record<string, number> | undefined => {
    const stated = new Map(
      (overridesByTender.get(tender.code) ?? []).map((o) => [o.category_code, o.max_quantity]),
    );
    const entries: [string, number][] = [];
    for (const lot of tender.lots)
      for (const code of lot.categories) {
        const n = stated.get(code);
        if (n !== undefined) entries.push([code, n]);
      }
    return entries.length > 0 ? Object.fromEntries(entries) : undefined;
  };

  return {
    format: PLAN_FORMAT_V2,
    settings: { ...settings },
    partners: partners.map((p) => ({ code: p.code, name: p.name, population: p.population })),
    // Optional fields appear only when set; key order follows CALCULATION.md §7.
    schools: schools.map((s): PlanSchool => ({
      code: s.code,
      partner: s.partner_code,
      name: s.name,
      ...(s.type !== null && { type: s.type as SchoolType }),
      pupils: s.pupils,
    })),
    categories: categories.map((c): PlanCategory => ({
      code: c.code,
      name: c.name,
      ...(c.unit !== null && { unit: c.unit }),
      basePriceNet: moneyStringFromCents(c.base_price_cents),
      vatRate: c.vat_rate,
      tiers: (tiersByCategory.get(c.code) ?? []).map((t) => ({
        minQuantity: t.min_quantity,
        discount: t.discount,
      })),
      serviceLifeYears: c.service_life_years,
      supportUnits: c.support_units,
    })),
    demand: demand.map((d): PlanDemandLine => ({
      partner: d.partner_code,
      ...(d.school_code !== null && { school: d.school_code }),
      category: d.category_code,
      year: d.year,
      quantity: d.quantity,
    })),
    tenders: tenders
      .map((t): PlanTender => ({
        code: t.code,
        name: t.name,
        startYear: t.start_year,
        termYears: t.term_years,
        reserve: t.reserve,
        soloProcessCostGross: moneyStringFromCents(t.solo_process_cost_cents),
        lots: (lotsByTender.get(t.code) ?? []).map((l) => ({
          code: l.code,
          name: l.name,
          categories: (categoriesByLot.get(l.id) ?? []).map((lc) => lc.category_code),
        })),
        commonCosts: (costsByTender.get(t.code) ?? []).map((c) => {
          const cost: PlanCommonCost = {
            label: c.label,
            amountGross: moneyStringFromCents(c.amount_cents),
            key: c.key as CostKey,
          };
          const costWeights = weightsByCost.get(c.id) ?? [];
          // Custom keys always carry their (possibly empty) weights; others only if stored.
          if (c.key === "custom" || costWeights.length > 0) {
            cost.weights = Object.fromEntries(costWeights.map((w) => [w.partner_code, w.weight]));
          }
          return cost;
        }),
      }))
      .map((tender) => {
        const maxQuantities = maxQuantitiesOf(tender);
        return maxQuantities ? { ...tender, maxQuantities } : tender;
      }),
    fundingProgrammes: programmes.map((f): PlanFundingProgramme => ({
      code: f.code,
      name: f.name,
      rate: f.rate,
      categories: (categoriesByProgramme.get(f.code) ?? []).map((c) => c.category_code),
      fromYear: f.from_year,
      toYear: f.to_year,
      ...(f.max_per_unit_cents !== null && {
        maxPerUnitGross: moneyStringFromCents(f.max_per_unit_cents),
      }),
      ...(Number(f.has_budgets) === 1 && {
        budgets: Object.fromEntries(
          (budgetsByProgramme.get(f.code) ?? []).map((b) => [
            b.partner_code,
            moneyStringFromCents(b.amount_cents),
          ]),
        ),
      }),
    })),
    inventory: inventory.map((d): PlanInventoryLine => ({
      partner: d.partner_code,
      ...(d.school_code !== null && { school: d.school_code }),
      category: d.category_code,
      year: d.year,
      quantity: d.quantity,
    })),
    ...(support !== undefined && {
      support: {
        fromYear: support.from_year,
        toYear: support.to_year,
        devicesPerFte: support.devices_per_fte,
        fteStep: support.fte_step,
        minFtePerPartner: support.min_fte_per_partner,
        poolOverheadFte: support.pool_overhead_fte,
        costPerFteGross: moneyStringFromCents(support.cost_per_fte_cents),
        key: support.key,
      } satisfies PlanSupport,
    }),
  };
}

/** max_quantity_overrides is typed in db/awards.ts (its owner), not in db/schema.ts. */
function overrideTable(db: Kysely<DB>) {
  return db.withTables<{ max_quantity_overrides: MaxQuantityOverridesTable }>();
}

function groupBy<T, K>(rows: T[], keyOf: (row: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  return groups;
}

// ---------------------------------------------------------------------------
// Import

/**
 * Replaces the plan content of the database with `plan` (already validated) in one
 * transaction. Refuses (PlanImportRefused) on a database with plan data unless
 * `replace` is set. Users, sessions and the audit log stay; officers of partners that
 * the new plan no longer has are deactivated (see the decision record).
 */
export function importPlan(
  db: Kysely<DB>,
  plan: Plan,
  options: ImportOptions,
): Promise<ImportSummary> {
  return inTransaction(db, async (trx) => {
    await lockConsortiumWrites(trx);
    if (!options.replace && (await databaseHasPlanData(trx))) throw new PlanImportRefused();
    const summary = await replacePlanContent(
      trx,
      plan,
      options.userId ?? null,
      new Date().toISOString(),
    );
    await writeAudit(trx, {
      userId: options.userId ?? null,
      action: "plan.import",
      entity: "plan",
      entityKey: "plan",
      detail: summary,
    });
    return summary;
  });
}

interface DemandHistory {
  quantity: number;
  justification: string | null;
  updated_at: string;
  updated_by: number | null;
}

function demandCellKey(
  partner: string,
  school: string | null | undefined,
  category: string,
  year: number,
): string {
  return `${partner}\u0000${school ?? ""}\u0000${category}\u0000${year}`;
}

async function replacePlanContent(
  trx: Kysely<DB>,
  plan: Plan,
  userId: number | null,
  now: string,
): Promise<ImportSummary> {
  await replaceSettings(trx, plan);

  // Keep what officers entered beside the quantities for cells that survive the import.
  const history = new Map<string, DemandHistory>();
  const oldCells = await trx
    .selectFrom("demand_lines")
    .select([
      "partner_code",
      "school_code",
      "category_code",
      "year",
      "quantity",
      "justification",
      "updated_at",
      "updated_by",
    ])
    .execute();
  for (const c of oldCells)
    history.set(demandCellKey(c.partner_code, c.school_code, c.category_code, c.year), c);
  // Line justifications (demand_notes) would go with the schools and categories they cascade from.
  const notes = (
    await sql<DemandNotesTable>`
    select partner_code, school_code, category_code, text, updated_at, updated_by from demand_notes`.execute(
      trx,
    )
  ).rows;

  // The same for inventory (plan@2): cells keep who changed them last, notes stay.
  const inventoryHistory = new Map<string, DemandHistory>();
  for (const c of await trx
    .selectFrom("inventory_lines")
    .select([
      "partner_code",
      "school_code",
      "category_code",
      "year",
      "quantity",
      "updated_at",
      "updated_by",
    ])
    .execute())
    inventoryHistory.set(demandCellKey(c.partner_code, c.school_code, c.category_code, c.year), {
      ...c,
      justification: null,
    });
  const inventoryNotes = await trx.selectFrom("inventory_notes").selectAll().execute();
  const oldSupport = await trx
    .selectFrom("support_parameters")
    .selectAll()
    .where("id", "=", 1)
    .executeTakeFirst();

  // Children first: no cascade has to search the (large) demand table.
  await trx.deleteFrom("demand_lines").execute();
  await trx.deleteFrom("inventory_lines").execute();
  await trx.deleteFrom("inventory_notes").execute();
  await trx.deleteFrom("funding_budgets").execute();
  await trx.deleteFrom("funding_programme_categories").execute();
  await trx.deleteFrom("funding_programmes").execute();
  await trx.deleteFrom("support_parameters").execute();
  await overrideTable(trx).deleteFrom("max_quantity_overrides").execute();
  await trx.deleteFrom("common_cost_weights").execute();
  await trx.deleteFrom("common_costs").execute();
  await trx.deleteFrom("lot_categories").execute();
  await trx.deleteFrom("lots").execute();
  await trx.deleteFrom("tenders").execute();
  await trx.deleteFrom("category_tiers").execute();
  await trx.deleteFrom("categories").execute();
  await trx.deleteFrom("schools").execute();

  const { removedPartners, deactivatedOfficers } = await replacePartners(trx, plan, userId, now);

  const schools = plan.schools ?? [];
  await insertChunked(
    trx,
    "schools",
    schools.map((s, position) => ({
      code: s.code,
      partner_code: s.partner,
      name: s.name,
      type: s.type ?? null,
      pupils: s.pupils ?? 0,
      position,
    })),
  );

  await insertChunked(
    trx,
    "categories",
    plan.categories.map((c, position) => ({
      code: c.code,
      name: c.name,
      unit: c.unit ?? null,
      base_price_cents: centsFromMoneyString(c.basePriceNet),
      vat_rate: c.vatRate ?? "0.19",
      service_life_years: c.serviceLifeYears ?? DEFAULT_SERVICE_LIFE_YEARS,
      support_units: c.supportUnits ?? DEFAULT_SUPPORT_UNITS,
      position,
    })),
  );
  await insertChunked(
    trx,
    "category_tiers",
    plan.categories.flatMap((c) =>
      (c.tiers ?? []).map((t, position) => ({
        category_code: c.code,
        min_quantity: t.minQuantity,
        discount: t.discount,
        position,
      })),
    ),
  );

  const demand = plan.demand ?? [];
  await insertChunked(
    trx,
    "demand_lines",
    demand.map((d, position) => {
      const old = history.get(demandCellKey(d.partner, d.school, d.category, d.year));
      const unchanged = old !== undefined && old.quantity === d.quantity;
      return {
        partner_code: d.partner,
        school_code: d.school ?? null,
        category_code: d.category,
        year: d.year,
        quantity: d.quantity,
        justification: old?.justification ?? null,
        position,
        updated_at: unchanged ? old.updated_at : now,
        updated_by: unchanged ? old.updated_by : userId,
      };
    }),
  );

  const demandNotesKept = await restoreDemandNotes(trx, plan, notes);

  let lotCount = 0;
  let commonCostCount = 0;
  const tenders = plan.tenders ?? [];
  for (const [tenderPosition, t] of tenders.entries()) {
    await trx
      .insertInto("tenders")
      .values({
        code: t.code,
        name: t.name,
        start_year: t.startYear,
        term_years: t.termYears,
        reserve: t.reserve ?? "0",
        solo_process_cost_cents: centsFromMoneyString(t.soloProcessCostGross ?? "0.00"),
        position: tenderPosition,
      })
      .execute();
    for (const [lotPosition, lot] of t.lots.entries()) {
      const { id } = await trx
        .insertInto("lots")
        .values({ tender_code: t.code, code: lot.code, name: lot.name, position: lotPosition })
        .returning("id")
        .executeTakeFirstOrThrow();
      await insertChunked(
        trx,
        "lot_categories",
        lot.categories.map((category_code, position) => ({ lot_id: id, category_code, position })),
      );
      lotCount++;
    }
    for (const [costPosition, cost] of (t.commonCosts ?? []).entries()) {
      const { id } = await trx
        .insertInto("common_costs")
        .values({
          tender_code: t.code,
          label: cost.label,
          amount_cents: centsFromMoneyString(cost.amountGross),
          key: cost.key,
          position: costPosition,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      await insertChunked(
        trx,
        "common_cost_weights",
        Object.entries(cost.weights ?? {}).map(([partner_code, weight], position) => ({
          common_cost_id: id,
          partner_code,
          weight,
          position,
        })),
      );
      commonCostCount++;
    }
  }

  const v2 = await insertPlanV2(trx, plan, { userId, now, inventoryHistory, oldSupport });
  const inventoryNotesKept = await restoreInventoryNotes(trx, plan, inventoryNotes);

  return {
    partners: plan.partners.length,
    schools: schools.length,
    categories: plan.categories.length,
    demandLines: demand.length,
    tenders: tenders.length,
    lots: lotCount,
    commonCosts: commonCostCount,
    ...v2,
    demandNotesKept,
    inventoryNotesKept,
    removedPartners,
    deactivatedOfficers,
  };
}

/**
 * plan@2 content: funding programmes with categories and budgets, inventory lines,
 * the support parameters and the tenders' stated maxima. A stated maximum of 0 (or
 * none) means "no maximum above the computed one" (§11: max(computed, 0) = computed)
 * and is not stored: max_quantity_overrides holds values >= 1 only.
 */
async function insertPlanV2(
  trx: Kysely<DB>,
  plan: Plan,
  context: {
    userId: number | null;
    now: string;
    inventoryHistory: Map<string, DemandHistory>;
    oldSupport: { note: string | null } | undefined;
  },
): Promise<
  Pick<ImportSummary, "fundingProgrammes" | "inventoryLines" | "support" | "maxQuantities">
> {
  const { userId, now } = context;
  const programmes = plan.fundingProgrammes ?? [];
  await insertChunked(
    trx,
    "funding_programmes",
    programmes.map((f, position) => ({
      code: f.code,
      name: f.name,
      rate: f.rate,
      from_year: f.fromYear,
      to_year: f.toYear,
      max_per_unit_cents:
        f.maxPerUnitGross === undefined ? null : centsFromMoneyString(f.maxPerUnitGross),
      has_budgets: f.budgets === undefined ? 0 : 1,
      position,
    })),
  );
  await insertChunked(
    trx,
    "funding_programme_categories",
    programmes.flatMap((f) =>
      f.categories.map((category_code, position) => ({
        programme_code: f.code,
        category_code,
        position,
      })),
    ),
  );
  await insertChunked(
    trx,
    "funding_budgets",
    programmes.flatMap((f) =>
      Object.entries(f.budgets ?? {}).map(([partner_code, amount], position) => ({
        programme_code: f.code,
        partner_code,
        amount_cents: centsFromMoneyString(amount),
        position,
      })),
    ),
  );

  const inventory = plan.inventory ?? [];
  await insertChunked(
    trx,
    "inventory_lines",
    inventory.map((d, position) => {
      const old = context.inventoryHistory.get(
        demandCellKey(d.partner, d.school, d.category, d.year),
      );
      const unchanged = old !== undefined && old.quantity === d.quantity;
      return {
        partner_code: d.partner,
        school_code: d.school ?? null,
        category_code: d.category,
        year: d.year,
        quantity: d.quantity,
        position,
        updated_at: unchanged ? old.updated_at : now,
        updated_by: unchanged ? old.updated_by : userId,
      };
    }),
  );

  if (plan.support !== undefined) {
    const s = plan.support;
    await trx
      .insertInto("support_parameters")
      .values({
        id: 1,
        from_year: s.fromYear,
        to_year: s.toYear,
        devices_per_fte: s.devicesPerFte,
        fte_step: s.fteStep ?? DEFAULT_SUPPORT.fteStep,
        min_fte_per_partner: s.minFtePerPartner ?? DEFAULT_SUPPORT.minFtePerPartner,
        pool_overhead_fte: s.poolOverheadFte ?? DEFAULT_SUPPORT.poolOverheadFte,
        cost_per_fte_cents: centsFromMoneyString(s.costPerFteGross),
        key: s.key ?? DEFAULT_SUPPORT.key,
        // The note is not plan data: it stays with the parameters.
        note: context.oldSupport?.note ?? null,
        updated_at: now,
        updated_by: userId,
      })
      .execute();
  }

  const overrides = (plan.tenders ?? []).flatMap((t) =>
    Object.entries(t.maxQuantities ?? {})
      .filter(([, n]) => n >= 1)
      .map(([category_code, max_quantity]) => ({
        tender_code: t.code,
        category_code,
        max_quantity,
        updated_at: now,
        updated_by: userId,
      })),
  );
  for (let start = 0; start < overrides.length; start += CHUNK_ROWS)
    await overrideTable(trx)
      .insertInto("max_quantity_overrides")
      .values(overrides.slice(start, start + CHUNK_ROWS))
      .execute();

  return {
    fundingProgrammes: programmes.length,
    inventoryLines: inventory.length,
    support: plan.support !== undefined,
    maxQuantities: overrides.length,
  };
}

/** The notes (demand or inventory) whose partner, category and school (of the same partner) the new plan still has. */
function notesTheNewPlanKeeps<
  N extends { partner_code: string; category_code: string; school_code: string | null },
>(plan: Plan, notes: N[]): N[] {
  const partners = new Set(plan.partners.map((p) => p.code));
  const categories = new Set(plan.categories.map((c) => c.code));
  const schoolPartner = new Map((plan.schools ?? []).map((s) => [s.code, s.partner]));
  return notes.filter(
    (n) =>
      partners.has(n.partner_code) &&
      categories.has(n.category_code) &&
      (n.school_code === null || schoolPartner.get(n.school_code) === n.partner_code),
  );
}

/** Puts back the inventory notes whose partner, category and school (of the same partner) stay. */
async function restoreInventoryNotes(
  trx: Kysely<DB>,
  plan: Plan,
  notes: InventoryNotesTable[],
): Promise<number> {
  const kept = notesTheNewPlanKeeps(plan, notes);
  await insertChunked(trx, "inventory_notes", kept);
  return kept.length;
}

/** Puts back the notes whose partner, category and school (of the same partner) the new plan still has. */
async function restoreDemandNotes(
  trx: Kysely<DB>,
  plan: Plan,
  notes: DemandNotesTable[],
): Promise<number> {
  const kept = notesTheNewPlanKeeps(plan, notes);
  if (engineOf(trx) === "postgres") {
    await copyRows(trx, "demand_notes", kept as unknown as Record<string, unknown>[]);
    return kept.length;
  }
  // demand_notes is not in db/schema.ts (its owner types it in db/demand.ts), hence raw SQL.
  for (let start = 0; start < kept.length; start += CHUNK_ROWS) {
    const rows = kept
      .slice(start, start + CHUNK_ROWS)
      .map(
        (n) =>
          sql`(${n.partner_code}, ${n.school_code}, ${n.category_code}, ${n.text}, ${n.updated_at}, ${n.updated_by})`,
      );
    await sql`insert into demand_notes (partner_code, school_code, category_code, text, updated_at, updated_by)
      values ${sql.join(rows)}`.execute(trx);
  }
  return kept.length;
}

/** Plan settings the file leaves out are deleted, so the current defaults apply. */
async function replaceSettings(trx: Kysely<DB>, plan: Plan): Promise<void> {
  for (const key of PLAN_SETTING_KEYS) {
    const value = plan.settings?.[key];
    if (value === undefined) {
      await trx.deleteFrom("settings").where("key", "=", key).execute();
    } else {
      await trx
        .insertInto("settings")
        .values({ key, value })
        .onConflict((oc) => oc.column("key").doUpdateSet({ value }))
        .execute();
    }
  }
}

/**
 * Partners are upserted by code so that users and demand round statuses of partners that
 * stay keep their link. Officers of partners that disappear are deactivated, lose their
 * sessions and become role "committee" without a partner (the users table requires
 * officer ⇔ partner); the audit log keeps their old role and partner.
 */
async function replacePartners(
  trx: Kysely<DB>,
  plan: Plan,
  userId: number | null,
  now: string,
): Promise<{ removedPartners: string[]; deactivatedOfficers: string[] }> {
  const newCodes = new Set(plan.partners.map((p) => p.code));
  const existing = await trx.selectFrom("partners").select("code").orderBy("code").execute();
  const removedPartners = existing.map((p) => p.code).filter((code) => !newCodes.has(code));

  const deactivatedOfficers: string[] = [];
  if (removedPartners.length > 0) {
    const officers = await trx
      .selectFrom("users")
      .select(["id", "email", "role", "partner_code", "active"])
      .where("partner_code", "in", removedPartners)
      .orderBy("id")
      .execute();
    for (const officer of officers) {
      await trx
        .updateTable("users")
        .set({ active: 0, role: "committee", partner_code: null, updated_at: now })
        .where("id", "=", officer.id)
        .execute();
      await trx.deleteFrom("sessions").where("user_id", "=", officer.id).execute();
      await writeAudit(trx, {
        userId,
        action: "user.deactivate",
        entity: "user",
        entityKey: String(officer.id),
        oldValue: {
          role: officer.role,
          partner: officer.partner_code,
          active: Number(officer.active),
        },
        newValue: { role: "committee", partner: null, active: 0 },
        detail: {
          reason: "plan.import",
          email: officer.email,
          removedPartner: officer.partner_code,
        },
      });
      deactivatedOfficers.push(officer.email);
    }
    // Round statuses and any remaining child rows go with the partner (ON DELETE CASCADE).
    await trx.deleteFrom("partners").where("code", "in", removedPartners).execute();
  }

  await insertChunked(
    trx,
    "partners",
    plan.partners.map((p, position) => ({
      code: p.code,
      name: p.name,
      population: p.population ?? 0,
      position,
    })),
    (insert) =>
      insert.onConflict((oc) =>
        oc.column("code").doUpdateSet((eb) => ({
          name: eb.ref("excluded.name"),
          population: eb.ref("excluded.population"),
          position: eb.ref("excluded.position"),
        })),
      ),
  );

  // New partners start as drafts in every demand round (no status row means "draft");
  // partners that stay keep theirs: statuses live in demand_round_status, keyed by
  // tender code, so re-inserting the tenders below does not touch them.

  return { removedPartners, deactivatedOfficers };
}

type Insert<T extends keyof DB> = InsertQueryBuilder<DB, T, InsertResult>;

/**
 * Multi-row INSERTs in chunks on SQLite: fast enough for 500,000 demand lines inside one
 * transaction. On PostgreSQL one `COPY … FROM STDIN` per table (db/pg-copy.ts) instead:
 * PostgreSQL parses and plans each INSERT anew (upserts keep the INSERT).
 */
async function insertChunked<T extends keyof DB & string>(
  trx: Kysely<DB>,
  table: T,
  rows: Insertable<DB[T]>[],
  modify?: (insert: Insert<T>) => Insert<T>,
): Promise<void> {
  if (!modify && engineOf(trx) === "postgres")
    return copyRows(trx, table, rows as Record<string, unknown>[]);
  for (let start = 0; start < rows.length; start += CHUNK_ROWS) {
    const chunk = rows.slice(start, start + CHUNK_ROWS);
    // Kysely cannot relate Insertable<DB[T]> to its insert type for a generic T.
    const insert = trx.insertInto(table).values(chunk as never);
    await (modify ? modify(insert) : insert).execute();
  }
}
