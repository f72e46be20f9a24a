import { parseWithZod } from "@conform-to/zod/v4";
import type { z } from "zod";
import {
  categorySchema,
  customWeights,
  germanErrorMap,
  newCommonCostSchema,
  newLotSchema,
  tenderSchema,
} from "../../domain/tender-form";

function form(entries: [string, string][]): FormData {
  const data = new FormData();
  for (const [name, value] of entries) data.append(name, value);
  return data;
}

function parse<S extends z.ZodType>(schema: S, entries: [string, string][]) {
  return parseWithZod(form(entries), { schema, error: germanErrorMap });
}

describe("tenderSchema", () => {
  const valid: [string, string][] = [
    ["code", "RV-2031"],
    ["name", "Rahmenvertrag 2031"],
    ["startYear", "2031"],
    ["termYears", "2"],
    ["reservePercent", "12,5"],
    ["soloProcessCostGross", "7.500,00"],
  ];

  it("turns German inputs into exact plan values", () => {
    const submission = parse(tenderSchema, valid);
    expect(submission.status).toBe("success");
    if (submission.status === "success") {
      expect(submission.value).toEqual({
        code: "RV-2031",
        name: "Rahmenvertrag 2031",
        startYear: 2031,
        termYears: 2,
        reservePercent: "0.125",
        soloProcessCostGross: 750000n,
      });
    }
  });

  it("gives German messages at each field", () => {
    const submission = parse(tenderSchema, [
      ["code", "RV 2031"],
      ["name", ""],
      ["startYear", "1999"],
      ["termYears", "5"],
      ["reservePercent", "120"],
      ["soloProcessCostGross", "7.50"],
    ]);
    expect(submission.status).toBe("error");
    const errors = submission.reply().error ?? {};
    expect(errors.code?.[0]).toMatch(/^Nur Buchstaben/);
    expect(errors.name).toEqual(["Bitte einen Namen eingeben."]);
    expect(errors.startYear).toEqual(["Das Startjahr liegt zwischen 2000 und 2100."]);
    expect(errors.termYears).toEqual(["Die Laufzeit beträgt 1 bis 4 Jahre (§ 21 VgV)."]);
    expect(errors.reservePercent).toEqual(["Höchstens 100 % eingeben."]);
    expect(errors.soloProcessCostGross?.[0]).toMatch(/7\.500,00/);
  });

  it("refuses a fractional term", () => {
    const submission = parse(
      tenderSchema,
      valid.map(([k, v]) => [k, k === "termYears" ? "2.5" : v]),
    );
    expect(submission.reply().error?.termYears).toEqual([
      "Bitte eine Laufzeit in Jahren eingeben.",
    ]);
  });
});

describe("newLotSchema", () => {
  it("reads several checked categories and none", () => {
    const two = parse(newLotSchema, [
      ["code", "L1"],
      ["name", "Mobil"],
      ["categories", "NB"],
      ["categories", "TAB"],
    ]);
    expect(two.status === "success" && two.value.categories).toEqual(["NB", "TAB"]);
    const none = parse(newLotSchema, [
      ["code", "L1"],
      ["name", "Mobil"],
    ]);
    expect(none.status === "success" && none.value.categories).toEqual([]);
    const one = parse(newLotSchema, [
      ["code", "L1"],
      ["name", "Mobil"],
      ["categories", "NB"],
    ]);
    expect(one.status === "success" && one.value.categories).toEqual(["NB"]);
  });
});

describe("newCommonCostSchema", () => {
  const base: [string, string][] = [
    ["label", "Projektleitung"],
    ["amountGross", "12.000,00"],
    ["key", "custom"],
  ];

  it("keeps custom weights with comma decimals and drops empty ones", () => {
    const submission = parse(newCommonCostSchema, [
      ...base,
      ["weights[0].partner", "ASC"],
      ["weights[0].weight", "1,5"],
      ["weights[1].partner", "COE"],
      ["weights[1].weight", ""],
      ["weights[2].partner", "DUE"],
      ["weights[2].weight", "0"],
    ]);
    expect(submission.status).toBe("success");
    if (submission.status === "success") {
      expect(submission.value.amountGross).toBe(1200000n);
      expect(customWeights(submission.value)).toEqual({ ASC: "1.5", DUE: "0" });
    }
  });

  it("refuses weights that sum to zero, at the weights field", () => {
    const submission = parse(newCommonCostSchema, [
      ...base,
      ["weights[0].partner", "ASC"],
      ["weights[0].weight", "0"],
      ["weights[1].partner", "COE"],
      ["weights[1].weight", "0,0"],
    ]);
    expect(submission.status).toBe("error");
    expect(submission.reply().error?.weights?.[0]).toMatch(/Summe ist 0/);
  });

  it("ignores weights for other keys", () => {
    const submission = parse(newCommonCostSchema, [
      ["label", "Plattform"],
      ["amountGross", "2400"],
      ["key", "equal"],
      ["weights[0].partner", "ASC"],
      ["weights[0].weight", "0"],
    ]);
    expect(submission.status).toBe("success");
    if (submission.status === "success") expect(customWeights(submission.value)).toBeUndefined();
  });

  it("refuses an unknown key and a bad weight", () => {
    const submission = parse(newCommonCostSchema, [
      ...base.slice(0, 2),
      ["key", "magic"],
      ["weights[0].partner", "ASC"],
      ["weights[0].weight", "1.5"],
    ]);
    const errors = submission.reply().error ?? {};
    expect(errors.key).toEqual(["Bitte einen Verteilschlüssel wählen."]);
    expect(errors["weights[0].weight"]?.[0]).toMatch(/Komma/);
  });
});

describe("categorySchema", () => {
  it("parses tiers and flags repeated minimum quantities at the row", () => {
    const submission = parse(categorySchema, [
      ["code", "BEAM"],
      ["name", "Beamer"],
      ["unit", "Stück"],
      ["basePriceNet", "899,00"],
      ["vatPercent", "19"],
      ["tiers[0].minQuantity", "50"],
      ["tiers[0].discountPercent", "4"],
      ["tiers[1].minQuantity", "50"],
      ["tiers[1].discountPercent", "6"],
    ]);
    expect(submission.reply().error?.["tiers[1].minQuantity"]).toEqual([
      "Die Mindestmenge 50 kommt doppelt vor.",
    ]);
  });

  it("gives exact fractions for VAT and discounts", () => {
    const submission = parse(categorySchema, [
      ["code", "BEAM"],
      ["name", "Beamer"],
      ["basePriceNet", "899"],
      ["vatPercent", "7"],
      ["tiers[0].minQuantity", "10"],
      ["tiers[0].discountPercent", "2,5"],
      ["serviceLifeYears", "7"],
      ["supportUnits", "0,5"],
    ]);
    expect(submission.status === "success" && submission.value).toMatchObject({
      basePriceNet: 89900n,
      vatPercent: "0.07",
      tiers: [{ minQuantity: 10, discountPercent: "0.025" }],
    });
  });

  it("keeps discounts below 100 %", () => {
    const submission = parse(categorySchema, [
      ["code", "BEAM"],
      ["name", "Beamer"],
      ["basePriceNet", "899"],
      ["vatPercent", "19"],
      ["tiers[0].minQuantity", "0"],
      ["tiers[0].discountPercent", "100"],
    ]);
    const errors = submission.reply().error ?? {};
    expect(errors["tiers[0].minQuantity"]).toEqual(["Die Mindestmenge ist mindestens 1."]);
    expect(errors["tiers[0].discountPercent"]).toEqual(["Der Wert muss unter 100 % liegen."]);
  });
});
