import type { Markup } from "~/utils/server-markup";
import { BarChartFigure, type BarChartSpec, type CentsText } from "./bar-chart-figure";

export interface PartnerSavingsRow {
  name: string;
  savingsGross: CentsText;
  /** Savings as a share of the solo cost, per mille (domain/shares.ts); null without solo cost. */
  savingsPermille?: string | null;
}

/** How the chart (and the partner table) are ordered: `?sort=` on the summary page. */
export type SavingsOrder = "savings" | "share" | "name";
export const SAVINGS_ORDERS: readonly SavingsOrder[] = ["savings", "share", "name"];

const descending = (a: bigint, b: bigint) => (b > a ? 1 : b < a ? -1 : 0);

/**
 * Largest savings in euros first, or the largest share of the solo cost first (no share
 * last), or by name; ties by name. Exact on the integers, never on floats.
 */
export function sortPartnerSavings<T extends PartnerSavingsRow>(
  partners: readonly T[],
  order: SavingsOrder = "savings",
): T[] {
  const byName = (a: T, b: T) => a.name.localeCompare(b.name, "de");
  const share = (p: T) =>
    p.savingsPermille === null || p.savingsPermille === undefined
      ? null
      : BigInt(p.savingsPermille);
  return [...partners].sort((a, b) => {
    if (order === "name") return byName(a, b);
    if (order === "share") {
      const sa = share(a);
      const sb = share(b);
      if (sa === null || sb === null) return sa === sb ? byName(a, b) : sa === null ? 1 : -1;
      return descending(sa, sb) || byName(a, b);
    }
    return descending(BigInt(a.savingsGross), BigInt(b.savingsGross)) || byName(a, b);
  });
}

/** Savings (gross, whole term) of each participant; negative savings in red. */
export function savingsPerPartnerSpec(
  partners: PartnerSavingsRow[],
  id = "chart-savings-per-partner",
  order: SavingsOrder = "savings",
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
    rows: sortPartnerSavings(partners, order).map((p) => ({
      label: p.name,
      values: { savings: p.savingsGross },
    })),
  };
}

/** The figure around the server-drawn SVG (see charts/summary-charts.server.ts). */
export function SavingsPerPartnerChart({
  partners,
  svg,
  order = "savings",
}: {
  partners: PartnerSavingsRow[];
  svg: Markup;
  order?: SavingsOrder;
}) {
  return (
    <BarChartFigure
      spec={savingsPerPartnerSpec(partners, "chart-savings-per-partner", order)}
      svg={svg}
    />
  );
}
