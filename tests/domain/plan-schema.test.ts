import { fc, test } from "@fast-check/vitest";
import type { z } from "zod";
import { demandLineSchema, isValidDemandLine, planSchema } from "../../domain/plan-schema";
import type { Plan } from "../../domain/plan";
import { validatePlan } from "../../domain/plan-validation";

describe("planSchema types", () => {
  it("produces exactly domain/plan.ts Plan", () => {
    expectTypeOf<z.output<typeof planSchema>>().toEqualTypeOf<Plan>();
    // and validatePlan hands out that type
    const validation = validatePlan({ format: "verbundkauf/plan@1", partners: [], categories: [] });
    if (validation.ok) expectTypeOf(validation.plan).toEqualTypeOf<Plan>();
    expect(validation.ok).toBe(true);
  });
});

/** Values near the edges of what a demand line allows, and beyond. */
const fieldValue = fc.oneof(
  fc.constantFrom(
    "ASC",
    "",
    " ",
    "\u00a0",
    " x",
    "\u3000y",
    "é",
    "2027",
    2027,
    1999,
    2000,
    2100,
    2101,
    0,
    -0,
    -1,
    3.5,
    1e300,
  ),
  fc.constantFrom(
    Number.MAX_SAFE_INTEGER,
    Number.MAX_SAFE_INTEGER + 2,
    NaN,
    Infinity,
    null,
    undefined,
    true,
    [],
    {},
  ),
  fc.string({ maxLength: 3 }),
  fc.integer({ min: -5, max: 2200 }),
);

const lineLike = fc.oneof(
  fc.record(
    {
      partner: fieldValue,
      school: fieldValue,
      category: fieldValue,
      year: fieldValue,
      quantity: fieldValue,
      extra: fieldValue,
    },
    { requiredKeys: [] },
  ),
  fc.record({
    partner: fc.constantFrom("ASC", "KRS"),
    category: fc.constantFrom("NB", "TAB"),
    year: fc.integer({ min: 1990, max: 2110 }),
    quantity: fc.integer({ min: -3, max: 1000 }),
  }),
  fieldValue,
);

describe("isValidDemandLine (fast path)", () => {
  test.prop([lineLike], { numRuns: 2000 })(
    "agrees with demandLineSchema on every input",
    (line) => {
      expect(isValidDemandLine(line)).toBe(demandLineSchema.safeParse(line).success);
    },
  );

  it("refuses objects that are not plain (zod then decides)", () => {
    class Line {
      partner = "A";
      category = "B";
      year = 2027;
      quantity = 1;
    }
    expect(isValidDemandLine(new Line())).toBe(false);
    expect(isValidDemandLine({ partner: "A", category: "B", year: 2027, quantity: 1 })).toBe(true);
  });
});
