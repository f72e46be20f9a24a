// What changed between two calculations of one tender (a snapshot "before", the
// current state "after"): per category quantity, maximum quantity and joint unit
// price; per partner quantity, direct gross, common-cost share, total and savings.
// Only rows with a change are returned. Pure: works on the engine's rich result.

import type {
  CategoryCalculation,
  CommonCostCalculation,
  Figures,
  PartnerCalculation,
} from "./calculation";
import type { Cents } from "./money";
import type { CostKey } from "./plan";

type CategoryFields = Pick<
  CategoryCalculation,
  "code" | "name" | "quantity" | "maxQuantity" | "unitPriceNet"
>;
type PartnerFigureKey =
  "quantity" | "directGross" | "commonCostShare" | "totalGross" | "savingsGross";
type PartnerFields = Pick<PartnerCalculation, "code" | "name" | PartnerFigureKey>;

/** The parts of a TenderCalculation the comparison reads (hand-made inputs work too). */
export interface DiffableTender {
  estimatedValueNet: Cents;
  euProcedureRequired: boolean;
  categories: readonly CategoryFields[];
  partners: readonly PartnerFields[];
  totals: Pick<Figures, PartnerFigureKey>;
}

/**
 * One value old → new. before/after are null where the row does not exist on that
 * side (a category or participant added or removed). For quantities and money the
 * difference then counts the missing side as 0 (no demand, nothing to pay); a unit
 * price has no such meaning, so its difference stays null.
 */
export interface Change<T extends number | bigint> {
  before: T | null;
  after: T | null;
  difference: T | null;
  changed: boolean;
}

export type RowStatus = "added" | "removed" | "changed";

export interface CategoryChange {
  code: string;
  name: string;
  status: RowStatus;
  quantity: Change<number>;
  maxQuantity: Change<number>;
  unitPriceNet: Change<Cents>;
}

export interface FiguresChange {
  quantity: Change<number>;
  directGross: Change<Cents>;
  commonCostShare: Change<Cents>;
  totalGross: Change<Cents>;
  savingsGross: Change<Cents>;
}

export interface PartnerChange extends FiguresChange {
  code: string;
  name: string;
  status: RowStatus;
}

export interface TenderDiff {
  /** Changed categories: in the order of the new calculation, removed ones after. */
  categories: CategoryChange[];
  /** Changed partners, by code ascending. */
  partners: PartnerChange[];
  totals: FiguresChange;
  estimatedValueNet: Change<Cents>;
  euProcedureRequired: { before: boolean; after: boolean; changed: boolean };
  /** False when nothing at all differs ("keine Änderungen"). */
  hasChanges: boolean;
}

function change<T extends number | bigint>(
  before: T | null,
  after: T | null,
  missingAsZero: boolean,
  zero: T,
): Change<T> {
  const changed = before !== after;
  let difference: T | null = null;
  if (before !== null && after !== null) difference = ((after as bigint) - (before as bigint)) as T;
  else if (missingAsZero)
    difference = (((after ?? zero) as bigint) - ((before ?? zero) as bigint)) as T;
  return { before, after, difference, changed };
}

const count = (before: number | null, after: number | null) =>
  change<number>(before, after, true, 0);
const money = (before: Cents | null, after: Cents | null) => change<Cents>(before, after, true, 0n);

function figuresChange(
  before: Pick<Figures, PartnerFigureKey> | undefined,
  after: Pick<Figures, PartnerFigureKey> | undefined,
): FiguresChange {
  return {
    quantity: count(before?.quantity ?? null, after?.quantity ?? null),
    directGross: money(before?.directGross ?? null, after?.directGross ?? null),
    commonCostShare: money(before?.commonCostShare ?? null, after?.commonCostShare ?? null),
    totalGross: money(before?.totalGross ?? null, after?.totalGross ?? null),
    savingsGross: money(before?.savingsGross ?? null, after?.savingsGross ?? null),
  };
}

function anyChanged(row: object): boolean {
  return Object.values(row).some(
    (value) => typeof value === "object" && value !== null && value.changed === true,
  );
}

function status(before: unknown, after: unknown): RowStatus {
  if (before === undefined) return "added";
  if (after === undefined) return "removed";
  return "changed";
}

/** Codes of the new side in its order, then codes only the old side has. */
function unionOfCodes(
  before: readonly { code: string }[],
  after: readonly { code: string }[],
): string[] {
  const codes = after.map((row) => row.code);
  for (const row of before) if (!codes.includes(row.code)) codes.push(row.code);
  return codes;
}

export function diffTender(before: DiffableTender, after: DiffableTender): TenderDiff {
  const categories: CategoryChange[] = [];
  for (const code of unionOfCodes(before.categories, after.categories)) {
    const old = before.categories.find((c) => c.code === code);
    const now = after.categories.find((c) => c.code === code);
    const row: CategoryChange = {
      code,
      name: (now ?? old)!.name,
      status: status(old, now),
      quantity: count(old?.quantity ?? null, now?.quantity ?? null),
      maxQuantity: count(old?.maxQuantity ?? null, now?.maxQuantity ?? null),
      unitPriceNet: change<Cents>(old?.unitPriceNet ?? null, now?.unitPriceNet ?? null, false, 0n),
    };
    if (anyChanged(row)) categories.push(row);
  }

  const partners: PartnerChange[] = [];
  const partnerCodes = unionOfCodes(before.partners, after.partners).sort((a, b) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  for (const code of partnerCodes) {
    const old = before.partners.find((p) => p.code === code);
    const now = after.partners.find((p) => p.code === code);
    const row: PartnerChange = {
      code,
      name: (now ?? old)!.name,
      status: status(old, now),
      ...figuresChange(old, now),
    };
    if (anyChanged(row)) partners.push(row);
  }

  const totals = figuresChange(before.totals, after.totals);
  const estimatedValueNet = money(before.estimatedValueNet, after.estimatedValueNet);
  const euProcedureRequired = {
    before: before.euProcedureRequired,
    after: after.euProcedureRequired,
    changed: before.euProcedureRequired !== after.euProcedureRequired,
  };
  const hasChanges =
    categories.length > 0 ||
    partners.length > 0 ||
    anyChanged(totals) ||
    estimatedValueNet.changed ||
    euProcedureRequired.changed;
  return { categories, partners, totals, estimatedValueNet, euProcedureRequired, hasChanges };
}

// ---- Causes: what was changed, not only what it changed --------------------------------

/** The inputs of a tender a cause can be read from (all part of the engine's rich result). */
export interface CausableTender {
  reserve: string;
  startYear: number;
  termYears: number;
  soloProcessCostGross: Cents;
  euThresholdNet: Cents;
  categories: readonly Pick<
    CategoryCalculation,
    "code" | "name" | "basePriceNet" | "vatRate" | "tierMinQuantity" | "discount"
  >[];
  commonCosts: readonly Pick<CommonCostCalculation, "label" | "key" | "amountGross">[];
  partners: readonly Pick<PartnerCalculation, "code" | "name" | "years">[];
}

/**
 * One change of an input, old → new (null where the thing did not exist on that side).
 * The page words them ("Reserve 10 % → 20 %"); amounts stay exact cents, rates and
 * shares canonical decimal strings.
 */
export type Cause =
  | { kind: "reserve"; before: string; after: string }
  | { kind: "term"; before: string; after: string }
  | { kind: "soloProcessCost"; before: Cents; after: Cents }
  | { kind: "euThreshold"; before: Cents; after: Cents }
  | {
      kind: "commonCost";
      label: string;
      before: { amountGross: Cents; key: CostKey } | null;
      after: { amountGross: Cents; key: CostKey } | null;
    }
  | { kind: "basePrice"; code: string; name: string; before: Cents | null; after: Cents | null }
  | { kind: "vatRate"; code: string; name: string; before: string; after: string }
  | {
      kind: "tier";
      code: string;
      name: string;
      before: { minQuantity: number; discount: string };
      after: { minQuantity: number; discount: string };
    }
  | {
      kind: "demand";
      partner: string;
      partnerName: string;
      category: string;
      categoryName: string;
      before: number;
      after: number;
    };

function quantitiesByCategory(partner: Pick<PartnerCalculation, "years">): Map<string, number> {
  const sums = new Map<string, number>();
  for (const year of partner.years)
    for (const position of year.positions)
      sums.set(position.category, (sums.get(position.category) ?? 0) + position.quantity);
  return sums;
}

const termText = (t: CausableTender) => `${t.startYear}/${t.termYears}`;

/**
 * The input changes between two states of a tender, in a reading order: settings, common
 * costs, prices per product group, then demand per partner and product group (summed over
 * the years). Tier changes are listed where the applied tier moved (a cause of a price
 * change when the base price stayed).
 */
export function diffCauses(before: CausableTender, after: CausableTender): Cause[] {
  const causes: Cause[] = [];
  if (before.reserve !== after.reserve)
    causes.push({ kind: "reserve", before: before.reserve, after: after.reserve });
  if (termText(before) !== termText(after))
    causes.push({ kind: "term", before: termText(before), after: termText(after) });
  if (before.soloProcessCostGross !== after.soloProcessCostGross)
    causes.push({
      kind: "soloProcessCost",
      before: before.soloProcessCostGross,
      after: after.soloProcessCostGross,
    });
  if (before.euThresholdNet !== after.euThresholdNet)
    causes.push({
      kind: "euThreshold",
      before: before.euThresholdNet,
      after: after.euThresholdNet,
    });

  // Common cost items by label (the label names an item for the committee).
  const labels = unionOfCodes(
    before.commonCosts.map((c) => ({ code: c.label })),
    after.commonCosts.map((c) => ({ code: c.label })),
  );
  for (const label of labels) {
    const old = before.commonCosts.find((c) => c.label === label);
    const now = after.commonCosts.find((c) => c.label === label);
    if (old && now && old.amountGross === now.amountGross && old.key === now.key) continue;
    causes.push({
      kind: "commonCost",
      label,
      before: old ? { amountGross: old.amountGross, key: old.key } : null,
      after: now ? { amountGross: now.amountGross, key: now.key } : null,
    });
  }

  for (const code of unionOfCodes(before.categories, after.categories)) {
    const old = before.categories.find((c) => c.code === code);
    const now = after.categories.find((c) => c.code === code);
    const name = (now ?? old)!.name;
    if (!old || !now || old.basePriceNet !== now.basePriceNet)
      causes.push({
        kind: "basePrice",
        code,
        name,
        before: old?.basePriceNet ?? null,
        after: now?.basePriceNet ?? null,
      });
    if (old && now && old.vatRate !== now.vatRate)
      causes.push({ kind: "vatRate", code, name, before: old.vatRate, after: now.vatRate });
    if (
      old &&
      now &&
      (old.tierMinQuantity !== now.tierMinQuantity || old.discount !== now.discount)
    )
      causes.push({
        kind: "tier",
        code,
        name,
        before: { minQuantity: old.tierMinQuantity, discount: old.discount },
        after: { minQuantity: now.tierMinQuantity, discount: now.discount },
      });
  }

  const categoryNames = new Map(
    [...before.categories, ...after.categories].map((c) => [c.code, c.name]),
  );
  const partnerCodes = unionOfCodes(before.partners, after.partners).sort((a, b) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  for (const code of partnerCodes) {
    const old = before.partners.find((p) => p.code === code);
    const now = after.partners.find((p) => p.code === code);
    const oldQuantities = old ? quantitiesByCategory(old) : new Map<string, number>();
    const newQuantities = now ? quantitiesByCategory(now) : new Map<string, number>();
    const categories = unionOfCodes(
      [...oldQuantities.keys()].map((c) => ({ code: c })),
      [...newQuantities.keys()].map((c) => ({ code: c })),
    );
    for (const category of categories) {
      const was = oldQuantities.get(category) ?? 0;
      const is = newQuantities.get(category) ?? 0;
      if (was === is) continue;
      causes.push({
        kind: "demand",
        partner: code,
        partnerName: (now ?? old)!.name,
        category,
        categoryName: categoryNames.get(category) ?? category,
        before: was,
        after: is,
      });
    }
  }
  return causes;
}
