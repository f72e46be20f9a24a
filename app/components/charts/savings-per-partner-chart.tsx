import { BarChartFigure, type BarChartSpec, type CentsText } from "./bar-chart-figure";

export interface PartnerSavingsRow {
  name: string;
  savingsGross: CentsText;
}

/** Largest savings first (exact, on the cents), equal savings by name. */
function bySavingsDescending(partners: PartnerSavingsRow[]): PartnerSavingsRow[] {
  return [...partners].sort((a, b) => {
    const difference = BigInt(b.savingsGross) - BigInt(a.savingsGross);
    return difference > 0n ? 1 : difference < 0n ? -1 : a.name.localeCompare(b.name, "de");
  });
}

/** Savings (gross, whole term) of each participant; negative savings in red. */
export function savingsPerPartnerSpec(
  partners: PartnerSavingsRow[],
  id = "chart-savings-per-partner",
): BarChartSpec {
  return {
    id,
    title: "Ersparnis je Schulträger (brutto, gesamte Laufzeit)",
    summary:
      "Balkendiagramm: Ersparnis jedes teilnehmenden Schulträgers gegenüber einer eigenen Beschaffung, nach Gemeinkostenanteil.",
    labelHeader: "Schulträger",
    series: [
      { key: "savings", name: "Ersparnis brutto", color: "#00703c", negativeColor: "#b10e1e" },
    ],
    rows: bySavingsDescending(partners).map((p) => ({
      label: p.name,
      values: { savings: p.savingsGross },
    })),
  };
}

/** The figure around the server-drawn SVG (see charts/summary-charts.server.ts). */
export function SavingsPerPartnerChart({
  partners,
  svg,
}: {
  partners: PartnerSavingsRow[];
  svg: string;
}) {
  return <BarChartFigure spec={savingsPerPartnerSpec(partners)} svg={svg} />;
}
