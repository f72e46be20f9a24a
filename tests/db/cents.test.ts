import { fc, test as fcTest } from "@fast-check/vitest";
import Decimal from "decimal.js";
import { centsFromMoneyString, moneyStringFromCents } from "../../db/cents";

test("plan money strings to cents and back", () => {
  expect(centsFromMoneyString("520.00")).toBe(52000);
  expect(centsFromMoneyString("12.5")).toBe(1250);
  expect(centsFromMoneyString("12")).toBe(1200);
  expect(centsFromMoneyString("0.03")).toBe(3);
  expect(centsFromMoneyString("18000.01")).toBe(1800001);
  expect(moneyStringFromCents(52000)).toBe("520.00");
  expect(moneyStringFromCents(3)).toBe("0.03");
  expect(moneyStringFromCents(0)).toBe("0.00");
  expect(moneyStringFromCents(-105)).toBe("-1.05");
  expect(moneyStringFromCents(Number.MAX_SAFE_INTEGER)).toBe("90071992547409.91");
});

test("rejects what is not plan money instead of rounding", () => {
  for (const bad of ["1.005", "-1.00", "1e3", "", " 1.00", "1,00", ".5", "1."]) {
    expect(() => centsFromMoneyString(bad), bad).toThrow(/Geldbetrag/);
  }
  expect(() => centsFromMoneyString("90071992547409.92")).toThrow(/zu groß/);
  expect(() => moneyStringFromCents(1.5)).toThrow();
});

fcTest.prop([fc.bigInt({ min: 0n, max: BigInt(Number.MAX_SAFE_INTEGER) })])(
  "round trip for every safe cent amount agrees with decimal.js",
  (cents) => {
    const text = moneyStringFromCents(Number(cents));
    expect(text).toBe(new Decimal(cents.toString()).div(100).toFixed(2));
    expect(centsFromMoneyString(text)).toBe(Number(cents));
  },
);
