import type { Kysely } from "kysely";

// A minimal awarded lot written as raw rows (no query module), for the engine tests:
// user 1, partner COE, categories NB (awarded, maximum 10) and TB, tender RV with lot L1,
// and one snapshot. Works on both engines.

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw rows of tables the query modules type
export type AnyDb = Kysely<any>;

export const NOW = "2026-11-30T12:00:00.000Z";

/** A coordinator written as a raw row; returns its id. */
export async function insertCoordinator(db: AnyDb, email: string, name = email): Promise<number> {
  const { id } = await db
    .insertInto("users")
    .values({
      email,
      name,
      password_hash: "x",
      role: "coordinator",
      partner_code: null,
      active: 1,
      created_at: NOW,
      updated_at: NOW,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return Number(id);
}

/** Seeds the awarded lot; returns the award's id. */
export async function seedAwardedLot(db: AnyDb, maxQuantity = 10): Promise<number> {
  await insertCoordinator(db, "k@example.org", "Koordination");
  await db.insertInto("partners").values({ code: "COE", name: "Coesfeld" }).execute();
  await db
    .insertInto("categories")
    .values([
      { code: "NB", name: "Notebook", unit: "Stück", base_price_cents: 50000 },
      { code: "TB", name: "Tablet", unit: "Stück", base_price_cents: 30000 },
    ])
    .execute();
  await db
    .insertInto("tenders")
    .values({ code: "RV", name: "Rahmenvertrag", start_year: 2027, term_years: 2 })
    .execute();
  const lot = await db
    .insertInto("lots")
    .values({ tender_code: "RV", code: "L1", name: "Los 1" })
    .returning("id")
    .executeTakeFirstOrThrow();
  await db.insertInto("lot_categories").values({ lot_id: lot.id, category_code: "NB" }).execute();
  const award = await db
    .insertInto("awards")
    .values({
      tender_code: "RV",
      lot_code: "L1",
      lot_name: "Los 1",
      supplier: "Firma",
      award_date: "2026-11-01",
      start_year: 2027,
      term_years: 2,
      created_at: NOW,
      created_by: 1,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  await db
    .insertInto("award_categories")
    .values({
      award_id: award.id,
      category_code: "NB",
      category_name: "Notebook",
      unit: "Stück",
      vat_rate: "0.19",
      unit_price_cents: 45000,
      max_quantity: maxQuantity,
      joint_quantity: 8,
      engine_max_quantity: maxQuantity,
      estimated_unit_price_cents: 47000,
      position: 0,
    })
    .execute();
  await db
    .insertInto("snapshots")
    .values({
      tender_code: "RV",
      version: 1,
      comment: "Beschluss",
      plan_json: "{}",
      result_json: "{}",
      created_at: NOW,
      created_by: 1,
    })
    .execute();
  return award.id as number;
}

let orders = 0;

/** One call-off of `quantity` notebooks for COE (the maximum trigger decides). */
export function insertCallOff(db: AnyDb, awardId: number, quantity: number) {
  return db
    .insertInto("call_offs")
    .values({
      award_id: awardId,
      category_code: "NB",
      partner_code: "COE",
      school_code: null,
      call_off_date: "2027-03-01",
      quantity,
      order_number: `B-${process.pid}-${++orders}`,
      created_at: NOW,
      created_by: 1,
    })
    .returning(["id", "year"])
    .executeTakeFirstOrThrow();
}
