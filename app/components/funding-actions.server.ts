// The action shared by /funding/new and /funding/:code: save the programme, or
// compute budgets from a formula and answer with the form's values plus the amounts.
import { parseWithZod } from "@conform-to/zod/v4";
import { json, redirect } from "@remix-run/node";
import { createFundingProgramme, listBudgetBases, updateFundingProgramme } from "../../db/funding";
import type { Database } from "../../db/database";
import { computeBudgets } from "../../domain/funding-budgets";
import {
  budgetFormulaSchema,
  budgetsFromForm,
  fundingProgrammeSchema,
} from "../../domain/funding-form";
import { centsToGermanInput } from "../../domain/german-input";
import { germanErrorMap } from "../../domain/tender-form";
import { handleForm } from "~/components/tender-actions.server";
import type { FormReply } from "~/components/tender-forms";
import { COMPUTE_INTENT, type FundingProgrammeDefaults } from "~/components/funding-form";

export const PROGRAMME_FORM_ID = "programme";

/** What the compute step answers: the form's values with the computed budgets. */
export interface ComputedBudgets {
  computed: FundingProgrammeDefaults;
}

function text(formData: FormData, name: string): string {
  const value = formData.get(name);
  return typeof value === "string" ? value : "";
}

async function computeStep(db: Database, formData: FormData): Promise<Response> {
  const submission = parseWithZod(formData, { schema: budgetFormulaSchema, error: germanErrorMap });
  if (submission.status !== "success") {
    return json<FormReply>(
      { formId: PROGRAMME_FORM_ID, result: submission.reply() },
      { status: 400 },
    );
  }
  const bases = await listBudgetBases(db);
  const budgets = computeBudgets(submission.value.formula, submission.value.formulaAmount, bases);
  const originalCode = formData.get("originalCode");
  const computed: FundingProgrammeDefaults = {
    ...(typeof originalCode === "string" ? { originalCode } : {}),
    code: text(formData, "code"),
    name: text(formData, "name"),
    rate: text(formData, "rate"),
    fromYear: text(formData, "fromYear"),
    toYear: text(formData, "toYear"),
    maxPerUnit: text(formData, "maxPerUnit"),
    categories: formData.getAll("categories").filter((v): v is string => typeof v === "string"),
    hasBudgets: "on",
    budgets: bases.map((b) => ({
      partner: b.code,
      amount: centsToGermanInput(budgets.get(b.code) ?? 0n),
    })),
    formula: submission.value.formula,
    formulaAmount: text(formData, "formulaAmount"),
  };
  return json<ComputedBudgets>({ computed });
}

export async function programmeAction(
  db: Database,
  formData: FormData,
  userId: number,
  originalCode: string | null,
): Promise<Response> {
  if (formData.get("intent") === COMPUTE_INTENT) return computeStep(db, formData);
  return handleForm(PROGRAMME_FORM_ID, fundingProgrammeSchema, formData, async (v) => {
    const input = {
      code: v.code,
      name: v.name,
      rate: v.rate,
      fromYear: v.fromYear,
      toYear: v.toYear,
      maxPerUnitCents: v.maxPerUnit,
      categories: v.categories,
      budgets: budgetsFromForm(v),
    };
    if (originalCode === null) await createFundingProgramme(db, input, userId);
    else await updateFundingProgramme(db, originalCode, input, userId);
    return redirect(
      `/funding?notice=${originalCode === null ? "created" : "saved"}#programme-${v.code}`,
    );
  });
}
