// The result file from the rich calculation: result@1 (CALCULATION.md §8) for a
// plan@1, result@2 (§14) for a plan@2. Money as strings with exactly two decimals,
// only the fields the file format names, in its order.

import type {
  Figures,
  FundingCalculation,
  PartnerCalculation,
  PlanCalculation,
  SupportCalculation,
  TenderCalculation,
} from "./calculation";
import { PLAN_FORMAT_V2, RESULT_FORMAT, RESULT_FORMAT_V2 } from "./plan";
import type {
  Result,
  ResultFigures,
  ResultFiguresV2,
  ResultFundingProgramme,
  ResultPartner,
  ResultPartnerV2,
  ResultTender,
  ResultTenderV2,
  ResultV1,
  ResultV2,
} from "./result";
import { formatMoney } from "./money";

export function toResultFile(calculation: PlanCalculation): Result {
  return calculation.planFormat === PLAN_FORMAT_V2
    ? toResultFileV2(calculation)
    : toResultFileV1(calculation);
}

/** result@1 (§8), whatever the plan's format. */
export function toResultFileV1(calculation: PlanCalculation): ResultV1 {
  return { format: RESULT_FORMAT, tenders: calculation.tenders.map(toResultTender) };
}

/** result@2 (§14), whatever the plan's format. */
export function toResultFileV2(calculation: PlanCalculation): ResultV2 {
  return {
    format: RESULT_FORMAT_V2,
    tenders: calculation.tenders.map(toResultTenderV2),
    funding: toResultFunding(calculation.funding),
    support: toResultSupport(calculation.support),
  };
}

/** The result file as text: 2-space indented JSON, as the command line prints it. */
export function resultToJson(result: Result): string {
  return JSON.stringify(result, null, 2);
}

function tenderHead(tender: TenderCalculation): Omit<ResultTender, "partners" | "totals"> {
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
  };
}

function toResultTender(tender: TenderCalculation): ResultTender {
  return {
    ...tenderHead(tender),
    partners: tender.partners.map(toResultPartner),
    totals: toResultFigures(tender.totals),
  };
}

function toResultTenderV2(tender: TenderCalculation): ResultTenderV2 {
  return {
    ...tenderHead(tender),
    partners: tender.partners.map(toResultPartnerV2),
    totals: toResultFiguresV2(tender.totals),
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

function toResultPartnerV2(partner: PartnerCalculation): ResultPartnerV2 {
  return {
    code: partner.code,
    ...toResultFiguresV2(partner),
    years: partner.years.map((y) => ({
      year: y.year,
      directNet: formatMoney(y.directNet),
      directVat: formatMoney(y.directVat),
      directGross: formatMoney(y.directGross),
      commonCostShare: formatMoney(y.commonCostShare),
      fundingGross: formatMoney(y.fundingGross),
      ownGross: formatMoney(y.ownGross),
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

function toResultFiguresV2(figures: Figures): ResultFiguresV2 {
  return {
    ...toResultFigures(figures),
    fundingGross: formatMoney(figures.fundingGross),
    ownGross: formatMoney(figures.ownGross),
  };
}

const moneyOrNull = (cents: bigint | null) => (cents === null ? null : formatMoney(cents));

function toResultFunding(funding: FundingCalculation): ResultFundingProgramme[] {
  return funding.programmes.map((programme) => ({
    code: programme.code,
    partners: programme.partners.map((p) => ({
      code: p.code,
      budgetGross: moneyOrNull(p.budgetGross),
      grantedGross: formatMoney(p.grantedGross),
      remainingGross: moneyOrNull(p.remainingGross),
    })),
  }));
}

function toResultSupport(support: SupportCalculation | null): ResultV2["support"] {
  if (support === null) return null;
  return {
    years: support.years.map((y) => ({
      year: y.year,
      units: y.units,
      soloFte: y.soloFte,
      soloCostGross: formatMoney(y.soloCostGross),
      pooledFte: y.pooledFte,
      pooledCostGross: formatMoney(y.pooledCostGross),
      savingsGross: formatMoney(y.savingsGross),
      partners: y.partners.map((p) => ({
        code: p.code,
        units: p.units,
        soloFte: p.soloFte,
        soloCostGross: formatMoney(p.soloCostGross),
        pooledShareGross: formatMoney(p.pooledShareGross),
        savingsGross: formatMoney(p.savingsGross),
      })),
    })),
  };
}
