// The funding parts of the tender page and the committee summary, rendered on the
// server for example 04: columns Förderung/Eigenanteil with the engine's figures, the
// summary section with its chart (SVG with text alternative) and data table.
import fs from "node:fs";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { renderSummaryCharts } from "~/components/charts/summary-charts.server";
import { PartnerResultTable, tenderResultView } from "~/components/result-tables";
import { FundingSummarySection, fundingPerPartnerSpec } from "~/components/summary-funding";
import { buildSummaryView } from "~/components/summary-model";
import { calculatePlan } from "../../domain/calculate";
import { formatEuro } from "../../domain/money";
import type { Plan } from "../../domain/plan";
import { validatePlan } from "../../domain/plan-validation";

const plan = JSON.parse(
  fs.readFileSync("tests/fixtures/examples/04-funding-support.plan.json", "utf8"),
) as Plan;
const validation = validatePlan(plan);
if (!validation.ok) throw new Error("example 04 invalid");
const tender = calculatePlan(validation.plan).tenders[0];

it("the tender page's partner table has Förderung and Eigenanteil beside the gross share", () => {
  const view = tenderResultView(tender);
  const html = renderToStaticMarkup(createElement(PartnerResultTable, { view }));
  const headers = [...html.matchAll(/<th scope="col"[^>]*>([^<]*)<\/th>/g)].map((m) => m[1]);
  const gross = headers.indexOf("Gesamt brutto");
  expect(headers.slice(gross, gross + 3)).toEqual(["Gesamt brutto", "Förderung", "Eigenanteil"]);
  expect(tender.totals.fundingGross).toBeGreaterThan(0n);
  for (const partner of tender.partners) {
    expect(html).toContain(formatEuro(partner.ownGross));
  }
  expect(view.totals.fundingGross).toBe(formatEuro(tender.totals.fundingGross));
  expect(view.totals.ownGross).toBe(formatEuro(tender.totals.ownGross));
});

it("the summary section shows gross, funding and own contribution per participant with totals and a chart", () => {
  const view = buildSummaryView(tender);
  const charts = renderSummaryCharts(view);
  const html = renderToStaticMarkup(
    createElement(FundingSummarySection, {
      partners: view.partners,
      svg: charts.fundingPerPartner,
    }),
  );
  expect(html).toContain('<h2 id="funding"');
  expect(html).toMatch(/<svg[^>]*role="img"/);
  for (const partner of tender.partners) {
    const row = new RegExp(`data-partner="${partner.code}"[\\s\\S]*?</tr>`).exec(html)![0];
    expect(row).toContain(formatEuro(partner.totalGross));
    expect(row).toContain(formatEuro(partner.fundingGross));
    expect(row).toContain(formatEuro(partner.ownGross));
  }
  const total = /data-partner="total"[\s\S]*?<\/tr>/.exec(html)![0];
  expect(total).toContain(formatEuro(tender.totals.fundingGross));
  expect(total).toContain(formatEuro(tender.totals.ownGross));
  // The chart draws gross and own contribution, one bar pair per participant.
  const spec = fundingPerPartnerSpec(view.partners);
  expect(spec.series.map((s) => s.name)).toEqual(["Gesamt brutto", "Eigenanteil"]);
  expect(spec.rows.map((r) => r.values.own)).toEqual(
    tender.partners.map((p) => p.ownGross.toString()),
  );
});

it("without participants the section is left out", () => {
  const html = renderToStaticMarkup(
    createElement(FundingSummarySection, { partners: [], svg: "" }),
  );
  expect(html).toBe("");
});
