import type { DemandStatus } from "../../db/demand-status";

export const DEMAND_STATUS_LABELS: Record<DemandStatus, string> = {
  draft: "Entwurf",
  submitted: "Eingereicht",
  reopened: "Wieder geöffnet",
};

export const DEMAND_STATUS_TONES: Record<DemandStatus, "grey" | "green" | "yellow"> = {
  draft: "grey",
  submitted: "green",
  reopened: "yellow",
};
