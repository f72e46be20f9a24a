import { fc, test } from "@fast-check/vitest";
import { allocateLargestRemainder, AllocationError } from "../../domain/allocate";

const codeArb = fc.string({ minLength: 1, maxLength: 3 });
// Small weights often tie on the remainder, which is where the code order matters;
// large ones test exactness.
const weightsArb = fc.oneof(
  fc.dictionary(codeArb, fc.bigInt({ min: 0n, max: 3n }), { minKeys: 1, maxKeys: 12 }),
  fc.dictionary(
    codeArb,
    fc.oneof(fc.bigInt({ min: 0n, max: 10n }), fc.bigInt({ min: 0n, max: 10n ** 24n })),
    {
      minKeys: 1,
      maxKeys: 12,
    },
  ),
);

describe("allocateLargestRemainder", () => {
  it("splits 1000.00 € equally among three: 333.34, 333.33, 333.33 (code order breaks the tie)", () => {
    const { shares } = allocateLargestRemainder(100000n, { OLF: 1n, BIL: 1n, HAV: 1n });
    expect(Object.fromEntries(shares.map((s) => [s.code, s.cents]))).toEqual({
      OLF: 33333n,
      BIL: 33334n,
      HAV: 33333n,
    });
  });

  it("breaks ties in plain character order, not locale order ('Z' before 'a')", () => {
    const { shares } = allocateLargestRemainder(1n, { a: 1n, Z: 1n });
    expect(shares.find((s) => s.code === "Z")?.cents).toBe(1n);
  });

  it("gives the leftover cent to the largest remainder, not the largest weight", () => {
    // 10 cents by 2:1:1 → exact 5, 2.5, 2.5; ties → B gets the cent
    const { shares } = allocateLargestRemainder(
      10n,
      new Map([
        ["C", 1n],
        ["A", 2n],
        ["B", 1n],
      ]),
    );
    expect(shares.map((s) => [s.code, s.floorCents, s.remainderCents, s.cents])).toEqual([
      ["C", 2n, 0n, 2n],
      ["A", 5n, 0n, 5n],
      ["B", 2n, 1n, 3n],
    ]);
  });

  it("refuses weights that sum to 0 and negative amounts", () => {
    expect(() => allocateLargestRemainder(100n, { A: 0n })).toThrow(AllocationError);
    expect(() => allocateLargestRemainder(-1n, { A: 1n })).toThrow(AllocationError);
  });

  it("stays exact far beyond 2^53 cents", () => {
    const amount = 9999999999999999999n; // 99,999,999,999,999,999.99 €
    const { shares } = allocateLargestRemainder(amount, { A: 1n, B: 1n, C: 1n });
    expect(shares.map((s) => s.cents)).toEqual([
      3333333333333333333n,
      3333333333333333333n,
      3333333333333333333n,
    ]);
  });

  test.prop(
    [
      fc.oneof(fc.bigInt({ min: 0n, max: 100n }), fc.bigInt({ min: 0n, max: 10n ** 20n })),
      weightsArb,
    ],
    { numRuns: 300 },
  )(
    "shares add up exactly; each is floor or floor + 1 of the exact share; leftovers go to the largest remainders",
    (amount, weights) => {
      const sum = Object.values(weights).reduce((a, b) => a + b, 0n);
      fc.pre(sum > 0n);
      const allocation = allocateLargestRemainder(amount, weights);
      expect(allocation.shares.reduce((a, s) => a + s.cents, 0n)).toBe(amount);
      for (const share of allocation.shares) {
        const floor = (amount * share.weight) / sum;
        expect(share.floorCents).toBe(floor);
        expect(share.cents === floor || share.cents === floor + 1n).toBe(true);
      }
      const remainder = (s: { weight: bigint }) => (amount * s.weight) % sum;
      const got = allocation.shares.filter((s) => s.remainderCents === 1n);
      const not = allocation.shares.filter((s) => s.remainderCents === 0n);
      for (const g of got) {
        for (const n of not) {
          const better =
            remainder(g) > remainder(n) || (remainder(g) === remainder(n) && g.code < n.code);
          expect(better).toBe(true);
        }
      }
    },
  );
});
