import type { Markup } from "~/utils/server-markup";
import { BarChartFigure, type BarChartSpec, type CentsText } from "./bar-chart-figure";

export interface LotVolumeRow {
  code: string;
  name: string;
  /** Σ quantity × joint unit price of the lot's categories (net). */
  directNet: CentsText;
  /** Σ maximum quantity × joint unit price (net, §3 VgV): the lot's estimated value. */
  estimatedValueNet: CentsText;
}

/** Ordered volume and estimated contract value (with reserve) per lot, both net. */
export function volumePerLotSpec(lots: LotVolumeRow[], id = "chart-volume-per-lot"): BarChartSpec {
  return {
    id,
    title: "Volumen je Los (netto)",
    summary:
      "Balkendiagramm: gemeldetes Volumen und geschätzter Auftragswert mit Reserve je Los, netto.",
    labelHeader: "Los",
    series: [
      { key: "directNet", name: "Volumen (gemeldete Mengen)", color: "#1d3f6e" },
      { key: "estimatedValueNet", name: "Auftragswert mit Reserve", color: "#5694ca" },
    ],
    rows: lots.map((lot) => ({
      label: `${lot.code} ${lot.name}`,
      values: { directNet: lot.directNet, estimatedValueNet: lot.estimatedValueNet },
    })),
  };
}

/** The figure around the server-drawn SVG (see charts/summary-charts.server.ts). */
export function VolumePerLotChart({ lots, svg }: { lots: LotVolumeRow[]; svg: Markup }) {
  return <BarChartFigure spec={volumePerLotSpec(lots)} svg={svg} />;
}
