// Hand-computed cases of §11–§13 that the golden example does not isolate.
import { calculatePlan } from "../../domain/calculate";
import { toResultFile } from "../../domain/serialize";
import { validatePlan } from "../../domain/plan-validation";
import type { Plan } from "../../domain/plan";
import type { ResultV2 } from "../../domain/result";

function base(): Plan {
  return {
    format: "verbundkauf/plan@2",
    partners: [
      { code: "A", name: "A", population: 10 },
      { code: "B", name: "B", population: 30 },
    ],
    categories: [
      // 0.07 VAT: 3 × 0.333 × 1.07 = 1.06893 € per unit cent-wise distinct from per-unit rounding
      { code: "X", name: "X", basePriceNet: "0.01", vatRate: "0.07" },
      { code: "Y", name: "Y", basePriceNet: "100.00", serviceLifeYears: 2, supportUnits: "0.5" },
    ],
    demand: [
      { partner: "A", category: "X", year: 2027, quantity: 3 },
      { partner: "A", category: "Y", year: 2027, quantity: 2 },
      { partner: "B", category: "Y", year: 2028, quantity: 1 },
    ],
    tenders: [
      {
        code: "T",
        name: "T",
        startYear: 2027,
        termYears: 2,
        lots: [{ code: "L", name: "L", categories: ["X", "Y"] }],
      },
    ],
  };
}

function result(plan: Plan): ResultV2 {
  const validation = validatePlan(plan);
  if (!validation.ok) throw new Error(JSON.stringify(validation.problems));
  return toResultFile(calculatePlan(validation.plan)) as ResultV2;
}

describe("funding (§12)", () => {
  it("rounds the request once over the categories, not per unit", () => {
    const plan = base();
    // rate 0.5 on X: 3 × 0.5 × 1 ct × 1.07 = 1.605 ct → 2 ct (per unit 0.535 → 1 ct each: 3 ct).
    plan.fundingProgrammes = [
      { code: "F", name: "F", rate: "0.5", categories: ["X"], fromYear: 2027, toYear: 2027 },
    ];
    const r = result(plan);
    const a = r.tenders[0].partners.find((p) => p.code === "A")!;
    expect(a.years[0].fundingGross).toBe("0.02");
    expect(a.fundingGross).toBe("0.02");
    expect(a.ownGross).toBe(
      (Number(a.totalGross.replace(".", "")) - 2).toString().replace(/(\d\d)$/, ".$1"),
    );
  });

  it("caps per device, limits by budget, and a partner missing from budgets gets 0.00", () => {
    const plan = base();
    plan.fundingProgrammes = [
      {
        code: "F",
        name: "F",
        rate: "1",
        categories: ["Y"],
        fromYear: 2027,
        toYear: 2028,
        maxPerUnitGross: "50.00",
        budgets: { A: "70.00" },
      },
    ];
    const r = result(plan);
    // A: 2 × min(119.00, 50.00) = 100.00, budget 70.00 → 70.00; B: not listed → 0.00.
    expect(r.funding).toEqual([
      {
        code: "F",
        partners: [
          { code: "A", budgetGross: "70.00", grantedGross: "70.00", remainingGross: "0.00" },
          { code: "B", budgetGross: "0.00", grantedGross: "0.00", remainingGross: "0.00" },
        ],
      },
    ]);
  });

  it("two programmes on one year never grant more than its direct gross (third bound in plan order)", () => {
    const plan = base();
    plan.demand = [{ partner: "A", category: "Y", year: 2027, quantity: 1 }];
    plan.demand.push({ partner: "A", category: "X", year: 2027, quantity: 1 });
    plan.categories[0].basePriceNet = "100.00";
    plan.categories[0].vatRate = "0.19";
    // Direct gross 238.00; F1 funds Y fully (119.00), F2 funds X fully (119.00): exactly the total.
    plan.fundingProgrammes = [
      { code: "F1", name: "F1", rate: "1", categories: ["Y"], fromYear: 2027, toYear: 2027 },
      { code: "F2", name: "F2", rate: "1", categories: ["X"], fromYear: 2027, toYear: 2027 },
    ];
    const r = result(plan);
    const a = r.tenders[0].partners[0];
    expect(a.years[0]).toMatchObject({ directGross: "238.00", fundingGross: "238.00" });
    expect(a.ownGross).toBe("0.00");
    expect(r.funding.map((f) => f.partners[0].budgetGross)).toEqual([null, null]);
  });

  it("uses budgets year by year: the earlier year first, the later one gets the rest", () => {
    const plan = base();
    plan.demand = [
      { partner: "A", category: "Y", year: 2027, quantity: 1 },
      { partner: "A", category: "Y", year: 2028, quantity: 1 },
    ];
    plan.fundingProgrammes = [
      {
        code: "F",
        name: "F",
        rate: "1",
        categories: ["Y"],
        fromYear: 2027,
        toYear: 2028,
        budgets: { A: "150.00" },
      },
    ];
    const a = result(plan).tenders[0].partners[0];
    expect(a.years.map((y) => y.fundingGross)).toEqual(["119.00", "31.00"]);
  });
});

describe("maxQuantities (§11)", () => {
  it("raises the framework quantity and the estimate, never lowers them", () => {
    const plan = base();
    plan.tenders![0].reserve = "0.5";
    plan.tenders![0].maxQuantities = { X: 10, Y: 1 };
    const categories = result(plan).tenders[0].categories;
    // X: Q 3 → ceil(4.5) = 5, stated 10 → 10; Y: Q 3 → 5, stated 1 → 5.
    expect(categories.map((c) => [c.code, c.maxQuantity])).toEqual([
      ["X", 10],
      ["Y", 5],
    ]);
    expect(result(plan).tenders[0].lots[0].estimatedValueNet).toBe("500.10");
  });
});

describe("support (§13)", () => {
  it("counts devices in their service life, steps FTE, splits the pooled cost by key", () => {
    const plan = base();
    plan.demand = plan.demand!.filter((line) => line.category === "Y");
    plan.inventory = [{ partner: "B", category: "X", year: 2020, quantity: 7 }];
    plan.support = {
      fromYear: 2026,
      toYear: 2029,
      devicesPerFte: "1",
      fteStep: "0.5",
      minFtePerPartner: "1.25",
      poolOverheadFte: "0.1",
      costPerFteGross: "1000.00",
      key: "population",
    };
    const years = result(plan).support!.years;
    // X lives 5 years (2020–2024): gone by 2026. Y lives 2 years, 0.5 units each.
    // 2027: A 2 × 0.5 = 1.00 → ceilStep(1) = 1.0, min 1.25 → 1.25; pooled max(1.25, 1) + 0.1.
    expect(years.map((y) => [y.year, y.units, y.soloFte, y.pooledFte])).toEqual([
      [2026, "0.00", "0.00", "0.00"],
      [2027, "1.00", "1.25", "1.35"],
      [2028, "1.50", "2.50", "1.60"],
      [2029, "0.50", "1.25", "1.35"],
    ]);
    // 2028: A 1.00 and B 0.50 units, pooled 1600.00 split 10 : 30 by population.
    expect(years[2].partners).toEqual([
      {
        code: "A",
        units: "1.00",
        soloFte: "1.25",
        soloCostGross: "1250.00",
        pooledShareGross: "400.00",
        savingsGross: "850.00",
      },
      {
        code: "B",
        units: "0.50",
        soloFte: "1.25",
        soloCostGross: "1250.00",
        pooledShareGross: "1200.00",
        savingsGross: "50.00",
      },
    ]);
    expect(years[2]).toMatchObject({
      soloCostGross: "2500.00",
      pooledCostGross: "1600.00",
      savingsGross: "900.00",
    });
    expect(years[0].partners).toEqual([]);
  });

  it("is null without a support section, and result@1 for a plan@1", () => {
    expect(result(base()).support).toBeNull();
    const v1 = { ...base(), format: "verbundkauf/plan@1" as const };
    v1.categories = v1.categories.map(({ serviceLifeYears: _l, supportUnits: _u, ...c }) => c);
    const file = toResultFile(calculatePlan(v1));
    expect(file.format).toBe("verbundkauf/result@1");
    expect(file).not.toHaveProperty("funding");
    expect(file.tenders[0].partners[0]).not.toHaveProperty("fundingGross");
  });
});
