// Replacement planning (Ersatzbeschaffung): a device bought in year b is in use in
// b .. b + serviceLifeYears − 1 (CALCULATION.md §13), so it is due for replacement in
// b + serviceLifeYears. The demand editor shows these due quantities per cell and can
// take them over as demand. Pure: the db layer supplies purchases and service lives.
import { cellKey, parseQuantityText } from "./demand-grid";
import { quantityField } from "./demand-form";

/** A purchase: an inventory line or a demand line (school null = without a school). */
export interface Purchase {
  schoolCode: string | null;
  categoryCode: string;
  /** Purchase year. */
  year: number;
  quantity: number;
}

/** Default service life of a category without one (CALCULATION.md §11). */
export const DEFAULT_SERVICE_LIFE_YEARS = 5;

/**
 * Due quantities per cell (cellKey of school, category and replacement year). A category
 * missing from `serviceLife` uses the default; zero quantities are left out.
 */
export function replacementsDue(
  purchases: Iterable<Purchase>,
  serviceLife: ReadonlyMap<string, number>,
): Map<string, number> {
  const due = new Map<string, number>();
  for (const p of purchases) {
    if (p.quantity <= 0) continue;
    const life = serviceLife.get(p.categoryCode) ?? DEFAULT_SERVICE_LIFE_YEARS;
    const key = cellKey(p.schoolCode, p.categoryCode, p.year + life);
    due.set(key, (due.get(key) ?? 0) + p.quantity);
  }
  return due;
}

/** The due quantities of one grid (a school or none) within its years. */
export function replacementsForGrid(
  due: ReadonlyMap<string, number>,
  grid: { schoolCode: string | null; years: readonly number[]; categoryCodes: readonly string[] },
): { categoryCode: string; year: number; quantity: number }[] {
  const out: { categoryCode: string; year: number; quantity: number }[] = [];
  for (const categoryCode of grid.categoryCodes)
    for (const year of grid.years) {
      const quantity = due.get(cellKey(grid.schoolCode, categoryCode, year)) ?? 0;
      if (quantity > 0) out.push({ categoryCode, year, quantity });
    }
  return out;
}

/**
 * Taking the due quantities over as demand: every cell whose current quantity is below
 * the due one is raised to it; higher cells stay (demand may exceed replacement).
 * Returns only the cells that change.
 */
export function takeOverReplacements(
  current: ReadonlyMap<string, number>,
  due: ReadonlyMap<string, number>,
): Map<string, number> {
  const changes = new Map<string, number>();
  for (const [key, quantity] of due)
    if ((current.get(key) ?? 0) < quantity) changes.set(key, quantity);
  return changes;
}

/**
 * The same take-over on a form's typed values (field name → text), as the editor does
 * it in the browser and the server without JavaScript: a cell whose text is a valid
 * quantity below the due one gets the due quantity; invalid text is left for the user.
 */
export function fillDueQuantities(
  values: Readonly<Record<string, string>>,
  dueByField: Readonly<Record<string, number>>,
): { values: Record<string, string>; changed: number } {
  const next = { ...values };
  let changed = 0;
  for (const [name, due] of Object.entries(dueByField)) {
    const parsed = parseQuantityText(values[name] ?? "");
    if (parsed.ok && parsed.value < due) {
      next[name] = String(due);
      changed += 1;
    }
  }
  return { values: next, changed };
}

/** Due quantities of one grid keyed by the editor's quantity field names. */
export function dueByField(
  due: ReadonlyMap<string, number>,
  grid: { schoolCode: string | null; years: readonly number[]; categoryCodes: readonly string[] },
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of replacementsForGrid(due, grid))
    out[quantityField(r.year, r.categoryCode)] = r.quantity;
  return out;
}
