import fs from "node:fs";
import path from "node:path";
import { fc, test as propertyTest } from "@fast-check/vitest";
import { calculatePlan } from "../../domain/calculate";
import type { Plan } from "../../domain/plan";
import {
  awardedPricePlan,
  comparePlanVsActual,
  type AwardedCategoryPrice,
  type QuantityLine,
} from "../../domain/plan-vs-actual";

function examplePlan(name: string): Plan {
  const file = path.resolve(__dirname, "../fixtures/examples", `${name}.plan.json`);
  return JSON.parse(fs.readFileSync(file, "utf8")) as Plan;
}

/** Every lot awarded at the engine's own joint price, with the engine's maximum. */
function awardAtJointPrices(plan: Plan, tenderCode: string): AwardedCategoryPrice[] {
  const tender = calculatePlan(plan).tenders.find((t) => t.code === tenderCode)!;
  return tender.categories.map((c) => ({
    category: c.code,
    name: c.name,
    unit: c.unit,
    lot: c.lot,
    vatRate: c.vatRate,
    unitPriceNet: c.unitPriceNet,
    maxQuantity: c.maxQuantity,
  }));
}

function demandOf(plan: Plan): QuantityLine[] {
  return (plan.demand ?? []).map(({ partner, category, year, quantity }) => ({
    partner,
    category,
    year,
    quantity,
  }));
}

const SMALL_PLAN: Plan = {
  format: "verbundkauf/plan@1",
  partners: [
    { code: "COE", name: "Stadt Coesfeld", population: 36500 },
    { code: "DUE", name: "Stadt Dülmen", population: 47700 },
  ],
  schools: [{ code: "COE-GY", partner: "COE", name: "Gymnasium (Demo)", pupils: 900 }],
  categories: [
    {
      code: "NB",
      name: "Notebook",
      unit: "Stück",
      basePriceNet: "520.00",
      vatRate: "0.19",
      tiers: [{ minQuantity: 10, discount: "0.10" }],
    },
  ],
  demand: [
    { partner: "COE", school: "COE-GY", category: "NB", year: 2027, quantity: 6 },
    { partner: "DUE", category: "NB", year: 2028, quantity: 4 },
  ],
  tenders: [
    {
      code: "RV",
      name: "Rahmenvertrag",
      startYear: 2027,
      termYears: 2,
      reserve: "0.10",
      lots: [{ code: "L1", name: "Notebooks", categories: ["NB"] }],
      commonCosts: [{ label: "Beratung", amountGross: "1000.00", key: "volume" }],
    },
  ],
};

const AWARDED_NB: AwardedCategoryPrice[] = [
  {
    category: "NB",
    name: "Notebook",
    unit: "Stück",
    lot: "L1",
    vatRate: "0.19",
    unitPriceNet: 40_001n,
    maxQuantity: 11,
  },
];

describe("awardedPricePlan", () => {
  test("fixes the awarded price: base price = awarded price, no tiers; demand replaced", () => {
    const derived = awardedPricePlan(SMALL_PLAN, "RV", AWARDED_NB, [
      { partner: "COE", category: "NB", year: 2027, quantity: 3 },
    ]);
    expect(derived.categories).toEqual([
      {
        code: "NB",
        name: "Notebook",
        unit: "Stück",
        basePriceNet: "400.01",
        vatRate: "0.19",
        tiers: [],
      },
    ]);
    expect(derived.demand).toEqual([{ partner: "COE", category: "NB", year: 2027, quantity: 3 }]);
    expect(derived.tenders?.map((t) => t.code)).toEqual(["RV"]);
  });

  test("drops custom weights of partners that take no part on that side", () => {
    const plan: Plan = {
      ...SMALL_PLAN,
      tenders: [
        {
          ...SMALL_PLAN.tenders![0],
          commonCosts: [
            { label: "PL", amountGross: "10.00", key: "custom", weights: { COE: "2", DUE: "1" } },
          ],
        },
      ],
    };
    const derived = awardedPricePlan(plan, "RV", AWARDED_NB, [
      { partner: "DUE", category: "NB", year: 2028, quantity: 1 },
    ]);
    expect(derived.tenders![0].commonCosts![0].weights).toEqual({ DUE: "1" });
  });
});

describe("comparePlanVsActual", () => {
  test("hand-checked figures: awarded price, VAT per partner and year, common costs on actual volume", () => {
    const result = comparePlanVsActual({
      plan: SMALL_PLAN,
      tenderCode: "RV",
      awarded: AWARDED_NB,
      planned: [
        { partner: "COE", category: "NB", year: 2027, quantity: 6 },
        { partner: "DUE", category: "NB", year: 2028, quantity: 4 },
      ],
      calledOff: [
        { partner: "COE", category: "NB", year: 2027, quantity: 2 },
        { partner: "COE", category: "NB", year: 2027, quantity: 1 },
      ],
    });
    const [coe, due] = result.partners;
    expect(coe.code).toBe("COE");
    // planned: 6 × 400,01 = 2.400,06 net; VAT round(456,0114) = 456,01
    expect(coe.planned.directNet).toBe(240_006n);
    expect(coe.planned.directVat).toBe(45_601n);
    // common costs 1.000,00 by volume 2.400,06 : 1.600,04 → 600,00 : 400,00 exactly
    expect(coe.planned.commonCostShare).toBe(60_000n);
    expect(due.planned.commonCostShare).toBe(40_000n);
    // actual: 3 × 400,01 = 1.200,03 net; VAT round(228,0057) = 228,01. The common costs stay
    // split by the key on the plan (60 % / 40 %), although only COE has called off so far.
    expect(coe.actual).toEqual({
      quantity: 3,
      directNet: 120_003n,
      directVat: 22_801n,
      directGross: 142_804n,
      commonCostShare: 60_000n,
      totalGross: 202_804n,
    });
    expect(due.actual.directGross).toBe(0n);
    expect(due.actual.commonCostShare).toBe(40_000n);
    expect(due.actual.totalGross).toBe(40_000n);
    expect(coe.differenceGross).toBe(coe.actual.totalGross - coe.planned.totalGross);
    expect(coe.years.find((y) => y.year === 2027)?.actual.quantity).toBe(3);
    expect(coe.categories).toEqual([
      {
        category: "NB",
        plannedQuantity: 6,
        calledOffQuantity: 3,
        plannedNet: 240_006n,
        actualNet: 120_003n,
      },
    ]);
    expect(result.categories[0]).toMatchObject({
      code: "NB",
      maxQuantity: 11,
      plannedQuantity: 10,
      calledOffQuantity: 3,
    });
    expect(result.totals.actual.totalGross).toBe(242_804n); // 1.428,04 direct + all 1.000 € common costs
    expect(result.totals.actual.commonCostShare).toBe(100_000n);
    expect(result.commonCostsTotal).toBe(100_000n);
    expect(result.commonCostProblems).toEqual({ planned: null, actual: null });
  });

  test("no call-offs yet: nothing actual but the common costs as planned", () => {
    const result = comparePlanVsActual({
      plan: SMALL_PLAN,
      tenderCode: "RV",
      awarded: AWARDED_NB,
      planned: demandOf(SMALL_PLAN),
      calledOff: [],
    });
    expect(result.totals.actual.directGross).toBe(0n);
    expect(result.totals.actual.commonCostShare).toBe(result.totals.planned.commonCostShare);
    expect(result.totals.actual.totalGross).toBe(result.totals.planned.commonCostShare);
    expect(result.commonCostProblems.actual).toBeNull();
    expect(result.partners.map((p) => p.code)).toEqual(["COE", "DUE"]);
  });

  test("weights that sum to 0 among those who called off do not matter: the plan's split holds", () => {
    const plan: Plan = {
      ...SMALL_PLAN,
      tenders: [
        {
          ...SMALL_PLAN.tenders![0],
          commonCosts: [{ label: "Schulen", amountGross: "500.00", key: "pupils" }],
        },
      ],
    };
    const result = comparePlanVsActual({
      plan,
      tenderCode: "RV",
      awarded: AWARDED_NB,
      planned: demandOf(plan),
      calledOff: [{ partner: "DUE", category: "NB", year: 2028, quantity: 1 }], // DUE has no schools: 0 pupils
    });
    expect(result.commonCostProblems.actual).toBeNull();
    expect(result.partners.find((p) => p.code === "DUE")?.actual.directNet).toBe(40_001n);
    expect(result.partners.find((p) => p.code === "COE")?.planned.commonCostShare).toBe(50_000n);
    expect(result.partners.find((p) => p.code === "COE")?.actual.commonCostShare).toBe(50_000n);
  });

  test.each(["01-three-partners", "02-edge-cases", "03-kreis-coesfeld"])(
    "%s: awarded at the joint prices with the planned demand, both sides give the engine's own figures",
    (name) => {
      const plan = examplePlan(name);
      const original = calculatePlan(plan);
      for (const tender of original.tenders) {
        const lines = demandOf(plan);
        const result = comparePlanVsActual({
          plan,
          tenderCode: tender.code,
          awarded: awardAtJointPrices(plan, tender.code),
          planned: lines,
          calledOff: lines,
        });
        expect(result.partners.map((p) => p.code)).toEqual(tender.partners.map((p) => p.code));
        for (const partner of tender.partners) {
          const compared = result.partners.find((p) => p.code === partner.code)!;
          const expected = {
            quantity: partner.quantity,
            directNet: partner.directNet,
            directVat: partner.directVat,
            directGross: partner.directGross,
            commonCostShare: partner.commonCostShare,
            totalGross: partner.totalGross,
          };
          expect(compared.planned).toEqual(expected);
          expect(compared.actual).toEqual(expected);
          expect(compared.differenceGross).toBe(0n);
        }
        expect(result.totals.planned.totalGross).toBe(tender.totals.totalGross);
      }
    },
  );

  propertyTest.prop([
    fc.array(
      fc.record({
        partner: fc.constantFrom("COE", "DUE"),
        year: fc.constantFrom(2027, 2028),
        quantity: fc.integer({ min: 1, max: 500 }),
      }),
      { minLength: 1, maxLength: 12 },
    ),
    fc.bigInt({ min: 1n, max: 500_000n }),
  ])(
    "actual direct net is exactly Σ called-off quantity × awarded price, and shares add up",
    (callOffs, price) => {
      const awarded = [{ ...AWARDED_NB[0], unitPriceNet: price }];
      const calledOff = callOffs.map((c) => ({ ...c, category: "NB" }));
      const result = comparePlanVsActual({
        plan: SMALL_PLAN,
        tenderCode: "RV",
        awarded,
        planned: demandOf(SMALL_PLAN),
        calledOff,
      });
      for (const partner of result.partners) {
        const quantity = calledOff
          .filter((c) => c.partner === partner.code)
          .reduce((s, c) => s + c.quantity, 0);
        expect(partner.actual.quantity).toBe(quantity);
        expect(partner.actual.directNet).toBe(BigInt(quantity) * price);
      }
      const shares = result.partners.reduce((s, p) => s + p.actual.commonCostShare, 0n);
      expect(shares).toBe(100_000n);
    },
  );
});
