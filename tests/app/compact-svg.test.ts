// The charts' SVG, compacted with SVGO (app/components/charts/compact-svg.server.ts): the
// same drawing with its text alternative, each bar still its own element, and much
// smaller than recharts writes it.
import { renderToStaticMarkup } from "react-dom/server";
import { createElement } from "react";
import { BarChartSvg, renderBarChartSvg } from "~/components/charts/bar-chart-svg.server";
import { savingsPerPartnerSpec } from "~/components/charts/savings-per-partner-chart";
import { compactChartMarkup, KEPT_CLASSES } from "~/components/charts/compact-svg.server";

// 40 partners, one paying more jointly (a red bar to the left of zero).
const partners = Array.from({ length: 40 }, (_, i) => ({
  name: `Schulträger ${i + 1}`,
  savingsGross: String(i === 7 ? -455_012 : 1_000_000 + i * 123_457),
}));
const spec = savingsPerPartnerSpec(partners);
const recharts = renderToStaticMarkup(createElement(BarChartSvg, { spec }));
const compact = renderBarChartSvg(spec);

const attribute = (markup: string, name: string) =>
  new RegExp(`<svg[^>]*\\s${name}="([^"]*)"`).exec(markup)?.[1];
const text = (markup: string, element: string) =>
  new RegExp(`<${element}>([^<]*)</${element}>`).exec(markup)?.[1];

test("keeps the text alternative: id, role, aria-label, title and desc", () => {
  for (const name of ["id", "role", "aria-label", "viewBox", "width", "height"])
    expect(attribute(compact, name), name).toBe(attribute(recharts, name));
  expect(attribute(compact, "role")).toBe("img");
  expect(text(compact, "title")).toBe(text(recharts, "title"));
  expect(text(compact, "desc")).toBe(text(recharts, "desc"));
  expect(text(compact, "desc")).toContain("Schulträger 8: -4.550,12 €");
  // The wrapper recharts puts around the drawing stays (the page's CSS sizes it).
  expect(compact).toMatch(/^<div[^>]*class="recharts-wrapper"[^>]*><svg /);
});

test("each bar stays one element with its colour; every label and tick text is kept", () => {
  const bars = (markup: string) => markup.match(/recharts-bar-rectangle"/g)?.length ?? 0;
  expect(bars(recharts)).toBe(40);
  expect(bars(compact)).toBe(40);
  const texts = (markup: string) =>
    [...markup.matchAll(/>([^<>]+)<\/(?:tspan|text)>/g)].map((m) => m[1]);
  expect(texts(compact)).toEqual(texts(recharts));
  const fills = (markup: string) => new Set(markup.match(/fill="#[0-9a-f]{3,6}"/gi));
  expect(fills(compact)).toEqual(fills(recharts));
});

test("drops recharts' other classes, attributes no element has, and long decimals", () => {
  const classes = new Set(
    [...compact.matchAll(/class="([^"]*)"/g)].flatMap((m) => m[1].split(" ")),
  );
  classes.delete("recharts-wrapper"); // on the wrapper <div>, outside the drawing
  expect([...classes].every((name) => KEPT_CLASSES.has(name))).toBe(true);
  expect(recharts).toMatch(/<path[^>]* radius="/);
  expect(compact).not.toMatch(/<path[^>]* (radius|name|width)="/);
  expect(compact).not.toMatch(/\d\.\d{4,}/);
  expect(compact.length).toBeLessThan(recharts.length * 0.5);
});

test("markup without an <svg> is left as it is", () => {
  expect(compactChartMarkup("<div>kein Diagramm</div>")).toBe("<div>kein Diagramm</div>");
});
