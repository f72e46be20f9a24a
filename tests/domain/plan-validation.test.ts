// Every rule of CALCULATION.md §2–§7 has an invalid plan here; each test checks the
// JSON path of the problem and a telling part of its German message.
import fs from "node:fs";
import path from "node:path";
import {
  formatPath,
  parsePlanText,
  validatePlan,
  type PlanProblem,
} from "../../domain/plan-validation";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const validText = fs.readFileSync(
  path.resolve(__dirname, "../fixtures/examples/02-edge-cases.plan.json"),
  "utf8",
);

/** Problems of example 02 after `change`; example 02 itself is valid. */
function problemsAfter(change: (plan: Json) => void): PlanProblem[] {
  const plan = JSON.parse(validText) as Json;
  change(plan);
  const validation = validatePlan(plan);
  return validation.ok ? [] : validation.problems;
}

function expectProblem(change: (plan: Json) => void, path: string, message: string | RegExp) {
  const problems = problemsAfter(change);
  expect(problems).toContainEqual({
    path,
    message:
      typeof message === "string"
        ? expect.stringContaining(message)
        : expect.stringMatching(message),
  });
  return problems;
}

describe("validatePlan", () => {
  it("accepts the three examples and returns the plan", () => {
    for (const name of ["01-three-partners", "02-edge-cases", "03-kreis-coesfeld"]) {
      const text = fs.readFileSync(
        path.resolve(__dirname, `../fixtures/examples/${name}.plan.json`),
        "utf8",
      );
      const validation = parsePlanText(text);
      expect(validation.ok ? "ok" : validation.problems).toBe("ok");
      if (validation.ok) expect(validation.plan).toEqual(JSON.parse(text));
    }
  });

  describe("§7 file format and value ranges", () => {
    it("reports bad JSON at $", () => {
      expect(parsePlanText('{"format": ')).toEqual({
        ok: false,
        problems: [{ path: "$", message: expect.stringContaining("Kein gültiges JSON") }],
      });
    });

    it("refuses a document that is not an object", () => {
      expect(validatePlan([1, 2])).toEqual({
        ok: false,
        problems: [{ path: "$", message: expect.stringContaining("JSON-Objekt") }],
      });
    });

    it.each([
      ["format", (p: Json) => (p.format = "verbundkauf/plan@3"), "format", "verbundkauf/plan@1"],
      ["format missing", (p: Json) => delete p.format, "format", "Pflichtfeld fehlt"],
      ["partners missing", (p: Json) => delete p.partners, "partners", "Pflichtfeld fehlt"],
      [
        "partner name missing",
        (p: Json) => delete p.partners[1].name,
        "partners[1].name",
        "Pflichtfeld fehlt",
      ],
      ["empty code", (p: Json) => (p.partners[1].code = " "), "partners[1].code", "leer"],
      [
        "unknown top-level field",
        (p: Json) => (p.comment = "x"),
        "comment",
        "Unbekanntes Feld „comment“",
      ],
      [
        "typo in a nested field",
        (p: Json) => (p.schools[0].pupil = 3),
        "schools[0].pupil",
        "Unbekanntes Feld „pupil“",
      ],
      [
        "unknown field in a common cost",
        (p: Json) => (p.tenders[0].commonCosts[0].note = ""),
        "tenders[0].commonCosts[0].note",
        "Unbekanntes Feld",
      ],
      [
        "negative population",
        (p: Json) => (p.partners[0].population = -1),
        "partners[0].population",
        "negativ",
      ],
      [
        "fractional pupils",
        (p: Json) => (p.schools[0].pupils = 1.5),
        "schools[0].pupils",
        "ganze Zahl",
      ],
      [
        "school type",
        (p: Json) => (p.schools[0].type = "uni"),
        "schools[0].type",
        "Erlaubte Schularten",
      ],
      [
        "negative quantity",
        (p: Json) => (p.demand[0].quantity = -3),
        "demand[0].quantity",
        "negativ",
      ],
      [
        "quantity as text",
        (p: Json) => (p.demand[0].quantity = "3"),
        "demand[0].quantity",
        "ganze Zahl",
      ],
      ["year 1999", (p: Json) => (p.demand[0].year = 1999), "demand[0].year", "2000 und 2100"],
      [
        "year 2101",
        (p: Json) => (p.tenders[0].startYear = 2101),
        "tenders[0].startYear",
        "2000 und 2100",
      ],
      ["termYears 0", (p: Json) => (p.tenders[0].termYears = 0), "tenders[0].termYears", "1 bis 4"],
      ["termYears 5", (p: Json) => (p.tenders[0].termYears = 5), "tenders[0].termYears", "1 bis 4"],
      [
        "money with three decimals",
        (p: Json) => (p.categories[0].basePriceNet = "449.001"),
        "categories[0].basePriceNet",
        "zwei Nachkommastellen",
      ],
      [
        "money as number",
        (p: Json) => (p.categories[0].basePriceNet = 449),
        "categories[0].basePriceNet",
        "Betrag als Text",
      ],
      [
        "negative money",
        (p: Json) => (p.tenders[0].commonCosts[0].amountGross = "-1.00"),
        "tenders[0].commonCosts[0].amountGross",
        "Betrag >= 0",
      ],
      [
        "exponent",
        (p: Json) => (p.tenders[0].soloProcessCostGross = "1e3"),
        "tenders[0].soloProcessCostGross",
        "Betrag",
      ],
      [
        "settings money",
        (p: Json) => (p.settings.euThresholdNet = "216.000,00"),
        "settings.euThresholdNet",
        "Betrag",
      ],
      [
        "smallLotQuota above 1",
        (p: Json) => (p.settings.smallLotQuota = "1.01"),
        "settings.smallLotQuota",
        "zwischen 0 und 1",
      ],
      [
        "unknown setting",
        (p: Json) => (p.settings.euThreshold = "1.00"),
        "settings.euThreshold",
        "Unbekanntes Feld",
      ],
    ])("%s", (_name, change, path, message) => {
      expectProblem(change, path, message);
    });

    it("accepts the edges of the ranges", () => {
      expect(
        problemsAfter((p) => {
          p.settings.smallLotQuota = "1";
          p.tenders[0].reserve = "1.0";
          p.tenders[0].termYears = 4;
          p.categories[0].tiers[0].discount = "0.999";
          p.categories[2].vatRate = "0";
          p.demand[0].year = 2030; // still in RV-NB? no: 2030 lies outside 2027–2029, fine
        }),
      ).toEqual([]);
    });
  });

  describe("§3 categories and tiers", () => {
    it.each([
      [
        "discount 1",
        (p: Json) => (p.categories[0].tiers[1].discount = "1"),
        "categories[0].tiers[1].discount",
        "kleiner als 1",
      ],
      [
        "discount 1.5",
        (p: Json) => (p.categories[0].tiers[1].discount = "1.5"),
        "categories[0].tiers[1].discount",
        "kleiner als 1",
      ],
      [
        "negative discount",
        (p: Json) => (p.categories[0].tiers[1].discount = "-0.1"),
        "categories[0].tiers[1].discount",
        "Dezimalzahl",
      ],
      [
        "discount as number",
        (p: Json) => (p.categories[0].tiers[1].discount = 0.03),
        "categories[0].tiers[1].discount",
        "Dezimalzahl als Text",
      ],
      [
        "minQuantity 0",
        (p: Json) => (p.categories[0].tiers[1].minQuantity = 0),
        "categories[0].tiers[1].minQuantity",
        "mindestens 1",
      ],
      [
        "duplicate minQuantity",
        (p: Json) => (p.categories[0].tiers[1].minQuantity = 1000),
        "categories[0].tiers[1].minQuantity",
        "Mindestmenge 1000 kommt in dieser Produktgruppe mehrfach vor",
      ],
      [
        "unknown tier field",
        (p: Json) => (p.categories[0].tiers[0].max = 5),
        "categories[0].tiers[0].max",
        "Unbekanntes Feld",
      ],
    ])("%s", (_name, change, path, message) => {
      expectProblem(change, path, message);
    });
  });

  describe("§4 VAT", () => {
    it.each([
      [
        "VAT 1",
        (p: Json) => (p.categories[1].vatRate = "1"),
        "categories[1].vatRate",
        "kleiner als 1",
      ],
      [
        "VAT 19",
        (p: Json) => (p.categories[1].vatRate = "19"),
        "categories[1].vatRate",
        "kleiner als 1",
      ],
      [
        "VAT with comma",
        (p: Json) => (p.categories[1].vatRate = "0,19"),
        "categories[1].vatRate",
        "Dezimalzahl",
      ],
    ])("%s", (_name, change, path, message) => {
      expectProblem(change, path, message);
    });
  });

  describe("§6 reserve", () => {
    it("refuses a reserve above 1", () => {
      expectProblem(
        (p) => (p.tenders[0].reserve = "1.5"),
        "tenders[0].reserve",
        "zwischen 0 und 1",
      );
    });
  });

  describe("§7 unique codes and references", () => {
    it.each([
      [
        "partner",
        (p: Json) => (p.partners[2].code = "ASC"),
        "partners[2].code",
        "Partnerkürzel „ASC“ kommt mehrfach vor (schon partners[0])",
      ],
      [
        "school",
        (p: Json) => (p.schools[1].code = "ASC-GS"),
        "schools[1].code",
        "Schulkürzel „ASC-GS“ kommt mehrfach vor",
      ],
      [
        "category",
        (p: Json) => (p.categories[4].code = "NB"),
        "categories[4].code",
        "„NB“ kommt mehrfach vor",
      ],
      [
        "tender",
        (p: Json) => (p.tenders[1].code = "RV-NB"),
        "tenders[1].code",
        "„RV-NB“ kommt mehrfach vor",
      ],
      [
        "lot within its tender",
        (p: Json) => (p.tenders[0].lots[2].code = "L1"),
        "tenders[0].lots[2].code",
        "Loskürzel „L1“ kommt mehrfach vor",
      ],
    ])("duplicate %s code", (_name, change, path, message) => {
      expectProblem(change, path, message);
    });

    it("allows the same lot code in different tenders", () => {
      expect(problemsAfter((p) => (p.tenders[1].lots[0].code = "L1"))).toEqual([]);
    });

    it.each([
      [
        "school's partner",
        (p: Json) => (p.schools[0].partner = "XYZ"),
        "schools[0].partner",
        "Unbekannter Partner „XYZ“.",
      ],
      [
        "demand partner",
        (p: Json) => (p.demand[2].partner = "XYZ"),
        "demand[2].partner",
        "Unbekannter Partner „XYZ“.",
      ],
      [
        "demand school",
        (p: Json) => (p.demand[0].school = "XY-GS"),
        "demand[0].school",
        "Unbekannte Schule „XY-GS“.",
      ],
      [
        "demand category",
        (p: Json) => (p.demand[0].category = "XY"),
        "demand[0].category",
        "Unbekannte Produktgruppe „XY“.",
      ],
      [
        "lot category",
        (p: Json) => (p.tenders[1].lots[1].categories = ["DOKU", "XY"]),
        "tenders[1].lots[1].categories[1]",
        "Unbekannte Produktgruppe „XY“.",
      ],
    ])("unknown %s", (_name, change, path, message) => {
      expectProblem(change, path, message);
    });

    it("refuses a demand line whose school belongs to another partner", () => {
      expectProblem(
        (p) => (p.demand[3].school = "ASC-GS"),
        "demand[3].school",
        "gehört zum Partner „ASC“, nicht zu „KRS“",
      );
    });

    it("refuses duplicate demand lines (same partner, school or none, category, year)", () => {
      expectProblem(
        (p) => p.demand.push({ ...p.demand[2], quantity: 1 }),
        "demand[14]",
        "Doppelte Bedarfsmeldung",
      );
      expectProblem(
        (p) => p.demand.push({ ...p.demand[0], quantity: 7 }),
        "demand[14]",
        "wie demand[0]",
      );
      // the same key once with and once without school is two cells
      expect(
        problemsAfter((p) =>
          p.demand.push({ partner: "ASC", category: "NB", year: 2027, quantity: 1 }),
        ),
      ).toEqual([]);
    });
  });

  describe("§2 one lot per category, one tender per (category, year)", () => {
    it("refuses a category in two lots of one tender", () => {
      expectProblem(
        (p) => p.tenders[0].lots[1].categories.push("NB"),
        "tenders[0].lots[1].categories[1]",
        "steht schon in Los „L1“",
      );
    });

    it("refuses a category twice in the same lot", () => {
      expectProblem(
        (p) => p.tenders[0].lots[0].categories.push("NB"),
        "tenders[0].lots[0].categories[1]",
        "steht schon in Los „L1“",
      );
    });

    it("refuses a (category, year) pair covered by two tenders", () => {
      expectProblem(
        (p) => p.tenders[1].lots[0].categories.push("LIZ"),
        "tenders[1].lots[0].categories[1]",
        "„LIZ“ ist 2027–2029 schon durch die Ausschreibung „RV-NB“ abgedeckt",
      );
    });

    it("allows the same category in tenders whose years do not overlap", () => {
      expect(
        problemsAfter((p) => {
          p.tenders[1].startYear = 2030;
          p.tenders[1].lots[0].categories.push("LIZ");
        }),
      ).toEqual([]);
    });
  });

  describe("§5 common costs and keys", () => {
    it("requires weights with key custom and refuses them with other keys", () => {
      expectProblem(
        (p) => delete p.tenders[0].commonCosts[2].weights,
        "tenders[0].commonCosts[2].weights",
        "sind Gewichte Pflicht",
      );
      expectProblem(
        (p) => (p.tenders[0].commonCosts[0].weights = { ASC: "1" }),
        "tenders[0].commonCosts[0].weights",
        "nur beim Schlüssel „custom“",
      );
    });

    it.each([
      [
        "unknown key",
        (p: Json) => (p.tenders[0].commonCosts[0].key = "members"),
        "tenders[0].commonCosts[0].key",
        "Erlaubte Schlüssel",
      ],
      [
        "negative weight",
        (p: Json) => (p.tenders[0].commonCosts[2].weights.ASC = "-1"),
        "tenders[0].commonCosts[2].weights.ASC",
        "Dezimalzahl",
      ],
      [
        "weight as number",
        (p: Json) => (p.tenders[0].commonCosts[2].weights.ASC = 1),
        "tenders[0].commonCosts[2].weights.ASC",
        "Dezimalzahl",
      ],
    ])("%s", (_name, change, path, message) => {
      expectProblem(change, path, message);
    });

    it("refuses a custom weight for a partner that does not take part", () => {
      // ASC has no demand in RV-NETZ's lots within 2027–2030 apart from AP and DOKU: make it a non-participant
      expectProblem(
        (p) =>
          (p.tenders[1].commonCosts = [
            {
              label: "Beratung",
              amountGross: "1.00",
              key: "custom",
              weights: { KRS: "1", NOK: "2" },
            },
          ]),
        "tenders[1].commonCosts[0].weights.NOK",
        "„NOK“ nimmt an der Ausschreibung „RV-NETZ“ nicht teil",
      );
    });

    it("refuses a custom weight for an unknown partner", () => {
      expectProblem(
        (p) => (p.tenders[0].commonCosts[2].weights.XYZ = "1"),
        "tenders[0].commonCosts[2].weights.XYZ",
        "Unbekannter Partner „XYZ“",
      );
    });

    it.each([
      [
        "pupils: all participants' schools have 0 pupils",
        (p: Json) => p.schools.forEach((s: Json) => (s.pupils = 0)),
        "tenders[0].commonCosts[1].key",
        /Gemeinkosten „Vergabeberatung“, Schlüssel „pupils“.*ergeben zusammen 0/,
      ],
      [
        "population: all participants have population 0",
        (p: Json) => {
          p.partners.forEach((x: Json) => (x.population = 0));
          p.tenders[1].commonCosts[0].key = "population";
        },
        "tenders[1].commonCosts[0].key",
        /Gemeinkosten „Beratung“, Schlüssel „population“.*0/,
      ],
      [
        "volume: all joint prices are 0",
        (p: Json) => p.categories.forEach((c: Json) => (c.basePriceNet = "0.00")),
        "tenders[1].commonCosts[0].key",
        /Gemeinkosten „Beratung“, Schlüssel „volume“.*Auftragsvolumen von 0,00 €/,
      ],
      [
        "custom: only zero weights",
        (p: Json) => (p.tenders[0].commonCosts[2].weights = { ASC: "0", KRS: "0.000" }),
        "tenders[0].commonCosts[2].key",
        /„Projektleitung“, Schlüssel „custom“.*kein Teilnehmer hat ein Gewicht/,
      ],
      [
        "equal: a tender without participants",
        (p: Json) =>
          (p.demand = p.demand.filter((d: Json) => d.category !== "AP" && d.category !== "DOKU")),
        "tenders[1].commonCosts[0].key",
        /keine Teilnehmer/,
      ],
    ])("refuses weights that sum to 0 (%s)", (_name, change, path, message) => {
      expectProblem(change, path, message);
    });
  });

  it("reports ALL problems at once, schema and rules together", () => {
    const problems = problemsAfter((p) => {
      p.partners[0].popultion = 3; // schema
      p.categories[0].tiers[0].discount = "2"; // schema
      p.demand[0].category = "XY"; // reference
      p.demand.push({ ...p.demand[1] }); // duplicate
      p.tenders[1].lots[0].categories.push("NB"); // coverage
    });
    expect(problems.map((x) => x.path)).toEqual(
      expect.arrayContaining([
        "partners[0].popultion",
        "categories[0].tiers[0].discount",
        "demand[0].category",
        "demand[14]",
        "tenders[1].lots[0].categories[1]",
      ]),
    );
  });

  it("falls back to zod for demand lines the fast path refuses, with the same messages", () => {
    expect(problemsAfter((p) => (p.demand[5].year = 2027.5))).toEqual([
      { path: "demand[5].year", message: "Erwartet: ganze Zahl." },
    ]);
    expect(problemsAfter((p) => (p.demand[5].extra = true))).toEqual([
      { path: "demand[5].extra", message: "Unbekanntes Feld „extra“." },
    ]);
  });
});

describe("formatPath", () => {
  it("writes JSON paths like tenders[0].commonCosts[1].weights.ASC", () => {
    expect(formatPath(["tenders", 0, "commonCosts", 1, "weights", "ASC"])).toBe(
      "tenders[0].commonCosts[1].weights.ASC",
    );
    expect(formatPath([])).toBe("$");
  });
});
