// After the award the current figures use the awarded prices; the solo comparison stays
// the estimate. Everything comes from the engine; this checks how the parts fit together.
import fs from "node:fs";
import { calculatePlan } from "../../domain/calculate";
import { calculateWithAwardedPrices } from "../../domain/awarded-calculation";
import type { Cents } from "../../domain/money";
import type { Plan } from "../../domain/plan";

const plan = JSON.parse(
  fs.readFileSync("tests/fixtures/examples/03-kreis-coesfeld.plan.json", "utf8"),
) as Plan;
const estimate = calculatePlan(plan).tenders[0];

describe("calculateWithAwardedPrices", () => {
  it("without awards gives the estimate", () => {
    const { calculation } = calculateWithAwardedPrices(plan, estimate.code, new Map());
    expect(calculation.tenders[0]).toEqual(estimate);
  });

  it("awarded at the estimated joint prices, every figure stays the estimate", () => {
    const prices = new Map<string, Cents>(estimate.categories.map((c) => [c.code, c.unitPriceNet]));
    const { calculation } = calculateWithAwardedPrices(plan, estimate.code, prices);
    const tender = calculation.tenders[0];
    expect(tender.partners).toEqual(estimate.partners);
    expect(tender.totals).toEqual(estimate.totals);
    expect(tender.savings).toEqual(estimate.savings);
  });

  it("an awarded price below the estimate lowers the joint figures, keeps solo, and raises savings", () => {
    const first = estimate.categories[0];
    const prices = new Map<string, Cents>([[first.code, first.unitPriceNet - 1000n]]);
    const { calculation, estimate: kept } = calculateWithAwardedPrices(plan, estimate.code, prices);
    const tender = calculation.tenders[0];
    expect(kept.tenders[0]).toEqual(estimate);
    expect(tender.categories[0].unitPriceNet).toBe(first.unitPriceNet - 1000n);
    expect(tender.totals.directNet).toBe(
      estimate.totals.directNet - 1000n * BigInt(first.quantity),
    );
    expect(tender.totals.soloGross).toBe(estimate.totals.soloGross);
    for (const partner of tender.partners) {
      const before = estimate.partners.find((p) => p.code === partner.code)!;
      expect(partner.soloGross).toBe(before.soloGross);
      expect(partner.savingsGross).toBe(partner.soloGross - partner.totalGross);
      expect(partner.savings.savingsGross).toBe(partner.savingsGross);
      for (const year of partner.years)
        for (const position of year.positions)
          if (position.category === first.code)
            expect(position.unitPriceNet).toBe(first.unitPriceNet - 1000n);
    }
    expect(tender.savings.savingsGross).toBe(tender.totals.savingsGross);
    expect(tender.totals.savingsGross).toBeGreaterThan(estimate.totals.savingsGross);
  });
});
