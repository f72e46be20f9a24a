// fast-check arbitrary for VALID random plan@1 files: 1–6 partners, a few schools,
// categories with tiers, demand, 1–2 tenders with lots and common costs of every key.
// The generator repairs what would make a plan invalid (custom weights for
// non-participants, keys whose weights sum to 0) with its own simple reading of
// CALCULATION.md, independent of the engine. Reusable by any test.

import fc from "fast-check";
import {
  COST_KEYS,
  PLAN_FORMAT,
  SCHOOL_TYPES,
  type Plan,
  type PlanCategory,
  type PlanCommonCost,
  type PlanDemandLine,
  type PlanTender,
} from "../../domain/plan";

export interface PlanArbitraryOptions {
  /**
   * Tiers whose discount grows with minQuantity (listed in random order), so that
   * more quantity never means a higher price. Default true.
   */
  monotoneTiers?: boolean;
}

/** Codes in mixed case so "plain character order" ("Z" < "a") matters. */
const PARTNER_CODES = ["ASC", "BIL", "COE", "DUE", "KRS", "OLF", "ROS", "Z9", "a1", "b-2"];
const CATEGORY_CODES = ["NB", "TAB", "DISP", "LIZ", "kab"];

/** Cents as a plan money string. */
export function centsToMoney(cents: number): string {
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")}`;
}

const centsArb = (max: number) => fc.integer({ min: 0, max }).map(centsToMoney);

/** Discount strings 0–0.5 with 1–3 decimals ("0.5", "0.085", "0.10"). */
const discountArb = fc
  .tuple(fc.integer({ min: 0, max: 500 }), fc.constantFrom(1, 2, 3))
  .map(([thousandths, digits]) => {
    const text = `0.${String(thousandths).padStart(3, "0")}`;
    // Keep only `digits` decimals when the rest are zeros, else all three.
    const trimmed = text.slice(0, 2 + digits);
    return trimmed + "0".repeat(5 - trimmed.length) === text ? trimmed : text;
  });

function tiersArb(monotone: boolean) {
  return fc
    .uniqueArray(
      fc.record({ minQuantity: fc.integer({ min: 1, max: 300 }), discount: discountArb }),
      {
        selector: (t) => t.minQuantity,
        maxLength: 3,
      },
    )
    .chain((tiers) => {
      if (!monotone) return fc.constant(tiers);
      const byMin = [...tiers].sort((a, b) => a.minQuantity - b.minQuantity);
      const discounts = tiers.map((t) => t.discount).sort((a, b) => Number(a) - Number(b)); // test data only
      const sorted = byMin.map((t, i) => ({ minQuantity: t.minQuantity, discount: discounts[i] }));
      return fc.shuffledSubarray(sorted, { minLength: sorted.length, maxLength: sorted.length });
    });
}

function categoryArb(code: string, monotone: boolean): fc.Arbitrary<PlanCategory> {
  return fc.record(
    {
      code: fc.constant(code),
      name: fc.constant(`Produktgruppe ${code}`),
      unit: fc.constantFrom("Stück", "Lizenz"),
      basePriceNet: fc.oneof(centsArb(10), centsArb(500_000)),
      vatRate: fc.constantFrom("0.19", "0.07", "0", "0.190"),
      tiers: tiersArb(monotone),
    },
    { requiredKeys: ["code", "name", "basePriceNet"] },
  );
}

const YEARS = [2026, 2027, 2028, 2029, 2030, 2031, 2032];

export function planArbitrary(options: PlanArbitraryOptions = {}): fc.Arbitrary<Plan> {
  const monotone = options.monotoneTiers ?? true;
  return fc
    .record({
      partnerCodes: fc.shuffledSubarray(PARTNER_CODES, { minLength: 1, maxLength: 6 }),
      categoryCodes: fc.shuffledSubarray(CATEGORY_CODES, { minLength: 1, maxLength: 5 }),
      tenderCount: fc.integer({ min: 1, max: 2 }),
    })
    .chain(({ partnerCodes, categoryCodes, tenderCount }) =>
      fc.record({
        settings: fc.option(
          fc.record(
            {
              euThresholdNet: fc.constantFrom("216000.00", "1000.00", "0.00", "50000"),
              smallLotLimitNet: fc.constantFrom("80000.00", "100.00", "999999.99"),
              smallLotQuota: fc.constantFrom("0.20", "0", "1", "0.5", "0.333"),
            },
            { requiredKeys: [] },
          ),
          { nil: undefined },
        ),
        partners: fc.tuple(
          ...partnerCodes.map((code) =>
            fc.record(
              {
                code: fc.constant(code),
                name: fc.constant(`Partner ${code}`),
                population: fc.integer({ min: 0, max: 100_000 }),
              },
              { requiredKeys: ["code", "name"] },
            ),
          ),
        ),
        schoolCounts: fc.tuple(...partnerCodes.map(() => fc.integer({ min: 0, max: 3 }))),
        pupils: fc.array(fc.integer({ min: 0, max: 2_000 }), { minLength: 18, maxLength: 18 }),
        schoolTypes: fc.array(fc.constantFrom(...SCHOOL_TYPES), { minLength: 18, maxLength: 18 }),
        categories: fc.tuple(...categoryCodes.map((code) => categoryArb(code, monotone))),
        tenders: fc.tuple(
          ...Array.from({ length: tenderCount }, () =>
            fc.record({
              termYears: fc.integer({ min: 1, max: 4 }),
              reserve: fc.constantFrom("0", "0.10", "0.125", "1", "0.333"),
              soloProcessCostGross: fc.option(centsArb(1_000_000), { nil: undefined }),
              lotCount: fc.integer({ min: 1, max: 3 }),
              // Per category: the lot it stands in (index), or -1 for none.
              lotOfCategory: fc.array(fc.integer({ min: -1, max: 2 }), {
                minLength: categoryCodes.length,
                maxLength: categoryCodes.length,
              }),
              commonCosts: fc.array(
                fc.record({
                  label: fc.constantFrom("Vergabeberatung", "Projektleitung", "Plattform"),
                  amountGross: fc.oneof(centsArb(100), centsArb(10_000_000)),
                  key: fc.constantFrom(...COST_KEYS),
                  weights: fc.dictionary(
                    fc.constantFrom(...partnerCodes),
                    fc.constantFrom("0", "1", "2", "0.5", "60", "1.25"),
                  ),
                }),
                { maxLength: 4 },
              ),
            }),
          ),
        ),
        demandCells: fc.uniqueArray(
          fc.record({
            partner: fc.integer({ min: 0, max: partnerCodes.length - 1 }),
            school: fc.integer({ min: -1, max: 2 }),
            category: fc.integer({ min: 0, max: categoryCodes.length - 1 }),
            year: fc.constantFrom(...YEARS),
            quantity: fc.oneof(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 400 })),
          }),
          {
            maxLength: 30,
            selector: (d) => `${d.partner}/${d.school}/${d.category}/${d.year}`,
          },
        ),
      }),
    )
    .map((raw) => {
      const schools = raw.partners.flatMap((p, i) =>
        Array.from({ length: raw.schoolCounts[i] }, (_, s) => ({
          code: `${p.code}-S${s}`,
          partner: p.code,
          name: `Schule ${s} von ${p.code}`,
          type: raw.schoolTypes[i * 3 + s],
          pupils: raw.pupils[i * 3 + s],
        })),
      );
      const demand: PlanDemandLine[] = [];
      const seen = new Set<string>();
      for (const cell of raw.demandCells) {
        const partner = raw.partners[cell.partner].code;
        // A school index past the partner's schools means "no school".
        const school =
          cell.school >= 0 && cell.school < raw.schoolCounts[cell.partner]
            ? `${partner}-S${cell.school}`
            : undefined;
        const category = raw.categories[cell.category].code;
        const key = `${partner}/${school}/${category}/${cell.year}`;
        if (seen.has(key)) continue;
        seen.add(key);
        demand.push({
          partner,
          ...(school === undefined ? {} : { school }),
          category,
          year: cell.year,
          quantity: cell.quantity,
        });
      }

      // Tenders follow each other in time, so categories may repeat across tenders.
      let startYear = 2027;
      const tenders: PlanTender[] = raw.tenders.map((t, ti) => {
        const lots = Array.from({ length: t.lotCount }, (_, l) => ({
          code: `L${l + 1}`,
          name: `Los ${l + 1}`,
          categories: raw.categories.filter((_, c) => t.lotOfCategory[c] === l).map((c) => c.code),
        }));
        const tender: PlanTender = {
          code: `RV-${ti + 1}`,
          name: `Rahmenvertrag ${ti + 1}`,
          startYear,
          termYears: t.termYears,
          reserve: t.reserve,
          ...(t.soloProcessCostGross === undefined
            ? {}
            : { soloProcessCostGross: t.soloProcessCostGross }),
          lots,
        };
        startYear += t.termYears;
        const costs = repairCommonCosts(t.commonCosts, tender, {
          demand,
          partners: raw.partners,
          schools,
          categories: raw.categories,
        });
        if (costs.length > 0) tender.commonCosts = costs;
        return tender;
      });

      const plan: Plan = {
        format: PLAN_FORMAT,
        ...(raw.settings === undefined ? {} : { settings: raw.settings }),
        partners: raw.partners,
        schools,
        categories: raw.categories,
        demand,
        tenders,
      };
      return plan;
    });
}

interface PlanFacts {
  demand: readonly PlanDemandLine[];
  partners: readonly { code: string; population?: number }[];
  schools: readonly { partner: string; pupils?: number }[];
  categories: readonly PlanCategory[];
}

/** Keeps common costs valid: weights only for participants, no key summing to 0. */
function repairCommonCosts(
  costs: readonly (PlanCommonCost & { weights: Record<string, string> })[],
  tender: PlanTender,
  facts: PlanFacts,
): PlanCommonCost[] {
  const inTender = new Set(tender.lots.flatMap((l) => l.categories));
  const lastYear = tender.startYear + tender.termYears - 1;
  const lines = facts.demand.filter(
    (d) =>
      d.quantity > 0 &&
      inTender.has(d.category) &&
      d.year >= tender.startYear &&
      d.year <= lastYear,
  );
  const participants = new Set(lines.map((d) => d.partner));
  if (participants.size === 0) return [];
  const positive = (key: PlanCommonCost["key"], weights: Record<string, string>): boolean => {
    switch (key) {
      case "volume":
        // Discounts stay <= 0.5, so a base price > 0 keeps the joint price > 0.
        return lines.some(
          (d) => facts.categories.find((c) => c.code === d.category)!.basePriceNet !== "0.00",
        );
      case "pupils":
        return facts.schools.some((s) => participants.has(s.partner) && (s.pupils ?? 0) > 0);
      case "population":
        return facts.partners.some((p) => participants.has(p.code) && (p.population ?? 0) > 0);
      case "custom":
        return Object.values(weights).some((w) => Number(w) > 0);
      default:
        return true;
    }
  };
  return costs.map((cost) => {
    if (cost.key !== "custom") {
      const { weights: _weights, ...rest } = cost;
      return positive(cost.key, {}) ? rest : { ...rest, key: "equal" };
    }
    const weights = Object.fromEntries(
      Object.entries(cost.weights).filter(([code]) => participants.has(code)),
    );
    if (!positive("custom", weights)) {
      const { weights: _weights, ...rest } = cost;
      return { ...rest, key: "equal" };
    }
    return { ...cost, weights };
  });
}

// ---- plan@2 (CALCULATION.md §11–§13) ------------------------------------------------

const RATES = ["0.5", "0.9", "1", "0.333", "0.05", "0.75"];
const SUPPORT_UNITS = ["0", "0.5", "1", "2", "0.25", "10", "0.01"];

/**
 * Valid random plan@2 files: a plan of planArbitrary plus service lives and support
 * units, 0–3 funding programmes (each category eligible under one programme at most;
 * sometimes with a cap, sometimes with budgets that may list only some partners),
 * inventory lines, stated maxima and (mostly) a support section. A support key
 * `pupils`/`population` is kept only when every partner weighs more than 0, so no
 * year can sum to 0 (a reading independent of the engine).
 */
export function planV2Arbitrary(options: PlanArbitraryOptions = {}): fc.Arbitrary<Plan> {
  return planArbitrary(options).chain((plan) => {
    const partnerCodes = plan.partners.map((p) => p.code);
    const categoryCodes = plan.categories.map((c) => c.code);
    return fc
      .record({
        lives: fc.array(fc.integer({ min: 1, max: 15 }), {
          minLength: categoryCodes.length,
          maxLength: categoryCodes.length,
        }),
        units: fc.array(fc.option(fc.constantFrom(...SUPPORT_UNITS), { nil: undefined }), {
          minLength: categoryCodes.length,
          maxLength: categoryCodes.length,
        }),
        programmeOfCategory: fc.array(fc.integer({ min: -1, max: 2 }), {
          minLength: categoryCodes.length,
          maxLength: categoryCodes.length,
        }),
        programmes: fc.array(
          fc.record({
            rate: fc.constantFrom(...RATES),
            fromYear: fc.integer({ min: 2025, max: 2030 }),
            span: fc.integer({ min: 0, max: 6 }),
            cap: fc.option(fc.oneof(centsArb(100), centsArb(100_000)), { nil: undefined }),
            budgets: fc.option(
              fc.dictionary(
                fc.constantFrom(...partnerCodes),
                fc.oneof(centsArb(1_000), centsArb(500_000), centsArb(100_000_000)),
              ),
              { nil: undefined },
            ),
          }),
          { minLength: 3, maxLength: 3 },
        ),
        inventory: fc.uniqueArray(
          fc.record({
            partner: fc.integer({ min: 0, max: partnerCodes.length - 1 }),
            category: fc.integer({ min: 0, max: categoryCodes.length - 1 }),
            year: fc.integer({ min: 2015, max: 2032 }),
            quantity: fc.integer({ min: 0, max: 500 }),
          }),
          { maxLength: 20, selector: (d) => `${d.partner}/${d.category}/${d.year}` },
        ),
        maxQuantities: fc.array(fc.option(fc.integer({ min: 0, max: 800 }), { nil: undefined }), {
          minLength: categoryCodes.length,
          maxLength: categoryCodes.length,
        }),
        support: fc.option(
          fc.record(
            {
              fromYear: fc.integer({ min: 2024, max: 2030 }),
              span: fc.integer({ min: 0, max: 5 }),
              devicesPerFte: fc.constantFrom("400", "0.5", "250.5", "1", "37"),
              fteStep: fc.constantFrom("0.25", "0.5", "1", "0.01", "0.33"),
              minFtePerPartner: fc.constantFrom("0", "0.5", "1", "0.25"),
              poolOverheadFte: fc.constantFrom("0", "1", "0.75"),
              costPerFteGross: fc.oneof(centsArb(100), centsArb(10_000_000)),
              key: fc.constantFrom("units", "pupils", "population", "equal"),
            },
            { requiredKeys: ["fromYear", "span", "devicesPerFte", "costPerFteGross"] },
          ),
          { freq: 4, nil: undefined },
        ),
      })
      .map((raw): Plan => {
        const categories = plan.categories.map((c, i) => ({
          ...c,
          serviceLifeYears: raw.lives[i],
          ...(raw.units[i] === undefined ? {} : { supportUnits: raw.units[i] }),
        }));
        const fundingProgrammes = raw.programmes
          .map((f, i) => ({
            code: `F${i + 1}`,
            name: `Förderprogramm ${i + 1}`,
            rate: f.rate,
            categories: categoryCodes.filter((_, c) => raw.programmeOfCategory[c] === i),
            fromYear: f.fromYear,
            toYear: f.fromYear + f.span,
            ...(f.cap === undefined ? {} : { maxPerUnitGross: f.cap }),
            ...(f.budgets === undefined ? {} : { budgets: f.budgets }),
          }))
          .filter((f) => f.categories.length > 0);
        const inventory = raw.inventory.map((d) => ({
          partner: partnerCodes[d.partner],
          category: categoryCodes[d.category],
          year: d.year,
          quantity: d.quantity,
        }));
        const tenders = (plan.tenders ?? []).map((t) => {
          const stated = t.lots
            .flatMap((lot) => lot.categories)
            .flatMap((code) => {
              const n = raw.maxQuantities[categoryCodes.indexOf(code)];
              return n === undefined ? [] : [[code, n] as const];
            });
          return stated.length > 0 ? { ...t, maxQuantities: Object.fromEntries(stated) } : t;
        });
        let support: Plan["support"];
        if (raw.support !== undefined) {
          const { span, key, ...rest } = raw.support;
          const pupils = (code: string) =>
            (plan.schools ?? [])
              .filter((s) => s.partner === code)
              .reduce((sum, s) => sum + (s.pupils ?? 0), 0);
          const keyHolds =
            key === "pupils"
              ? partnerCodes.every((code) => pupils(code) > 0)
              : key === "population"
                ? plan.partners.every((p) => (p.population ?? 0) > 0)
                : true;
          support = {
            ...rest,
            toYear: rest.fromYear + span,
            ...(key === undefined ? {} : { key: keyHolds ? key : "units" }),
          };
        }
        return {
          ...plan,
          format: "verbundkauf/plan@2",
          categories,
          tenders,
          fundingProgrammes,
          inventory,
          ...(support === undefined ? {} : { support }),
        };
      });
  });
}
