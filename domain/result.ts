// The result files `verbundkauf/result@1` (CALCULATION.md §8) and
// `verbundkauf/result@2` (§14). Money fields are strings with exactly two decimals
// (leading "-" when negative); FTE and units likewise.

export type MoneyString = string;

export interface ResultLot {
  code: string;
  estimatedValueNet: MoneyString;
  smallLotExempt: boolean;
}

export interface ResultCategory {
  code: string;
  lot: string;
  quantity: number;
  maxQuantity: number;
  tierMinQuantity: number;
  unitPriceNet: MoneyString;
}

export interface ResultPartnerYear {
  year: number;
  directNet: MoneyString;
  directVat: MoneyString;
  directGross: MoneyString;
  commonCostShare: MoneyString;
}

export interface ResultFigures {
  quantity: number;
  directNet: MoneyString;
  directVat: MoneyString;
  directGross: MoneyString;
  commonCostShare: MoneyString;
  totalGross: MoneyString;
  soloGross: MoneyString;
  savingsGross: MoneyString;
}

export interface ResultPartner extends ResultFigures {
  code: string;
  years: ResultPartnerYear[];
}

export interface ResultTender {
  code: string;
  participants: string[];
  estimatedValueNet: MoneyString;
  euThresholdNet: MoneyString;
  euProcedureRequired: boolean;
  lots: ResultLot[];
  categories: ResultCategory[];
  partners: ResultPartner[];
  totals: ResultFigures;
}

export interface ResultV1 {
  format: "verbundkauf/result@1";
  tenders: ResultTender[];
}

// ---- result@2 (§14) ----------------------------------------------------------------

export interface ResultPartnerYearV2 extends ResultPartnerYear {
  fundingGross: MoneyString;
  ownGross: MoneyString;
}

export interface ResultFiguresV2 extends ResultFigures {
  fundingGross: MoneyString;
  ownGross: MoneyString;
}

export interface ResultPartnerV2 extends ResultFiguresV2 {
  code: string;
  years: ResultPartnerYearV2[];
}

export interface ResultTenderV2 extends Omit<ResultTender, "partners" | "totals"> {
  partners: ResultPartnerV2[];
  totals: ResultFiguresV2;
}

export interface ResultFundingPartner {
  code: string;
  budgetGross: MoneyString | null;
  grantedGross: MoneyString;
  remainingGross: MoneyString | null;
}

export interface ResultFundingProgramme {
  code: string;
  partners: ResultFundingPartner[];
}

export interface ResultSupportPartner {
  code: string;
  units: string;
  soloFte: string;
  soloCostGross: MoneyString;
  pooledShareGross: MoneyString;
  savingsGross: MoneyString;
}

export interface ResultSupportYear {
  year: number;
  units: string;
  soloFte: string;
  soloCostGross: MoneyString;
  pooledFte: string;
  pooledCostGross: MoneyString;
  savingsGross: MoneyString;
  partners: ResultSupportPartner[];
}

export interface ResultV2 {
  format: "verbundkauf/result@2";
  tenders: ResultTenderV2[];
  funding: ResultFundingProgramme[];
  support: { years: ResultSupportYear[] } | null;
}

/** result@1 for a plan@1, result@2 for a plan@2 (§11). */
export type Result = ResultV1 | ResultV2;
