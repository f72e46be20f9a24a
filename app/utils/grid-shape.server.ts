import type { Database } from "../../db/database";
import { inventoryYears } from "../../db/inventory";
import {
  buildDemandGrids,
  planningYears,
  type DemandGrid,
  type GridCategory,
  type GridSchool,
} from "../../domain/demand-grid";

// What a grid save needs before it calls db/ (decision 027, second round): the shape of
// the partner's grids (schools, categories, years) to read the form, without the
// partner's values. The save actions read the whole partner (every cell and note) and
// built every school's grid only to learn the columns; saveGrid and saveInventoryGrid
// then read it all again inside their transaction, which is the read that decides.
// The shape is read the same way as db/demand.ts loadPartnerDemand and db/inventory.ts
// loadPartnerInventory read it (tests/app/grid-shape.test.ts compares them).

export interface GridShape {
  partner: { code: string; name: string };
  schools: GridSchool[];
  categories: GridCategory[];
  years: number[];
}

async function partnerSchoolsAndCategories(
  db: Database,
  partnerCode: string,
): Promise<Omit<GridShape, "years"> | undefined> {
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
  const categories = await db
    .selectFrom("categories")
    .select(["code", "name", "unit"])
    .orderBy("position")
    .orderBy("code")
    .execute();
  return { partner, schools, categories };
}

/** The partner's demand grids' shape (loadPartnerDemand without cells and notes). */
export async function demandGridShape(
  db: Database,
  partnerCode: string,
  now = new Date(),
): Promise<GridShape | undefined> {
  const base = await partnerSchoolsAndCategories(db, partnerCode);
  if (!base) return undefined;
  const tenders = await db
    .selectFrom("tenders")
    .select(["start_year as startYear", "term_years as termYears"])
    .execute();
  const years = await db.selectFrom("demand_lines").select("year").distinct().execute();
  return {
    ...base,
    years: planningYears({
      tenders,
      demandYears: years.map((y) => y.year),
      fallbackStartYear: now.getUTCFullYear() + 1,
    }),
  };
}

/** The partner's inventory grids' shape (loadPartnerInventory without cells and notes). */
export async function inventoryGridShape(
  db: Database,
  partnerCode: string,
  now = new Date(),
): Promise<GridShape | undefined> {
  const base = await partnerSchoolsAndCategories(db, partnerCode);
  if (!base) return undefined;
  const range = await db
    .selectFrom("inventory_lines")
    .select((eb) => [eb.fn.min("year").as("from"), eb.fn.max("year").as("to")])
    .where("partner_code", "=", partnerCode)
    .executeTakeFirst();
  const dataYears = [range?.from, range?.to].filter((y): y is number => typeof y === "number");
  return { ...base, years: inventoryYears(dataYears, now) };
}

/** The (empty) grid of one school (null: the partner's own grid), or undefined. */
export function gridOfShape(shape: GridShape, schoolCode: string | null): DemandGrid | undefined {
  if (schoolCode !== null && !shape.schools.some((s) => s.code === schoolCode)) return undefined;
  return buildDemandGrids({
    ...shape,
    schools: shape.schools.filter((s) => s.code === schoolCode),
    cells: [],
    notes: [],
  }).find((g) => g.schoolCode === schoolCode);
}
