// The current workbook's source (exports/cost-split-source.server.ts) takes the cached
// calculation as it is: the plan is validated again on the main thread only when an
// award needs its normalized form; the figures stay the engine's either way.
import { awardLot } from "../../db/awards";
import { calculateCurrentPlan } from "../../db/tenders";
import { loadCostSplitSource } from "../../exports/cost-split-source.server";
import { currentPlanCalculation } from "../../app/utils/current-plan-cache.server";
import { awardOfL1, seedCallOffPlan, type SeededUsers } from "../helpers/call-offs-seed";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

const validations = vi.hoisted(() => ({ count: 0 }));
vi.mock("../../domain/plan-validation", async (original) => {
  const actual = await original<typeof import("../../domain/plan-validation")>();
  return {
    ...actual,
    validatePlan: (...args: Parameters<typeof actual.validatePlan>) => {
      validations.count += 1;
      return actual.validatePlan(...args);
    },
  };
});

let t: TestDatabase;
let users: SeededUsers;
beforeAll(() => {
  process.env.COMPUTE_POOL = "0"; // the calculation in this thread, so the count sees it
});
beforeEach(async () => {
  t = await createTestDatabase();
  users = await seedCallOffPlan(t.db);
});
afterEach(async () => t.cleanup());

describe("cost-split source of the current plan", () => {
  it("does not validate the already calculated plan again before any award", async () => {
    await currentPlanCalculation(t.db); // cached per data version
    validations.count = 0;
    const source = await loadCostSplitSource(t.db, "RV-2027", null);
    expect(validations.count).toBe(0);
    expect(source.ok).toBe(true);
    if (!source.ok) return;
    const direct = await calculateCurrentPlan(t.db);
    expect(direct.ok && source.calculation).toEqual(direct.ok && direct.calculation);
    expect(source.award).toBeNull();
  });

  it("prices an award from the validated plan, as before", async () => {
    expect((await awardLot(t.db, awardOfL1(users))).ok).toBe(true);
    await currentPlanCalculation(t.db);
    validations.count = 0;
    const source = await loadCostSplitSource(t.db, "RV-2027", null);
    expect(validations.count).toBe(1);
    expect(source.ok && source.award).not.toBeNull();
  });
});
