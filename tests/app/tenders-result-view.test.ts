import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import {
  formatShareOf,
  TenderResultTables,
  tenderResultView,
  tierLabel,
} from "~/components/result-tables";
import { calculatePlan } from "../../domain/calculate";
import { formatEuro } from "../../domain/money";
import { readDemoPlan } from "../db/tenders-fixtures";

describe("formatShareOf", () => {
  it.each([
    [1n, 3n, "33,3 %"],
    [2n, 3n, "66,7 %"],
    [1n, 8n, "12,5 %"],
    [1n, 16n, "6,3 %"], // 6,25 %: exactly half a tenth rounds away from zero
    [-1n, 16n, "-6,3 %"],
    [-1n, 3n, "-33,3 %"],
    [0n, 5n, "0,0 %"],
    [123456789n, 1000000n, "12.345,7 %"],
    [5n, 0n, "–"],
  ])("%s of %s → %s", (part, whole, text) => {
    expect(formatShareOf(part, whole)).toBe(text);
  });
});

describe("tierLabel", () => {
  it("names the minimum quantity and the discount, or that no tier was reached", () => {
    expect(tierLabel(1000, "0.06", "Stück")).toBe("ab 1.000 Stück: −6 %");
    expect(tierLabel(250, "0.035", undefined)).toBe("ab 250 Stück: −3,5 %");
    expect(tierLabel(0, "0", "Stück")).toBe("keine Staffel erreicht");
  });
});

describe("tenderResultView on the demo", () => {
  const tender = calculatePlan(readDemoPlan()).tenders[0];
  const view = tenderResultView(tender);

  it("formats the engine's figures, never recomputing them", () => {
    expect(view.estimatedValue).toBe(formatEuro(tender.estimatedValueNet));
    expect(view.partners.map((p) => p.totalGross)).toEqual(
      tender.partners.map((p) => formatEuro(p.totalGross)),
    );
    expect(view.totals.savingsGross).toBe(formatEuro(tender.totals.savingsGross));
    expect(view.categories.map((c) => c.unitPrice)).toEqual(
      tender.categories.map((c) => formatEuro(c.unitPriceNet)),
    );
    expect(view.years).toBe("2027–2030");
  });

  it("states the EU consequence in plain German and names nationally awardable lots", () => {
    expect(view.euProcedureRequired).toBe(tender.euProcedureRequired);
    expect(view.verdict).toBe(
      tender.euProcedureRequired ? "EU-weites Verfahren erforderlich" : "Nationale Vergabe möglich",
    );
    const exempt = tender.lots.filter((l) => l.smallLotExempt).map((l) => l.code);
    if (exempt.length) expect(view.verdictDetail).toContain(exempt.join(", "));
    else expect(view.verdictDetail).toMatch(/Kein Los|unter dem EU-Schwellenwert/);
  });

  it("renders right-aligned numbers and a totals row", () => {
    const html = renderToStaticMarkup(createElement(TenderResultTables, { view }));
    expect(html).toContain('data-partner="total"');
    expect(html).toMatch(/<td(?=[^>]*text-right)(?=[^>]*data-field="totalGross")[^>]*>/);
    expect(html).toContain(view.totals.totalGross);
    expect(html).not.toMatch(/\d\.\d\d €/); // no English decimal points in money
  });
});
