import { fc, test as propertyTest } from "@fast-check/vitest";
import { parseWithZod } from "@conform-to/zod/v4";
import {
  awardDateProblem,
  awardFormSchema,
  berlinToday,
  callOffDateProblem,
  callOffFormSchema,
  callOffQuantityProblem,
  defaultCallOffDate,
  exceedsMaximumMessage,
  formatPerMille,
  isIsoDate,
  maxQuantityAboveEngineWarning,
  maxQuantityOverrideProblem,
  maxQuantityOverrideSchema,
  partnerShareLimit,
  priceField,
  remainingQuantity,
  usageLevel,
  usagePerMille,
  worstUsageLevel,
} from "../../domain/call-offs";

describe("remaining quantity and warning levels", () => {
  test("remaining is max minus called off, never negative", () => {
    expect(remainingQuantity({ maxQuantity: 44, calledOff: 32 })).toBe(12);
    expect(remainingQuantity({ maxQuantity: 44, calledOff: 44 })).toBe(0);
    expect(remainingQuantity({ maxQuantity: 44, calledOff: 50 })).toBe(0);
  });

  test.each([
    [100, 0, "ok"],
    [100, 79, "ok"],
    [100, 80, "warning"],
    [100, 94, "warning"],
    [100, 95, "critical"],
    [100, 99, "critical"],
    [100, 100, "exhausted"],
    [0, 0, "exhausted"],
    // 79.99 % is not yet 80 %: exact integer comparison, no float rounding.
    [10_001, 8_000, "ok"],
    [10_000, 8_000, "warning"],
    [3, 2, "ok"], // 66.7 %
    [5, 4, "warning"], // 80 %
    [20, 19, "critical"], // 95 %
  ] as const)("max %i, called off %i → %s", (maxQuantity, calledOff, level) => {
    expect(usageLevel({ maxQuantity, calledOff })).toBe(level);
  });

  propertyTest.prop([
    fc.integer({ min: 1, max: 1_000_000 }),
    fc.integer({ min: 0, max: 1_000_000 }),
  ])(
    "warning exactly from 80 %, critical from 95 %, exhausted at the maximum",
    (maxQuantity, raw) => {
      const calledOff = raw % (maxQuantity + 1);
      const level = usageLevel({ maxQuantity, calledOff });
      const share = calledOff / maxQuantity;
      if (calledOff === maxQuantity) expect(level).toBe("exhausted");
      else if (calledOff * 100 >= 95 * maxQuantity) expect(level).toBe("critical");
      else if (calledOff * 100 >= 80 * maxQuantity) expect(level).toBe("warning");
      else {
        expect(level).toBe("ok");
        expect(share).toBeLessThan(0.8);
      }
    },
  );

  test("the percentage shown is rounded down, so it never shows a threshold not reached", () => {
    expect(usagePerMille({ maxQuantity: 10_001, calledOff: 8_000 })).toBe(799);
    expect(formatPerMille(799)).toBe("79,9 %");
    expect(formatPerMille(1000)).toBe("100,0 %");
    expect(usagePerMille({ maxQuantity: 3, calledOff: 2 })).toBe(666);
    expect(usagePerMille({ maxQuantity: 0, calledOff: 0 })).toBeNull();
  });

  test("worst level of several", () => {
    expect(worstUsageLevel([])).toBe("ok");
    expect(worstUsageLevel(["ok", "critical", "warning"])).toBe("critical");
    expect(worstUsageLevel(["warning", "exhausted"])).toBe("exhausted");
  });
});

describe("a call-off against what is left", () => {
  test("fits up to the last unit, refused beyond with the units left", () => {
    const use = { maxQuantity: 44, calledOff: 32 };
    expect(callOffQuantityProblem(12, use)).toBeNull();
    expect(callOffQuantityProblem(13, use)).toBe(
      "Abruf überschreitet die Höchstmenge: noch 12 Stück verfügbar.",
    );
  });

  test("German grouping and the category's unit", () => {
    expect(exceedsMaximumMessage(1234)).toBe(
      "Abruf überschreitet die Höchstmenge: noch 1.234 Stück verfügbar.",
    );
    expect(callOffQuantityProblem(1, { maxQuantity: 5, calledOff: 5 }, "Paket")).toBe(
      "Abruf überschreitet die Höchstmenge: noch 0 Paket verfügbar.",
    );
  });
});

describe("dates", () => {
  test("ISO calendar dates only", () => {
    expect(isIsoDate("2027-02-28")).toBe(true);
    expect(isIsoDate("2028-02-29")).toBe(true);
    expect(isIsoDate("2027-02-29")).toBe(false);
    expect(isIsoDate("2027-13-01")).toBe(false);
    expect(isIsoDate("01.03.2027")).toBe(false);
  });

  test("call-offs lie within the term and not before the award", () => {
    const period = { startYear: 2027, termYears: 4, awardDate: "2027-01-15" };
    expect(callOffDateProblem("2027-01-15", period)).toBeNull();
    expect(callOffDateProblem("2030-12-31", period)).toBeNull();
    expect(callOffDateProblem("2027-01-14", period)).toBe(
      "Das Abrufdatum liegt vor dem Zuschlag (15.01.2027).",
    );
    expect(callOffDateProblem("2031-01-01", period)).toMatch(
      /außerhalb der Laufzeit des Rahmenvertrags \(2027–2030\)/,
    );
    expect(callOffDateProblem("2026-12-31", { ...period, awardDate: "2026-11-01" })).toMatch(
      /außerhalb der Laufzeit/,
    );
    expect(callOffDateProblem("2027-02-30", period)).toMatch(/gültiges Datum/);
  });

  test("an award date may not lie in the future", () => {
    expect(awardDateProblem("2026-11-28", "2026-11-28")).toBeNull();
    expect(awardDateProblem("2026-11-29", "2026-11-28")).toBe(
      "Das Zuschlagsdatum darf nicht in der Zukunft liegen.",
    );
  });

  test("today in Germany, also just after midnight there while UTC is still on the day before", () => {
    expect(berlinToday(new Date("2026-12-31T23:30:00Z"))).toBe("2027-01-01");
    expect(berlinToday(new Date("2027-07-01T21:59:00Z"))).toBe("2027-07-01");
    expect(berlinToday(new Date("2027-07-01T22:00:00Z"))).toBe("2027-07-02");
  });
});

describe("maximum quantity before the award", () => {
  test("not below the joint quantity, at least 1", () => {
    expect(maxQuantityOverrideProblem(1_100, 1_000)).toBeNull();
    expect(maxQuantityOverrideProblem(1_000, 1_000)).toBeNull();
    expect(maxQuantityOverrideProblem(999, 1_000)).toBe(
      "Die Höchstmenge muss mindestens die gemeldete Gesamtmenge abdecken (1.000).",
    );
    expect(maxQuantityOverrideProblem(0, 0)).toMatch(/ab 1/);
    expect(maxQuantityOverrideProblem(1.5, 0)).toMatch(/ganze Zahl/);
  });

  test("above the engine's maximum: warned about the estimated contract value", () => {
    expect(maxQuantityAboveEngineWarning(1_100, 1_100)).toBeNull();
    expect(maxQuantityAboveEngineWarning(1_200, 1_100)).toMatch(/Auftragswert/);
  });
});

function formData(entries: Record<string, string>): FormData {
  const data = new FormData();
  for (const [key, value] of Object.entries(entries)) data.set(key, value);
  return data;
}

describe("form schemas (as the routes parse them)", () => {
  test("a valid call-off", () => {
    const submission = parseWithZod(
      formData({
        partner: "COE",
        category: "NB",
        school: "",
        date: "2027-03-01",
        quantity: "12",
        orderNumber: " B-1 ",
        token: "abcdefghijklmnopqrstuvwx",
      }),
      { schema: callOffFormSchema },
    );
    expect(submission.status).toBe("success");
    if (submission.status !== "success") return;
    expect(submission.value).toEqual({
      partner: "COE",
      category: "NB",
      date: "2027-03-01",
      quantity: 12,
      orderNumber: "B-1",
      token: "abcdefghijklmnopqrstuvwx",
    });
  });

  test("quantity below 1, broken date and a missing order number are refused in German", () => {
    const submission = parseWithZod(
      formData({ partner: "COE", category: "NB", date: "2027-02-30", quantity: "0" }),
      {
        schema: callOffFormSchema,
      },
    );
    expect(submission.status).toBe("error");
    const errors = submission.reply().error ?? {};
    expect(errors.quantity).toEqual(["Bitte eine ganze Zahl ab 1 eingeben."]);
    expect(errors.date?.[0]).toMatch(/gültiges Datum/);
    expect(errors.orderNumber).toEqual(["Bitte die Bestellnummer angeben."]);
  });

  test.each([
    ["1.000", 1000],
    ["12.345", 12_345],
  ])("quantity %j with German thousands dots means %d, not 1", (text, value) => {
    const submission = parseWithZod(
      formData({
        partner: "COE",
        category: "NB",
        date: "2027-03-01",
        quantity: text,
        orderNumber: "x",
        token: "a".repeat(22),
      }),
      { schema: callOffFormSchema },
    );
    expect(submission.status).toBe("success");
    if (submission.status === "success") expect(submission.value.quantity).toBe(value);
  });

  test.each(["1.00", "1.0000", "-1"])("quantity %j is refused", (text) => {
    const submission = parseWithZod(
      formData({
        partner: "COE",
        category: "NB",
        date: "2027-03-01",
        quantity: text,
        orderNumber: "x",
        token: "a".repeat(22),
      }),
      { schema: callOffFormSchema },
    );
    expect(submission.status).toBe("error");
  });

  test("maximum quantity: 1.000 is one thousand, empty means none", () => {
    const one = parseWithZod(formData({ category: "NB", maxQuantity: "1.000" }), {
      schema: maxQuantityOverrideSchema,
    });
    expect(one.status === "success" && one.value.maxQuantity).toBe(1000);
    const none = parseWithZod(formData({ category: "NB", maxQuantity: "" }), {
      schema: maxQuantityOverrideSchema,
    });
    expect(none.status === "success" && none.value.maxQuantity).toBeUndefined();
    const bad = parseWithZod(formData({ category: "NB", maxQuantity: "1.00" }), {
      schema: maxQuantityOverrideSchema,
    });
    expect(bad.status).toBe("error");
  });

  test("a fractional quantity is refused", () => {
    const submission = parseWithZod(
      formData({
        partner: "COE",
        category: "NB",
        date: "2027-03-01",
        quantity: "1,5",
        orderNumber: "x",
      }),
      { schema: callOffFormSchema },
    );
    expect(submission.status).toBe("error");
  });

  test("award: German money parsed exactly to cents, zero refused", () => {
    const schema = awardFormSchema(["NB", "TAB"]);
    const ok = parseWithZod(
      formData({
        lot: "L1",
        supplier: "Muster GmbH",
        awardDate: "2026-11-02",
        [priceField("NB")]: "1.234,56",
        [priceField("TAB")]: "0,1",
      }),
      { schema },
    );
    expect(ok.status).toBe("success");
    if (ok.status === "success") {
      expect(ok.value[priceField("NB") as keyof typeof ok.value]).toBe(123_456n);
      expect(ok.value[priceField("TAB") as keyof typeof ok.value]).toBe(10n);
    }
    const bad = parseWithZod(
      formData({
        lot: "L1",
        supplier: "",
        awardDate: "2026-11-02",
        [priceField("NB")]: "0,00",
        [priceField("TAB")]: "7.50",
      }),
      { schema },
    );
    const errors = bad.reply().error ?? {};
    expect(errors[priceField("NB")]).toEqual(["Der Zuschlagspreis muss über 0,00 € liegen."]);
    expect(errors[priceField("TAB")]?.[0]).toMatch(/7\.500,00/);
    expect(errors.supplier).toEqual(["Bitte den Auftragnehmer eingeben."]);
  });
});

describe("the date a new call-off form starts with", () => {
  const term = { startYear: 2027, termYears: 2 };
  test("today inside the term; the first day before it; the last day after it", () => {
    expect(defaultCallOffDate("2027-06-15", term)).toBe("2027-06-15");
    expect(defaultCallOffDate("2026-11-30", term)).toBe("2027-01-01");
    expect(defaultCallOffDate("2029-03-01", term)).toBe("2028-12-31");
  });
  test("never before the award", () => {
    expect(defaultCallOffDate("2026-11-30", { ...term, earliestAwardDate: "2027-02-10" })).toBe(
      "2027-02-10",
    );
    expect(defaultCallOffDate("2027-01-05", { ...term, earliestAwardDate: "2027-02-10" })).toBe(
      "2027-02-10",
    );
  });
  propertyTest.prop([
    fc.date({ min: new Date("2020-01-01"), max: new Date("2035-12-31"), noInvalidDate: true }),
  ])("always a date the call-off check accepts", (day) => {
    const today = day.toISOString().slice(0, 10);
    const date = defaultCallOffDate(today, { ...term, earliestAwardDate: "2026-11-02" });
    expect(callOffDateProblem(date, { ...term, awardDate: "2026-11-02" })).toBeNull();
  });
});

describe("a partner's own share", () => {
  test("planned plus the reserve, rounded up like the maximum", () => {
    expect(partnerShareLimit(10, "0.10")).toBe(11);
    expect(partnerShareLimit(30, "0.10")).toBe(33);
    expect(partnerShareLimit(7, "0.10")).toBe(8); // 7.7 → 8
    expect(partnerShareLimit(0, "0.10")).toBe(0);
    expect(partnerShareLimit(5, "0")).toBe(5);
  });
});
