import { fc, test as fcTest } from "@fast-check/vitest";
import Decimal from "decimal.js";
import {
  centsToGermanInput,
  fractionToGermanPercentInput,
  parseGermanDecimal,
  parseGermanMoney,
  parseGermanPercent,
  parseGermanWholeNumber,
} from "../../domain/german-input";

const RESERVE = { max: 100, maxInclusive: true };
const DISCOUNT = { max: 100, maxInclusive: false };

describe("parseGermanMoney", () => {
  it.each([
    ["7.500,00", 750000n],
    ["7500,00", 750000n],
    ["7500", 750000n],
    ["7.500", 750000n],
    ["0,5", 50n],
    ["0,05", 5n],
    ["1.234.567,89", 123456789n],
    [" 35.000,00 € ", 3500000n],
    ["12\u00a0€", 1200n],
    ["0", 0n],
  ])("%s → %s cents", (text, cents) => {
    expect(parseGermanMoney(text)).toEqual({ ok: true, value: cents });
  });

  it.each([
    "",
    "  ",
    "7.50",
    "7,500.00",
    "1.5",
    "12.3456",
    "1,234",
    "-5",
    "abc",
    "1e3",
    "7.500,",
    ",50",
    "7 500",
    "1..000",
  ])("refuses %j with a German message", (text) => {
    const result = parseGermanMoney(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(/Betrag|Nachkommastellen|negativ/);
  });

  it("names the problem of three decimals", () => {
    expect(parseGermanMoney("1,234")).toEqual({
      ok: false,
      message: "Höchstens zwei Nachkommastellen (Cent) eingeben.",
    });
  });

  fcTest.prop([fc.bigInt({ min: 0n, max: BigInt(Number.MAX_SAFE_INTEGER) })])(
    "reads back what centsToGermanInput writes",
    (cents) => {
      expect(parseGermanMoney(centsToGermanInput(cents))).toEqual({ ok: true, value: cents });
    },
  );
});

describe("parseGermanDecimal", () => {
  it.each([
    ["60", "60"],
    ["1,5", "1.5"],
    ["0,125", "0.125"],
    ["007", "7"],
    ["1.000", "1000"],
    ["0", "0"],
  ])("%s → %s", (text, value) => {
    expect(parseGermanDecimal(text)).toEqual({ ok: true, value });
  });

  it.each(["", "1.5", "-1", "1,1234567", "x"])("refuses %j", (text) => {
    expect(parseGermanDecimal(text).ok).toBe(false);
  });
});

describe("parseGermanPercent", () => {
  it.each([
    ["10", "0.1"],
    ["6,5", "0.065"],
    ["6,5 %", "0.065"],
    ["0", "0"],
    ["19", "0.19"],
    ["0,0001", "0.000001"],
    ["100", "1"],
  ])("%s %% → fraction %s", (text, value) => {
    expect(parseGermanPercent(text, RESERVE)).toEqual({ ok: true, value });
  });

  it("keeps discounts below 100 %", () => {
    expect(parseGermanPercent("100", DISCOUNT)).toEqual({
      ok: false,
      message: "Der Wert muss unter 100 % liegen.",
    });
    expect(parseGermanPercent("99,99", DISCOUNT)).toEqual({ ok: true, value: "0.9999" });
  });

  it("caps the reserve at 100 %", () => {
    expect(parseGermanPercent("100,01", RESERVE)).toEqual({
      ok: false,
      message: "Höchstens 100 % eingeben.",
    });
  });

  fcTest.prop([fc.integer({ min: 0, max: 999_999 })])(
    "round-trips through the percent input",
    (millionths) => {
      // every fraction below 1 with up to six decimals, written as the plan would store it
      const fraction = new Decimal(millionths).dividedBy(1_000_000).toFixed();
      const back = parseGermanPercent(fractionToGermanPercentInput(fraction), DISCOUNT);
      expect(back.ok && new Decimal(back.value).equals(fraction)).toBe(true);
    },
  );
});

describe("parseGermanWholeNumber (every quantity field)", () => {
  it.each([
    ["1000", 1000],
    ["1.000", 1000],
    ["12.345.678", 12_345_678],
    [" 7 ", 7],
    ["0", 0],
    ["100.000", 100_000],
    ["1\u00a0000", 1000],
  ])("%j → %d", (text, value) => {
    expect(parseGermanWholeNumber(text)).toEqual({ ok: true, value });
  });

  it.each([
    ["1.00", "ohne Nachkommastellen"],
    ["1,5", "ohne Nachkommastellen"],
    ["1.0000", "ohne Nachkommastellen"],
    ["1.000,5", "ohne Nachkommastellen"],
    ["-3", "Keine negativen"],
    ["−3", "Keine negativen"],
    ["1e3", "ganze Zahl"],
    ["abc", "ganze Zahl"],
    [".000", "ganze Zahl"],
    ["1..000", "ganze Zahl"],
    ["", "ganze Zahl"],
  ])("refuses %j with a German message", (text, message) => {
    const result = parseGermanWholeNumber(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain(message);
  });

  it("applies empty, min and max", () => {
    expect(parseGermanWholeNumber("", { empty: 0 })).toEqual({ ok: true, value: 0 });
    expect(parseGermanWholeNumber("0", { min: 1, belowMin: "ab 1" })).toEqual({
      ok: false,
      message: "ab 1",
    });
    expect(parseGermanWholeNumber("100.001", { max: 100_000 })).toEqual({
      ok: false,
      message: "Höchstens 100.000 eingeben.",
    });
    expect(parseGermanWholeNumber("99999999999999999999").ok).toBe(false);
  });

  fcTest.prop([fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER })])(
    "reads back de-DE formatted and plain numbers",
    (n) => {
      expect(parseGermanWholeNumber(n.toLocaleString("de-DE"))).toEqual({ ok: true, value: n });
      expect(parseGermanWholeNumber(String(n))).toEqual({ ok: true, value: n });
    },
  );
});
