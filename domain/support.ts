// Installed base and pooled IT support (Schul-IT-Support), CALCULATION.md §13: a pure
// function from the plan's demand and inventory lines to the staff each partner would
// need alone and the staff of one pooled unit, year by year.
//
// Exact: units have at most two decimals, so they are kept as whole hundredths
// (bigint); FTE figures are whole hundredths too (fteStep has at most two decimals).

import type { Plan, PlanSupport, SupportKey } from "./plan";
import { DEFAULT_SERVICE_LIFE_YEARS, DEFAULT_SUPPORT, DEFAULT_SUPPORT_UNITS } from "./plan";
import type { SupportCalculation, SupportPartnerYear, SupportYear } from "./calculation";
import { decimalToString, parseDecimal, pow10, unitsAtScale } from "./decimal";
import { divCeil, formatMoney, parseMoney, roundHalfAwayFromZero, type Cents } from "./money";
import { allocateLargestRemainder, compareCodes } from "./allocate";

export class SupportCalculationError extends Error {
  override name = "SupportCalculationError";
}

/** Hundredths of a decimal with at most two decimals: "0.25" → 25n. */
export function hundredths(text: string): bigint {
  return unitsAtScale(parseDecimal(text), 2);
}

/** Hundredths as text with exactly two decimals: 2550n → "25.50". */
export function formatHundredths(value: bigint): string {
  return formatMoney(value);
}

export interface ResolvedSupport {
  fromYear: number;
  toYear: number;
  devicesPerFte: { units: bigint; scale: number };
  /** Hundredths. */
  fteStep: bigint;
  minFtePerPartner: bigint;
  poolOverheadFte: bigint;
  costPerFteGross: Cents;
  key: SupportKey;
  texts: {
    devicesPerFte: string;
    fteStep: string;
    minFtePerPartner: string;
    poolOverheadFte: string;
  };
}

export function resolveSupport(support: PlanSupport): ResolvedSupport {
  const fteStep = support.fteStep ?? DEFAULT_SUPPORT.fteStep;
  const minFte = support.minFtePerPartner ?? DEFAULT_SUPPORT.minFtePerPartner;
  const overhead = support.poolOverheadFte ?? DEFAULT_SUPPORT.poolOverheadFte;
  const devices = parseDecimal(support.devicesPerFte);
  return {
    fromYear: support.fromYear,
    toYear: support.toYear,
    devicesPerFte: devices,
    fteStep: hundredths(fteStep),
    minFtePerPartner: hundredths(minFte),
    poolOverheadFte: hundredths(overhead),
    costPerFteGross: parseMoney(support.costPerFteGross),
    key: support.key ?? DEFAULT_SUPPORT.key,
    texts: {
      devicesPerFte: decimalToString(devices),
      fteStep: decimalToString(parseDecimal(fteStep)),
      minFtePerPartner: decimalToString(parseDecimal(minFte)),
      poolOverheadFte: decimalToString(parseDecimal(overhead)),
    },
  };
}

/**
 * ceilStep(units / devicesPerFte) in hundredths of an FTE, for units in hundredths:
 * x = U/100 / (d/10^s); ceil(x / (S/100)) × S/100 → ceil(U × 10^s / (d × S)) × S.
 */
export function stepFte(units: bigint, support: ResolvedSupport): bigint {
  const { devicesPerFte, fteStep } = support;
  return divCeil(units * pow10(devicesPerFte.scale), devicesPerFte.units * fteStep) * fteStep;
}

/** Solo staff of one partner (hundredths): 0 without units, else at least the minimum. */
export function soloFte(units: bigint, support: ResolvedSupport): bigint {
  if (units === 0n) return 0n;
  const fte = stepFte(units, support);
  return fte > support.minFtePerPartner ? fte : support.minFtePerPartner;
}

/** Pooled staff (hundredths) for the sum of all units: 0 without units. */
export function pooledFte(totalUnits: bigint, support: ResolvedSupport): bigint {
  if (totalUnits === 0n) return 0n;
  const fte = stepFte(totalUnits, support);
  return (
    (fte > support.minFtePerPartner ? fte : support.minFtePerPartner) + support.poolOverheadFte
  );
}

/** round(fte × costPerFteGross) for fte in hundredths. */
export function fteCost(fte: bigint, support: ResolvedSupport): Cents {
  return roundHalfAwayFromZero(fte * support.costPerFteGross, 100n);
}

/** First and last purchase year a line can have (the schema's range). */
const FIRST_YEAR = 2000;
const YEAR_SLOTS = 101;

/**
 * units[p][y] in hundredths for every partner (plan order) and every year of the
 * support range: Σ quantity × supportUnits over the devices in use in y.
 */
export function installedUnits(plan: Plan, fromYear: number, toYear: number): bigint[][] {
  const partnerIndex = new Map<string, number>();
  plan.partners.forEach((p, i) => partnerIndex.set(p.code, i));
  const categoryIndex = new Map<string, number>();
  plan.categories.forEach((c, i) => categoryIndex.set(c.code, i));
  const categoryCount = plan.categories.length;
  // Quantities per (partner, category) and purchase year; plain numbers stay exact:
  // validation keeps the sums of quantities at or below Number.MAX_SAFE_INTEGER.
  const bought = new Map<number, Float64Array>();
  const add = (lines: Plan["demand"]) => {
    for (const line of lines ?? []) {
      if (line.quantity === 0) continue;
      const p = partnerIndex.get(line.partner);
      const c = categoryIndex.get(line.category);
      if (p === undefined || c === undefined)
        throw new SupportCalculationError(
          `Unknown partner or category in ${line.partner}/${line.category}`,
        );
      const key = p * categoryCount + c;
      let years = bought.get(key);
      if (years === undefined) {
        years = new Float64Array(YEAR_SLOTS);
        bought.set(key, years);
      }
      years[line.year - FIRST_YEAR] += line.quantity;
    }
  };
  add(plan.demand);
  add(plan.inventory);

  const yearCount = toYear - fromYear + 1;
  const units = plan.partners.map(() => new Array<bigint>(yearCount).fill(0n));
  const supportUnits = plan.categories.map((c) =>
    hundredths(c.supportUnits ?? DEFAULT_SUPPORT_UNITS),
  );
  const lifetimes = plan.categories.map((c) => c.serviceLifeYears ?? DEFAULT_SERVICE_LIFE_YEARS);
  for (const [key, years] of bought) {
    const p = Math.floor(key / categoryCount);
    const c = key - p * categoryCount;
    const perUnit = supportUnits[c];
    if (perUnit === 0n) continue;
    const life = lifetimes[c];
    // prefix[k] = purchases in the slots before k; devices of year y: slots y − life + 1 .. y.
    const prefix = new Float64Array(YEAR_SLOTS + 1);
    for (let slot = 0; slot < YEAR_SLOTS; slot++) prefix[slot + 1] = prefix[slot] + years[slot];
    for (let y = 0; y < yearCount; y++) {
      const last = Math.min(fromYear - FIRST_YEAR + y, YEAR_SLOTS - 1);
      const first = Math.max(fromYear - FIRST_YEAR + y - life + 1, 0);
      if (first > last) continue;
      const inUse = prefix[last + 1] - prefix[first];
      if (inUse > 0) units[p][y] += BigInt(inUse) * perUnit;
    }
  }
  return units;
}

export function calculateSupport(plan: Plan, pupils: readonly bigint[]): SupportCalculation | null {
  if (plan.support === undefined) return null;
  const support = resolveSupport(plan.support);
  const units = installedUnits(plan, support.fromYear, support.toYear);
  const order = plan.partners
    .map((partner, index) => ({ partner, index }))
    .sort((a, b) => compareCodes(a.partner.code, b.partner.code));

  const years: SupportYear[] = [];
  const totals = { soloCostGross: 0n, pooledCostGross: 0n, savingsGross: 0n };
  for (let y = 0; y <= support.toYear - support.fromYear; y++) {
    const year = support.fromYear + y;
    const active = order.filter(({ index }) => units[index][y] > 0n);
    const totalUnits = active.reduce((sum, { index }) => sum + units[index][y], 0n);
    const pooled = pooledFte(totalUnits, support);
    const pooledCost = fteCost(pooled, support);
    const shares = new Map<string, Cents>();
    if (active.length > 0) {
      const weights = new Map<string, bigint>();
      for (const { partner, index } of active)
        weights.set(
          partner.code,
          weightOf(support.key, units[index][y], pupils[index], partner.population ?? 0),
        );
      let sum = 0n;
      for (const w of weights.values()) sum += w;
      if (sum === 0n)
        throw new SupportCalculationError(
          `Support ${year}: the weights of key ${support.key} sum to 0`,
        );
      for (const share of allocateLargestRemainder(pooledCost, weights).shares)
        shares.set(share.code, share.cents);
    }
    let soloFteSum = 0n;
    const partners: SupportPartnerYear[] = active.map(({ partner, index }) => {
      const fte = soloFte(units[index][y], support);
      soloFteSum += fte;
      const soloCost = fteCost(fte, support);
      const share = shares.get(partner.code) ?? 0n;
      return {
        code: partner.code,
        name: partner.name,
        units: formatHundredths(units[index][y]),
        soloFte: formatHundredths(fte),
        soloCostGross: soloCost,
        pooledShareGross: share,
        savingsGross: soloCost - share,
      };
    });
    const soloCost = partners.reduce((sum, p) => sum + p.soloCostGross, 0n);
    const savings = partners.reduce((sum, p) => sum + p.savingsGross, 0n);
    years.push({
      year,
      units: formatHundredths(totalUnits),
      soloFte: formatHundredths(soloFteSum),
      soloCostGross: soloCost,
      pooledFte: formatHundredths(pooled),
      pooledCostGross: pooledCost,
      savingsGross: savings,
      partners,
    });
    totals.soloCostGross += soloCost;
    totals.pooledCostGross += pooledCost;
    totals.savingsGross += savings;
  }
  return {
    parameters: {
      fromYear: support.fromYear,
      toYear: support.toYear,
      devicesPerFte: support.texts.devicesPerFte,
      fteStep: support.texts.fteStep,
      minFtePerPartner: support.texts.minFtePerPartner,
      poolOverheadFte: support.texts.poolOverheadFte,
      costPerFteGross: support.costPerFteGross,
      key: support.key,
    },
    years,
    totals,
  };
}

function weightOf(key: SupportKey, units: bigint, pupils: bigint, population: number): bigint {
  switch (key) {
    case "units":
      return units;
    case "pupils":
      return pupils;
    case "population":
      return BigInt(population);
    case "equal":
      return 1n;
  }
}
