// The pooled-support parameters (CALCULATION.md §13): one row (id 1) or none. No row
// means the plan has no support section; /support then shows a preview with the
// defaults for a new consortium. Saving is one transaction with an audit entry and
// a whole-plan validation before commit (changePlan), like every plan edit.
import type { Kysely } from "kysely";
import type { SupportCalculation } from "../domain/calculation";
import { formatMoney } from "../domain/money";
import { PLAN_FORMAT_V2, type PlanSupport } from "../domain/plan";
import { formatProblem } from "../domain/plan-validation";
import { calculateSupport, SupportCalculationError } from "../domain/support";
import { defaultSupportParameters } from "../domain/support-form";
import { writeAudit } from "./audit";
import { storedCents } from "./cents";
import type { DB, SupportKey } from "./schema";
import { calculateCurrentPlan, changePlan } from "./tenders";

export interface SupportParametersRecord {
  fromYear: number;
  toYear: number;
  /** Plan decimals ("400", "0.25"). */
  devicesPerFte: string;
  fteStep: string;
  minFtePerPartner: string;
  poolOverheadFte: string;
  costPerFteCents: bigint;
  key: SupportKey;
  note: string;
}

export interface StoredSupportParameters extends SupportParametersRecord {
  updatedAt: string;
  updatedBy: string | null;
}

export async function getSupportParameters(
  db: Kysely<DB>,
): Promise<StoredSupportParameters | null> {
  const row = await db
    .selectFrom("support_parameters as s")
    .leftJoin("users as u", "u.id", "s.updated_by")
    .selectAll("s")
    .select("u.name as updatedByName")
    .where("s.id", "=", 1)
    .executeTakeFirst();
  if (!row) return null;
  return {
    fromYear: row.from_year,
    toYear: row.to_year,
    devicesPerFte: row.devices_per_fte,
    fteStep: row.fte_step,
    minFtePerPartner: row.min_fte_per_partner,
    poolOverheadFte: row.pool_overhead_fte,
    costPerFteCents: BigInt(row.cost_per_fte_cents),
    key: row.key,
    note: row.note ?? "",
    updatedAt: row.updated_at,
    updatedBy: row.updatedByName,
  };
}

const auditable = (p: SupportParametersRecord) => ({
  ...p,
  costPerFteCents: p.costPerFteCents.toString(),
});

/** Sets the parameters (inserts the row on first save); throws PlanWouldBeInvalid. */
export function saveSupportParameters(
  db: Kysely<DB>,
  input: SupportParametersRecord,
  userId: number | null,
  now = new Date(),
): Promise<void> {
  return changePlan(db, async (trx) => {
    const old = await getSupportParameters(trx);
    const row = {
      from_year: input.fromYear,
      to_year: input.toYear,
      devices_per_fte: input.devicesPerFte,
      fte_step: input.fteStep,
      min_fte_per_partner: input.minFtePerPartner,
      pool_overhead_fte: input.poolOverheadFte,
      cost_per_fte_cents: storedCents(input.costPerFteCents),
      key: input.key,
      note: input.note === "" ? null : input.note,
      updated_at: now.toISOString(),
      updated_by: userId,
    };
    await trx
      .insertInto("support_parameters")
      .values({ id: 1, ...row })
      .onConflict((oc) => oc.column("id").doUpdateSet(row))
      .execute();
    const {
      updatedAt: _at,
      updatedBy: _by,
      ...oldValue
    } = old ?? {
      updatedAt: null,
      updatedBy: null,
    };
    await writeAudit(trx, {
      userId,
      action: old ? "update" : "create",
      entity: "support_parameters",
      entityKey: "1",
      oldValue: old ? auditable(oldValue as SupportParametersRecord) : null,
      newValue: auditable(input),
      at: now,
    });
  });
}

/** Removes the support section from the plan (the comparison goes back to a preview). */
export function deleteSupportParameters(db: Kysely<DB>, userId: number | null): Promise<void> {
  return changePlan(db, async (trx) => {
    const old = await getSupportParameters(trx);
    if (!old) return;
    await trx.deleteFrom("support_parameters").where("id", "=", 1).execute();
    const { updatedAt: _at, updatedBy: _by, ...oldValue } = old;
    await writeAudit(trx, {
      userId,
      action: "delete",
      entity: "support_parameters",
      entityKey: "1",
      oldValue: auditable(oldValue),
    });
  });
}

export function toPlanSupport(p: SupportParametersRecord): PlanSupport {
  return {
    fromYear: p.fromYear,
    toYear: p.toYear,
    devicesPerFte: p.devicesPerFte,
    fteStep: p.fteStep,
    minFtePerPartner: p.minFtePerPartner,
    poolOverheadFte: p.poolOverheadFte,
    costPerFteGross: formatMoney(p.costPerFteCents),
    key: p.key,
  };
}

export type CurrentSupport = {
  stored: StoredSupportParameters | null;
  /** The stored parameters, or the defaults for a new consortium (a preview). */
  parameters: SupportParametersRecord;
  preview: boolean;
} & ({ ok: true; calculation: SupportCalculation } | { ok: false; problems: string[] });

/**
 * The support comparison of the stored plan (CALCULATION.md §13). Without stored
 * parameters it is a preview with the defaults for a new consortium, computed by the
 * same engine function on the plan with those parameters as its support section.
 */
export async function calculateCurrentSupport(
  db: Kysely<DB>,
  now = new Date(),
): Promise<CurrentSupport> {
  const stored = await getSupportParameters(db);
  const parameters = stored ?? defaultSupportParameters(now);
  const base = { stored, parameters, preview: stored === null };
  const current = await calculateCurrentPlan(db);
  if (!current.ok)
    return { ...base, ok: false, problems: current.problems.map((p) => formatProblem(p)) };
  if (stored && current.calculation.support)
    return { ...base, ok: true, calculation: current.calculation.support };
  const plan = { ...current.plan, format: PLAN_FORMAT_V2, support: toPlanSupport(parameters) };
  const pupils = plan.partners.map(() => 0n);
  const index = new Map(plan.partners.map((p, i) => [p.code, i]));
  for (const school of plan.schools ?? []) {
    const i = index.get(school.partner);
    if (i !== undefined) pupils[i] += BigInt(school.pupils ?? 0);
  }
  try {
    return { ...base, ok: true, calculation: calculateSupport(plan, pupils)! };
  } catch (error) {
    if (error instanceof SupportCalculationError)
      return {
        ...base,
        ok: false,
        problems: ["Der Verteilschlüssel ergibt für ein Jahr mit Geräten die Summe 0."],
      };
    throw error;
  }
}
