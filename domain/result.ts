// The result file `verbundkauf/result@1` (CALCULATION.md §8). Money fields are
// strings with exactly two decimals (leading "-" when negative).

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

export interface Result {
  format: "verbundkauf/result@1";
  tenders: ResultTender[];
}
