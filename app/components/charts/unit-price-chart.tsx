import type { Markup } from "~/utils/server-markup";
import { BarChartFigure, type BarChartSpec, type CentsText } from "./bar-chart-figure";

export interface CategoryPriceRow {
  name: string;
  /** Joint unit price (net) at the tier the whole tender reaches. */
  unitPriceNet: CentsText;
  /**
   * What the participants would pay per unit on their own: the quantity-weighted
   * average of their solo unit prices (net); null without demand.
   */
  averageSoloPriceNet: CentsText | null;
}

/** Joint unit price against the average solo unit price per category, net. */
export function unitPriceSpec(
  categories: CategoryPriceRow[],
  id = "chart-unit-prices",
): BarChartSpec {
  return {
    id,
    title: "Stückpreis gemeinsam und allein je Produktgruppe (netto)",
    summary:
      "Gruppiertes Balkendiagramm: Verbund-Stückpreis gegenüber dem mengengewichteten Durchschnitt der Stückpreise, die die Schulträger allein erreichen würden.",
    labelHeader: "Produktgruppe",
    series: [
      { key: "joint", name: "Verbundpreis", color: "#1d3f6e" },
      { key: "solo", name: "Einzelpreis (Ø)", color: "#b1b4b6" },
    ],
    rows: categories.map((c) => ({
      label: c.name,
      values: { joint: c.unitPriceNet, solo: c.averageSoloPriceNet },
    })),
  };
}

/** The figure around the server-drawn SVG (see charts/summary-charts.server.ts). */
export function UnitPriceChart({
  categories,
  svg,
}: {
  categories: CategoryPriceRow[];
  svg: Markup;
}) {
  return <BarChartFigure spec={unitPriceSpec(categories)} svg={svg} />;
}
