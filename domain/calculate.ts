// The calculation engine: one pure entry point, calculatePlan(plan), implementing
// CALCULATION.md §2–§6 and §11–§13 (funding.ts, support.ts) exactly. Expects a validated plan (see plan-validation.ts).

import type { Plan, PlanCategory, PlanPartner, PlanSettings } from "./plan";
import { DEFAULT_SETTINGS } from "./plan";
import type {
  CalculationSettings,
  CategoryCalculation,
  CommonCostCalculation,
  Figures,
  LotCalculation,
  PartnerCalculation,
  PartnerYearCalculation,
  PlanCalculation,
  PositionLine,
  TenderCalculation,
  VatLine,
} from "./calculation";
import {
  compareDecimal,
  decimalToString,
  normalizeDecimal,
  parseDecimal,
  pow10,
  type ExactDecimal,
} from "./decimal";
import { multiplyRounded, parseMoney, type Cents } from "./money";
import { compileTiers, unitPriceFor, type TierPrice, type TierTable } from "./tiers";
import { collectTenderDemand, type TenderDemand } from "./tender-demand";
import { allocateLargestRemainder, compareCodes } from "./allocate";
import { costWeights, type ParticipantFacts } from "./cost-weights";
import { euProcedureRequired, maxQuantity, smallLotExemptions } from "./thresholds";
import { savingsBreakdown } from "./savings";
import { calculateFunding, type FundingTender } from "./funding";
import { calculateSupport } from "./support";

export const DEFAULT_VAT_RATE = "0.19";

/** Thrown when calculatePlan meets a plan that validation should have refused. */
export class PlanCalculationError extends Error {
  override name = "PlanCalculationError";
}

interface CompiledCategory {
  plan: PlanCategory;
  basePriceNet: Cents;
  vatRate: ExactDecimal;
  vatText: string;
  tiers: TierTable;
}

interface ResolvedSettings extends CalculationSettings {
  quota: ExactDecimal;
}

interface PlanContext {
  partners: readonly PlanPartner[];
  categories: ReadonlyMap<string, CompiledCategory>;
  pupils: readonly bigint[];
  settings: ResolvedSettings;
}

export function resolveSettings(settings: PlanSettings | undefined): ResolvedSettings {
  const quota = parseDecimal(settings?.smallLotQuota ?? DEFAULT_SETTINGS.smallLotQuota);
  return {
    euThresholdNet: parseMoney(settings?.euThresholdNet ?? DEFAULT_SETTINGS.euThresholdNet),
    smallLotLimitNet: parseMoney(settings?.smallLotLimitNet ?? DEFAULT_SETTINGS.smallLotLimitNet),
    smallLotQuota: decimalToString(quota),
    quota,
  };
}

export function calculatePlan(plan: Plan): PlanCalculation {
  const partnerIndex = new Map<string, number>();
  plan.partners.forEach((p, i) => partnerIndex.set(p.code, i));
  const categories = new Map<string, CompiledCategory>();
  for (const category of plan.categories) categories.set(category.code, compileCategory(category));
  const pupils: bigint[] = plan.partners.map(() => 0n);
  for (const school of plan.schools ?? []) {
    const i = partnerIndex.get(school.partner);
    if (i !== undefined) pupils[i] += BigInt(school.pupils ?? 0);
  }
  const settings = resolveSettings(plan.settings);
  const context: PlanContext = { partners: plan.partners, categories, pupils, settings };
  const { quota: _quota, ...publicSettings } = settings;
  const works = collectTenderDemand(plan, partnerIndex).map((demand) =>
    calculateTender(demand, context),
  );
  const tenders = works.map((work) => work.calculation);
  const funding = calculateFunding(
    plan.fundingProgrammes ?? [],
    works.map((work) => work.funding),
    plan.partners.map((p) => p.code),
  );
  tenders.forEach((tender, t) => bookFunding(tender, funding.granted[t]));
  return {
    planFormat: plan.format,
    settings: publicSettings,
    partners: plan.partners.map(({ code, name }) => ({ code, name })),
    tenders,
    funding: funding.calculation,
    support: calculateSupport(plan, pupils),
  };
}

/** Books the granted funding (§12) on the partner rows, their years and the totals. */
function bookFunding(tender: TenderCalculation, granted: readonly Cents[][]): void {
  tender.partners.forEach((partner, i) => {
    let total = 0n;
    partner.years.forEach((year, y) => {
      year.fundingGross = granted[i][y];
      year.ownGross = year.directGross + year.commonCostShare - year.fundingGross;
      total += year.fundingGross;
    });
    partner.fundingGross = total;
    partner.ownGross = partner.totalGross - total;
  });
  const totals = sumFigures(tender.partners);
  tender.totals.fundingGross = totals.fundingGross;
  tender.totals.ownGross = totals.ownGross;
}

function compileCategory(category: PlanCategory): CompiledCategory {
  const vatRate = normalizeDecimal(parseDecimal(category.vatRate ?? DEFAULT_VAT_RATE));
  return {
    plan: category,
    basePriceNet: parseMoney(category.basePriceNet),
    vatRate,
    vatText: decimalToString(vatRate),
    tiers: compileTiers(category.tiers),
  };
}

interface Participant {
  index: number;
  partner: PlanPartner;
  cells: Float64Array;
  perCategory: number[];
  quantity: number;
}

function findParticipants(demand: TenderDemand, partners: readonly PlanPartner[]): Participant[] {
  const categoryCount = demand.categoryCodes.length;
  const years = demand.termYears;
  const participants: Participant[] = [];
  for (const [index, cells] of demand.quantities) {
    const perCategory = new Array<number>(categoryCount).fill(0);
    let quantity = 0;
    for (let c = 0; c < categoryCount; c++) {
      let sum = 0;
      for (let y = 0; y < years; y++) sum += cells[c * years + y];
      perCategory[c] = sum;
      quantity += sum;
    }
    if (quantity > 0)
      participants.push({ index, partner: partners[index], cells, perCategory, quantity });
  }
  return participants.sort((a, b) => compareCodes(a.partner.code, b.partner.code));
}

/** VAT rates of a tender's categories as groups, so VAT is rounded once per rate. */
interface VatGroups {
  rates: ExactDecimal[];
  texts: string[];
  groupOfCategory: number[];
}

function vatGroups(categories: readonly CompiledCategory[]): VatGroups {
  const byText = new Map<string, number>();
  const groups: VatGroups = { rates: [], texts: [], groupOfCategory: [] };
  const order = [...new Set(categories.map((c) => c.vatText))].sort((a, b) =>
    compareDecimal(parseDecimal(a), parseDecimal(b)),
  );
  for (const text of order) {
    byText.set(text, groups.rates.length);
    groups.rates.push(parseDecimal(text));
    groups.texts.push(text);
  }
  groups.groupOfCategory = categories.map((c) => byText.get(c.vatText)!);
  return groups;
}

interface TenderWork {
  calculation: TenderCalculation;
  funding: FundingTender;
}

function calculateTender(demand: TenderDemand, context: PlanContext): TenderWork {
  const { tender, categoryCodes, lotCodes, termYears } = demand;
  const categories = categoryCodes.map((code) => {
    const category = context.categories.get(code);
    if (!category)
      throw new PlanCalculationError(`Unknown category ${code} in tender ${tender.code}`);
    return category;
  });
  const years = Array.from({ length: termYears }, (_, i) => tender.startYear + i);
  const reserve = parseDecimal(tender.reserve ?? "0");
  const soloProcessCostGross = parseMoney(tender.soloProcessCostGross ?? "0.00");
  const participants = findParticipants(demand, context.partners);

  const totalQuantities = categories.map((_, c) =>
    participants.reduce((sum, p) => sum + p.perCategory[c], 0),
  );
  const jointPrices = categories.map((category, c) =>
    unitPriceFor(category.basePriceNet, category.tiers, totalQuantities[c]),
  );
  const groups = vatGroups(categories);

  const partners = participants.map((participant) =>
    calculatePartner(participant, {
      categories,
      categoryCodes,
      jointPrices,
      groups,
      years,
      soloProcessCostGross,
    }),
  );

  const commonCosts = allocateCommonCosts(demand, partners, participants, context);
  const sharesByPartner = new Map<string, Cents>();
  for (const cost of commonCosts)
    for (const share of cost.shares)
      sharesByPartner.set(share.partner, (sharesByPartner.get(share.partner) ?? 0n) + share.cents);
  for (const partner of partners)
    bookCommonCostShare(partner, sharesByPartner.get(partner.code) ?? 0n);

  const categoryRows: CategoryCalculation[] = categories.map((category, c) => {
    const stated = tender.maxQuantities?.[category.plan.code];
    const computed = maxQuantity(totalQuantities[c], reserve);
    const max = stated !== undefined && stated > computed ? stated : computed;
    const joint = jointPrices[c];
    return {
      code: category.plan.code,
      name: category.plan.name,
      ...(category.plan.unit !== undefined ? { unit: category.plan.unit } : {}),
      lot: lotCodes[c],
      vatRate: category.vatText,
      basePriceNet: category.basePriceNet,
      quantity: totalQuantities[c],
      maxQuantity: max,
      tierMinQuantity: joint.tierMinQuantity,
      discount: joint.discountText,
      unitPriceNet: joint.unitPriceNet,
      estimatedValueNet: BigInt(max) * joint.unitPriceNet,
      soloPrices: participants.map((p, i) => {
        const solo = partners[i].soloPrices[c];
        return {
          partner: p.partner.code,
          quantity: p.perCategory[c],
          tierMinQuantity: solo.tierMinQuantity,
          discount: solo.discountText,
          unitPriceNet: solo.unitPriceNet,
        };
      }),
    };
  });

  const lots = tender.lots.map((lot) => {
    let value = 0n;
    for (const row of categoryRows) if (row.lot === lot.code) value += row.estimatedValueNet;
    return {
      code: lot.code,
      name: lot.name,
      categories: [...lot.categories],
      estimatedValueNet: value,
    };
  });
  const estimatedValueNet = lots.reduce((sum, lot) => sum + lot.estimatedValueNet, 0n);
  const euRequired = euProcedureRequired(estimatedValueNet, context.settings.euThresholdNet);
  const exempt = euRequired
    ? smallLotExemptions(
        lots,
        estimatedValueNet,
        context.settings.smallLotLimitNet,
        context.settings.quota,
      )
    : new Set<string>();
  const lotRows: LotCalculation[] = lots.map((lot) => ({
    ...lot,
    smallLotExempt: exempt.has(lot.code),
  }));

  const partnerRows = partners.map((p) => p.row);
  const totals = sumFigures(partnerRows);
  const commonCostsTotal = commonCosts.reduce((sum, cost) => sum + cost.amountGross, 0n);
  const calculation: TenderCalculation = {
    code: tender.code,
    name: tender.name,
    startYear: tender.startYear,
    termYears,
    years,
    reserve: decimalToString(reserve),
    soloProcessCostGross,
    participants: participants.map((p) => ({ code: p.partner.code, name: p.partner.name })),
    estimatedValueNet,
    euThresholdNet: context.settings.euThresholdNet,
    euProcedureRequired: euRequired,
    lots: lotRows,
    categories: categoryRows,
    partners: partnerRows,
    commonCosts,
    commonCostsTotal,
    totals,
    savings: savingsBreakdown({
      soloDirectGross: totals.soloNet + totals.soloVat,
      directGross: totals.directGross,
      procedures: participants.length,
      soloProcessCostGross,
      commonCosts: totals.commonCostShare,
    }),
  };
  return {
    calculation,
    funding: {
      code: tender.code,
      startYear: tender.startYear,
      termYears,
      categoryCodes,
      jointPrices: jointPrices.map((p) => p.unitPriceNet),
      vatRates: categories.map((c) => c.vatRate),
      participants: participants.map((p, i) => ({
        code: p.partner.code,
        cells: p.cells,
        directGross: partnerRows[i].years.map((y) => y.directGross),
      })),
    },
  };
}

interface PricingContext {
  categories: readonly CompiledCategory[];
  categoryCodes: readonly string[];
  jointPrices: readonly TierPrice[];
  groups: VatGroups;
  years: readonly number[];
  soloProcessCostGross: Cents;
}

interface PartnerWork {
  code: string;
  row: PartnerCalculation;
  soloPrices: TierPrice[];
}

function calculatePartner(participant: Participant, pricing: PricingContext): PartnerWork {
  const { categories, jointPrices, groups, years } = pricing;
  const soloPrices = categories.map((category, c) =>
    unitPriceFor(category.basePriceNet, category.tiers, participant.perCategory[c]),
  );
  const termYears = years.length;
  const yearRows: PartnerYearCalculation[] = years.map((year, y) => {
    const directNetByRate = new Array<bigint>(groups.rates.length).fill(0n);
    const soloNetByRate = new Array<bigint>(groups.rates.length).fill(0n);
    const used = new Array<boolean>(groups.rates.length).fill(false);
    const positions: PositionLine[] = [];
    let quantity = 0;
    for (let c = 0; c < categories.length; c++) {
      const q = participant.cells[c * termYears + y];
      if (q === 0) continue;
      const units = BigInt(q);
      const group = groups.groupOfCategory[c];
      const net = units * jointPrices[c].unitPriceNet;
      directNetByRate[group] += net;
      soloNetByRate[group] += units * soloPrices[c].unitPriceNet;
      used[group] = true;
      quantity += q;
      positions.push({
        category: pricing.categoryCodes[c],
        quantity: q,
        unitPriceNet: jointPrices[c].unitPriceNet,
        net,
        vatRate: groups.texts[group],
      });
    }
    const vatByRate = vatLines(directNetByRate, used, groups);
    const soloVatByRate = vatLines(soloNetByRate, used, groups);
    const directNet = sumBy(vatByRate, (l) => l.net);
    const directVat = sumBy(vatByRate, (l) => l.vat);
    return {
      year,
      quantity,
      directNet,
      directVat,
      directGross: directNet + directVat,
      commonCostShare: 0n,
      fundingGross: 0n,
      ownGross: directNet + directVat,
      soloNet: sumBy(soloVatByRate, (l) => l.net),
      soloVat: sumBy(soloVatByRate, (l) => l.vat),
      positions,
      vatByRate,
      soloVatByRate,
    };
  });

  const directNet = sumBy(yearRows, (r) => r.directNet);
  const directVat = sumBy(yearRows, (r) => r.directVat);
  const soloNet = sumBy(yearRows, (r) => r.soloNet);
  const soloVat = sumBy(yearRows, (r) => r.soloVat);
  const soloGross = soloNet + soloVat + pricing.soloProcessCostGross;
  const directGross = directNet + directVat;
  const row: PartnerCalculation = {
    code: participant.partner.code,
    name: participant.partner.name,
    quantity: participant.quantity,
    directNet,
    directVat,
    directGross,
    commonCostShare: 0n,
    totalGross: directGross,
    soloGross,
    savingsGross: soloGross - directGross,
    fundingGross: 0n,
    ownGross: directGross,
    soloNet,
    soloVat,
    soloProcessCostGross: pricing.soloProcessCostGross,
    savings: savingsBreakdown({
      soloDirectGross: soloNet + soloVat,
      directGross,
      procedures: 1,
      soloProcessCostGross: pricing.soloProcessCostGross,
      commonCosts: 0n,
    }),
    years: yearRows,
  };
  return { code: row.code, row, soloPrices };
}

/** VAT rounded once per rate: round(net_r × r), half away from zero. */
function vatLines(
  netByRate: readonly bigint[],
  used: readonly boolean[],
  groups: VatGroups,
): VatLine[] {
  const lines: VatLine[] = [];
  for (let g = 0; g < netByRate.length; g++) {
    if (!used[g]) continue;
    lines.push({
      rate: groups.texts[g],
      net: netByRate[g],
      vat: multiplyRounded(netByRate[g], groups.rates[g]),
    });
  }
  return lines;
}

/** Books the partner's common cost share: the whole share in the start year (§5). */
function bookCommonCostShare(partner: PartnerWork, share: Cents): void {
  const row = partner.row;
  row.commonCostShare = share;
  row.totalGross = row.directGross + share;
  row.savingsGross = row.soloGross - row.totalGross;
  row.ownGross = row.totalGross - row.fundingGross;
  if (row.years.length > 0) {
    const first = row.years[0];
    first.commonCostShare = share;
    first.ownGross = first.directGross + share - first.fundingGross;
  }
  row.savings = savingsBreakdown({
    soloDirectGross: row.soloNet + row.soloVat,
    directGross: row.directGross,
    procedures: 1,
    soloProcessCostGross: row.soloProcessCostGross,
    commonCosts: share,
  });
}

function allocateCommonCosts(
  demand: TenderDemand,
  partners: readonly PartnerWork[],
  participants: readonly Participant[],
  context: PlanContext,
): CommonCostCalculation[] {
  const facts: ParticipantFacts[] = participants.map((p, i) => ({
    code: p.partner.code,
    directNet: partners[i].row.directNet,
    quantity: p.quantity,
    pupils: context.pupils[p.index],
    population: p.partner.population ?? 0,
  }));
  return (demand.tender.commonCosts ?? []).map((cost) => {
    const amountGross = parseMoney(cost.amountGross);
    const { weights, texts, sumText } = costWeights(cost, facts);
    const byCode = new Map<string, bigint>();
    facts.forEach((f, i) => byCode.set(f.code, weights[i]));
    const total = weights.reduce((a, b) => a + b, 0n);
    if (total === 0n) {
      throw new PlanCalculationError(
        `Common cost "${cost.label}" of tender ${demand.tender.code}: the weights of key ${cost.key} sum to 0`,
      );
    }
    const allocation = allocateLargestRemainder(amountGross, byCode);
    return {
      label: cost.label,
      key: cost.key,
      amountGross,
      weightSum: sumText,
      shares: allocation.shares.map((share, i) => ({
        partner: share.code,
        weight: texts[i],
        exactShareNumerator: share.exactNumerator,
        exactShareDenominator: allocation.weightSum,
        exactShare: centsRatioToEuroText(share.exactNumerator, allocation.weightSum, 8),
        floorCents: share.floorCents,
        remainderCents: share.remainderCents,
        cents: share.cents,
      })),
    };
  });
}

/** numerator/denominator cents as euros, cut (towards zero) after `digits` decimals. */
function centsRatioToEuroText(numerator: bigint, denominator: bigint, digits: number): string {
  const units = (numerator * pow10(digits)) / (denominator * 100n);
  const text = units.toString().padStart(digits + 1, "0");
  return `${text.slice(0, text.length - digits)}.${text.slice(text.length - digits)}`;
}

function sumBy<T>(items: readonly T[], pick: (item: T) => bigint): bigint {
  let sum = 0n;
  for (const item of items) sum += pick(item);
  return sum;
}

function sumFigures(
  rows: readonly PartnerCalculation[],
): Figures & { soloNet: Cents; soloVat: Cents } {
  const totals = {
    quantity: 0,
    directNet: 0n,
    directVat: 0n,
    directGross: 0n,
    commonCostShare: 0n,
    totalGross: 0n,
    soloGross: 0n,
    savingsGross: 0n,
    fundingGross: 0n,
    ownGross: 0n,
    soloNet: 0n,
    soloVat: 0n,
  };
  for (const row of rows) {
    totals.quantity += row.quantity;
    totals.directNet += row.directNet;
    totals.directVat += row.directVat;
    totals.directGross += row.directGross;
    totals.commonCostShare += row.commonCostShare;
    totals.totalGross += row.totalGross;
    totals.soloGross += row.soloGross;
    totals.savingsGross += row.savingsGross;
    totals.fundingGross += row.fundingGross;
    totals.ownGross += row.ownGross;
    totals.soloNet += row.soloNet;
    totals.soloVat += row.soloVat;
  }
  return totals;
}
