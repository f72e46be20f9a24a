// Editing categories (Produktgruppen) with their volume tiers (CALCULATION.md §3).
// Same pattern as db/tenders.ts: one transaction per change, audit entry, whole-plan
// validation before commit.
import type { Kysely } from "kysely";
import { normalizeDecimal, parseDecimal } from "../domain/decimal";
import { writeAudit } from "./audit";
import { awardedCategoryPlaces, categoryPriceFrozenMessage } from "./awards";
import { storedCents } from "./cents";
import type { DB } from "./schema";
import { changePlan, EditRefused, EditTargetMissing } from "./tenders";

export interface TierRecord {
  minQuantity: number;
  /** Decimal fraction, "0.06". */
  discount: string;
}

export interface CategoryRecord {
  code: string;
  name: string;
  unit: string | null;
  basePriceNetCents: number;
  /** Decimal fraction, "0.19". */
  vatRate: string;
  tiers: TierRecord[];
  /** Whole years a device stays in use (1–15, §11). */
  serviceLifeYears: number;
  /** Support units per device, decimal text ("0.5"). */
  supportUnits: string;
  /** Where the category is used: "RV-2027/L1" per lot, and the number of demand lines. */
  lots: string[];
  demandLines: number;
}

export interface CategoryInput {
  code: string;
  name: string;
  unit?: string;
  basePriceNetCents: bigint;
  vatRate: string;
  tiers: TierRecord[];
  /** Omitted: the default (new category) or the stored value (update). */
  serviceLifeYears?: number;
  supportUnits?: string;
}

export async function listCategoriesForEditing(db: Kysely<DB>): Promise<CategoryRecord[]> {
  const categories = await db
    .selectFrom("categories")
    .selectAll()
    .orderBy("position")
    .orderBy("code")
    .execute();
  const tiers = await db
    .selectFrom("category_tiers")
    .selectAll()
    .orderBy("category_code")
    .orderBy("position")
    .orderBy("min_quantity")
    .execute();
  const lots = await db
    .selectFrom("lot_categories as lc")
    .innerJoin("lots as l", "l.id", "lc.lot_id")
    .select(["lc.category_code", "l.tender_code", "l.code"])
    .orderBy("l.tender_code")
    .orderBy("l.position")
    .execute();
  const demand = await db
    .selectFrom("demand_lines")
    .select((eb) => ["category_code", eb.fn.countAll<number>().as("count")])
    .groupBy("category_code")
    .execute();
  return categories.map((c) => ({
    code: c.code,
    name: c.name,
    unit: c.unit,
    basePriceNetCents: c.base_price_cents,
    vatRate: c.vat_rate,
    serviceLifeYears: c.service_life_years,
    supportUnits: c.support_units,
    tiers: tiers
      .filter((t) => t.category_code === c.code)
      .map((t) => ({ minQuantity: t.min_quantity, discount: t.discount })),
    lots: lots.filter((l) => l.category_code === c.code).map((l) => `${l.tender_code}/${l.code}`),
    demandLines: Number(demand.find((d) => d.category_code === c.code)?.count ?? 0),
  }));
}

function categoryRow(input: CategoryInput) {
  return {
    code: input.code,
    name: input.name,
    unit: input.unit?.trim() ? input.unit.trim() : null,
    base_price_cents: storedCents(input.basePriceNetCents),
    vat_rate: input.vatRate,
    ...(input.serviceLifeYears === undefined ? {} : { service_life_years: input.serviceLifeYears }),
    ...(input.supportUnits === undefined ? {} : { support_units: input.supportUnits }),
  };
}

async function writeTiers(trx: Kysely<DB>, code: string, tiers: TierRecord[]): Promise<void> {
  await trx.deleteFrom("category_tiers").where("category_code", "=", code).execute();
  // Stored in ascending minimum quantity, the order people read tier tables in.
  const sorted = [...tiers].sort((a, b) => a.minQuantity - b.minQuantity);
  if (sorted.length) {
    await trx
      .insertInto("category_tiers")
      .values(
        sorted.map((t, position) => ({
          category_code: code,
          min_quantity: t.minQuantity,
          discount: t.discount,
          position,
        })),
      )
      .execute();
  }
}

async function refuseTakenCode(trx: Kysely<DB>, code: string): Promise<void> {
  const taken = await trx
    .selectFrom("categories")
    .select("code")
    .where("code", "=", code)
    .executeTakeFirst();
  if (taken) throw new EditRefused({ code: [`Das Kürzel ${code} ist bereits vergeben.`] });
}

function auditable(input: CategoryInput) {
  return { ...input, basePriceNetCents: input.basePriceNetCents.toString() };
}

async function findCategory(trx: Kysely<DB>, code: string): Promise<CategoryRecord> {
  const category = (await listCategoriesForEditing(trx)).find((c) => c.code === code);
  if (!category) throw new EditTargetMissing(`Die Produktgruppe ${code}`);
  return category;
}

export function createCategory(
  db: Kysely<DB>,
  input: CategoryInput,
  userId: number | null,
): Promise<void> {
  return changePlan(db, async (trx) => {
    await refuseTakenCode(trx, input.code);
    const position = await trx
      .selectFrom("categories")
      .select((eb) => eb.fn.max<number | null>("position").as("max"))
      .executeTakeFirst();
    await trx
      .insertInto("categories")
      .values({ ...categoryRow(input), position: (position?.max ?? -1) + 1 })
      .execute();
    await writeTiers(trx, input.code, input.tiers);
    await writeAudit(trx, {
      userId,
      action: "create",
      entity: "category",
      entityKey: input.code,
      newValue: auditable(input),
    });
  });
}

function tierKey(tiers: TierRecord[]): string {
  return JSON.stringify(
    [...tiers]
      .sort((a, b) => a.minQuantity - b.minQuantity)
      .map((t) => [t.minQuantity, normalizedDecimalText(t.discount)]),
  );
}

function normalizedDecimalText(text: string): string {
  try {
    const { units, scale } = normalizeDecimal(parseDecimal(text));
    return `${units}e-${scale}`;
  } catch {
    return text;
  }
}

function pricesChanged(old: CategoryRecord, input: CategoryInput): boolean {
  return (
    BigInt(old.basePriceNetCents) !== input.basePriceNetCents ||
    tierKey(old.tiers) !== tierKey(input.tiers)
  );
}

/** Updates the category; a new code follows into tiers, lots and demand (ON UPDATE CASCADE). */
export function updateCategory(
  db: Kysely<DB>,
  originalCode: string,
  input: CategoryInput,
  userId: number | null,
): Promise<void> {
  return changePlan(db, async (trx) => {
    const old = await findCategory(trx, originalCode);
    if (input.code !== originalCode) await refuseTakenCode(trx, input.code);
    // The award's prices and maximum rest on these: frozen while in an awarded lot.
    const awardedIn = (await awardedCategoryPlaces(trx))[originalCode];
    if (awardedIn?.length && pricesChanged(old, input)) {
      throw new EditRefused({ basePriceNet: [categoryPriceFrozenMessage(awardedIn)] });
    }
    await trx
      .updateTable("categories")
      .set(categoryRow(input))
      .where("code", "=", originalCode)
      .execute();
    await writeTiers(trx, input.code, input.tiers);
    const { lots: _lots, demandLines: _demand, ...oldValue } = old;
    await writeAudit(trx, {
      userId,
      action: "update",
      entity: "category",
      entityKey: input.code,
      oldValue,
      newValue: auditable(input),
    });
  });
}

/** Refused while lots or demand lines use the category: deleting would silently drop them. */
export function deleteCategory(db: Kysely<DB>, code: string, userId: number | null): Promise<void> {
  return changePlan(db, async (trx) => {
    const old = await findCategory(trx, code);
    const uses = [
      ...(old.lots.length ? [`Lose ${old.lots.join(", ")}`] : []),
      ...(old.demandLines ? [`${old.demandLines} Bedarfsmeldungen`] : []),
    ];
    if (uses.length) {
      throw new EditRefused({
        code: [
          `Die Produktgruppe ${code} wird noch verwendet (${uses.join("; ")}) und kann nicht gelöscht werden.`,
        ],
      });
    }
    await trx.deleteFrom("categories").where("code", "=", code).execute();
    const { lots: _lots, demandLines: _demand, ...oldValue } = old;
    await writeAudit(trx, {
      userId,
      action: "delete",
      entity: "category",
      entityKey: code,
      oldValue,
    });
  });
}
