// Routes demand lines to tenders (CALCULATION.md §2) in one pass over the demand:
// a line belongs to tender T when its category is in one of T's lots and its year
// lies in T's term. Quantities are summed per partner into a dense
// category × year array, so the rest of the engine never touches single lines.

import type { Plan, PlanTender } from "./plan";

export interface TenderDemand {
  tender: PlanTender;
  /** The tender's categories in lot order, then the order each lot lists them. */
  categoryCodes: string[];
  /** Lot code of each entry in categoryCodes. */
  lotCodes: string[];
  termYears: number;
  /**
   * Partner index (plan order) → quantities at [categoryIndex * termYears + yearOffset].
   * Plain float arithmetic is exact here: validation keeps the plan's total
   * quantity at or below Number.MAX_SAFE_INTEGER.
   */
  quantities: Map<number, Float64Array>;
}

interface Route {
  demand: TenderDemand;
  categoryIndex: number;
  startYear: number;
  endYear: number;
}

/**
 * `skipUnknownPartners` lets plan validation collect figures from a plan that still
 * has broken references; the engine itself insists on a valid plan.
 */
export function collectTenderDemand(
  plan: Plan,
  partnerIndex: ReadonlyMap<string, number>,
  skipUnknownPartners = false,
): TenderDemand[] {
  const demands: TenderDemand[] = [];
  const routes = new Map<string, Route[]>();
  for (const tender of plan.tenders ?? []) {
    const demand: TenderDemand = {
      tender,
      categoryCodes: [],
      lotCodes: [],
      termYears: tender.termYears,
      quantities: new Map(),
    };
    for (const lot of tender.lots) {
      for (const category of lot.categories) {
        const route: Route = {
          demand,
          categoryIndex: demand.categoryCodes.length,
          startYear: tender.startYear,
          endYear: tender.startYear + tender.termYears - 1,
        };
        demand.categoryCodes.push(category);
        demand.lotCodes.push(lot.code);
        const list = routes.get(category);
        if (list) list.push(route);
        else routes.set(category, [route]);
      }
    }
    demands.push(demand);
  }

  for (const line of plan.demand ?? []) {
    if (line.quantity === 0) continue;
    const candidates = routes.get(line.category);
    if (candidates === undefined) continue;
    for (const route of candidates) {
      if (line.year < route.startYear || line.year > route.endYear) continue;
      const partner = partnerIndex.get(line.partner);
      if (partner === undefined) {
        if (skipUnknownPartners) break;
        throw new Error(`Unknown partner ${line.partner} (validate the plan first)`);
      }
      const { demand } = route;
      let cells = demand.quantities.get(partner);
      if (cells === undefined) {
        cells = new Float64Array(demand.categoryCodes.length * demand.termYears);
        demand.quantities.set(partner, cells);
      }
      cells[route.categoryIndex * demand.termYears + (line.year - route.startYear)] +=
        line.quantity;
      break; // a (category, year) pair belongs to one tender only
    }
  }
  return demands;
}
