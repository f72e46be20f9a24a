// Random valid plans (tests/helpers/plan-arbitrary.ts): for every tender, the workbook
// holds exactly the engine's figures and HyperFormula recalculates every formula to them.
import fc from "fast-check";
import { calculatePlan } from "../../domain/calculate";
import { toResultFile } from "../../domain/serialize";
import { planArbitrary } from "../helpers/plan-arbitrary";
import { buildCostSplit, expectWorkbookMatchesResult } from "./helpers/cost-split";

const RUNS = Number(process.env.EXPORT_PROPERTY_RUNS ?? 25);

describe("cost-split workbook for random plans", () => {
  it("matches result@1 and the rich result, and its formulas recalculate to the cached values", async () => {
    await fc.assert(
      fc.asyncProperty(planArbitrary(), async (plan) => {
        const calculation = calculatePlan(plan);
        const result = toResultFile(calculation);
        for (const tender of calculation.tenders) {
          const { workbook } = await buildCostSplit(calculation, tender.code);
          expectWorkbookMatchesResult(workbook, result, calculation, tender.code);
        }
      }),
      { numRuns: RUNS },
    );
  }, 120_000);
});
