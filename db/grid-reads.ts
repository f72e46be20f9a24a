// What every grid of a partner is built from, demand and inventory alike: the partner,
// its schools and the categories, in plan order. db/demand.ts, db/inventory.ts and the
// save actions' shape reads (app/utils/grid-shape.server.ts) read them here.
import type { Kysely } from "kysely";
import type { DB } from "./schema";
import type { GridCategory, GridSchool } from "../domain/demand-grid";

export interface GridBase {
  partner: { code: string; name: string };
  schools: GridSchool[];
  categories: GridCategory[];
}

/** The categories as grid rows, in plan order (the editors and the overview share them). */
export function listGridCategories(db: Kysely<DB>): Promise<GridCategory[]> {
  return db
    .selectFrom("categories")
    .select(["code", "name", "unit"])
    .orderBy("position")
    .orderBy("code")
    .execute();
}

/** The partner with its schools and the categories, or undefined for an unknown partner. */
export async function loadGridBase(
  db: Kysely<DB>,
  partnerCode: string,
): Promise<GridBase | undefined> {
  const partner = await db
    .selectFrom("partners")
    .select(["code", "name"])
    .where("code", "=", partnerCode)
    .executeTakeFirst();
  if (!partner) return undefined;
  const schools = await db
    .selectFrom("schools")
    .select(["code", "name"])
    .where("partner_code", "=", partnerCode)
    .orderBy("position")
    .orderBy("code")
    .execute();
  return { partner, schools, categories: await listGridCategories(db) };
}
