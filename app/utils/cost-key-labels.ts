import type { CostKey } from "../../domain/plan";

/** German names of the allocation keys (CALCULATION.md §5). */
export const COST_KEY_LABELS: Record<CostKey, string> = {
  volume: "nach Auftragsvolumen (netto)",
  quantity: "nach Stückzahl",
  pupils: "nach Schülerzahl",
  population: "nach Einwohnerzahl",
  equal: "zu gleichen Teilen",
  custom: "nach eigenen Gewichten",
};
