// The plan file `verbundkauf/plan@1` (CALCULATION.md §7) as TypeScript types.
// Decimals (money, rates, weights) stay strings here exactly as in the file;
// the engine turns them into exact values. The zod schema in plan-schema.ts must
// produce exactly these types.

export const PLAN_FORMAT = "verbundkauf/plan@1" as const;
export const RESULT_FORMAT = "verbundkauf/result@1" as const;
/** Format version 2 (CALCULATION.md §11–§14): funding, installed base, pooled support. */
export const PLAN_FORMAT_V2 = "verbundkauf/plan@2" as const;
export const RESULT_FORMAT_V2 = "verbundkauf/result@2" as const;
export type PlanFormat = typeof PLAN_FORMAT | typeof PLAN_FORMAT_V2;

export type DecimalString = string;

export const SCHOOL_TYPES = [
  "grundschule",
  "hauptschule",
  "realschule",
  "sekundarschule",
  "gesamtschule",
  "gymnasium",
  "foerderschule",
  "berufskolleg",
  "sonstige",
] as const;
export type SchoolType = (typeof SCHOOL_TYPES)[number];

export const COST_KEYS = ["volume", "quantity", "pupils", "population", "equal", "custom"] as const;
export type CostKey = (typeof COST_KEYS)[number];

export interface PlanSettings {
  euThresholdNet?: DecimalString;
  smallLotLimitNet?: DecimalString;
  smallLotQuota?: DecimalString;
}

export interface PlanPartner {
  code: string;
  name: string;
  population?: number;
}

export interface PlanSchool {
  code: string;
  partner: string;
  name: string;
  type?: SchoolType;
  pupils?: number;
}

export interface PlanTier {
  minQuantity: number;
  discount: DecimalString;
}

export interface PlanCategory {
  code: string;
  name: string;
  unit?: string;
  basePriceNet: DecimalString;
  vatRate?: DecimalString;
  tiers?: PlanTier[];
  /** plan@2 (§11, §13): whole number 1–15, default 5: years a device stays in use. */
  serviceLifeYears?: number;
  /** plan@2 (§11, §13): decimal >= 0, at most two decimals, default "1": support per device. */
  supportUnits?: DecimalString;
}

export interface PlanDemandLine {
  partner: string;
  school?: string;
  category: string;
  year: number;
  quantity: number;
}

export interface PlanLot {
  code: string;
  name: string;
  categories: string[];
}

export interface PlanCommonCost {
  label: string;
  amountGross: DecimalString;
  key: CostKey;
  /** Only with key "custom": partner code → weight (decimal string >= 0). */
  weights?: Record<string, DecimalString>;
}

export interface PlanTender {
  code: string;
  name: string;
  startYear: number;
  termYears: number;
  reserve?: DecimalString;
  soloProcessCostGross?: DecimalString;
  lots: PlanLot[];
  commonCosts?: PlanCommonCost[];
  /**
   * plan@2 (§11): category code → a maximum the framework states above the computed
   * one; maxQuantity[c] = max(ceil(Q[c] × (1 + reserve)), n).
   */
  maxQuantities?: Record<string, number>;
}

/** plan@2 (§12): a funding programme (Förderprogramm). */
export interface PlanFundingProgramme {
  code: string;
  name: string;
  /** 0 < rate <= 1 */
  rate: DecimalString;
  categories: string[];
  fromYear: number;
  toYear: number;
  maxPerUnitGross?: DecimalString;
  /** Partner code → most the partner may receive; without it funding is unlimited. */
  budgets?: Record<string, DecimalString>;
}

/** plan@2 (§11, §13): devices bought outside the plan's tenders; year = purchase year. */
export interface PlanInventoryLine {
  partner: string;
  school?: string;
  category: string;
  year: number;
  quantity: number;
}

export const SUPPORT_KEYS = ["units", "pupils", "population", "equal"] as const;
export type SupportKey = (typeof SUPPORT_KEYS)[number];

/** plan@2 (§13): pooled IT support parameters. */
export interface PlanSupport {
  fromYear: number;
  toYear: number;
  devicesPerFte: DecimalString;
  fteStep?: DecimalString;
  minFtePerPartner?: DecimalString;
  poolOverheadFte?: DecimalString;
  costPerFteGross: DecimalString;
  key?: SupportKey;
}

export interface Plan {
  format: PlanFormat;
  settings?: PlanSettings;
  partners: PlanPartner[];
  schools?: PlanSchool[];
  categories: PlanCategory[];
  demand?: PlanDemandLine[];
  tenders?: PlanTender[];
  /** plan@2 (§12). */
  fundingProgrammes?: PlanFundingProgramme[];
  /** plan@2 (§11, §13): devices bought outside the plan's tenders. */
  inventory?: PlanInventoryLine[];
  /** plan@2 (§13): without it there is no support calculation. */
  support?: PlanSupport;
}

/** Defaults of plan@2 (§11, §13). */
export const DEFAULT_SERVICE_LIFE_YEARS = 5;
export const DEFAULT_SUPPORT_UNITS = "1";
export const DEFAULT_SUPPORT = {
  fteStep: "0.25",
  minFtePerPartner: "0",
  poolOverheadFte: "0",
  key: "units",
} as const;

/** True when the plan uses a field only format version 2 knows. */
export function usesPlanV2Fields(plan: Plan): boolean {
  return (
    plan.fundingProgrammes !== undefined ||
    plan.inventory !== undefined ||
    plan.support !== undefined ||
    plan.categories.some((c) => c.serviceLifeYears !== undefined || c.supportUnits !== undefined) ||
    (plan.tenders ?? []).some((t) => t.maxQuantities !== undefined)
  );
}

export const DEFAULT_SETTINGS = {
  euThresholdNet: "216000.00",
  smallLotLimitNet: "80000.00",
  smallLotQuota: "0.20",
} as const;
