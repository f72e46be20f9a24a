// The committee summary's model from a plan: validation, the engine, the view model
// and the charts drawn as SVG. Pure CPU work without I/O, so that it can run in the
// compute pool's worker threads (app/utils/compute-pool.server.ts).
import { isDeepStrictEqual } from "node:util";
import { renderSummaryCharts, type SummaryChartsSvg } from "./charts/summary-charts.server";
import { buildSummaryView, type SummaryView } from "./summary-model";
import { calculatePlan } from "../../domain/calculate";
import type { TenderCalculation } from "../../domain/calculation";
import type { Plan } from "../../domain/plan";
import { validatePlan, type PlanProblem } from "../../domain/plan-validation";
import { toResultFile } from "../../domain/serialize";

export type TenderState =
  { ok: true; tender: TenderCalculation } | { ok: false; problems: PlanProblem[] };

/**
 * Everything of the committee summary that follows from the calculation: the view
 * model and the charts drawn as SVG. Computed once per data version (working state)
 * or once ever (a snapshot), so that a view is only a React render of plain data.
 */
export interface SummaryModel {
  tenderName: string;
  /** null when the plan cannot be calculated; `problems` says why. */
  view: SummaryView | null;
  charts: SummaryChartsSvg | null;
  problems: string[];
  /** For snapshots: whether today's engine still gives the stored result. */
  matchesStoredResult: boolean;
}

export function calculateTender(
  plan: Plan,
  tenderCode: string,
): TenderState & { resultMatches?: (stored: unknown) => boolean } {
  const validation = validatePlan(plan);
  if (!validation.ok) return { ok: false, problems: validation.problems };
  const calculation = calculatePlan(validation.plan);
  const tender = calculation.tenders.find((t) => t.code === tenderCode);
  if (!tender)
    return {
      ok: false,
      problems: [{ path: "$", message: `Die Ausschreibung ${tenderCode} fehlt im Plan.` }],
    };
  return {
    ok: true,
    tender,
    resultMatches: (stored) => isDeepStrictEqual(toResultFile(calculation), stored),
  };
}

export function summaryModel(
  tenderCode: string,
  state: TenderState,
  matchesStoredResult: boolean,
): SummaryModel {
  if (!state.ok) {
    return {
      tenderName: tenderCode,
      view: null,
      charts: null,
      problems: state.problems.map((p) => p.message),
      matchesStoredResult,
    };
  }
  const view = buildSummaryView(state.tender);
  return {
    tenderName: view.tender.name,
    view,
    charts: renderSummaryCharts(view),
    problems: [],
    matchesStoredResult,
  };
}

/** The summary of the plan's current working state (the plan holds the tender). */
export function buildSummaryModel(plan: Plan, tenderCode: string): SummaryModel {
  const { resultMatches: _unused, ...state } = calculateTender(plan, tenderCode);
  return summaryModel(tenderCode, state, true);
}
