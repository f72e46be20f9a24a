// The three charts of the committee summary as SVG markup strings, drawn once per
// cached summary (see summary-data.server.ts) instead of on every view.
import type { SummaryView } from "../summary-model";
import { renderBarChartSvg } from "./bar-chart-svg.server";
import { savingsPerPartnerSpec } from "./savings-per-partner-chart";
import { unitPriceSpec } from "./unit-price-chart";
import { volumePerLotSpec } from "./volume-per-lot-chart";

export interface SummaryChartsSvg {
  savingsPerPartner: string;
  volumePerLot: string;
  unitPrices: string;
}

/** The specs are the same functions the page uses for legend and table, so both always agree. */
export function renderSummaryCharts(view: Pick<SummaryView, "partners" | "lots" | "categories">): SummaryChartsSvg {
  return {
    savingsPerPartner: renderBarChartSvg(savingsPerPartnerSpec(view.partners)),
    volumePerLot: renderBarChartSvg(volumePerLotSpec(view.lots)),
    unitPrices: renderBarChartSvg(unitPriceSpec(view.categories)),
  };
}
