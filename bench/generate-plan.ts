// A reproducible state-scale plan for benchmarks: seeded PRNG, so the same options
// always give the same plan. Exported for other benchmarks (e.g. exports).
// Run directly to write a file: `tsx bench/generate-plan.ts [OUT.json]`.

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  PLAN_FORMAT_V2,
  SCHOOL_TYPES,
  type Plan,
  type PlanCategory,
  type PlanDemandLine,
  type PlanFundingProgramme,
  type PlanInventoryLine,
  type PlanPartner,
  type PlanSchool,
  type PlanTender,
} from "../domain/plan";

export interface StatePlanOptions {
  seed: number;
  partners: number;
  schools: number;
  categories: number;
  /** Categories each school orders; with 4 years this sets the number of demand lines. */
  categoriesPerSchool: number;
  startYear: number;
  termYears: number;
  categoriesPerLot: number;
  /** plan@2: inventory categories per school; × 4 purchase years = lines per school. */
  inventoryCategoriesPerSchool: number;
}

/**
 * 400 partners, 5,000 schools, 40 categories, one 4-year tender, 500,000 demand lines;
 * plan@2: 200,000 inventory lines, two funding programmes (one with budgets for every
 * partner, one with a cap per device) and a support section over nine years.
 */
export const STATE_PLAN: StatePlanOptions = {
  seed: 20_270_101,
  partners: 400,
  schools: 5_000,
  categories: 40,
  categoriesPerSchool: 25,
  startYear: 2027,
  termYears: 4,
  categoriesPerLot: 5,
  inventoryCategoriesPerSchool: 10,
};

/** Purchase years of the inventory: four per category and school. */
const INVENTORY_YEARS = [2019, 2021, 2023, 2025];

/** mulberry32: small, fast, good enough for test data; returns [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

/** Whole cents as a plan money string, built from integers only. */
function money(cents: number): string {
  return `${Math.floor(cents / 100)}.${pad(cents % 100, 2)}`;
}

export function generateStatePlan(options: StatePlanOptions = STATE_PLAN): Plan {
  const random = seededRandom(options.seed);
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));

  const partners: PlanPartner[] = Array.from({ length: options.partners }, (_, i) => ({
    code: `P${pad(i + 1, 4)}`,
    name: `Schulträger ${i + 1} (Benchmark)`,
    population: int(2_000, 250_000),
  }));

  const schools: PlanSchool[] = Array.from({ length: options.schools }, (_, i) => ({
    code: `S${pad(i + 1, 5)}`,
    partner: partners[i % partners.length].code,
    name: `Schule ${i + 1} (Benchmark)`,
    type: SCHOOL_TYPES[int(0, SCHOOL_TYPES.length - 1)],
    pupils: int(80, 1_500),
  }));

  const categories: PlanCategory[] = Array.from({ length: options.categories }, (_, i) => {
    const tierCount = int(0, 3);
    const minimums = new Set<number>();
    while (minimums.size < tierCount) minimums.add(int(1, 40) * 250);
    return {
      code: `C${pad(i + 1, 3)}`,
      name: `Produktgruppe ${i + 1}`,
      unit: "Stück",
      basePriceNet: money(int(500, 500_000)),
      vatRate: random() < 0.8 ? "0.19" : "0.07",
      tiers: [...minimums].map((minQuantity) => ({
        minQuantity,
        discount: `0.${pad(int(1, 150), 3)}`,
      })),
      serviceLifeYears: int(3, 10),
      supportUnits: ["0.25", "0.5", "1", "1", "2"][int(0, 4)],
    };
  });

  const years = Array.from({ length: options.termYears }, (_, y) => options.startYear + y);
  const demand: PlanDemandLine[] = [];
  for (const school of schools) {
    // A random subset of categories per school (partial Fisher–Yates shuffle).
    const order = categories.map((_, i) => i);
    for (let k = 0; k < options.categoriesPerSchool; k++) {
      const j = int(k, order.length - 1);
      [order[k], order[j]] = [order[j], order[k]];
      for (const year of years) {
        demand.push({
          partner: school.partner,
          school: school.code,
          category: categories[order[k]].code,
          year,
          quantity: random() < 0.05 ? 0 : int(1, 60),
        });
      }
    }
  }

  const lots = [];
  for (let i = 0; i < categories.length; i += options.categoriesPerLot) {
    lots.push({
      code: `L${lots.length + 1}`,
      name: `Los ${lots.length + 1}`,
      categories: categories.slice(i, i + options.categoriesPerLot).map((c) => c.code),
    });
  }
  const customWeights = Object.fromEntries(
    partners.slice(0, 50).map((p) => [p.code, String(int(1, 9))]),
  );
  const tender: PlanTender = {
    code: "RV-LAND",
    name: "Landesweiter Rahmenvertrag (Benchmark)",
    startYear: options.startYear,
    termYears: options.termYears,
    reserve: "0.10",
    soloProcessCostGross: "7500.00",
    lots,
    commonCosts: [
      { label: "Vergabeberatung", amountGross: "350000.00", key: "volume" },
      { label: "Projektleitung", amountGross: "180000.01", key: "pupils" },
      { label: "Vergabeplattform", amountGross: "12000.00", key: "equal" },
      { label: "Logistik", amountGross: "99999.99", key: "quantity" },
      { label: "Öffentlichkeitsarbeit", amountGross: "5000.00", key: "population" },
      { label: "Pilotschulen", amountGross: "25000.00", key: "custom", weights: customWeights },
    ],
  };

  const inventory: PlanInventoryLine[] = [];
  for (const school of schools) {
    const order = categories.map((_, i) => i);
    for (let k = 0; k < options.inventoryCategoriesPerSchool; k++) {
      const j = int(k, order.length - 1);
      [order[k], order[j]] = [order[j], order[k]];
      for (const year of INVENTORY_YEARS) {
        inventory.push({
          partner: school.partner,
          school: school.code,
          category: categories[order[k]].code,
          year,
          quantity: random() < 0.05 ? 0 : int(1, 80),
        });
      }
    }
  }

  const fundingProgrammes: PlanFundingProgramme[] = [
    {
      code: "DP2",
      name: "DigitalPakt Schule 2.0 (Benchmark)",
      rate: "0.90",
      categories: categories.slice(0, 25).map((c) => c.code),
      fromYear: options.startYear,
      toYear: options.startYear + 2,
      budgets: Object.fromEntries(
        partners.map((p) => [p.code, money(int(1_000_000, 200_000_000))]),
      ),
    },
    {
      code: "LK",
      name: "Endgeräte für Lehrkräfte (Benchmark)",
      rate: "1",
      categories: categories.slice(25, 30).map((c) => c.code),
      fromYear: options.startYear,
      toYear: options.startYear + options.termYears - 1,
      maxPerUnitGross: "500.00",
    },
  ];

  return {
    format: PLAN_FORMAT_V2,
    settings: { euThresholdNet: "216000.00", smallLotLimitNet: "80000.00", smallLotQuota: "0.20" },
    partners,
    schools,
    categories,
    demand,
    tenders: [{ ...tender, maxQuantities: { [categories[0].code]: 1_000_000 } }],
    fundingProgrammes,
    inventory,
    support: {
      fromYear: options.startYear - 1,
      toYear: options.startYear + 7,
      devicesPerFte: "400",
      fteStep: "0.25",
      minFtePerPartner: "0.5",
      poolOverheadFte: "1",
      costPerFteGross: "72000.00",
      key: "units",
    },
  };
}

export const DEFAULT_PLAN_FILE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "data",
  `state-plan-${STATE_PLAN.seed}-v2.json`,
);

/** Writes the plan as compact JSON (as a large upload would arrive). */
export function writeStatePlan(
  file: string = DEFAULT_PLAN_FILE,
  options: StatePlanOptions = STATE_PLAN,
): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(generateStatePlan(options)));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const file = path.resolve(process.argv[2] ?? DEFAULT_PLAN_FILE);
  writeStatePlan(file);
  console.log(`Wrote ${file} (${(fs.statSync(file).size / 1e6).toFixed(1)} MB)`);
}
