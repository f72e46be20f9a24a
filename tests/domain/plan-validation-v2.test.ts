// plan@2 (CALCULATION.md §11–§13): every new rule has an invalid plan here, with the
// JSON path of the problem and a telling part of its German message. Base: example 04.
import fs from "node:fs";
import path from "node:path";
import { validatePlan, type PlanProblem } from "../../domain/plan-validation";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const fixtures = path.resolve(__dirname, "../fixtures/examples");
const v2Text = fs.readFileSync(path.join(fixtures, "04-funding-support.plan.json"), "utf8");
const v1Text = fs.readFileSync(path.join(fixtures, "02-edge-cases.plan.json"), "utf8");

function problemsOf(text: string, change: (plan: Json) => void): PlanProblem[] {
  const plan = JSON.parse(text) as Json;
  change(plan);
  const validation = validatePlan(plan);
  return validation.ok ? [] : validation.problems;
}

const problemsAfter = (change: (plan: Json) => void) => problemsOf(v2Text, change);

describe("plan@2 validation", () => {
  it("accepts example 04 and returns it unchanged", () => {
    const validation = validatePlan(JSON.parse(v2Text));
    expect(validation.ok ? validation.plan : validation.problems).toEqual(JSON.parse(v2Text));
  });

  it("accepts a plan@2 without any new field, and plan@1 documents as before", () => {
    expect(problemsOf(v1Text, (p) => (p.format = "verbundkauf/plan@2"))).toEqual([]);
    expect(problemsOf(v1Text, () => {})).toEqual([]);
  });

  it.each([
    ["fundingProgrammes", (p: Json) => (p.fundingProgrammes = []), "fundingProgrammes"],
    ["inventory", (p: Json) => (p.inventory = []), "inventory"],
    [
      "support",
      (p: Json) =>
        (p.support = {
          fromYear: 2027,
          toYear: 2028,
          devicesPerFte: "400",
          costPerFteGross: "1.00",
        }),
      "support",
    ],
    [
      "serviceLifeYears",
      (p: Json) => (p.categories[0].serviceLifeYears = 5),
      "categories[0].serviceLifeYears",
    ],
    [
      "supportUnits",
      (p: Json) => (p.categories[1].supportUnits = "1"),
      "categories[1].supportUnits",
    ],
    ["maxQuantities", (p: Json) => (p.tenders[0].maxQuantities = {}), "tenders[0].maxQuantities"],
  ])("reports the plan@2 field %s in a plan@1 file as unknown", (field, change, at) => {
    const problems = problemsOf(v1Text, change);
    expect(problems).toEqual([{ path: at, message: `Unbekanntes Feld „${field}“.` }]);
  });

  it("checks the rest of a plan@1 file with plan@2 fields as plan@1", () => {
    const problems = problemsOf(v1Text, (p) => {
      p.inventory = [];
      p.partners[0].population = -1;
    });
    expect(problems.map((x) => x.path)).toEqual(["inventory", "partners[0].population"]);
  });

  it.each([
    [
      "rate 0",
      (p: Json) => (p.fundingProgrammes[0].rate = "0.00"),
      "fundingProgrammes[0].rate",
      "größer als 0",
    ],
    [
      "rate above 1",
      (p: Json) => (p.fundingProgrammes[0].rate = "1.01"),
      "fundingProgrammes[0].rate",
      "zwischen 0 und 1",
    ],
    [
      "rate as number",
      (p: Json) => (p.fundingProgrammes[0].rate = 0.9),
      "fundingProgrammes[0].rate",
      "Dezimalzahl",
    ],
    [
      "no categories",
      (p: Json) => (p.fundingProgrammes[1].categories = []),
      "fundingProgrammes[1].categories",
      "Mindestens eine",
    ],
    [
      "unknown category",
      (p: Json) => p.fundingProgrammes[1].categories.push("XX"),
      "fundingProgrammes[1].categories[1]",
      "Unbekannte Produktgruppe „XX“",
    ],
    [
      "category twice in one programme",
      (p: Json) => p.fundingProgrammes[1].categories.push("NB-LK"),
      "fundingProgrammes[1].categories[1]",
      "mehrfach",
    ],
    [
      "years reversed",
      (p: Json) => (p.fundingProgrammes[0].toYear = 2025),
      "fundingProgrammes[0].toYear",
      "vor dem Anfangsjahr",
    ],
    [
      "year out of range",
      (p: Json) => (p.fundingProgrammes[0].fromYear = 1999),
      "fundingProgrammes[0].fromYear",
      "2000 und 2100",
    ],
    [
      "category and year under two programmes",
      (p: Json) => p.fundingProgrammes[1].categories.push("TAB"),
      "fundingProgrammes[1].categories[1]",
      /2027–2029 schon im Förderprogramm „DP2“/,
    ],
    [
      "duplicate programme code",
      (p: Json) => (p.fundingProgrammes[1].code = "DP2"),
      "fundingProgrammes[1].code",
      "mehrfach",
    ],
    [
      "budget of an unknown partner",
      (p: Json) => (p.fundingProgrammes[0].budgets.XYZ = "1.00"),
      "fundingProgrammes[0].budgets.XYZ",
      "Unbekannter Partner „XYZ“",
    ],
    [
      "budget with three decimals",
      (p: Json) => (p.fundingProgrammes[0].budgets.ASC = "1.001"),
      "fundingProgrammes[0].budgets.ASC",
      "höchstens zwei Nachkommastellen",
    ],
    [
      "cap with a sign",
      (p: Json) => (p.fundingProgrammes[1].maxPerUnitGross = "-5.00"),
      "fundingProgrammes[1].maxPerUnitGross",
      "Betrag",
    ],
    [
      "unknown programme field",
      (p: Json) => (p.fundingProgrammes[1].budget = {}),
      "fundingProgrammes[1].budget",
      "Unbekanntes Feld",
    ],
    [
      "null budgets",
      (p: Json) => (p.fundingProgrammes[1].budgets = null),
      "fundingProgrammes[1].budgets",
      "Objekt",
    ],
    [
      "inventory: unknown partner",
      (p: Json) => (p.inventory[3].partner = "XYZ"),
      "inventory[3].partner",
      "Unbekannter Partner",
    ],
    [
      "inventory: unknown category",
      (p: Json) => (p.inventory[3].category = "XX"),
      "inventory[3].category",
      "Unbekannte Produktgruppe",
    ],
    [
      "inventory: school of another partner",
      (p: Json) => (p.inventory[3].school = "ASC-01"),
      "inventory[3].school",
      "gehört zum Partner „ASC“",
    ],
    [
      "inventory: negative quantity",
      (p: Json) => (p.inventory[3].quantity = -1),
      "inventory[3].quantity",
      "negativ",
    ],
    [
      "inventory: fractional quantity",
      (p: Json) => (p.inventory[3].quantity = 1.5),
      "inventory[3].quantity",
      "ganze Zahl",
    ],
    [
      "inventory: year out of range",
      (p: Json) => (p.inventory[3].year = 1999),
      "inventory[3].year",
      "2000 und 2100",
    ],
    [
      "inventory: repeat",
      (p: Json) => p.inventory.push({ ...p.inventory[3] }),
      "inventory[272]",
      "Doppelte Bestandszeile: Partner, Schule, Produktgruppe und Jahr wie inventory[3]",
    ],
    [
      "inventory: unknown field",
      (p: Json) => (p.inventory[3].note = "x"),
      "inventory[3].note",
      "Unbekanntes Feld",
    ],
    [
      "service life 0",
      (p: Json) => (p.categories[0].serviceLifeYears = 0),
      "categories[0].serviceLifeYears",
      "1 bis 15",
    ],
    [
      "service life 16",
      (p: Json) => (p.categories[0].serviceLifeYears = 16),
      "categories[0].serviceLifeYears",
      "1 bis 15",
    ],
    [
      "support units with three decimals",
      (p: Json) => (p.categories[0].supportUnits = "0.125"),
      "categories[0].supportUnits",
      "zwei Nachkommastellen",
    ],
    [
      "support: years reversed",
      (p: Json) => (p.support.toYear = 2020),
      "support.toYear",
      "vor dem Anfangsjahr",
    ],
    [
      "support: devices per FTE 0",
      (p: Json) => (p.support.devicesPerFte = "0"),
      "support.devicesPerFte",
      "größer als 0",
    ],
    [
      "support: step 0",
      (p: Json) => (p.support.fteStep = "0.00"),
      "support.fteStep",
      "größer als 0",
    ],
    [
      "support: step with three decimals",
      (p: Json) => (p.support.fteStep = "0.125"),
      "support.fteStep",
      "zwei Nachkommastellen",
    ],
    [
      "support: minimum with three decimals",
      (p: Json) => (p.support.minFtePerPartner = "0.001"),
      "support.minFtePerPartner",
      "zwei Nachkommastellen",
    ],
    [
      "support: overhead as number",
      (p: Json) => (p.support.poolOverheadFte = 1),
      "support.poolOverheadFte",
      "Dezimalzahl",
    ],
    [
      "support: cost missing",
      (p: Json) => delete p.support.costPerFteGross,
      "support.costPerFteGross",
      "Betrag",
    ],
    [
      "support: devices missing",
      (p: Json) => delete p.support.devicesPerFte,
      "support.devicesPerFte",
      "Dezimalzahl",
    ],
    [
      "support: unknown key",
      (p: Json) => (p.support.key = "volume"),
      "support.key",
      "Erlaubte Schlüssel",
    ],
    [
      "support: unknown field",
      (p: Json) => (p.support.costPerFte = "1"),
      "support.costPerFte",
      "Unbekanntes Feld",
    ],
    [
      "maxQuantities: category outside the lots",
      (p: Json) => {
        p.tenders[0].lots[3].categories = [];
        p.tenders[0].lots.pop();
      },
      "tenders[0].maxQuantities.LADE",
      "in keinem Los",
    ],
    [
      "maxQuantities: unknown category",
      (p: Json) => (p.tenders[0].maxQuantities.XX = 1),
      "tenders[0].maxQuantities.XX",
      "Unbekannte Produktgruppe",
    ],
    [
      "maxQuantities: negative",
      (p: Json) => (p.tenders[0].maxQuantities["DISP-86"] = -1),
      "tenders[0].maxQuantities.DISP-86",
      "negativ",
    ],
    [
      "maxQuantities: fraction",
      (p: Json) => (p.tenders[0].maxQuantities["DISP-86"] = 2.5),
      "tenders[0].maxQuantities.DISP-86",
      "ganze Zahl",
    ],
  ])("%s", (_name, change, at, message) => {
    expect(problemsAfter(change)).toContainEqual({
      path: at,
      message:
        typeof message === "string"
          ? expect.stringContaining(message)
          : expect.stringMatching(message),
    });
  });

  it("reports a zero weight sum of the support key in a year with units", () => {
    const problems = problemsAfter((p) => {
      p.support.key = "population";
      for (const partner of p.partners) partner.population = 0;
    });
    expect(problems).toEqual([
      {
        path: "support.key",
        message: expect.stringMatching(/„population“.*in den Jahren 2026, 2027, .*2032 zusammen 0/),
      },
    ]);
  });

  it("accepts a zero weight of a partner when others in the year weigh more", () => {
    // KRS has population 0 in example 04; the others carry the split.
    expect(problemsAfter((p) => (p.support.key = "population"))).toEqual([]);
  });

  it("does not count years without units for the zero weight sum", () => {
    const problems = problemsAfter((p) => {
      p.support = { ...p.support, fromYear: 2099, toYear: 2100, key: "population" };
      for (const partner of p.partners) partner.population = 0;
    });
    expect(problems).toEqual([]);
  });

  it("finds a repeat inventory line in a large list (fast path) with the first line named", () => {
    const problems = problemsAfter((p) => {
      const extra = [];
      for (let i = 0; i < 20000; i++)
        extra.push({ partner: "ASC", category: "TAB", year: 2000 + (i % 50), quantity: i });
      p.inventory = extra;
    });
    expect(problems).toHaveLength(20000 - 50);
    expect(problems[0]).toEqual({
      path: "inventory[50]",
      message: expect.stringContaining("wie inventory[0]"),
    });
  });
});
