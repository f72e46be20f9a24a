// The coverage rule of CALCULATION.md §2 as field messages for the editing forms:
// a category stands in only one lot of a tender, and a (category, year) pair is
// covered by only one tender. The engine's plan validation enforces the same rule
// on the whole plan; these checks name the conflicting lot or tender in German so
// the form can show the error at the field that caused it.
import type { Plan, PlanTender } from "./plan";

export interface YearRange {
  startYear: number;
  termYears: number;
}

export interface CoverageConflict {
  category: string;
  message: string;
}

function lastYear(range: YearRange): number {
  return range.startYear + range.termYears - 1;
}

/** The years both ranges cover, or undefined when they do not overlap. */
export function overlappingYears(
  a: YearRange,
  b: YearRange,
): { from: number; to: number } | undefined {
  const from = Math.max(a.startYear, b.startYear);
  const to = Math.min(lastYear(a), lastYear(b));
  return from <= to ? { from, to } : undefined;
}

function yearsText(years: { from: number; to: number }): string {
  return years.from === years.to ? String(years.from) : `${years.from}–${years.to}`;
}

function categoryLabel(plan: Plan, code: string): string {
  const category = plan.categories.find((c) => c.code === code);
  return category ? `${category.name} (${code})` : code;
}

/** Conflicts of `categories` with other tenders whose years overlap `range`. */
function otherTenderConflicts(
  plan: Plan,
  tenderCode: string,
  range: YearRange,
  categories: readonly string[],
): CoverageConflict[] {
  const conflicts: CoverageConflict[] = [];
  for (const category of categories) {
    for (const other of plan.tenders ?? []) {
      if (other.code === tenderCode) continue;
      const years = overlappingYears(range, other);
      if (!years || !other.lots.some((lot) => lot.categories.includes(category))) continue;
      conflicts.push({
        category,
        message: `Produktgruppe ${categoryLabel(plan, category)} ist ${yearsText(years)} bereits in Ausschreibung ${other.code} („${other.name}“).`,
      });
      break;
    }
  }
  return conflicts;
}

/**
 * Conflicts for the categories a lot of tender `tenderCode` is to hold.
 * `lotCode` is the lot's current code when it already exists (it is not compared with itself).
 */
export function lotCoverageConflicts(
  plan: Plan,
  tenderCode: string,
  lotCode: string | undefined,
  categories: readonly string[],
): CoverageConflict[] {
  const tender = plan.tenders?.find((t) => t.code === tenderCode);
  if (!tender) return [];
  const conflicts: CoverageConflict[] = [];
  const unique = [...new Set(categories)];
  for (const category of unique) {
    const sibling = tender.lots.find(
      (lot) => lot.code !== lotCode && lot.categories.includes(category),
    );
    if (sibling) {
      conflicts.push({
        category,
        message: `Produktgruppe ${categoryLabel(plan, category)} ist bereits Los ${sibling.code} zugeordnet.`,
      });
    }
  }
  const clear = unique.filter((category) => !conflicts.some((c) => c.category === category));
  return [...conflicts, ...otherTenderConflicts(plan, tenderCode, tender, clear)];
}

/** Conflicts that moving tender `tenderCode` to new years would cause (all its categories). */
export function tenderYearConflicts(
  plan: Plan,
  tenderCode: string,
  range: YearRange,
): CoverageConflict[] {
  const tender: PlanTender | undefined = plan.tenders?.find((t) => t.code === tenderCode);
  if (!tender) return [];
  const categories = [...new Set(tender.lots.flatMap((lot) => lot.categories))];
  return otherTenderConflicts(plan, tenderCode, range, categories);
}
