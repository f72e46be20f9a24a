// The support comparison with parameters that are not (yet) stored in the plan: the
// preview of /support with the defaults for a new consortium. Pure, so that it runs in
// the compute pool (app/utils/compute-pool.server.ts). It mirrors the tail of
// db/support.ts calculateCurrentSupport; tests/perf-support-pool.test.ts checks that
// both give the same figures.
import type { SupportCalculation } from "../../domain/calculation";
import { PLAN_FORMAT_V2, type Plan, type PlanSupport } from "../../domain/plan";
import { calculateSupport, SupportCalculationError } from "../../domain/support";

export interface SupportPreviewInput {
  /** The stored (valid) plan. */
  plan: Plan;
  /** The parameters as a plan's support section (db/support.ts toPlanSupport). */
  support: PlanSupport;
}

export type SupportOutcome =
  { ok: true; calculation: SupportCalculation } | { ok: false; problems: string[] };

export function supportPreview({ plan: stored, support }: SupportPreviewInput): SupportOutcome {
  const plan = { ...stored, format: PLAN_FORMAT_V2, support };
  const pupils = plan.partners.map(() => 0n);
  const index = new Map(plan.partners.map((p, i) => [p.code, i]));
  for (const school of plan.schools ?? []) {
    const i = index.get(school.partner);
    if (i !== undefined) pupils[i] += BigInt(school.pupils ?? 0);
  }
  try {
    return { ok: true, calculation: calculateSupport(plan, pupils)! };
  } catch (error) {
    if (error instanceof SupportCalculationError)
      return {
        ok: false,
        problems: ["Der Verteilschlüssel ergibt für ein Jahr mit Geräten die Summe 0."],
      };
    throw error;
  }
}
