import { fc, test } from "@fast-check/vitest";
import {
  divCeil,
  divFloor,
  formatEuro,
  formatMoney,
  multiplyRounded,
  parseMoney,
  roundHalfAwayFromZero,
} from "../../domain/money";
import { parseDecimal } from "../../domain/decimal";

describe("roundHalfAwayFromZero (kaufmännisch)", () => {
  it.each([
    [5n, 2n, 3n], // 2.5 → 3
    [-5n, 2n, -3n], // -2.5 → -3
    [7n, 2n, 4n], // 3.5 → 4 (not banker's 4 by luck: check 4.5 too)
    [9n, 2n, 5n], // 4.5 → 5, banker's rounding would give 4
    [-9n, 2n, -5n],
    [149n, 100n, 1n], // 1.49 → 1
    [150n, 100n, 2n], // 1.50 → 2
    [-149n, 100n, -1n],
    [0n, 7n, 0n],
    [1n, 3n, 0n],
    [2n, 3n, 1n],
  ])("%s / %s → %s", (n, d, expected) => {
    expect(roundHalfAwayFromZero(n, d)).toBe(expected);
  });

  it("rounds exactly half a cent up: 0.03 × 0.5 = 0.015 € → 0.02 €", () => {
    expect(multiplyRounded(3n, parseDecimal("0.5"))).toBe(2n);
  });

  it("rounds 19 % VAT of 0.50 € (9.5 cents) to 10 cents, of 0.03 € (0.57 cents) to 1 cent", () => {
    expect(multiplyRounded(50n, parseDecimal("0.19"))).toBe(10n);
    expect(multiplyRounded(3n, parseDecimal("0.19"))).toBe(1n);
  });

  it("refuses a denominator <= 0", () => {
    expect(() => roundHalfAwayFromZero(1n, 0n)).toThrow(RangeError);
  });

  test.prop([fc.bigInt(), fc.bigInt({ min: 1n, max: 10n ** 30n })])(
    "differs from the exact value by at most one half, ties away from zero",
    (n, d) => {
      const r = roundHalfAwayFromZero(n, d);
      const twiceError = 2n * (r * d - n); // 2 × (r − n/d) × d
      expect(twiceError <= d && twiceError >= -d).toBe(true);
      if (twiceError === d) expect(n < 0n).toBe(false); // rounded up on a tie: only for n >= 0
      if (twiceError === -d) expect(n > 0n).toBe(false);
    },
  );
});

describe("divFloor / divCeil", () => {
  test.prop([fc.bigInt(), fc.bigInt({ min: 1n, max: 10n ** 20n })])(
    "bracket the quotient",
    (n, d) => {
      const f = divFloor(n, d);
      const c = divCeil(n, d);
      expect(f * d <= n && n < (f + 1n) * d).toBe(true);
      expect((c - 1n) * d < n && n <= c * d).toBe(true);
    },
  );
});

describe("parseMoney", () => {
  it.each([
    ["520.00", 52000n],
    ["12.5", 1250n],
    ["7", 700n],
    ["0.03", 3n],
    ["99999999999999999.99", 9999999999999999999n],
  ])("%s → %s cents", (text, cents) => {
    expect(parseMoney(text)).toBe(cents);
  });

  it.each(["1.234", "-1.00", "1e3", "", " 1.00", "1,00"])("refuses %j", (text) => {
    expect(() => parseMoney(text)).toThrow();
  });
});

describe("formatMoney (files)", () => {
  it.each([
    [123450n, "1234.50"],
    [-5n, "-0.05"],
    [0n, "0.00"],
    [7n, "0.07"],
    [-123456n, "-1234.56"],
    [9999999999999999999n, "99999999999999999.99"],
  ])("%s → %s", (cents, text) => {
    expect(formatMoney(cents)).toBe(text);
  });

  test.prop([fc.bigInt({ min: -(10n ** 25n), max: 10n ** 25n })])(
    "round-trips through parseMoney",
    (cents) => {
      const text = formatMoney(cents);
      expect(text).toMatch(/^-?\d+\.\d{2}$/);
      const magnitude = parseMoney(text.replace(/^-/, ""));
      expect(text.startsWith("-") ? -magnitude : magnitude).toBe(cents);
    },
  );
});

describe("formatEuro (UI, de-DE)", () => {
  it.each([
    [123450n, "1.234,50 €"],
    [-5n, "-0,05 €"],
    [0n, "0,00 €"],
    [100000000n, "1.000.000,00 €"],
    [9999999999999999999n, "99.999.999.999.999.999,99 €"],
  ])("%s → %s", (cents, text) => {
    expect(formatEuro(cents)).toBe(text);
  });
});
