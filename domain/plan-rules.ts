// The rules between the items of a plan (CALCULATION.md §2, §5, §7) that a schema
// cannot express: unique codes, references, one lot per category, one tender per
// (category, year), duplicate demand lines, custom weights and zero weight sums.

import {
  PLAN_FORMAT,
  type CostKey,
  type Plan,
  type PlanCategory,
  type PlanCommonCost,
  type PlanDemandLine,
  type PlanFundingProgramme,
  type PlanInventoryLine,
  type PlanLot,
  type PlanPartner,
  type PlanSchool,
  type PlanSettings,
  type PlanSupport,
  type PlanTender,
} from "./plan";
import { installedUnits } from "./support";
import type { PlanProblem } from "./plan-validation";
import { collectTenderDemand } from "./tender-demand";
import { compileTiers, unitPriceFor } from "./tiers";
import { parseMoney } from "./money";
import { parseDecimal } from "./decimal";

/** A list in which items that failed the schema are left out as holes (indices stay). */
export type Holey<T> = readonly (T | undefined)[];

export interface CheckableTender extends Omit<PlanTender, "lots" | "commonCosts"> {
  lots: Holey<PlanLot>;
  commonCosts?: Holey<PlanCommonCost>;
}

/** A plan whose invalid items are holes; a valid Plan is one too. */
export interface CheckablePlan {
  settings?: PlanSettings;
  partners: Holey<PlanPartner>;
  schools?: Holey<PlanSchool>;
  categories: Holey<PlanCategory>;
  demand?: Holey<PlanDemandLine>;
  tenders?: Holey<CheckableTender>;
  fundingProgrammes?: Holey<PlanFundingProgramme>;
  inventory?: Holey<PlanInventoryLine>;
  support?: PlanSupport;
}

/** Codes that exist in the document even where their item failed the schema. */
export interface KnownCodes {
  partners: ReadonlySet<string>;
  schools: ReadonlySet<string>;
  categories: ReadonlySet<string>;
}

/** What is known of a document that failed the schema, besides its parsed items. */
export interface SalvageFacts extends KnownCodes {
  /** The document (unknown fields removed); failed items are read here, raw. */
  document: Readonly<Record<string, unknown>>;
  /** True when the schema refused the value at this path or inside it (`demand[3].year`). */
  failed(path: string): boolean;
}

const KEY_NAMES: Record<CostKey, string> = {
  volume: "Auftragsvolumen",
  quantity: "Menge",
  pupils: "Schülerzahl",
  population: "Einwohnerzahl",
  equal: "gleiche Teile",
  custom: "eigene Gewichte",
};

/**
 * All rules between items. On a plan salvaged from a schema failure (`salvage` given)
 * the rules that need figures run only where no failed item could change the figures
 * (figureDoubts): with items missing they could otherwise report false problems.
 */
export function checkPlanRules(
  plan: CheckablePlan,
  salvage: SalvageFacts | undefined,
): PlanProblem[] {
  const problems = checkStructure(plan, salvage);
  problems.push(...checkFigures(plan, salvage));
  return problems;
}

function indexCodes<T extends { code: string }>(
  items: Holey<T> | undefined,
  path: string,
  what: string,
  problems: PlanProblem[],
): Map<string, number> {
  const index = new Map<string, number>();
  (items ?? []).forEach((item, i) => {
    if (item === undefined) return;
    const first = index.get(item.code);
    if (first === undefined) index.set(item.code, i);
    else
      problems.push({
        path: `${path}[${i}].code`,
        message: `${what} „${item.code}“ kommt mehrfach vor (schon ${path}[${first}]).`,
      });
  });
  return index;
}

function checkStructure(plan: CheckablePlan, known: KnownCodes | undefined): PlanProblem[] {
  const problems: PlanProblem[] = [];
  const partners = indexCodes(plan.partners, "partners", "Das Partnerkürzel", problems);
  const schools = indexCodes(plan.schools, "schools", "Das Schulkürzel", problems);
  const categories = indexCodes(
    plan.categories,
    "categories",
    "Das Kürzel der Produktgruppe",
    problems,
  );
  const partnerExists = (code: string) =>
    partners.has(code) || (known?.partners.has(code) ?? false);
  const categoryExists = (code: string) =>
    categories.has(code) || (known?.categories.has(code) ?? false);

  (plan.schools ?? []).forEach((school, i) => {
    if (school && !partnerExists(school.partner)) {
      problems.push({
        path: `schools[${i}].partner`,
        message: `Unbekannter Partner „${school.partner}“.`,
      });
    }
  });

  checkDemand(
    plan,
    plan.demand,
    LINE_KINDS.demand,
    { partners, schools, categories },
    known,
    problems,
  );
  checkDemand(
    plan,
    plan.inventory,
    LINE_KINDS.inventory,
    { partners, schools, categories },
    known,
    problems,
  );
  checkTenders(plan, categoryExists, problems);
  checkFundingProgrammes(plan, categoryExists, partnerExists, problems);
  return problems;
}

/** How the messages name a line of `demand` or of `inventory` (plan@2). */
interface LineKind {
  path: "demand" | "inventory";
  repeat: string;
}

const LINE_KINDS = {
  demand: { path: "demand", repeat: "Doppelte Bedarfsmeldung" },
  inventory: { path: "inventory", repeat: "Doppelte Bestandszeile" },
} as const satisfies Record<string, LineKind>;

/** plan@2 (§12): codes, eligible categories (one programme per category and year), budget keys. */
function checkFundingProgrammes(
  plan: CheckablePlan,
  categoryExists: (code: string) => boolean,
  partnerExists: (code: string) => boolean,
  problems: PlanProblem[],
): void {
  const programmes = plan.fundingProgrammes ?? [];
  indexCodes(programmes, "fundingProgrammes", "Das Kürzel des Förderprogramms", problems);
  programmes.forEach((programme, f) => {
    if (programme === undefined) return;
    const seen = new Set<string>();
    programme.categories.forEach((category, k) => {
      const path = `fundingProgrammes[${f}].categories[${k}]`;
      if (!categoryExists(category)) {
        problems.push({ path, message: `Unbekannte Produktgruppe „${category}“.` });
        return;
      }
      if (seen.has(category)) {
        problems.push({
          path,
          message: `Die Produktgruppe „${category}“ steht in diesem Förderprogramm mehrfach.`,
        });
        return;
      }
      seen.add(category);
      // A (category, year) pair is eligible under one programme only.
      for (let e = 0; e < f; e++) {
        const earlier = programmes[e];
        if (earlier === undefined || !earlier.categories.includes(category)) continue;
        const from = Math.max(programme.fromYear, earlier.fromYear);
        const to = Math.min(programme.toYear, earlier.toYear);
        if (from > to) continue;
        const years = from === to ? String(from) : `${from}–${to}`;
        problems.push({
          path,
          message: `Die Produktgruppe „${category}“ ist ${years} schon im Förderprogramm „${earlier.code}“ förderfähig; ein Paar aus Produktgruppe und Jahr darf nur einem Programm angehören.`,
        });
        break;
      }
    });
    for (const code of Object.keys(programme.budgets ?? {})) {
      if (!partnerExists(code)) {
        problems.push({
          path: `fundingProgrammes[${f}].budgets.${code}`,
          message: `Unbekannter Partner „${code}“.`,
        });
      }
    }
  });
}

/** Text key of a demand line: the database stores one cell per such key. */
function demandKey(line: PlanDemandLine): string {
  return `${line.partner}\u0000${line.school ?? ""}\u0000${line.category}\u0000${line.year}`;
}

/** Years 2000–2100 (the schema's range) as offsets into a bitmap row. */
const YEAR_SLOTS = 101;
const MAX_BITMAP_BITS = 2 ** 28; // 32 MB

function checkDemand(
  plan: CheckablePlan,
  lines: Holey<PlanDemandLine> | undefined,
  kind: LineKind,
  index: {
    partners: Map<string, number>;
    schools: Map<string, number>;
    categories: Map<string, number>;
  },
  known: KnownCodes | undefined,
  problems: PlanProblem[],
): void {
  const schoolList = plan.schools ?? [];
  const demand = lines ?? [];
  const at = kind.path;
  if (demand.length === 0) return;
  // Duplicates: a bitmap over (school, or partner without school) × category × year
  // is far faster than a Map of 500,000 keys. The school stands for its partner,
  // so lines whose school belongs to another partner (an error already) are left out.
  // Salvaged plans (holes) use text keys throughout.
  const cellsPerOwner = plan.categories.length * YEAR_SLOTS;
  const bits = (schoolList.length + plan.partners.length) * cellsPerOwner;
  const bitmap =
    known === undefined && bits <= MAX_BITMAP_BITS
      ? new Uint8Array(Math.ceil(bits / 8))
      : undefined;
  const firstByKey = new Map<string, number>();
  const duplicates: number[] = [];

  for (let i = 0; i < demand.length; i++) {
    const line = demand[i];
    if (line === undefined) continue;
    const partner = index.partners.get(line.partner);
    if (partner === undefined && !known?.partners.has(line.partner)) {
      problems.push({
        path: `${at}[${i}].partner`,
        message: `Unbekannter Partner „${line.partner}“.`,
      });
    }
    const category = index.categories.get(line.category);
    if (category === undefined && !known?.categories.has(line.category)) {
      problems.push({
        path: `${at}[${i}].category`,
        message: `Unbekannte Produktgruppe „${line.category}“.`,
      });
    }
    let owner = partner === undefined ? -1 : schoolList.length + partner;
    if (line.school !== undefined) {
      const s = index.schools.get(line.school);
      if (s === undefined) {
        if (!known?.schools.has(line.school)) {
          problems.push({
            path: `${at}[${i}].school`,
            message: `Unbekannte Schule „${line.school}“.`,
          });
        }
        continue;
      }
      const schoolPartner = schoolList[s]!.partner;
      if (schoolPartner !== line.partner) {
        if (partner !== undefined) {
          problems.push({
            path: `${at}[${i}].school`,
            message: `Die Schule „${line.school}“ gehört zum Partner „${schoolPartner}“, nicht zu „${line.partner}“.`,
          });
        }
        continue;
      }
      owner = s;
    }
    if (bitmap === undefined) {
      const key = demandKey(line);
      if (firstByKey.has(key)) duplicates.push(i);
      else firstByKey.set(key, i);
    } else if (owner >= 0 && category !== undefined) {
      const bit = owner * cellsPerOwner + category * YEAR_SLOTS + (line.year - 2000);
      const mask = 1 << (bit & 7);
      if (bitmap[bit >>> 3] & mask) duplicates.push(i);
      else bitmap[bit >>> 3] |= mask;
    }
  }

  if (duplicates.length === 0) return;
  if (bitmap !== undefined) {
    // Rare: find the first line of each duplicated key for the message.
    for (let i = 0; i < demand.length; i++) {
      const key = demandKey(demand[i]!);
      if (!firstByKey.has(key)) firstByKey.set(key, i);
    }
  }
  for (const i of duplicates) {
    problems.push({
      path: `${at}[${i}]`,
      message: `${kind.repeat}: Partner, Schule, Produktgruppe und Jahr wie ${at}[${firstByKey.get(demandKey(demand[i]!))}].`,
    });
  }
}

function checkTenders(
  plan: CheckablePlan,
  categoryExists: (code: string) => boolean,
  problems: PlanProblem[],
): void {
  const tenders = plan.tenders ?? [];
  indexCodes(tenders, "tenders", "Das Kürzel der Ausschreibung", problems);
  tenders.forEach((tender, t) => {
    if (tender === undefined) return;
    indexCodes(tender.lots, `tenders[${t}].lots`, "Das Loskürzel", problems);
    const lotOfCategory = new Map<string, string>();
    tender.lots.forEach((lot, l) => {
      lot?.categories.forEach((category, k) => {
        const path = `tenders[${t}].lots[${l}].categories[${k}]`;
        if (!categoryExists(category)) {
          problems.push({ path, message: `Unbekannte Produktgruppe „${category}“.` });
          return;
        }
        const other = lotOfCategory.get(category);
        if (other !== undefined) {
          problems.push({
            path,
            message: `Die Produktgruppe „${category}“ steht schon in Los „${other}“ dieser Ausschreibung.`,
          });
          return;
        }
        lotOfCategory.set(category, lot.code);
        // A (category, year) pair is covered by one tender only: compare with earlier tenders.
        for (let e = 0; e < t; e++) {
          const earlier = tenders[e];
          if (earlier === undefined) continue;
          const from = Math.max(tender.startYear, earlier.startYear);
          const to =
            Math.min(tender.startYear + tender.termYears, earlier.startYear + earlier.termYears) -
            1;
          if (from > to || !earlier.lots.some((x) => x?.categories.includes(category))) continue;
          const years = from === to ? String(from) : `${from}–${to}`;
          problems.push({
            path,
            message: `Die Produktgruppe „${category}“ ist ${years} schon durch die Ausschreibung „${earlier.code}“ abgedeckt.`,
          });
          break;
        }
      });
    });
    // plan@2 (§11): a stated maximum only for categories of this tender's lots.
    const allLotsParsed = !tender.lots.includes(undefined);
    for (const code of Object.keys(tender.maxQuantities ?? {})) {
      if (lotOfCategory.has(code) || (!allLotsParsed && categoryExists(code))) continue;
      problems.push({
        path: `tenders[${t}].maxQuantities.${code}`,
        message: categoryExists(code)
          ? `Die Produktgruppe „${code}“ steht in keinem Los der Ausschreibung „${tender.code}“; eine Höchstmenge ist hier nicht zulässig.`
          : `Unbekannte Produktgruppe „${code}“.`,
      });
    }
  });
}

function present<T>(items: Holey<T> | undefined): T[] {
  const list: T[] = [];
  for (const item of items ?? []) if (item !== undefined) list.push(item);
  return list;
}

/**
 * Rules that need figures. Runs on every plan that passed the schema, even with
 * broken references (lines with unknown partners and unknown categories are skipped),
 * and on salvaged plans for the tenders, costs and keys that no failed item can reach.
 */
function checkFigures(plan: CheckablePlan, salvage: SalvageFacts | undefined): PlanProblem[] {
  const problems: PlanProblem[] = [];
  // A valid plan has no holes: no copies of its 500,000 lines then.
  const demand = salvage ? present(plan.demand) : ((plan.demand ?? []) as PlanDemandLine[]);
  let totalQuantity = 0;
  for (const line of demand) totalQuantity += line.quantity;
  // True even with failed lines: a quantity is never negative, so they can only add.
  if (totalQuantity > Number.MAX_SAFE_INTEGER) {
    problems.push({
      path: "demand",
      message: `Die Summe aller Mengen ist zu groß (höchstens ${Number.MAX_SAFE_INTEGER}).`,
    });
    return problems;
  }
  // plan@2: the installed base adds demand and inventory in one sum.
  const inventory = salvage
    ? present(plan.inventory)
    : ((plan.inventory ?? []) as PlanInventoryLine[]);
  for (const line of inventory) totalQuantity += line.quantity;
  if (totalQuantity > Number.MAX_SAFE_INTEGER) {
    problems.push({
      path: "inventory",
      message: `Die Summe aller Mengen aus Bedarf und Bestand ist zu groß (höchstens ${Number.MAX_SAFE_INTEGER}).`,
    });
    return problems;
  }

  const partners = present(plan.partners);
  const schools = present(plan.schools);
  const categoryList = present(plan.categories);
  const partnerIndex = new Map<string, number>();
  partners.forEach((p, i) => partnerIndex.set(p.code, i));
  const pupils = new Map<string, number>();
  for (const school of schools)
    pupils.set(school.partner, (pupils.get(school.partner) ?? 0) + (school.pupils ?? 0));
  const categories = new Map(categoryList.map((c) => [c.code, c]));
  const byCode = new Map(partners.map((p) => [p.code, p]));

  // Only tenders with all lots parsed are routed; `tenderAt` maps back to plan order.
  const checkable = plan.tenders ?? [];
  const routed: PlanTender[] = [];
  const tenderAt: number[] = [];
  checkable.forEach((tender, t) => {
    if (tender === undefined || tender.lots.includes(undefined)) return;
    routed.push({ ...tender, lots: tender.lots as PlanLot[], commonCosts: undefined });
    tenderAt.push(t);
  });
  const figurePlan: Plan = {
    format: PLAN_FORMAT,
    partners,
    schools,
    categories: categoryList,
    demand,
    tenders: routed,
  };
  const doubts = salvage
    ? figureDoubts(plan, salvage, { demand, tenderAt, partnerIndex, categories })
    : undefined;

  if (plan.support !== undefined && salvage === undefined)
    problems.push(
      ...checkSupportKey(plan.support, { partners, schools, categoryList, demand, inventory }),
    );

  collectTenderDemand(figurePlan, partnerIndex, true).forEach((tenderDemand, r) => {
    const t = tenderAt[r];
    const costs = checkable[t]!.commonCosts ?? [];
    if (costs.length === 0) return;
    const doubt = doubts?.tender(r);
    const participants = new Set<string>();
    const totals = new Array<number>(tenderDemand.categoryCodes.length).fill(0);
    for (const [p, cells] of tenderDemand.quantities) {
      let sum = 0;
      cells.forEach((q, cell) => {
        sum += q;
        totals[Math.floor(cell / tenderDemand.termYears)] += q;
      });
      if (sum > 0) participants.add(partners[p].code);
    }
    const volumePositive = () =>
      tenderDemand.categoryCodes.some((code, c) => {
        const category = categories.get(code);
        if (category === undefined) return false;
        const price = unitPriceFor(
          parseMoney(category.basePriceNet),
          compileTiers(category.tiers),
          totals[c],
        );
        return totals[c] > 0 && price.unitPriceNet > 0n;
      });

    costs.forEach((cost, k) => {
      if (cost === undefined) return;
      const path = `tenders[${t}].commonCosts[${k}]`;
      const label = `Gemeinkosten „${cost.label}“`;
      if (cost.key === "custom") {
        for (const code of Object.keys(cost.weights ?? {})) {
          if (!byCode.has(code)) {
            if (doubts?.partnerMayHaveFailed(code)) continue;
            problems.push({
              path: `${path}.weights.${code}`,
              message: `Unbekannter Partner „${code}“.`,
            });
          } else if (!participants.has(code) && !doubt?.participants) {
            problems.push({
              path: `${path}.weights.${code}`,
              message: `Der Partner „${code}“ nimmt an der Ausschreibung „${tenderDemand.tender.code}“ nicht teil (keine Menge im Zeitraum); ein Gewicht ist hier nicht zulässig.`,
            });
          }
        }
      }
      if (doubt?.participants) return;
      if (cost.key === "volume" && doubt?.volume) return;
      if (cost.key === "pupils" && doubts?.pupilsMayDiffer(participants)) return;
      const reason = zeroWeightReason(cost, participants, { volumePositive, pupils, byCode });
      if (reason) {
        problems.push({
          path: `${path}.key`,
          message: `${label}, Schlüssel „${cost.key}“ (${KEY_NAMES[cost.key]}): Die Gewichte der Teilnehmer ergeben zusammen 0, ${reason}; der Betrag lässt sich so nicht verteilen.`,
        });
      }
    });
  });
  return problems;
}

// ---- Figure doubts: what the failed items of a salvaged plan could change ---------

interface TenderDoubt {
  /** A failed item could add or take away participants (or their quantities). */
  participants: boolean;
  /** A failed category could set a price of this tender. */
  volume: boolean;
}

/**
 * A field of a failed item as the document has it, if the schema accepted that field
 * (so a fix of the item keeps it); undefined when it is unknown.
 */
function acceptedField(
  item: unknown,
  itemPath: string,
  field: string,
  salvage: SalvageFacts,
): { value: unknown } | undefined {
  if (!isRecord(item) || salvage.failed(`${itemPath}.${field}`)) return undefined;
  return { value: item[field] };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function rawList(salvage: SalvageFacts, key: string): readonly unknown[] {
  const list = salvage.document[key];
  return Array.isArray(list) ? list : [];
}

/** Codes of failed items, and whether some failed item's code itself is unknown. */
function failedCodes(items: Holey<{ code: string }>, key: string, salvage: SalvageFacts) {
  const codes = new Set<string>();
  let someUnknown = false;
  const raw = rawList(salvage, key);
  items.forEach((item, i) => {
    if (item !== undefined) return;
    const code = acceptedField(raw[i], `${key}[${i}]`, "code", salvage);
    if (code !== undefined && typeof code.value === "string") codes.add(code.value);
    else someUnknown = true;
  });
  return (code: string) => someUnknown || codes.has(code);
}

/**
 * Judges, tender by tender, whether the figure rules can run on a salvaged plan
 * without a false problem. A failed item is taken by the fields the schema accepted:
 * a demand line with an accepted category outside the tender cannot feed it.
 */
function figureDoubts(
  plan: CheckablePlan,
  salvage: SalvageFacts,
  figures: {
    demand: readonly PlanDemandLine[];
    tenderAt: readonly number[];
    partnerIndex: ReadonlyMap<string, number>;
    categories: ReadonlyMap<string, PlanCategory>;
  },
) {
  const partnerMayHaveFailed = failedCodes(plan.partners, "partners", salvage);
  const categoryMayHaveFailed = failedCodes(plan.categories, "categories", salvage);
  const partnerFailed = plan.partners.includes(undefined);
  const tenders = plan.tenders ?? [];
  const rawDemand = rawList(salvage, "demand");
  const rawTenders = rawList(salvage, "tenders");
  const rawSchools = rawList(salvage, "schools");
  const failedLines: number[] = [];
  (plan.demand ?? []).forEach((line, i) => {
    if (line === undefined) failedLines.push(i);
  });

  /** Could the failed demand line i (a hole) feed a tender with these categories and term? */
  const lineCouldFeed = (i: number, codes: ReadonlySet<string>, from: number, to: number) => {
    const line = rawDemand[i];
    const category = acceptedField(line, `demand[${i}]`, "category", salvage);
    if (category !== undefined && !codes.has(category.value as string)) return false;
    const year = acceptedField(line, `demand[${i}]`, "year", salvage);
    if (year !== undefined && ((year.value as number) < from || (year.value as number) > to))
      return false;
    const quantity = acceptedField(line, `demand[${i}]`, "quantity", salvage);
    return quantity === undefined || quantity.value !== 0;
  };

  /** Could the incomplete tender e route a line of these categories before a later tender? */
  const tenderCouldTakeLines = (e: number, codes: ReadonlySet<string>) => {
    const lots = isRecord(rawTenders[e]) ? rawTenders[e].lots : undefined;
    if (!Array.isArray(lots)) return true;
    return lots.some((lot: unknown, l) => {
      const listed = acceptedField(lot, `tenders[${e}].lots[${l}]`, "categories", salvage);
      return listed === undefined || (listed.value as string[]).some((code) => codes.has(code));
    });
  };

  const tender = (r: number): TenderDoubt => {
    const t = figures.tenderAt[r];
    const own = tenders[t]!;
    const codes = new Set(own.lots.flatMap((lot) => lot!.categories));
    const from = own.startYear;
    const to = own.startYear + own.termYears - 1;
    let participants = failedLines.some((i) => lineCouldFeed(i, codes, from, to));
    for (let e = 0; e < t && !participants; e++)
      if (!figures.tenderAt.includes(e) && tenderCouldTakeLines(e, codes)) participants = true;
    if (!participants && partnerFailed) {
      // A line whose partner failed the schema is left out of the figures.
      participants = figures.demand.some(
        (line) =>
          line.quantity > 0 &&
          codes.has(line.category) &&
          line.year >= from &&
          line.year <= to &&
          !figures.partnerIndex.has(line.partner) &&
          partnerMayHaveFailed(line.partner),
      );
    }
    const volume = [...codes].some(
      (code) => !figures.categories.has(code) && categoryMayHaveFailed(code),
    );
    return { participants, volume };
  };

  /** Could a failed school add pupils to one of these participants? */
  const pupilsMayDiffer = (participants: ReadonlySet<string>) =>
    (plan.schools ?? []).some((school, i) => {
      if (school !== undefined) return false;
      const path = `schools[${i}]`;
      const count = acceptedField(rawSchools[i], path, "pupils", salvage);
      if (count !== undefined && (count.value ?? 0) === 0) return false;
      const partner = acceptedField(rawSchools[i], path, "partner", salvage);
      return partner === undefined || participants.has(partner.value as string);
    });

  return {
    tender,
    pupilsMayDiffer,
    partnerMayHaveFailed: (code: string) => partnerFailed && partnerMayHaveFailed(code),
  };
}

const SUPPORT_KEY_REASONS = {
  pupils: "die Schulen dieser Partner haben zusammen 0 Schülerinnen und Schüler",
  population: "diese Partner haben alle die Einwohnerzahl 0",
} as const;

/**
 * plan@2 (§13): a zero weight sum of the support key in a year where some partner has
 * units. Only the keys pupils and population can sum to 0 (units and equal cannot).
 * Lines with unknown references are left out (they are errors already). Runs on plans
 * that passed the schema only: a failed line could change who has units.
 */
function checkSupportKey(
  support: PlanSupport,
  facts: {
    partners: readonly PlanPartner[];
    schools: readonly PlanSchool[];
    categoryList: readonly PlanCategory[];
    demand: readonly PlanDemandLine[];
    inventory: readonly PlanInventoryLine[];
  },
): PlanProblem[] {
  const key = support.key ?? "units";
  if (key !== "pupils" && key !== "population") return [];
  const partnerCodes = new Set(facts.partners.map((p) => p.code));
  const categoryCodes = new Set(facts.categoryList.map((c) => c.code));
  const known = (line: PlanDemandLine) =>
    partnerCodes.has(line.partner) && categoryCodes.has(line.category);
  const units = installedUnits(
    {
      format: PLAN_FORMAT,
      partners: [...facts.partners],
      categories: [...facts.categoryList],
      demand: facts.demand.filter(known),
      inventory: facts.inventory.filter(known),
    },
    support.fromYear,
    support.toYear,
  );
  const pupils = new Map<string, number>();
  for (const school of facts.schools)
    pupils.set(school.partner, (pupils.get(school.partner) ?? 0) + (school.pupils ?? 0));
  const weight = (p: PlanPartner) =>
    key === "pupils" ? (pupils.get(p.code) ?? 0) : (p.population ?? 0);
  const years: number[] = [];
  for (let y = 0; y <= support.toYear - support.fromYear; y++) {
    const active = facts.partners.filter((_, i) => units[i][y] > 0n);
    if (active.length > 0 && active.every((p) => weight(p) === 0)) years.push(support.fromYear + y);
  }
  if (years.length === 0) return [];
  return [
    {
      path: "support.key",
      message: `Schlüssel „${key}“: Die Gewichte der Partner mit Geräten ergeben ${years.length === 1 ? `im Jahr ${years[0]}` : `in den Jahren ${years.join(", ")}`} zusammen 0, denn ${SUPPORT_KEY_REASONS[key]}; die Kosten des gemeinsamen Supports lassen sich so nicht verteilen.`,
    },
  ];
}

function zeroWeightReason(
  cost: PlanCommonCost,
  participants: ReadonlySet<string>,
  facts: {
    volumePositive: () => boolean;
    pupils: ReadonlyMap<string, number>;
    byCode: ReadonlyMap<string, PlanPartner>;
  },
): string | undefined {
  if (participants.size === 0)
    return "denn die Ausschreibung hat noch keine Teilnehmer (keine Mengen im Zeitraum)";
  const codes = [...participants];
  switch (cost.key) {
    case "volume":
      return facts.volumePositive()
        ? undefined
        : "denn alle Teilnehmer haben ein Auftragsvolumen von 0,00 €";
    case "quantity":
    case "equal":
      return undefined;
    case "pupils":
      return codes.some((c) => (facts.pupils.get(c) ?? 0) > 0)
        ? undefined
        : "denn die Schulen der Teilnehmer haben zusammen 0 Schülerinnen und Schüler";
    case "population":
      return codes.some((c) => (facts.byCode.get(c)?.population ?? 0) > 0)
        ? undefined
        : "denn alle Teilnehmer haben die Einwohnerzahl 0";
    case "custom":
      return codes.some((c) => {
        const weight = cost.weights?.[c];
        return weight !== undefined && parseDecimal(weight).units > 0n;
      })
        ? undefined
        : "denn kein Teilnehmer hat ein Gewicht größer als 0";
  }
}
