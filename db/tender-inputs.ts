// Reading the tenders' inputs (CALCULATION.md §1: tender, lot, common cost): the one
// place where tender rows become records, for the edit forms and the read-only pages.
// Money stays integer cents, rates stay decimal strings; lists come in plan order
// (position, then code or id), as exportPlan has them.
import type { Kysely } from "kysely";
import type { CostKey } from "../domain/plan";
import type { DB } from "./schema";

export interface TenderSummary {
  code: string;
  name: string;
  startYear: number;
  termYears: number;
  lotCount: number;
}

export interface LotRecord {
  id: number;
  code: string;
  name: string;
  categories: string[];
}

export interface CommonCostRecord {
  id: number;
  label: string;
  amountGrossCents: number;
  key: CostKey;
  /** Only key "custom": partner code → weight (plan decimal string). */
  weights: Record<string, string>;
}

export interface TenderRecord {
  code: string;
  name: string;
  startYear: number;
  termYears: number;
  /** Decimal fraction, "0.10". */
  reserve: string;
  soloProcessCostGrossCents: number;
  lots: LotRecord[];
  commonCosts: CommonCostRecord[];
}

export interface TenderLotCategory {
  code: string;
  name: string;
  unit: string | null;
  basePriceNetCents: number;
  vatRate: string;
}

/** A tender with each lot's categories read in full. */
export interface TenderInputs extends Omit<TenderRecord, "lots"> {
  lots: (Omit<LotRecord, "categories"> & { categories: TenderLotCategory[] })[];
}

export async function listTenders(db: Kysely<DB>): Promise<TenderSummary[]> {
  const rows = await db
    .selectFrom("tenders as t")
    .leftJoin("lots as l", "l.tender_code", "t.code")
    .select((eb) => [
      "t.code",
      "t.name",
      "t.start_year",
      "t.term_years",
      eb.fn.count<number>("l.id").as("lotCount"),
    ])
    .groupBy(["t.code", "t.name", "t.start_year", "t.term_years"])
    .orderBy("t.position")
    .orderBy("t.code")
    .execute();
  return rows.map((row) => ({
    code: row.code,
    name: row.name,
    startYear: row.start_year,
    termYears: row.term_years,
    lotCount: Number(row.lotCount),
  }));
}

/** A tender's lots in plan order. */
export function listLots(
  db: Kysely<DB>,
  tenderCode: string,
): Promise<{ id: number; code: string; name: string }[]> {
  return db
    .selectFrom("lots")
    .select(["id", "code", "name"])
    .where("tender_code", "=", tenderCode)
    .orderBy("position")
    .orderBy("code")
    .execute();
}

/** The tender with the row ids the edit forms address; lots name their categories by code. */
export async function getTenderForEditing(
  db: Kysely<DB>,
  code: string,
): Promise<TenderRecord | undefined> {
  const tender = await db
    .selectFrom("tenders")
    .selectAll()
    .where("code", "=", code)
    .executeTakeFirst();
  if (!tender) return undefined;
  const lots = await listLots(db, code);
  const lotCategories = await db
    .selectFrom("lot_categories as lc")
    .innerJoin("lots as l", "l.id", "lc.lot_id")
    .select(["lc.lot_id", "lc.category_code"])
    .where("l.tender_code", "=", code)
    .orderBy("lc.position")
    .orderBy("lc.category_code")
    .execute();
  const costs = await db
    .selectFrom("common_costs")
    .select(["id", "label", "amount_cents", "key"])
    .where("tender_code", "=", code)
    .orderBy("position")
    .orderBy("id")
    .execute();
  const weights = await db
    .selectFrom("common_cost_weights as w")
    .innerJoin("common_costs as c", "c.id", "w.common_cost_id")
    .select(["w.common_cost_id", "w.partner_code", "w.weight"])
    .where("c.tender_code", "=", code)
    .orderBy("w.position")
    .orderBy("w.partner_code")
    .execute();
  return {
    code: tender.code,
    name: tender.name,
    startYear: tender.start_year,
    termYears: tender.term_years,
    reserve: tender.reserve,
    soloProcessCostGrossCents: tender.solo_process_cost_cents,
    lots: lots.map((lot) => ({
      ...lot,
      categories: lotCategories.filter((lc) => lc.lot_id === lot.id).map((lc) => lc.category_code),
    })),
    commonCosts: costs.map((cost) => ({
      id: cost.id,
      label: cost.label,
      amountGrossCents: cost.amount_cents,
      key: cost.key as CostKey,
      weights: Object.fromEntries(
        weights.filter((w) => w.common_cost_id === cost.id).map((w) => [w.partner_code, w.weight]),
      ),
    })),
  };
}

/** The tender as getTenderForEditing reads it, with each lot's categories in full. */
export async function getTenderInputs(
  db: Kysely<DB>,
  code: string,
): Promise<TenderInputs | undefined> {
  const tender = await getTenderForEditing(db, code);
  if (!tender) return undefined;
  const codes = [...new Set(tender.lots.flatMap((lot) => lot.categories))];
  const rows = codes.length
    ? await db
        .selectFrom("categories")
        .select(["code", "name", "unit", "base_price_cents", "vat_rate"])
        .where("code", "in", codes)
        .execute()
    : [];
  const categories = new Map(
    rows.map((row) => [
      row.code,
      {
        code: row.code,
        name: row.name,
        unit: row.unit,
        basePriceNetCents: row.base_price_cents,
        vatRate: row.vat_rate,
      },
    ]),
  );
  return {
    ...tender,
    lots: tender.lots.map((lot) => ({
      ...lot,
      categories: lot.categories.map((category) => categories.get(category)!),
    })),
  };
}
