// The rich, typed result of calculatePlan (CALCULATION.md §2–§6) for the web UI and
// the Excel exports. Every money field is whole cents as bigint (type Cents): format
// with formatMoney (files) or formatEuro (UI) from ./money, never via Number().
// Rates, discounts and weights are canonical decimal strings ("0.19", "0.085", "60").
// toResultFile (./serialize) turns this into the result@1 or result@2 file.

import type { CostKey, PlanFormat, SupportKey } from "./plan";
import type { Cents } from "./money";

export interface CalculationSettings {
  euThresholdNet: Cents;
  smallLotLimitNet: Cents;
  /** Canonical decimal string, e.g. "0.2". */
  smallLotQuota: string;
}

export interface PartnerRef {
  code: string;
  name: string;
}

/** The figures a result@1 partner row and the totals row share. */
export interface Figures {
  quantity: number;
  directNet: Cents;
  directVat: Cents;
  directGross: Cents;
  commonCostShare: Cents;
  totalGross: Cents;
  soloGross: Cents;
  savingsGross: Cents;
  /** §12: Σ granted funding over all programmes (0 without programmes). */
  fundingGross: Cents;
  /** §12: totalGross − fundingGross (Eigenanteil). */
  ownGross: Cents;
}

/**
 * Where the savings come from (for committees). tierSavings + procedureSavings
 * equals savingsGross exactly.
 */
export interface SavingsBreakdown {
  /** Σ (solo net + solo VAT) over the term: buying the same demand alone, at solo tier prices. */
  soloDirectGross: Cents;
  /** Σ direct gross at joint prices. */
  directGross: Cents;
  /** soloDirectGross − directGross: what the better joint tier prices save. */
  tierSavings: Cents;
  /** participants × soloProcessCostGross: the own procedures that are not run. */
  soloProcessCostsAvoided: Cents;
  /** The common costs borne instead. */
  commonCosts: Cents;
  /** soloProcessCostsAvoided − commonCosts. */
  procedureSavings: Cents;
  /** tierSavings + procedureSavings. */
  savingsGross: Cents;
}

export interface LotCalculation {
  code: string;
  name: string;
  categories: string[];
  /** Σ maxQuantity × joint unit price over the lot's categories (§6). */
  estimatedValueNet: Cents;
  smallLotExempt: boolean;
}

export interface SoloPrice {
  partner: string;
  /** The partner's total quantity of the category in the tender. */
  quantity: number;
  tierMinQuantity: number;
  discount: string;
  unitPriceNet: Cents;
}

export interface CategoryCalculation {
  code: string;
  name: string;
  unit?: string;
  lot: string;
  vatRate: string;
  basePriceNet: Cents;
  /** Q[c]: all participants, all years of the term. */
  quantity: number;
  maxQuantity: number;
  /** minQuantity of the joint tier applied (0 when none). */
  tierMinQuantity: number;
  /** Joint discount applied (canonical decimal, "0" when none). */
  discount: string;
  /** Joint unit price. */
  unitPriceNet: Cents;
  /** maxQuantity × unitPriceNet. */
  estimatedValueNet: Cents;
  /** One entry per participant (by code), also for those without demand in this category. */
  soloPrices: SoloPrice[];
}

/** One "Position": a partner's quantity of one category in one year at the joint price. */
export interface PositionLine {
  category: string;
  quantity: number;
  unitPriceNet: Cents;
  net: Cents;
  vatRate: string;
}

/** Net and VAT of one VAT rate: VAT is rounded once per partner, year and rate (§4). */
export interface VatLine {
  rate: string;
  net: Cents;
  vat: Cents;
}

export interface PartnerYearCalculation {
  year: number;
  quantity: number;
  directNet: Cents;
  directVat: Cents;
  directGross: Cents;
  /** The whole share is booked in the start year (§5). */
  commonCostShare: Cents;
  /** §12: funding granted for this year's direct cost. */
  fundingGross: Cents;
  /** §12: directGross + commonCostShare − fundingGross. */
  ownGross: Cents;
  soloNet: Cents;
  soloVat: Cents;
  positions: PositionLine[];
  vatByRate: VatLine[];
  soloVatByRate: VatLine[];
}

export interface PartnerCalculation extends Figures {
  code: string;
  name: string;
  soloNet: Cents;
  soloVat: Cents;
  soloProcessCostGross: Cents;
  savings: SavingsBreakdown;
  years: PartnerYearCalculation[];
}

export interface CommonCostShareCalculation {
  partner: string;
  /** The participant's weight under the key, exact: cents as euros for volume ("56100.45"). */
  weight: string;
  /** Exact share in cents = exactShareNumerator / exactShareDenominator. */
  exactShareNumerator: bigint;
  exactShareDenominator: bigint;
  /** The exact share in euros, cut (not rounded) after 8 decimals: "4843.35841234". */
  exactShare: string;
  floorCents: Cents;
  /** 1n when one of the cents left over after flooring went to this participant. */
  remainderCents: Cents;
  cents: Cents;
}

export interface CommonCostCalculation {
  label: string;
  key: CostKey;
  amountGross: Cents;
  /** Σ weights over the participants, in the same unit as the weights. */
  weightSum: string;
  /** Per participant, by code ascending. */
  shares: CommonCostShareCalculation[];
}

export interface TenderCalculation {
  code: string;
  name: string;
  startYear: number;
  termYears: number;
  /** Every year of the term. */
  years: number[];
  reserve: string;
  soloProcessCostGross: Cents;
  /** Partners with quantity > 0 in the tender, by code ascending. */
  participants: PartnerRef[];
  estimatedValueNet: Cents;
  euThresholdNet: Cents;
  euProcedureRequired: boolean;
  lots: LotCalculation[];
  /** In lot order, then the order each lot lists them. */
  categories: CategoryCalculation[];
  /** Participants only, by code ascending. */
  partners: PartnerCalculation[];
  commonCosts: CommonCostCalculation[];
  commonCostsTotal: Cents;
  totals: Figures & { soloNet: Cents; soloVat: Cents };
  savings: SavingsBreakdown;
}

export interface FundingProgrammePartner {
  code: string;
  /** null without budgets; 0 for a partner the budgets do not list. */
  budgetGross: Cents | null;
  grantedGross: Cents;
  /** null without budgets. */
  remainingGross: Cents | null;
}

export interface FundingProgrammeCalculation {
  code: string;
  name: string;
  /** Canonical decimal string ("0.9", "1"). */
  rate: string;
  fromYear: number;
  toYear: number;
  categories: string[];
  maxPerUnitGross: Cents | null;
  /** Every partner of the plan, by code ascending. */
  partners: FundingProgrammePartner[];
}

/** One application of §12: programme f, tender T, participant p, year y (in budget order). */
export interface FundingGrant {
  programme: string;
  tender: string;
  partner: string;
  year: number;
  /** Σ q × jointPrice × (1 + vat) of the eligible categories, rounded once (for display). */
  eligibleGross: Cents;
  /** round(Σ q × unitFunding), §12 step 2. */
  requestedGross: Cents;
  /** §12 step 3. */
  grantedGross: Cents;
  /** The partner's remaining budget after this grant; null without budgets. */
  remainingAfterGross: Cents | null;
}

export interface FundingCalculation {
  /** In plan order. */
  programmes: FundingProgrammeCalculation[];
  /** Year ascending, then tenders in plan order, then programmes in plan order, then partner code. */
  grants: FundingGrant[];
}

/** The support parameters of §13 with defaults applied (decimals canonical strings). */
export interface SupportParameters {
  fromYear: number;
  toYear: number;
  devicesPerFte: string;
  fteStep: string;
  minFtePerPartner: string;
  poolOverheadFte: string;
  costPerFteGross: Cents;
  key: SupportKey;
}

export interface SupportPartnerYear {
  code: string;
  name: string;
  /** Exactly two decimals ("301.30"). */
  units: string;
  /** Exactly two decimals ("1.00"). */
  soloFte: string;
  soloCostGross: Cents;
  pooledShareGross: Cents;
  savingsGross: Cents;
}

export interface SupportYear {
  year: number;
  /** Σ partner units, exactly two decimals. */
  units: string;
  /** Σ partner solo FTE, exactly two decimals. */
  soloFte: string;
  soloCostGross: Cents;
  pooledFte: string;
  pooledCostGross: Cents;
  savingsGross: Cents;
  /** Partners with units > 0, by code ascending. */
  partners: SupportPartnerYear[];
}

export interface SupportCalculation {
  parameters: SupportParameters;
  /** Every year fromYear..toYear. */
  years: SupportYear[];
  totals: { soloCostGross: Cents; pooledCostGross: Cents; savingsGross: Cents };
}

export interface PlanCalculation {
  /** The format of the plan calculated: result@1 for plan@1, result@2 for plan@2 (§11). */
  planFormat: PlanFormat;
  settings: CalculationSettings;
  /** All partners of the plan, in plan order. */
  partners: PartnerRef[];
  /** In plan order. */
  tenders: TenderCalculation[];
  /** §12; empty lists without programmes. */
  funding: FundingCalculation;
  /** §13; null without a support section. */
  support: SupportCalculation | null;
}
