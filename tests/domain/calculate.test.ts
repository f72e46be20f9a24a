import fs from "node:fs";
import path from "node:path";
import { calculatePlan, PlanCalculationError } from "../../domain/calculate";
import { toResultFile } from "../../domain/serialize";
import { maxQuantity } from "../../domain/thresholds";
import { parseDecimal } from "../../domain/decimal";
import { validatePlan } from "../../domain/plan-validation";
import type { Plan, PlanCategory, PlanDemandLine, PlanTender } from "../../domain/plan";

function examplePlan(name: string): Plan {
  const file = path.resolve(__dirname, "../fixtures/examples", `${name}.plan.json`);
  return JSON.parse(fs.readFileSync(file, "utf8")) as Plan;
}

/** A small valid plan; overrides replace whole lists. */
function plan(parts: {
  categories: PlanCategory[];
  demand: PlanDemandLine[];
  tender?: Partial<PlanTender>;
  settings?: Plan["settings"];
}): Plan {
  const built: Plan = {
    format: "verbundkauf/plan@1",
    ...(parts.settings ? { settings: parts.settings } : {}),
    partners: [
      { code: "A", name: "Partner A", population: 100 },
      { code: "B", name: "Partner B", population: 300 },
    ],
    categories: parts.categories,
    demand: parts.demand,
    tenders: [
      {
        code: "T",
        name: "Tender",
        startYear: 2027,
        termYears: 2,
        lots: [{ code: "L1", name: "Los 1", categories: parts.categories.map((c) => c.code) }],
        ...parts.tender,
      },
    ],
  };
  const validation = validatePlan(built);
  if (!validation.ok) throw new Error(JSON.stringify(validation.problems));
  return built;
}

describe("calculatePlan: exactness", () => {
  it("keeps amounts beyond 2^53 cents exact (100,000 × 99,999,999,999,999.99 €)", () => {
    const result = toResultFile(
      calculatePlan(
        plan({
          categories: [
            { code: "X", name: "X", basePriceNet: "99999999999999.99", vatRate: "0.19" },
          ],
          demand: [{ partner: "A", category: "X", year: 2027, quantity: 100000 }],
          tender: {
            commonCosts: [{ label: "Groß", amountGross: "99999999999999999.99", key: "equal" }],
          },
        }),
      ),
    );
    const partner = result.tenders[0].partners[0];
    expect(partner.directNet).toBe("9999999999999999000.00");
    expect(partner.directVat).toBe("1899999999999999810.00");
    expect(partner.directGross).toBe("11899999999999998810.00");
    expect(partner.commonCostShare).toBe("99999999999999999.99");
    expect(partner.totalGross).toBe("11999999999999998809.99");
    expect(result.tenders[0].estimatedValueNet).toBe("9999999999999999000.00");
  });

  it("splits a common cost of 99,999,999,999,999,999.99 € to the cent", () => {
    const calc = calculatePlan(
      plan({
        categories: [{ code: "X", name: "X", basePriceNet: "1.00" }],
        demand: [
          { partner: "A", category: "X", year: 2027, quantity: 1 },
          { partner: "B", category: "X", year: 2027, quantity: 2 },
        ],
        tender: {
          commonCosts: [{ label: "Groß", amountGross: "99999999999999999.99", key: "quantity" }],
        },
      }),
    );
    const shares = calc.tenders[0].commonCosts[0].shares;
    // exact 3333333333333333333 and 6666666666666666666 cents: remainders 0 and 0 → nothing left over
    expect(shares.map((s) => s.cents)).toEqual([3333333333333333333n, 6666666666666666666n]);
    expect(shares[0].exactShare).toBe("33333333333333333.33000000");
  });

  it("rounds VAT once per partner, year and rate, not per line", () => {
    // Two lines of 0.03 € at 19 %: per line 0.0057 → 0.01 each (0.02), once: 0.0114 → 0.01.
    // "0.190" and "0.19" are the same rate.
    const calc = calculatePlan(
      plan({
        categories: [
          { code: "X", name: "X", basePriceNet: "0.03", vatRate: "0.19" },
          { code: "Y", name: "Y", basePriceNet: "0.03", vatRate: "0.190" },
          { code: "Z", name: "Z", basePriceNet: "0.03", vatRate: "0.07" },
        ],
        demand: [
          { partner: "A", category: "X", year: 2027, quantity: 1 },
          { partner: "A", category: "Y", year: 2027, quantity: 1 },
          { partner: "A", category: "Z", year: 2027, quantity: 1 },
          { partner: "A", category: "X", year: 2028, quantity: 1 },
        ],
      }),
    );
    const [y2027, y2028] = calc.tenders[0].partners[0].years;
    expect(y2027.vatByRate.map((l) => [l.rate, l.net, l.vat])).toEqual([
      ["0.07", 3n, 0n], // 0.0021 → 0.00
      ["0.19", 6n, 1n], // 0.0114 → 0.01
    ]);
    expect(y2027.directVat).toBe(1n);
    expect(y2028.directVat).toBe(1n); // 0.0057 → 0.01 (its own invoice)
    expect(calc.tenders[0].partners[0].directVat).toBe(2n);
  });

  it("rounds a joint price of exactly half a cent away from zero", () => {
    const calc = calculatePlan(
      plan({
        categories: [
          {
            code: "X",
            name: "X",
            basePriceNet: "0.03",
            tiers: [{ minQuantity: 2, discount: "0.5" }],
          },
        ],
        demand: [
          { partner: "A", category: "X", year: 2027, quantity: 1 },
          { partner: "B", category: "X", year: 2027, quantity: 1 },
        ],
      }),
    );
    const category = calc.tenders[0].categories[0];
    expect(category.unitPriceNet).toBe(2n); // 0.015 → 0.02
    expect(category.soloPrices.map((s) => s.unitPriceNet)).toEqual([3n, 3n]);
  });
});

describe("calculatePlan: CALCULATION.md §2–§6", () => {
  it("counts only lines in the term with quantity > 0; other partners are no participants", () => {
    const calc = calculatePlan(
      plan({
        categories: [{ code: "X", name: "X", basePriceNet: "10.00" }],
        demand: [
          { partner: "A", category: "X", year: 2026, quantity: 5 },
          { partner: "A", category: "X", year: 2029, quantity: 5 },
          { partner: "B", category: "X", year: 2027, quantity: 0 },
          { partner: "A", category: "X", year: 2028, quantity: 3 },
        ],
      }),
    );
    const tender = calc.tenders[0];
    expect(tender.participants).toEqual([{ code: "A", name: "Partner A" }]);
    expect(tender.categories[0].quantity).toBe(3);
    expect(tender.partners[0].years.map((y) => y.directNet)).toEqual([0n, 3000n]);
  });

  it("books the whole common cost share in the start year", () => {
    const calc = calculatePlan(
      plan({
        categories: [{ code: "X", name: "X", basePriceNet: "10.00" }],
        demand: [{ partner: "B", category: "X", year: 2028, quantity: 1 }],
        tender: { commonCosts: [{ label: "K", amountGross: "12.34", key: "population" }] },
      }),
    );
    expect(calc.tenders[0].partners[0].years.map((y) => y.commonCostShare)).toEqual([1234n, 0n]);
  });

  it("states a category without demand at base price, quantity 0, max 0", () => {
    const result = toResultFile(
      calculatePlan(
        plan({
          categories: [
            { code: "X", name: "X", basePriceNet: "10.00" },
            {
              code: "Y",
              name: "Y",
              basePriceNet: "7.50",
              tiers: [{ minQuantity: 1, discount: "0.1" }],
            },
          ],
          demand: [{ partner: "A", category: "X", year: 2027, quantity: 1 }],
        }),
      ),
    );
    expect(result.tenders[0].categories[1]).toEqual({
      code: "Y",
      lot: "L1",
      quantity: 0,
      maxQuantity: 0,
      tierMinQuantity: 0,
      unitPriceNet: "7.50",
    });
  });

  it("gives a tender without participants empty rows and zero totals", () => {
    const result = toResultFile(
      calculatePlan(
        plan({ categories: [{ code: "X", name: "X", basePriceNet: "1.00" }], demand: [] }),
      ),
    );
    expect(result.tenders[0].participants).toEqual([]);
    expect(result.tenders[0].totals).toMatchObject({
      quantity: 0,
      totalGross: "0.00",
      savingsGross: "0.00",
    });
  });

  it("follows the tiers as written even when they fall with quantity (joint may exceed solo)", () => {
    const calc = calculatePlan(
      plan({
        categories: [
          {
            code: "X",
            name: "X",
            basePriceNet: "100.00",
            tiers: [
              { minQuantity: 2, discount: "0.2" },
              { minQuantity: 3, discount: "0.1" },
            ],
          },
        ],
        demand: [
          { partner: "A", category: "X", year: 2027, quantity: 2 },
          { partner: "B", category: "X", year: 2027, quantity: 1 },
        ],
      }),
    );
    const category = calc.tenders[0].categories[0];
    expect(category.unitPriceNet).toBe(9000n);
    expect(category.soloPrices.map((s) => [s.partner, s.unitPriceNet, s.discount])).toEqual([
      ["A", 8000n, "0.2"],
      ["B", 10000n, "0"],
    ]);
  });

  it.each([
    [500, "0.125", 563],
    [1, "1", 2],
    [3, "0.333", 4], // 3.999 → 4
    [1000, "0.001", 1001],
    [0, "0.5", 0],
    [7, "0", 7],
  ])("maxQuantity(%i, reserve %s) = %i", (q, reserve, expected) => {
    expect(maxQuantity(q, parseDecimal(reserve))).toBe(expected);
  });

  describe("EU threshold and small-lot exemption", () => {
    const lotPlan = (values: Record<string, string>, settings: Plan["settings"]) =>
      plan({
        settings,
        categories: Object.entries(values).map(([code, price]) => ({
          code,
          name: code,
          basePriceNet: price,
        })),
        demand: Object.keys(values).map((code) => ({
          partner: "A",
          category: code,
          year: 2027,
          quantity: 1,
        })),
        tender: {
          lots: Object.keys(values).map((code) => ({
            code: `L-${code}`,
            name: code,
            categories: [code],
          })),
        },
      });
    const exempt = (p: Plan) =>
      toResultFile(calculatePlan(p))
        .tenders[0].lots.filter((l) => l.smallLotExempt)
        .map((l) => l.code);

    it("marks small lots in ascending value while the sum stays <= quota × total, then stops", () => {
      // total 2000: quota 400 → 100 + 100 fit, 300 does not, and stops there
      const p = lotPlan(
        { D: "1500.00", C: "300.00", B: "100.00", A: "100.00" },
        { euThresholdNet: "0.00" },
      );
      expect(exempt(p)).toEqual(["L-B", "L-A"]);
    });

    it("counts a sum exactly at the quota as fitting", () => {
      const p = lotPlan(
        { D: "1600.00", C: "200.00", B: "100.00", A: "100.00" },
        { euThresholdNet: "0.00" },
      );
      expect(exempt(p).sort()).toEqual(["L-A", "L-B", "L-C"]);
    });

    it("skips lots at or above the small-lot limit without stopping", () => {
      const p = lotPlan(
        { D: "1000.00", C: "100.00", B: "50.00" },
        { euThresholdNet: "0.00", smallLotLimitNet: "100.00", smallLotQuota: "1" },
      );
      expect(exempt(p)).toEqual(["L-B"]);
    });

    it("exempts nothing when no EU procedure is required; the threshold itself requires one", () => {
      const below = lotPlan(
        { A: "215999.99" },
        { euThresholdNet: "216000.00", smallLotQuota: "1" },
      );
      const at = lotPlan({ A: "216000.00", B: "0.01" }, { euThresholdNet: "216000.00" });
      expect(toResultFile(calculatePlan(below)).tenders[0].euProcedureRequired).toBe(false);
      expect(exempt(below)).toEqual([]);
      expect(toResultFile(calculatePlan(at)).tenders[0].euProcedureRequired).toBe(true);
      expect(exempt(at)).toEqual(["L-B"]);
    });
  });

  it("refuses (throws) a plan whose weights sum to 0 when called without validation", () => {
    const bad: Plan = {
      format: "verbundkauf/plan@1",
      partners: [{ code: "A", name: "A" }],
      categories: [{ code: "X", name: "X", basePriceNet: "1.00" }],
      demand: [{ partner: "A", category: "X", year: 2027, quantity: 1 }],
      tenders: [
        {
          code: "T",
          name: "T",
          startYear: 2027,
          termYears: 1,
          lots: [{ code: "L", name: "L", categories: ["X"] }],
          commonCosts: [{ label: "K", amountGross: "1.00", key: "pupils" }],
        },
      ],
    };
    expect(() => calculatePlan(bad)).toThrow(PlanCalculationError);
  });
});

describe("rich result for UI and exports (example 01)", () => {
  const calc = calculatePlan(examplePlan("01-three-partners"));
  const tender = calc.tenders[0];

  it("names participants and the settings used", () => {
    expect(tender.participants.map((p) => p.name)).toEqual([
      "Stadt Billerbeck",
      "Gemeinde Havixbeck",
      "Stadt Olfen",
    ]);
    expect(calc.settings).toEqual({
      euThresholdNet: 21600000n,
      smallLotLimitNet: 8000000n,
      smallLotQuota: "0.2",
    });
    expect(tender.years).toEqual([2027, 2028, 2029, 2030]);
  });

  it("shows per category base price, joint discount and each participant's solo price", () => {
    const tab = tender.categories[0];
    expect(tab).toMatchObject({
      code: "TAB",
      basePriceNet: 39900n,
      discount: "0.085",
      unitPriceNet: 36509n,
    });
    expect(tab.soloPrices.map((s) => [s.partner, s.quantity, s.unitPriceNet])).toEqual([
      ["BIL", 105, 37905n], // 399 × 0.95
      ["HAV", 90, 39900n],
      ["OLF", 105, 37905n],
    ]);
  });

  it("lists positions per partner and year that add up to directNet", () => {
    const bil = tender.partners[0];
    expect(bil.years[0].positions).toEqual([
      { category: "TAB", quantity: 60, unitPriceNet: 36509n, net: 2190540n, vatRate: "0.19" },
      { category: "DISP", quantity: 6, unitPriceNet: 296100n, net: 1776600n, vatRate: "0.19" },
    ]);
    for (const year of bil.years) {
      expect(year.positions.reduce((s, p) => s + p.net, 0n)).toBe(year.directNet);
      expect(year.vatByRate.reduce((s, l) => s + l.vat, 0n)).toBe(year.directVat);
    }
  });

  it("documents each common cost split: weights, exact share, floor, remainder cent", () => {
    const equal = tender.commonCosts[1];
    expect(equal).toMatchObject({
      label: "Vergabeplattform",
      key: "equal",
      amountGross: 100000n,
      weightSum: "3",
    });
    expect(
      equal.shares.map((s) => [
        s.partner,
        s.weight,
        s.exactShare,
        s.floorCents,
        s.remainderCents,
        s.cents,
      ]),
    ).toEqual([
      ["BIL", "1", "333.33333333", 33333n, 1n, 33334n],
      ["HAV", "1", "333.33333333", 33333n, 0n, 33333n],
      ["OLF", "1", "333.33333333", 33333n, 0n, 33333n],
    ]);
    const volume = tender.commonCosts[0];
    expect(volume.shares.map((s) => s.weight)).toEqual(["56100.45", "56546.10", "64983.45"]);
    expect(volume.weightSum).toBe("177630.00");
  });
});
