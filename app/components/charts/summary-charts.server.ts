// The three charts of the committee summary as SVG markup strings, drawn once per
// cached summary (see summary-data.server.ts) instead of on every view.
import type { SummaryView } from "../summary-model";
import type { BarChartSpec } from "./bar-chart-figure";
import { renderBarChartSvg } from "./bar-chart-svg.server";
import { savingsPerPartnerSpec } from "./savings-per-partner-chart";
import { unitPriceSpec } from "./unit-price-chart";
import { volumePerLotSpec } from "./volume-per-lot-chart";
import { fundingPerPartnerSpec } from "../summary-funding";

export interface SummaryChartsSvg {
  /** Ordered by savings in euros (the default). */
  savingsPerPartner: string;
  /** The same chart ordered by share of the solo cost, and by name (`?sort=`). */
  savingsPerPartnerByShare: string;
  savingsPerPartnerByName: string;
  volumePerLot: string;
  unitPrices: string;
  fundingPerPartner: string;
}

// recharts needs 7–12 ms per chart on the server. A demand save changes the data
// version but rarely every chart (unit prices move only when a tier is crossed), so
// drawings are also kept by what they show.
const MAX_DRAWINGS = 24;
const drawings = new Map<string, string>();

function drawingOf(spec: BarChartSpec): string {
  const key = JSON.stringify(spec);
  const known = drawings.get(key);
  drawings.delete(key); // re-inserted at the end: the map's order is the eviction order
  const svg = known ?? renderBarChartSvg(spec);
  drawings.set(key, svg);
  if (drawings.size > MAX_DRAWINGS) drawings.delete(drawings.keys().next().value!);
  return svg;
}

/**
 * The specs are the same functions the page uses for legend and table, so both always
 * agree. Synchronous on purpose: yielding between drawings (setImmediate) let saves
 * in sooner, but sent every summary view that redraws to the back of the queue twice,
 * halving summary throughput in bench:load.
 */
export function renderSummaryCharts(
  view: Pick<SummaryView, "partners" | "lots" | "categories">,
): SummaryChartsSvg {
  return {
    savingsPerPartner: drawingOf(savingsPerPartnerSpec(view.partners)),
    savingsPerPartnerByShare: drawingOf(savingsPerPartnerSpec(view.partners, undefined, "share")),
    savingsPerPartnerByName: drawingOf(savingsPerPartnerSpec(view.partners, undefined, "name")),
    volumePerLot: drawingOf(volumePerLotSpec(view.lots)),
    unitPrices: drawingOf(unitPriceSpec(view.categories)),
    fundingPerPartner: drawingOf(fundingPerPartnerSpec(view.partners)),
  };
}
