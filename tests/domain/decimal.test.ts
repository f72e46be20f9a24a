import {
  compareDecimal,
  decimalToString,
  normalizeDecimal,
  onePlus,
  oneMinus,
  parseDecimal,
  scaleToIntegers,
} from "../../domain/decimal";

describe("exact decimals", () => {
  it("parses without floats", () => {
    expect(parseDecimal("0.085")).toEqual({ units: 85n, scale: 3 });
    expect(parseDecimal("12")).toEqual({ units: 12n, scale: 0 });
    expect(parseDecimal("0.1")).toEqual({ units: 1n, scale: 1 });
  });

  it.each(["-0.1", "1e3", ".5", "5.", "", "0x10", "1.2.3"])("refuses %j", (text) => {
    expect(() => parseDecimal(text)).toThrow();
  });

  it("normalizes and prints canonically", () => {
    expect(decimalToString(parseDecimal("0.190"))).toBe("0.19");
    expect(decimalToString(parseDecimal("1.0"))).toBe("1");
    expect(decimalToString(parseDecimal("0.000"))).toBe("0");
    expect(decimalToString(parseDecimal("007.50"))).toBe("7.5");
    expect(normalizeDecimal(parseDecimal("0.190"))).toEqual({ units: 19n, scale: 2 });
  });

  it("compares exactly where floats would not", () => {
    expect(compareDecimal(parseDecimal("0.19"), parseDecimal("0.190"))).toBe(0);
    expect(compareDecimal(parseDecimal("0.1"), parseDecimal("0.09999999999999999999"))).toBe(1);
    expect(compareDecimal(parseDecimal("0.3"), parseDecimal("0.30000000000000000001"))).toBe(-1);
  });

  it("computes 1 − d and 1 + d exactly", () => {
    expect(decimalToString(oneMinus(parseDecimal("0.085")))).toBe("0.915");
    expect(decimalToString(onePlus(parseDecimal("0.125")))).toBe("1.125");
  });

  it("scales weights to integers with one common factor", () => {
    expect(scaleToIntegers(["0.5", "2", "1.25"].map(parseDecimal))).toEqual([50n, 200n, 125n]);
  });
});
