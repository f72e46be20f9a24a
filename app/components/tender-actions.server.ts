// The common shape of the tender and category actions: parse one form with its zod
// schema, run the save, and turn refusals into conform replies for that form.
import { parseWithZod } from "@conform-to/zod/v4";
import { json } from "@remix-run/node";
import type { z } from "zod";
import { refusalAsFormErrors, type TenderInput } from "../../db/tenders";
import { germanErrorMap, type TenderFormValues } from "../../domain/tender-form";
import type { FormReply } from "~/components/tender-forms";

export async function handleForm<S extends z.ZodType>(
  formId: string,
  schema: S,
  formData: FormData,
  save: (value: z.output<S>) => Promise<Response>,
): Promise<Response> {
  const submission = parseWithZod(formData, { schema, error: germanErrorMap });
  if (submission.status !== "success") {
    // No status: a list intent (add/remove a row) sent without JavaScript, not an error.
    const status = submission.status === "error" ? 400 : 200;
    return json<FormReply>({ formId, result: submission.reply() }, { status });
  }
  try {
    return await save(submission.value as z.output<S>);
  } catch (error) {
    const refusal = refusalAsFormErrors(error);
    if (!refusal) throw error;
    return json<FormReply>({ formId, result: submission.reply(refusal) }, { status: 400 });
  }
}

/** The tender form's values as db/tenders takes them (create and update alike). */
export function tenderInput(values: TenderFormValues): TenderInput {
  return {
    code: values.code,
    name: values.name,
    startYear: values.startYear,
    termYears: values.termYears,
    reserve: values.reservePercent,
    soloProcessCostGrossCents: values.soloProcessCostGross,
  };
}

/** A form-level refusal without a schema (e.g. a missing confirmation). */
export function refuseForm(formId: string, message: string): Response {
  return json<FormReply>(
    { formId, result: { status: "error", error: { "": [message] } } },
    { status: 400 },
  );
}
