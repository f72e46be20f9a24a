// Property tests of funding (§12) and pooled support (§13) on random valid plan@2 files
// (planV2Arbitrary). The bounds are recomputed here with decimal.js, independently of
// the engine's exact integer arithmetic.
import { fc, test } from "@fast-check/vitest";
import Decimal from "decimal.js";
import { calculatePlan } from "../../domain/calculate";
import { validatePlan } from "../../domain/plan-validation";
import type { Plan } from "../../domain/plan";
import type { PlanCalculation } from "../../domain/calculation";
import { planV2Arbitrary } from "../helpers/plan-arbitrary";

const cents = (text: string) => BigInt(new Decimal(text).mul(100).toFixed(0));
/** Commercial rounding of a Decimal amount of cents (half away from zero). */
const roundCents = (d: Decimal) => BigInt(d.toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toFixed(0));

function quantityOf(plan: Plan, partner: string, category: string, year: number): number {
  let sum = 0;
  for (const line of plan.demand ?? [])
    if (line.partner === partner && line.category === category && line.year === year)
      sum += line.quantity;
  return sum;
}

/** Direct gross of p in y of tender t, per programme-eligible category set (independent). */
function bounds(plan: Plan, calc: PlanCalculation, grant: PlanCalculation["funding"]["grants"][0]) {
  const programme = plan.fundingProgrammes!.find((f) => f.code === grant.programme)!;
  const tender = calc.tenders.find((t) => t.code === grant.tender)!;
  let rateBound = new Decimal(0);
  let quantity = 0;
  for (const category of tender.categories) {
    if (!programme.categories.includes(category.code)) continue;
    const q = quantityOf(plan, grant.partner, category.code, grant.year);
    quantity += q;
    rateBound = rateBound.add(
      new Decimal(q)
        .mul(category.unitPriceNet.toString())
        .mul(new Decimal(1).add(category.vatRate))
        .mul(programme.rate),
    );
  }
  return {
    rate: roundCents(rateBound),
    cap:
      programme.maxPerUnitGross === undefined
        ? undefined
        : cents(programme.maxPerUnitGross) * BigInt(quantity),
    budget:
      programme.budgets === undefined ? undefined : cents(programme.budgets[grant.partner] ?? "0"),
  };
}

const calculated = planV2Arbitrary().map((plan) => ({ plan, calc: calculatePlan(plan) }));

describe("funding properties (§12)", () => {
  test.prop([planV2Arbitrary()])("the arbitrary only makes valid plan@2 files", (plan) => {
    const validation = validatePlan(plan);
    expect(validation.ok ? [] : validation.problems).toEqual([]);
  });

  test.prop([calculated])(
    "granted never exceeds the request, rate × gross, cap × quantity or the budget",
    ({ plan, calc }) => {
      const grantedSoFar = new Map<string, bigint>();
      for (const grant of calc.funding.grants) {
        expect(grant.grantedGross >= 0n).toBe(true);
        expect(grant.grantedGross <= grant.requestedGross).toBe(true);
        const bound = bounds(plan, calc, grant);
        expect(grant.grantedGross <= bound.rate).toBe(true);
        if (bound.cap !== undefined) expect(grant.grantedGross <= bound.cap).toBe(true);
        if (bound.budget !== undefined) {
          const key = `${grant.programme}/${grant.partner}`;
          const total = (grantedSoFar.get(key) ?? 0n) + grant.grantedGross;
          grantedSoFar.set(key, total);
          expect(total <= bound.budget).toBe(true);
          expect(grant.remainingAfterGross).toBe(bound.budget - total);
        } else expect(grant.remainingAfterGross).toBeNull();
      }
      for (const programme of calc.funding.programmes)
        for (const row of programme.partners) {
          if (row.budgetGross === null) continue;
          expect(row.remainingGross).toBe(row.budgetGross - row.grantedGross);
          expect(row.remainingGross! >= 0n).toBe(true);
        }
    },
  );

  test.prop([calculated])(
    "the grants of a partner's year never exceed its direct gross; funding sums the grants",
    ({ calc }) => {
      for (const tender of calc.tenders)
        for (const partner of tender.partners) {
          let total = 0n;
          for (const year of partner.years) {
            const granted = calc.funding.grants
              .filter(
                (g) =>
                  g.tender === tender.code && g.partner === partner.code && g.year === year.year,
              )
              .reduce((sum, g) => sum + g.grantedGross, 0n);
            expect(year.fundingGross).toBe(granted);
            expect(year.fundingGross <= year.directGross).toBe(true);
            total += granted;
          }
          expect(partner.fundingGross).toBe(total);
        }
    },
  );

  test.prop([calculated])(
    "own = total − funding, per partner, year and in the totals",
    ({ calc }) => {
      for (const tender of calc.tenders) {
        let funding = 0n;
        let own = 0n;
        for (const partner of tender.partners) {
          expect(partner.ownGross).toBe(partner.totalGross - partner.fundingGross);
          for (const year of partner.years)
            expect(year.ownGross).toBe(year.directGross + year.commonCostShare - year.fundingGross);
          expect(partner.years.reduce((sum, y) => sum + y.ownGross, 0n)).toBe(partner.ownGross);
          funding += partner.fundingGross;
          own += partner.ownGross;
        }
        expect(tender.totals.fundingGross).toBe(funding);
        expect(tender.totals.ownGross).toBe(own);
        expect(tender.totals.ownGross).toBe(tender.totals.totalGross - tender.totals.fundingGross);
      }
    },
  );

  test.prop([calculated])(
    "budgets are used in §12 order: once a request is cut by the budget, later ones get nothing",
    ({ plan, calc }) => {
      const tenderOrder = (code: string) => calc.tenders.findIndex((t) => t.code === code);
      const programmeOrder = (code: string) =>
        plan.fundingProgrammes!.findIndex((f) => f.code === code);
      const grants = calc.funding.grants;
      // The list itself is in budget order: year, tender, programme.
      for (let i = 1; i < grants.length; i++) {
        const a = grants[i - 1];
        const b = grants[i];
        const order =
          a.year - b.year ||
          tenderOrder(a.tender) - tenderOrder(b.tender) ||
          programmeOrder(a.programme) - programmeOrder(b.programme);
        expect(order <= 0).toBe(true);
      }
      const exhausted = new Set<string>();
      const byCell = new Map<string, bigint>();
      for (const grant of grants) {
        const key = `${grant.programme}/${grant.partner}`;
        const cell = `${grant.tender}/${grant.partner}/${grant.year}`;
        if (exhausted.has(key)) expect(grant.grantedGross).toBe(0n);
        const tender = calc.tenders.find((t) => t.code === grant.tender)!;
        const direct = tender.partners
          .find((p) => p.code === grant.partner)!
          .years.find((y) => y.year === grant.year)!.directGross;
        const room = direct - (byCell.get(cell) ?? 0n);
        const unbudgeted = grant.requestedGross < room ? grant.requestedGross : room;
        if (grant.grantedGross < unbudgeted) {
          // Only the budget can have cut it: it is used up now.
          expect(grant.remainingAfterGross).toBe(0n);
          exhausted.add(key);
        }
        byCell.set(cell, (byCell.get(cell) ?? 0n) + grant.grantedGross);
      }
    },
  );
});

describe("support properties (§13)", () => {
  test.prop([calculated])(
    "pooled shares sum to the pooled cost; solo FTE at least the minimum; year rows sum partners",
    ({ plan, calc }) => {
      if (plan.support === undefined) {
        expect(calc.support).toBeNull();
        return;
      }
      const support = calc.support!;
      expect(support.years.map((y) => y.year)).toEqual(
        Array.from(
          { length: plan.support.toYear - plan.support.fromYear + 1 },
          (_, i) => plan.support!.fromYear + i,
        ),
      );
      const minimum = new Decimal(plan.support.minFtePerPartner ?? "0");
      for (const year of support.years) {
        const shares = year.partners.reduce((sum, p) => sum + p.pooledShareGross, 0n);
        expect(shares).toBe(year.partners.length > 0 ? year.pooledCostGross : 0n);
        if (year.partners.length === 0) expect(year.pooledFte).toBe("0.00");
        let units = new Decimal(0);
        let solo = new Decimal(0);
        for (const p of year.partners) {
          expect(new Decimal(p.units).gt(0)).toBe(true);
          expect(new Decimal(p.soloFte).gte(minimum)).toBe(true);
          expect(new Decimal(p.soloFte).gt(0)).toBe(true);
          expect(p.savingsGross).toBe(p.soloCostGross - p.pooledShareGross);
          units = units.add(p.units);
          solo = solo.add(p.soloFte);
        }
        expect(year.units).toBe(units.toFixed(2));
        expect(year.soloFte).toBe(solo.toFixed(2));
        expect(year.savingsGross).toBe(year.soloCostGross - year.pooledCostGross);
      }
    },
  );

  test.prop([
    planV2Arbitrary().filter((plan) => plan.support !== undefined),
    fc.integer({ min: 0, max: 5 }),
    fc.integer({ min: 1, max: 900 }),
    fc.integer({ min: 0, max: 10 }),
  ])("more devices never lower an FTE count", (plan, p, extra, back) => {
    const partner = plan.partners[p % plan.partners.length].code;
    const category = plan.categories[(p + back) % plan.categories.length].code;
    const year = plan.support!.fromYear - back + 3;
    const more: Plan = {
      ...plan,
      inventory: [
        ...(plan.inventory ?? []).filter(
          (l) =>
            !(l.partner === partner && l.category === category && l.year === year && !l.school),
        ),
        {
          partner,
          category,
          year,
          quantity:
            extra +
            (plan.inventory ?? [])
              .filter((l) => l.partner === partner && l.category === category && l.year === year)
              .reduce((sum, l) => sum + l.quantity, 0),
        },
      ],
    };
    expect(validatePlan(more).ok).toBe(true);
    const before = calculatePlan(plan).support!;
    const after = calculatePlan(more).support!;
    before.years.forEach((year, y) => {
      const later = after.years[y];
      expect(new Decimal(later.pooledFte).gte(year.pooledFte)).toBe(true);
      for (const row of year.partners) {
        const next = later.partners.find((r) => r.code === row.code)!;
        expect(new Decimal(next.soloFte).gte(row.soloFte)).toBe(true);
        expect(new Decimal(next.units).gte(row.units)).toBe(true);
      }
    });
  });
});
