// Property tests of the engine on random valid plans (tests/helpers/plan-arbitrary.ts).
import { fc, test } from "@fast-check/vitest";
import { calculatePlan } from "../../domain/calculate";
import { toResultFile } from "../../domain/serialize";
import { validatePlan } from "../../domain/plan-validation";
import { parseMoney } from "../../domain/money";
import type { Plan } from "../../domain/plan";
import type { ResultFigures } from "../../domain/result";
import { planArbitrary } from "../helpers/plan-arbitrary";

const MONEY_FIELDS = new Set([
  "estimatedValueNet",
  "euThresholdNet",
  "unitPriceNet",
  "directNet",
  "directVat",
  "directGross",
  "commonCostShare",
  "totalGross",
  "soloGross",
  "savingsGross",
]);

/** Signed money string → cents, exactly. */
function cents(text: string): bigint {
  return text.startsWith("-") ? -parseMoney(text.slice(1)) : parseMoney(text);
}

function permutation<T>(items: readonly T[]) {
  return fc.shuffledSubarray([...items], { minLength: items.length, maxLength: items.length });
}

/** The plan with partners, schools, demand lines and custom weight keys reordered. */
function shuffledPlanArb(plan: Plan): fc.Arbitrary<Plan> {
  return fc
    .record({
      partners: permutation(plan.partners),
      schools: permutation(plan.schools ?? []),
      demand: permutation(plan.demand ?? []),
      reverseWeights: fc.boolean(),
    })
    .map(({ partners, schools, demand, reverseWeights }) => ({
      ...plan,
      partners,
      schools,
      demand,
      tenders: plan.tenders?.map((t) => ({
        ...t,
        commonCosts: t.commonCosts?.map((c) =>
          c.weights && reverseWeights
            ? { ...c, weights: Object.fromEntries(Object.entries(c.weights).reverse()) }
            : c,
        ),
      })),
    }));
}

const planAndShuffle = planArbitrary().chain((plan) =>
  fc.tuple(fc.constant(plan), shuffledPlanArb(plan)),
);

describe("engine properties", () => {
  test.prop([planArbitrary()])("the arbitrary only makes valid plans", (plan) => {
    const validation = validatePlan(plan);
    expect(validation.ok ? [] : validation.problems).toEqual([]);
  });

  test.prop([planArbitrary()])(
    "totals are the sums of the partner rows; years sum to the term",
    (plan) => {
      for (const tender of toResultFile(calculatePlan(plan)).tenders) {
        const fields = [
          "directNet",
          "directVat",
          "directGross",
          "commonCostShare",
          "totalGross",
          "soloGross",
          "savingsGross",
        ] as const;
        for (const field of fields) {
          const sum = tender.partners.reduce((s, p) => s + cents(p[field]), 0n);
          expect(cents(tender.totals[field])).toBe(sum);
        }
        expect(tender.totals.quantity).toBe(tender.partners.reduce((s, p) => s + p.quantity, 0));
        for (const partner of tender.partners) {
          for (const field of [
            "directNet",
            "directVat",
            "directGross",
            "commonCostShare",
          ] as const) {
            expect(partner.years.reduce((s, y) => s + cents(y[field]), 0n)).toBe(
              cents(partner[field]),
            );
          }
          expect(cents(partner.directGross)).toBe(
            cents(partner.directNet) + cents(partner.directVat),
          );
          expect(cents(partner.totalGross)).toBe(
            cents(partner.directGross) + cents(partner.commonCostShare),
          );
          expect(cents(partner.savingsGross)).toBe(
            cents(partner.soloGross) - cents(partner.totalGross),
          );
        }
        expect(tender.lots.reduce((s, l) => s + cents(l.estimatedValueNet), 0n)).toBe(
          cents(tender.estimatedValueNet),
        );
      }
    },
  );

  test.prop([planArbitrary()])(
    "common costs are split exactly, among participants only",
    (plan) => {
      for (const tender of calculatePlan(plan).tenders) {
        const participants = tender.participants.map((p) => p.code);
        for (const cost of tender.commonCosts) {
          expect(cost.shares.map((s) => s.partner)).toEqual(participants);
          expect(cost.shares.reduce((s, x) => s + x.cents, 0n)).toBe(cost.amountGross);
          for (const share of cost.shares) {
            expect(share.cents - share.floorCents).toBe(share.remainderCents);
            expect(share.floorCents).toBe(share.exactShareNumerator / share.exactShareDenominator);
          }
        }
        expect(tender.totals.commonCostShare).toBe(tender.commonCostsTotal);
      }
    },
  );

  test.prop([planAndShuffle])(
    "the result does not depend on the order of partners, schools, lines",
    ([plan, shuffled]) => {
      expect(toResultFile(calculatePlan(shuffled))).toStrictEqual(
        toResultFile(calculatePlan(plan)),
      );
    },
  );

  test.prop([planArbitrary()])(
    "with tiers that grow with quantity, a joint price never exceeds a solo price",
    (plan) => {
      for (const tender of calculatePlan(plan).tenders) {
        for (const category of tender.categories) {
          for (const solo of category.soloPrices)
            expect(category.unitPriceNet <= solo.unitPriceNet).toBe(true);
        }
      }
    },
  );

  test.prop([planArbitrary(), fc.nat(), fc.integer({ min: 1, max: 1000 })])(
    "adding demand never raises a joint unit price",
    (plan, pick, extra) => {
      const demand = plan.demand ?? [];
      fc.pre(demand.length > 0);
      const i = pick % demand.length;
      const more: Plan = {
        ...plan,
        demand: demand.map((line, j) =>
          j === i ? { ...line, quantity: line.quantity + extra } : line,
        ),
      };
      expect(validatePlan(more).ok).toBe(true);
      const before = calculatePlan(plan).tenders;
      const after = calculatePlan(more).tenders;
      before.forEach((tender, t) => {
        tender.categories.forEach((category, c) => {
          expect(after[t].categories[c].quantity >= category.quantity).toBe(true);
          expect(after[t].categories[c].unitPriceNet <= category.unitPriceNet).toBe(true);
        });
      });
    },
  );

  test.prop([planArbitrary()])(
    "every money field of the result has exactly two decimals",
    (plan) => {
      let seen = 0;
      const visit = (value: unknown): void => {
        if (Array.isArray(value)) value.forEach(visit);
        else if (value && typeof value === "object") {
          for (const [key, field] of Object.entries(value)) {
            if (MONEY_FIELDS.has(key)) {
              expect(field).toMatch(/^-?\d+\.\d{2}$/);
              seen++;
            } else visit(field);
          }
        }
      };
      const result = toResultFile(calculatePlan(plan));
      visit(result);
      expect(seen).toBeGreaterThan(result.tenders.length); // the walk did reach money fields
    },
  );

  test.prop([planArbitrary()])(
    "savings breakdown: tier savings + procedure savings = savingsGross",
    (plan) => {
      for (const tender of calculatePlan(plan).tenders) {
        const s = tender.savings;
        expect(s.tierSavings + s.procedureSavings).toBe(tender.totals.savingsGross);
        expect(s.savingsGross).toBe(tender.totals.savingsGross);
        expect(s.soloProcessCostsAvoided).toBe(
          BigInt(tender.participants.length) * tender.soloProcessCostGross,
        );
        for (const partner of tender.partners) {
          expect(partner.savings.tierSavings + partner.savings.procedureSavings).toBe(
            partner.savingsGross,
          );
          expect(partner.savings.procedureSavings).toBe(
            partner.soloProcessCostGross - partner.commonCostShare,
          );
        }
      }
    },
  );

  test.prop([planArbitrary({ monotoneTiers: false })])(
    "any tiers: quantities and max quantities are consistent",
    (plan) => {
      const totals: ResultFigures[] = [];
      for (const tender of toResultFile(calculatePlan(plan)).tenders) {
        totals.push(tender.totals);
        expect(tender.categories.reduce((s, c) => s + c.quantity, 0)).toBe(tender.totals.quantity);
        for (const c of tender.categories) expect(c.maxQuantity >= c.quantity).toBe(true);
      }
      expect(totals).toHaveLength(plan.tenders?.length ?? 0);
    },
  );
});
