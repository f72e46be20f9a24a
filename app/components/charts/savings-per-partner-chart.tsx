import { BarChartFigure, type CentsText } from "./bar-chart-figure";

export interface PartnerSavingsRow {
  name: string;
  savingsGross: CentsText;
}

/** Savings (gross, whole term) of each participant; negative savings in red. */
export function SavingsPerPartnerChart({ id = "chart-savings-per-partner", partners }: { id?: string; partners: PartnerSavingsRow[] }) {
  return (
    <BarChartFigure
      id={id}
      title="Ersparnis je Schulträger (brutto, gesamte Laufzeit)"
      summary="Balkendiagramm: Ersparnis jedes teilnehmenden Schulträgers gegenüber einer eigenen Beschaffung, nach Gemeinkostenanteil."
      labelHeader="Schulträger"
      series={[{ key: "savings", name: "Ersparnis brutto", color: "#00703c", negativeColor: "#b10e1e" }]}
      rows={partners.map((p) => ({ label: p.name, values: { savings: p.savingsGross } }))}
    />
  );
}
