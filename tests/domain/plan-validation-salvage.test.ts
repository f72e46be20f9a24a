// All problems at once: when the schema fails somewhere, the rules that need figures
// (custom weights of non-participants, weights summing to 0) still run for every
// tender that no failed item can reach, and never report a problem a fix could undo.
import fs from "node:fs";
import path from "node:path";
import { validatePlan, type PlanProblem } from "../../domain/plan-validation";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const validText = fs.readFileSync(
  path.resolve(__dirname, "../fixtures/examples/02-edge-cases.plan.json"),
  "utf8",
);

function problemsOf(...changes: ((plan: Json) => void)[]): PlanProblem[] {
  const plan = JSON.parse(validText) as Json;
  for (const change of changes) change(plan);
  const validation = validatePlan(plan);
  return validation.ok ? [] : validation.problems;
}

const paths = (problems: PlanProblem[]) => problems.map((p) => p.path);

// Figure problems on example 02 (participants of RV-NB: ASC, KRS, NOK, ROS;
// of RV-NETZ: ASC, KRS — NOK's only DOKU line has quantity 0).
const ZERO_CUSTOM = "tenders[0].commonCosts[2].key";
const zeroCustomWeights = (p: Json) =>
  (p.tenders[0].commonCosts[2].weights = { ASC: "0", KRS: "0" });

const NOK_NOT_PARTICIPANT = "tenders[1].commonCosts[1].weights.NOK";
const weightForNok = (p: Json) =>
  p.tenders[1].commonCosts.push({
    label: "Moderation",
    amountGross: "100.00",
    key: "custom",
    weights: { ASC: "1", NOK: "1" },
  });
const ZERO_NETZ = "tenders[1].commonCosts[1].key";
const zeroWeightsInNetz = (p: Json) =>
  p.tenders[1].commonCosts.push({
    label: "Moderation",
    amountGross: "100.00",
    key: "custom",
    weights: { ASC: "0" },
  });

const ZERO_PUPILS = "tenders[0].commonCosts[1].key";
const noPupils = (p: Json) => p.schools.forEach((s: Json) => (s.pupils = 0));

const ZERO_VOLUME_NB = "tenders[0].commonCosts[4].key";
const ZERO_VOLUME_NETZ = "tenders[1].commonCosts[0].key";
const freeOfCharge = (p: Json) => p.categories.forEach((c: Json) => (c.basePriceNet = "0.00"));

describe("validatePlan on a plan that fails the schema", () => {
  it("reports an unknown field on a partner and a zero sum of custom weights together", () => {
    const problems = problemsOf((p) => (p.partners[0].extra = 1), zeroCustomWeights);
    expect(problems).toEqual([
      { path: "partners[0].extra", message: "Unbekanntes Feld „extra“." },
      {
        path: ZERO_CUSTOM,
        message: expect.stringMatching(/Projektleitung.*kein Teilnehmer hat ein Gewicht/),
      },
    ]);
  });

  it("reports a bad school name and the figure problems it cannot affect", () => {
    const problems = problemsOf((p) => (p.schools[0].name = " "), zeroCustomWeights, weightForNok);
    expect(paths(problems)).toEqual(["schools[0].name", ZERO_CUSTOM, NOK_NOT_PARTICIPANT]);
    expect(problems[2].message).toContain("nimmt an der Ausschreibung „RV-NETZ“ nicht teil");
  });

  describe("demand lines that failed", () => {
    it("hold back the rules of the tender the line could feed", () => {
      // NOK's DOKU line, now with a broken quantity: fixed, it may make NOK a participant.
      const problems = problemsOf((p) => (p.demand[8].quantity = "5"), weightForNok);
      expect(paths(problems)).toEqual(["demand[8].quantity"]);
    });

    it("do not when their accepted fields keep them out of the tender", () => {
      for (const breakLine of [
        (p: Json) => (p.demand[8].school = " "), // quantity 0 stays: NOK still no participant
        (p: Json) => (p.demand[2].quantity = -1), // LIZ is not in RV-NETZ
      ]) {
        expect(paths(problemsOf(breakLine, weightForNok))).toContain(NOK_NOT_PARTICIPANT);
      }
      // KRS's AP line belongs to RV-NETZ, not to RV-NB.
      expect(paths(problemsOf((p) => (p.demand[12].quantity = -1), zeroCustomWeights))).toEqual([
        "demand[12].quantity",
        ZERO_CUSTOM,
      ]);
    });
  });

  it("treat a partner that failed as possibly taking part where it has demand", () => {
    const problems = problemsOf(
      (p) => (p.partners[2].population = -5), // NOK
      zeroCustomWeights,
      zeroWeightsInNetz,
      (p) => (p.tenders[1].commonCosts[1].weights.NOK = "1"),
    );
    // No "unknown partner NOK", no verdict on RV-NB (NOK has NB demand there); RV-NETZ,
    // where NOK has no quantity, is still checked.
    expect(paths(problems)).toEqual(["partners[2].population", ZERO_NETZ]);
  });

  it("hold back the pupils key only for a failed school that could add pupils", () => {
    expect(paths(problemsOf(noPupils, (p) => (p.schools[0].name = "")))).toEqual([
      "schools[0].name",
      ZERO_PUPILS,
    ]);
    expect(paths(problemsOf(noPupils, (p) => (p.schools[0].pupils = -1)))).toEqual([
      "schools[0].pupils",
    ]);
  });

  it("hold back the volume key of a tender whose category failed, not of others", () => {
    expect(paths(problemsOf(freeOfCharge))).toEqual([ZERO_VOLUME_NB, ZERO_VOLUME_NETZ]);
    const problems = problemsOf(freeOfCharge, (p) => (p.categories[0].basePriceNet = "x"));
    expect(paths(problems)).toEqual(["categories[0].basePriceNet", ZERO_VOLUME_NETZ]);
  });

  it("hold back a later tender's rules only when a broken earlier tender could take its lines", () => {
    const brokenLotName = (p: Json) => (p.tenders[0].lots[0].name = "");
    expect(paths(problemsOf(brokenLotName, zeroWeightsInNetz))).toEqual([
      "tenders[0].lots[0].name",
      ZERO_NETZ,
    ]);
    const brokenLotCategories = (p: Json) => (p.tenders[0].lots[0].categories = "AP");
    expect(paths(problemsOf(brokenLotCategories, zeroWeightsInNetz))).toEqual([
      "tenders[0].lots[0].categories",
    ]);
  });

  // No false problems: whatever the broken plan reports besides the schema problems of
  // the breakage, the same plan with the breakage undone reports too.
  const scenarios: [string, (p: Json) => void][] = [
    ["zero custom weights", zeroCustomWeights],
    ["weight of a non-participant", weightForNok],
    ["zero pupils", noPupils],
    ["free of charge", freeOfCharge],
    ["zero weights in RV-NETZ", zeroWeightsInNetz],
  ];
  const breakages: [string, (p: Json) => void][] = [
    ["partner population", (p) => (p.partners[0].population = 1.5)],
    ["partner unknown field", (p) => (p.partners[3].note = "x")],
    ["school pupils", (p) => (p.schools[2].pupils = "1703")],
    ["school as text", (p) => (p.schools[1] = "ASC-SK")],
    ["category price", (p) => (p.categories[2].basePriceNet = "4,19")],
    ["category tiers", (p) => (p.categories[4].tiers[0].discount = "1.5")],
    ["line quantity", (p) => (p.demand[3].quantity = null)],
    ["line year", (p) => (p.demand[12].year = "2028")],
    ["line as number", (p) => (p.demand[6] = 6)],
    ["lot name", (p) => (p.tenders[0].lots[2].name = 3)],
    ["tender term", (p) => (p.tenders[0].termYears = 9)],
    ["cost amount", (p) => (p.tenders[0].commonCosts[0].amountGross = "-1")],
  ];
  describe.each(scenarios)("never a false problem (%s)", (_scenario, scenario) => {
    it.each(breakages)("with a broken %s", (_breakage, breakage) => {
      const fixed = new Set(problemsOf(scenario).map((p) => `${p.path} ${p.message}`));
      const broken = problemsOf(scenario, breakage);
      const schemaProblems = problemsOf(breakage);
      expect(schemaProblems.length).toBeGreaterThan(0);
      for (const problem of broken) {
        if (schemaProblems.some((s) => s.path === problem.path)) continue;
        expect(fixed).toContain(`${problem.path} ${problem.message}`);
      }
    });
  });
});
