// What every sheet of the cost-split workbook needs: the tender's figures from the
// engine, the row layout, and the metadata of this export.
import type {
  CalculationSettings,
  FundingCalculation,
  TenderCalculation,
} from "../domain/calculation";
import type { Cents } from "../domain/money";
import type { PlanTier } from "../domain/plan";
import type { CostSplitLayout } from "./cost-split-layout";

export interface SnapshotMeta {
  version: number;
  /** ISO 8601 time the snapshot was taken. */
  createdAt: string;
  comment?: string;
  createdBy?: string;
  /**
   * False when today's engine gives other figures for the snapshot's plan than the
   * result stored with it (a rule changed since); the workbook shows today's figures
   * and says so.
   */
  matchesStoredResult?: boolean;
}

export interface CostSplitMeta {
  /** Time of this export (shown on Parameter and in the document properties). */
  createdAt: Date;
  /** The app's version from package.json. */
  appVersion: string;
  /** Set when the workbook shows a frozen snapshot instead of the current plan. */
  snapshot?: SnapshotMeta | null;
  /**
   * The volume tiers per category code from the plan; the engine's result names only
   * the tier applied. Without it the Parameter sheet lists the applied tiers only.
   */
  tiers?: ReadonlyMap<string, readonly PlanTier[]>;
}

export interface CostSplitContext {
  tender: TenderCalculation;
  settings: CalculationSettings;
  /** §12: the plan's funding (programmes and grants over all tenders), for sheet Förderung. */
  funding: FundingCalculation;
  layout: CostSplitLayout;
  meta: CostSplitMeta;
  /** "Kostenaufteilung RV-2027 – Rahmenvertrag Endgeräte", for titles and the print header. */
  documentLabel: string;
  /** "aktueller Planungsstand" or "Beschlussstand Version 3 vom 28.11.2026". */
  stateLabel: string;
  /**
   * After an award: the tender as estimated from the plan (tiers, estimated value, EU
   * threshold), while `tender` prices awarded categories at their awarded price.
   */
  estimate?: TenderCalculation;
  /** Awarded net unit price per category code (awarded lots only). */
  awardedPrices?: ReadonlyMap<string, Cents>;
}
