// The `plan calc` path as one pure function from plan text to result text, shared by
// the command line and the benchmark so both measure and run the same code.

import { calculatePlan } from "./calculate";
import { parsePlanText, type PlanProblem } from "./plan-validation";
import { resultToJson, toResultFile } from "./serialize";

export type CalculationText = { ok: true; json: string } | { ok: false; problems: PlanProblem[] };

/** Plan JSON text → result@1 JSON text (2-space indent), or every problem of the plan. */
export function calculatePlanText(text: string): CalculationText {
  const validation = parsePlanText(text);
  if (!validation.ok) return validation;
  return { ok: true, json: resultToJson(toResultFile(calculatePlan(validation.plan))) };
}
