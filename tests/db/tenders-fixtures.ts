// A test plan for tender editing: the demo (Kreis Coesfeld, RV-2027 covers all ten
// demo categories 2027–2030) plus two categories outside RV-2027 with demand in
// 2031–2032, so that a new tender has participants without touching RV-2027.
import fs from "node:fs";
import { fileURLToPath } from "node:url";
import type { Plan, PlanDemandLine } from "../../domain/plan";

export function readDemoPlan(): Plan {
  const file = fileURLToPath(
    new URL("../fixtures/examples/03-kreis-coesfeld.plan.json", import.meta.url),
  );
  return JSON.parse(fs.readFileSync(file, "utf8")) as Plan;
}

/** Partners with demand for BEAM/HEAD in 2031–2032: [partner, BEAM per year, HEAD per year]. */
export const EXTRA_DEMAND: [string, number, number][] = [
  ["ASC", 6, 40],
  ["COE", 12, 120],
  ["DUE", 15, 90],
  ["KRS", 9, 60],
];

export function editingPlan(): Plan {
  const plan = readDemoPlan();
  const demand: PlanDemandLine[] = EXTRA_DEMAND.flatMap(([partner, beam, head]) =>
    [2031, 2032].flatMap((year) => [
      { partner, category: "BEAM", year, quantity: beam },
      { partner, category: "HEAD", year, quantity: head },
    ]),
  );
  return {
    ...plan,
    categories: [
      ...plan.categories,
      {
        code: "BEAM",
        name: "Beamer",
        unit: "Stück",
        basePriceNet: "899.00",
        vatRate: "0.19",
        tiers: [{ minQuantity: 40, discount: "0.04" }],
      },
      {
        code: "HEAD",
        name: "Headset",
        unit: "Stück",
        basePriceNet: "39.90",
        vatRate: "0.19",
        tiers: [{ minQuantity: 500, discount: "0.05" }],
      },
    ],
    demand: [...(plan.demand ?? []), ...demand],
  };
}
