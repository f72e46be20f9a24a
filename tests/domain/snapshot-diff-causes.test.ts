// The comparison names causes (what was changed in the plan), not only effects.
import fs from "node:fs";
import { calculatePlan } from "../../domain/calculate";
import type { Plan } from "../../domain/plan";
import { diffCauses, type Cause } from "../../domain/snapshot-diff";
import { causeText } from "~/components/summary-compare";
import { jsonifyBigInts } from "~/utils/jsonify";

const plan = JSON.parse(
  fs.readFileSync("tests/fixtures/examples/03-kreis-coesfeld.plan.json", "utf8"),
) as Plan;
const tenderOf = (p: Plan) => calculatePlan(p).tenders[0];

function changed(edit: (p: Plan) => void): Cause[] {
  const copy = structuredClone(plan);
  edit(copy);
  return diffCauses(tenderOf(plan), tenderOf(copy));
}

describe("diffCauses", () => {
  it("finds nothing when nothing changed", () => {
    expect(diffCauses(tenderOf(plan), tenderOf(plan))).toEqual([]);
  });

  it("names the reserve, a cost item, a base price and a partner's demand, in that order", () => {
    const causes = changed((p) => {
      const tender = p.tenders![0];
      tender.reserve = "0.20";
      tender.commonCosts![1].amountGross = "18600.00";
      p.categories[0].basePriceNet = "459.00";
      p.demand![0].quantity += 6; // KRS, NB-SUS
    });
    expect(causes.map((c) => c.kind)).toEqual(["reserve", "commonCost", "basePrice", "demand"]);
    const texts = causes.map((c) => causeText(jsonifyBigInts(c)));
    expect(texts[0]).toBe("Reserve: 10 % → 20 %");
    expect(texts[1]).toBe(
      "Gemeinkosten „Projektleitung (Kreis)“: 18.000,00 € → 18.600,00 € brutto",
    );
    expect(texts[2]).toBe("Grundpreis Schüler-Notebook (NB-SUS, netto): 449,00 € → 459,00 €");
    expect(texts[3]).toMatch(/^Bedarf Kreis Coesfeld, Schüler-Notebook: [\d.]+ → [\d.]+ Stück$/);
    const demand = causes[3] as Extract<Cause, { kind: "demand" }>;
    expect(demand.after - demand.before).toBe(6);
  });

  it("names a cost item added or removed and a changed key", () => {
    const causes = changed((p) => {
      const costs = p.tenders![0].commonCosts!;
      costs[0].key = "equal";
      costs.splice(1, 1);
      costs.push({ label: "Rechtsberatung", amountGross: "1200.00", key: "quantity" });
    });
    const texts = causes.map((c) => causeText(jsonifyBigInts(c)));
    expect(texts).toContain(
      "Gemeinkosten „Vergaberechtliche Beratung“: Schlüssel Auftragsvolumen → zu gleichen Teilen",
    );
    expect(texts).toContain(
      "Gemeinkosten „Rechtsberatung“ neu: 1.200,00 € brutto, Schlüssel Stückzahl",
    );
    expect(texts).toContain(
      "Gemeinkosten „Projektleitung (Kreis)“ entfallen (bisher 18.000,00 € brutto)",
    );
  });
});
