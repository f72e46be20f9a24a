import type { Database } from "./database";
import type { CostKey } from "../domain/plan";

// Read-only views of the tenders' inputs (CALCULATION.md §1: tender, lot, common cost).
// Money stays integer cents, rates stay decimal strings.

export interface TenderSummary {
  code: string;
  name: string;
  startYear: number;
  termYears: number;
  lotCount: number;
}

export interface TenderLotCategory {
  code: string;
  name: string;
  unit: string | null;
  basePriceNetCents: number;
  vatRate: string;
}

export interface TenderLot {
  code: string;
  name: string;
  categories: TenderLotCategory[];
}

export interface TenderCommonCost {
  label: string;
  amountGrossCents: number;
  key: CostKey;
  /** Only for key "custom": partner weights in plan order. */
  weights: { partnerCode: string; partnerName: string; weight: string }[];
}

export interface TenderInputs {
  code: string;
  name: string;
  startYear: number;
  termYears: number;
  reserve: string;
  soloProcessCostGrossCents: number;
  lots: TenderLot[];
  commonCosts: TenderCommonCost[];
}

export async function listTenders(db: Database): Promise<TenderSummary[]> {
  const rows = await db
    .selectFrom("tenders as t")
    .leftJoin("lots as l", "l.tender_code", "t.code")
    .select((eb) => ["t.code", "t.name", "t.start_year", "t.term_years", eb.fn.count<number>("l.id").as("lotCount")])
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

export async function getTenderInputs(db: Database, code: string): Promise<TenderInputs | undefined> {
  const tender = await db.selectFrom("tenders").selectAll().where("code", "=", code).executeTakeFirst();
  if (!tender) return undefined;

  const lotRows = await db
    .selectFrom("lots")
    .select(["id", "code", "name"])
    .where("tender_code", "=", code)
    .orderBy("position")
    .orderBy("id")
    .execute();
  const categoryRows = lotRows.length
    ? await db
        .selectFrom("lot_categories as lc")
        .innerJoin("categories as c", "c.code", "lc.category_code")
        .select(["lc.lot_id", "c.code", "c.name", "c.unit", "c.base_price_cents", "c.vat_rate"])
        .where(
          "lc.lot_id",
          "in",
          lotRows.map((lot) => lot.id),
        )
        .orderBy("lc.position")
        .execute()
    : [];
  const lots = lotRows.map((lot) => ({
    code: lot.code,
    name: lot.name,
    categories: categoryRows
      .filter((row) => row.lot_id === lot.id)
      .map((row) => ({
        code: row.code,
        name: row.name,
        unit: row.unit,
        basePriceNetCents: row.base_price_cents,
        vatRate: row.vat_rate,
      })),
  }));

  const costRows = await db
    .selectFrom("common_costs")
    .select(["id", "label", "amount_cents", "key"])
    .where("tender_code", "=", code)
    .orderBy("position")
    .orderBy("id")
    .execute();
  const weightRows = costRows.length
    ? await db
        .selectFrom("common_cost_weights as w")
        .innerJoin("partners as p", "p.code", "w.partner_code")
        .select(["w.common_cost_id", "w.partner_code", "p.name", "w.weight"])
        .where(
          "w.common_cost_id",
          "in",
          costRows.map((cost) => cost.id),
        )
        .orderBy("w.position")
        .execute()
    : [];
  const commonCosts = costRows.map((cost) => ({
    label: cost.label,
    amountGrossCents: cost.amount_cents,
    key: cost.key as CostKey,
    weights: weightRows
      .filter((row) => row.common_cost_id === cost.id)
      .map((row) => ({ partnerCode: row.partner_code, partnerName: row.name, weight: row.weight })),
  }));

  return {
    code: tender.code,
    name: tender.name,
    startYear: tender.start_year,
    termYears: tender.term_years,
    reserve: tender.reserve,
    soloProcessCostGrossCents: tender.solo_process_cost_cents,
    lots,
    commonCosts,
  };
}
