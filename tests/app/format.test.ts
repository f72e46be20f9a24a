import fc from "fast-check";
import {
  formatCents,
  formatDate,
  formatDateTime,
  formatDeadline,
  formatDecimal,
  formatInteger,
  formatPercent,
} from "../../app/utils/format";

describe("formatCents", () => {
  it("writes de-DE money", () => {
    expect(formatCents(123456)).toBe("1.234,56 €");
    expect(formatCents(0)).toBe("0,00 €");
    expect(formatCents(5)).toBe("0,05 €");
    expect(formatCents(-5)).toBe("-0,05 €");
    expect(formatCents(100_000_000)).toBe("1.000.000,00 €");
    expect(formatCents(123456789012345678901234n)).toBe("1.234.567.890.123.456.789.012,34 €");
  });

  it("refuses floats instead of rounding them", () => {
    expect(() => formatCents(12.5)).toThrow();
    expect(() => formatCents(Number.MAX_SAFE_INTEGER + 1)).toThrow();
  });

  it("reads back to the same cents for any integer", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), (cents) => {
        const text = formatCents(cents);
        expect(text).toMatch(/^-?\d{1,3}(\.\d{3})*,\d{2} €$/);
        expect(BigInt(text.replace(" €", "").replaceAll(".", "").replace(",", ""))).toBe(cents);
      }),
    );
  });
});

describe("other formats", () => {
  it("groups integers", () => {
    expect(formatInteger(1234)).toBe("1.234");
    expect(formatInteger(-1234567)).toBe("-1.234.567");
    expect(formatInteger(999)).toBe("999");
  });

  it("writes percentages and decimals exactly", () => {
    expect(formatPercent("0.10")).toBe("10 %");
    expect(formatPercent("0.125")).toBe("12,5 %");
    expect(formatPercent("0.19")).toBe("19 %");
    expect(formatDecimal("1234.5")).toBe("1.234,5");
    expect(formatDecimal("60")).toBe("60");
  });

  it("writes dates as TT.MM.JJJJ in German time", () => {
    expect(formatDate("2026-11-28")).toBe("28.11.2026");
    // 23:30 UTC on 31 December is already New Year in Germany.
    expect(formatDate("2026-12-31T23:30:00.000Z")).toBe("01.01.2027");
    expect(formatDateTime("2026-07-01T10:05:00.000Z")).toBe("01.07.2026, 12:05");
  });

  it("writes the demand deadline as date or date and time", () => {
    expect(formatDeadline("2026-11-28")).toBe("28.11.2026");
    expect(formatDeadline("2027-03-31T18:00")).toBe("31.03.2027, 18:00 Uhr");
  });
});
