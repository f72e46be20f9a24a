// The charts as the page shows them: the SVG drawn on the server (recharts, once per
// data version) inside the figure with legend and data table.
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { centsToPlotEuros } from "~/components/charts/bar-chart-figure";
import { renderBarChartSvg } from "~/components/charts/bar-chart-svg.server";
import { renderSummaryCharts } from "~/components/charts/summary-charts.server";
import {
  SavingsPerPartnerChart,
  savingsPerPartnerSpec,
  type PartnerSavingsRow,
} from "~/components/charts/savings-per-partner-chart";
import {
  UnitPriceChart,
  unitPriceSpec,
  type CategoryPriceRow,
} from "~/components/charts/unit-price-chart";
import {
  VolumePerLotChart,
  volumePerLotSpec,
  type LotVolumeRow,
} from "~/components/charts/volume-per-lot-chart";

function savingsFigure(partners: PartnerSavingsRow[]): string {
  return renderToStaticMarkup(
    createElement(SavingsPerPartnerChart, {
      partners,
      svg: renderBarChartSvg(savingsPerPartnerSpec(partners)),
    }),
  );
}
function volumeFigure(lots: LotVolumeRow[]): string {
  return renderToStaticMarkup(
    createElement(VolumePerLotChart, { lots, svg: renderBarChartSvg(volumePerLotSpec(lots)) }),
  );
}
function priceFigure(categories: CategoryPriceRow[]): string {
  return renderToStaticMarkup(
    createElement(UnitPriceChart, {
      categories,
      svg: renderBarChartSvg(unitPriceSpec(categories)),
    }),
  );
}

// A tiny hand-made data set: three partners, one of them losing money jointly.
const partners = [
  { name: "Stadt Coesfeld", savingsGross: "1234567" },
  { name: "Stadt Dülmen", savingsGross: "890000" },
  { name: "Gemeinde Rosendahl", savingsGross: "-4550" },
];

test("savings chart: an svg with role img, label, title and a desc with exact figures", () => {
  const html = savingsFigure(partners);
  expect(html).toMatch(
    /<svg[^>]*id="chart-savings-per-partner"[^>]*role="img"[^>]*aria-label="Ersparnis je Schulträger[^"]*"/,
  );
  expect(html).toContain("<title>Ersparnis je Schulträger (brutto, gesamte Laufzeit)</title>");
  const desc = /<desc>([^<]*)<\/desc>/.exec(html)?.[1] ?? "";
  expect(desc).toContain("Stadt Coesfeld: 12.345,67 €");
  expect(desc).toContain("Gemeinde Rosendahl: -45,50 €");
  // One bar per partner, the negative one in red.
  expect(html.match(/recharts-bar-rectangle"/g)).toHaveLength(3);
  expect(html).toContain('fill="#b10e1e"');
  // Labels at the bars are the exact formatted figures, not floats.
  expect(html).toContain("12.345,67 €");
  expect(html).not.toContain("12345.67");
});

test("savings chart: the data table in <details> lists every row exactly", () => {
  const html = savingsFigure(partners);
  const details = html.slice(html.indexOf("<details"));
  for (const [name, amount] of [
    ["Stadt Coesfeld", "12.345,67 €"],
    ["Stadt Dülmen", "8.900,00 €"],
    ["Gemeinde Rosendahl", "-45,50 €"],
  ]) {
    expect(details).toMatch(new RegExp(`<th scope="row"[^>]*>${name}</th><td[^>]*>${amount}</td>`));
  }
});

test("volume and unit price charts: grouped series with a legend, missing values as a dash", () => {
  const volume = volumeFigure([
    { code: "L1", name: "Endgeräte", directNet: "100000000", estimatedValueNet: "110000000" },
    { code: "L2", name: "Netzwerk", directNet: "5000000", estimatedValueNet: "5500000" },
  ]);
  expect(volume).toMatch(/<svg[^>]*role="img"[^>]*aria-label="Volumen je Los \(netto\)"/);
  // The legend is HTML above the chart (recharts cannot measure its own on the server).
  expect(volume).toMatch(
    /<li[^>]*><svg[^>]*><rect[^>]*fill="#1d3f6e"><\/rect><\/svg>Volumen \(gemeldete Mengen\)<\/li>/,
  );
  expect(volume).toContain(
    "L1 Endgeräte: Volumen (gemeldete Mengen) 1.000.000,00 €, Auftragswert mit Reserve 1.100.000,00 €",
  );

  const prices = priceFigure([
    { name: "Schüler-Notebook", unitPriceNet: "42206", averageSoloPriceNet: "44012" },
    { name: "Dokumentenkamera", unitPriceNet: "27900", averageSoloPriceNet: null },
  ]);
  expect(prices).toContain("Schüler-Notebook: Verbundpreis 422,06 €, Einzelpreis (Ø) 440,12 €");
  expect(prices).toContain("Dokumentenkamera: Verbundpreis 279,00 €, Einzelpreis (Ø) –");
  // Distinct ids: two charts on one page must not share clip-path ids.
  expect(prices).toContain('id="chart-unit-prices"');
});

test("cents become numbers only for plotting", () => {
  expect(centsToPlotEuros("1234567")).toBe(12345.67);
  expect(centsToPlotEuros(-4550n)).toBe(-45.5);
});

test("partners are plotted by savings, largest first, whatever order they come in", () => {
  const shuffled = [partners[2], partners[0], partners[1]];
  const html = savingsFigure(shuffled);
  const desc = /<desc>([^<]*)<\/desc>/.exec(html)?.[1] ?? "";
  const order = ["Stadt Coesfeld", "Stadt Dülmen", "Gemeinde Rosendahl"].map((name) =>
    desc.indexOf(name),
  );
  expect(order.every((position) => position >= 0)).toBe(true);
  expect([...order].sort((a, b) => a - b)).toEqual(order);
});

test("a negative bar gets its label on its left end", () => {
  const html = savingsFigure(partners);
  expect(html).toMatch(/<text[^>]*text-anchor="end"[^>]*>-45,50 €<\/text>/);
  // A positive label starts at its bar's end ("start" is SVG's default, so not written).
  expect(html).toMatch(/<text(?![^>]*text-anchor="(end|middle)")[^>]*>12\.345,67 €<\/text>/);
});

test("the drawn SVG is plain markup the CSP allows: no <style> or <script>, names escaped", () => {
  const hostile = [
    ...partners,
    { name: '<script>alert(1)</script><style>*{}</style>"', savingsGross: "100" },
  ];
  const charts = renderSummaryCharts({
    partners: hostile.map((p, i) => ({
      ...p,
      code: `P${i}`,
      quantity: 1,
      directGross: "0",
      commonCostShare: "0",
      totalGross: "0",
      soloGross: "0",
      savingsPermille: null,
      fundingGross: "0",
      ownGross: "0",
    })),
    lots: [
      {
        code: "L1",
        name: "<b>Los</b>",
        directNet: "100",
        estimatedValueNet: "110",
        smallLotExempt: false,
      },
    ],
    categories: [
      {
        code: "NB",
        name: "Notebook",
        lot: "L1",
        quantity: 1,
        maxQuantity: 1,
        basePriceNet: "100",
        unitPriceNet: "90",
        averageSoloPriceNet: "100",
      },
    ],
  });
  for (const svg of Object.values(charts)) {
    expect(svg).toMatch(/<svg[^>]*role="img"/);
    expect(svg).not.toMatch(/<(style|script|b)\b/i);
  }
  expect(charts.savingsPerPartner).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
});

test("the page's figure carries the server's SVG unchanged, between caption and table", () => {
  const svg = renderBarChartSvg(savingsPerPartnerSpec(partners));
  const html = renderToStaticMarkup(createElement(SavingsPerPartnerChart, { partners, svg }));
  const captionAt = html.indexOf("<figcaption");
  const svgAt = html.indexOf(svg);
  expect(captionAt).toBeGreaterThanOrEqual(0);
  expect(svgAt).toBeGreaterThan(captionAt);
  expect(html.indexOf("<details")).toBeGreaterThan(svgAt + svg.length - 1);
  // Without a drawing the text alternatives remain: caption and the data table.
  const bare = renderToStaticMarkup(createElement(SavingsPerPartnerChart, { partners, svg: "" }));
  expect(bare).not.toContain("<svg id=");
  expect(bare).toContain("Daten als Tabelle: Ersparnis je Schulträger");
});
