import fc from "fast-check";
import { computeBudgets, purposeBoundUntil } from "../../domain/funding-budgets";

const PARTNERS = [
  { code: "A", pupils: 3, population: 1001 },
  { code: "B", pupils: 0, population: 7 },
  { code: "C", pupils: 12345, population: 45000 },
];

test("per pupil and per inhabitant: count × amount, commercially rounded once per partner", () => {
  expect([...computeBudgets("perPupil", "35", PARTNERS)]).toEqual([
    ["A", 10500n],
    ["B", 0n],
    ["C", 43207500n],
  ]);
  // 1001 × 0,125 € = 125,125 € → 125,13 €; 7 × 0,125 € = 0,875 € → 0,88 €; 45000 × 0,125 = 5625 €
  expect([...computeBudgets("perInhabitant", "0.125", PARTNERS)]).toEqual([
    ["A", 12513n],
    ["B", 88n],
    ["C", 562500n],
  ]);
  // Half a cent rounds away from zero: 1 × 0,005 € → 0,01 €.
  expect(
    computeBudgets("perPupil", "0.005", [{ code: "X", pupils: 1, population: 0 }]).get("X"),
  ).toBe(1n);
});

test("a fixed amount per partner", () => {
  expect([...computeBudgets("fixed", "40000.5", PARTNERS).values()]).toEqual([
    4000050n,
    4000050n,
    4000050n,
  ]);
  expect(() => computeBudgets("fixed", "1.001", PARTNERS)).toThrow(RangeError);
});

test("a total split by pupils adds up exactly (largest remainder, ties by code)", () => {
  const budgets = computeBudgets("totalByPupils", "100", [
    { code: "B", pupils: 1, population: 0 },
    { code: "A", pupils: 1, population: 0 },
    { code: "C", pupils: 1, population: 0 },
  ]);
  expect([...budgets]).toEqual([
    ["B", 3333n],
    ["A", 3334n],
    ["C", 3333n],
  ]);
  expect([
    ...computeBudgets("totalByPupils", "5", [{ code: "A", pupils: 0, population: 1 }]),
  ]).toEqual([["A", 0n]]);
});

test("property: the split of a total always sums to the total and stays near each exact share", () => {
  fc.assert(
    fc.property(
      fc.bigInt({ min: 0n, max: 10n ** 12n }),
      fc.array(fc.integer({ min: 0, max: 100_000 }), { minLength: 1, maxLength: 12 }),
      (cents, pupils) => {
        const partners = pupils.map((p, i) => ({ code: `P${i}`, pupils: p, population: 0 }));
        const budgets = computeBudgets(
          "totalByPupils",
          `${cents / 100n}.${String(cents % 100n).padStart(2, "0")}`,
          partners,
        );
        const sum = [...budgets.values()].reduce((a, b) => a + b, 0n);
        const totalPupils = BigInt(pupils.reduce((a, b) => a + b, 0));
        expect(sum).toBe(totalPupils === 0n ? 0n : cents);
        if (totalPupils > 0n) {
          partners.forEach((p) => {
            const exactFloor = (cents * BigInt(p.pupils)) / totalPupils;
            const got = budgets.get(p.code)!;
            expect(got === exactFloor || got === exactFloor + 1n).toBe(true);
          });
        }
      },
    ),
  );
});

test("purpose binding lasts five years after the last funded year", () => {
  expect(purposeBoundUntil(2029)).toBe(2034);
});
