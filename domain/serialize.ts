// result@1 (CALCULATION.md §8) from the rich calculation: money as strings with
// exactly two decimals, only the fields the file format names, in its order.

import type {
  Figures,
  PartnerCalculation,
  PlanCalculation,
  TenderCalculation,
} from "./calculation";
import { RESULT_FORMAT } from "./plan";
import type { Result, ResultFigures, ResultPartner, ResultTender } from "./result";
import { formatMoney } from "./money";

export function toResultFile(calculation: PlanCalculation): Result {
  return { format: RESULT_FORMAT, tenders: calculation.tenders.map(toResultTender) };
}

/** The result file as text: 2-space indented JSON, as the command line prints it. */
export function resultToJson(result: Result): string {
  return JSON.stringify(result, null, 2);
}

function toResultTender(tender: TenderCalculation): ResultTender {
  return {
    code: tender.code,
    participants: tender.participants.map((p) => p.code),
    estimatedValueNet: formatMoney(tender.estimatedValueNet),
    euThresholdNet: formatMoney(tender.euThresholdNet),
    euProcedureRequired: tender.euProcedureRequired,
    lots: tender.lots.map((lot) => ({
      code: lot.code,
      estimatedValueNet: formatMoney(lot.estimatedValueNet),
      smallLotExempt: lot.smallLotExempt,
    })),
    categories: tender.categories.map((c) => ({
      code: c.code,
      lot: c.lot,
      quantity: c.quantity,
      maxQuantity: c.maxQuantity,
      tierMinQuantity: c.tierMinQuantity,
      unitPriceNet: formatMoney(c.unitPriceNet),
    })),
    partners: tender.partners.map(toResultPartner),
    totals: toResultFigures(tender.totals),
  };
}

function toResultPartner(partner: PartnerCalculation): ResultPartner {
  return {
    code: partner.code,
    ...toResultFigures(partner),
    years: partner.years.map((y) => ({
      year: y.year,
      directNet: formatMoney(y.directNet),
      directVat: formatMoney(y.directVat),
      directGross: formatMoney(y.directGross),
      commonCostShare: formatMoney(y.commonCostShare),
    })),
  };
}

function toResultFigures(figures: Figures): ResultFigures {
  return {
    quantity: figures.quantity,
    directNet: formatMoney(figures.directNet),
    directVat: formatMoney(figures.directVat),
    directGross: formatMoney(figures.directGross),
    commonCostShare: formatMoney(figures.commonCostShare),
    totalGross: formatMoney(figures.totalGross),
    soloGross: formatMoney(figures.soloGross),
    savingsGross: formatMoney(figures.savingsGross),
  };
}
