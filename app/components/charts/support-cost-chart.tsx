import { BarChartFigure, type BarChartSpec, type CentsText } from "./bar-chart-figure";

export interface SupportCostYear {
  year: number;
  soloCostGross: CentsText;
  pooledCostGross: CentsText;
}

/** Cost of IT support per year: every partner alone (summed) against one pooled unit. */
export function supportCostSpec(years: SupportCostYear[], id = "chart-support-cost"): BarChartSpec {
  return {
    id,
    title: "Kosten des Schul-IT-Supports je Jahr: allein gegenüber gemeinsam",
    summary:
      "Balkendiagramm: Summe der Personalkosten, wenn jeder Schulträger eigenes Support-Personal hat, neben den Kosten einer gemeinsamen Support-Einheit, je Jahr.",
    labelHeader: "Jahr",
    series: [
      { key: "solo", name: "Jeder allein", color: "#6f777b" },
      { key: "pooled", name: "Gemeinsam", color: "#1d70b8" },
    ],
    rows: years.map((y) => ({
      label: String(y.year),
      values: { solo: y.soloCostGross, pooled: y.pooledCostGross },
    })),
  };
}

export function SupportCostChart({ years, svg }: { years: SupportCostYear[]; svg: string }) {
  return <BarChartFigure spec={supportCostSpec(years)} svg={svg} />;
}
