import type { Database } from "../../db/database";
import { demandHorizon } from "../../db/demand";
import { loadGridBase, type GridBase } from "../../db/grid-reads";
import { inventoryYears } from "../../db/inventory";
import { buildDemandGrids, type DemandGrid } from "../../domain/demand-grid";

// What a grid save needs before it calls db/ (decision 027, second round): the shape of
// the partner's grids (schools, categories, years) to read the form, without the
// partner's values. The save actions read the whole partner (every cell and note) and
// built every school's grid only to learn the columns; saveGrid and saveInventoryGrid
// then read it all again inside their transaction, which is the read that decides.
// The shape comes from the same reads as db/demand.ts loadPartnerDemand and
// db/inventory.ts loadPartnerInventory (db/grid-reads.ts, demandHorizon);
// tests/app/grid-shape.test.ts compares them.

export interface GridShape extends GridBase {
  years: number[];
}

/** The partner's demand grids' shape (loadPartnerDemand without cells and notes). */
export async function demandGridShape(
  db: Database,
  partnerCode: string,
  now = new Date(),
): Promise<GridShape | undefined> {
  const base = await loadGridBase(db, partnerCode);
  if (!base) return undefined;
  return { ...base, years: await demandHorizon(db, now) };
}

/** The partner's inventory grids' shape (loadPartnerInventory without cells and notes). */
export async function inventoryGridShape(
  db: Database,
  partnerCode: string,
  now = new Date(),
): Promise<GridShape | undefined> {
  const base = await loadGridBase(db, partnerCode);
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
