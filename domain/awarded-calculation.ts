// The current figures of a tender after the award: where a lot is awarded, its
// categories cost the awarded price (every sheet, every share that depends on volume);
// where not, the estimate. The comparison "alone" stays the estimate: the awarded price
// came from the joint volume, so no partner alone would have got it.
//
// Both parts come from the engine (calculatePlan): the joint side from a plan in which
// each awarded category's base price is its awarded price without tiers, the solo side
// from the plan itself. This module only puts them together and recomputes the savings
// with the engine's own breakdown (domain/savings.ts).
import { calculatePlan, PlanCalculationError } from "./calculate";
import type { PartnerCalculation, PlanCalculation, TenderCalculation } from "./calculation";
import { formatMoney, type Cents } from "./money";
import type { Plan } from "./plan";
import { savingsBreakdown } from "./savings";

export interface AwardedCalculation {
  /** Current figures: awarded prices where awarded, solo comparison at estimated prices. */
  calculation: PlanCalculation;
  /** The plan's estimate, for the estimated prices and values beside the awarded ones. */
  estimate: PlanCalculation;
}

/** The plan with each awarded category fixed at its awarded net unit price (no tiers). */
export function planAtAwardedPrices(plan: Plan, awarded: ReadonlyMap<string, Cents>): Plan {
  return {
    ...plan,
    categories: plan.categories.map((category) => {
      const price = awarded.get(category.code);
      return price === undefined
        ? category
        : { ...category, basePriceNet: formatMoney(price), tiers: [] };
    }),
  };
}

function withSoloOf(joint: PartnerCalculation, estimate: PartnerCalculation): PartnerCalculation {
  const soloGross = estimate.soloGross;
  return {
    ...joint,
    soloNet: estimate.soloNet,
    soloVat: estimate.soloVat,
    soloGross,
    savingsGross: soloGross - joint.totalGross,
    savings: savingsBreakdown({
      soloDirectGross: estimate.soloNet + estimate.soloVat,
      directGross: joint.directGross,
      procedures: 1,
      soloProcessCostGross: joint.soloProcessCostGross,
      commonCosts: joint.commonCostShare,
    }),
    years: joint.years.map((year, index) => {
      const solo = estimate.years[index];
      if (!solo || solo.year !== year.year) throw new PlanCalculationError("Years out of step");
      return {
        ...year,
        soloNet: solo.soloNet,
        soloVat: solo.soloVat,
        soloVatByRate: solo.soloVatByRate,
      };
    }),
  };
}

function mergeTender(joint: TenderCalculation, estimate: TenderCalculation): TenderCalculation {
  const estimatedPartners = new Map(estimate.partners.map((p) => [p.code, p]));
  const partners = joint.partners.map((partner) => {
    const solo = estimatedPartners.get(partner.code);
    if (!solo) throw new PlanCalculationError(`Partner ${partner.code} missing in the estimate`);
    return withSoloOf(partner, solo);
  });
  const estimatedCategories = new Map(estimate.categories.map((c) => [c.code, c]));
  const soloNet = partners.reduce((sum, p) => sum + p.soloNet, 0n);
  const soloVat = partners.reduce((sum, p) => sum + p.soloVat, 0n);
  const soloGross = partners.reduce((sum, p) => sum + p.soloGross, 0n);
  return {
    ...joint,
    categories: joint.categories.map((category) => ({
      ...category,
      soloPrices: estimatedCategories.get(category.code)?.soloPrices ?? category.soloPrices,
    })),
    partners,
    totals: {
      ...joint.totals,
      soloNet,
      soloVat,
      soloGross,
      savingsGross: soloGross - joint.totals.totalGross,
    },
    savings: savingsBreakdown({
      soloDirectGross: soloNet + soloVat,
      directGross: joint.totals.directGross,
      procedures: partners.length,
      soloProcessCostGross: joint.soloProcessCostGross,
      commonCosts: joint.totals.commonCostShare,
    }),
  };
}

/**
 * The tender `tenderCode` of `plan` at its awarded prices (category code → awarded net
 * unit price); other tenders stay as estimated. Without awards, both parts are the estimate.
 */
export function calculateWithAwardedPrices(
  plan: Plan,
  tenderCode: string,
  awarded: ReadonlyMap<string, Cents>,
): AwardedCalculation {
  const estimate = calculatePlan(plan);
  if (awarded.size === 0) return { calculation: estimate, estimate };
  const joint = calculatePlan(planAtAwardedPrices(plan, awarded));
  return {
    estimate,
    calculation: {
      ...joint,
      tenders: joint.tenders.map((tender) => {
        if (tender.code !== tenderCode)
          return estimate.tenders.find((t) => t.code === tender.code)!;
        const estimated = estimate.tenders.find((t) => t.code === tenderCode);
        if (!estimated) throw new PlanCalculationError(`Tender ${tenderCode} is not in the plan`);
        return mergeTender(tender, estimated);
      }),
    },
  };
}
