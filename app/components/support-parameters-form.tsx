// The coordinator's form for the pooled-support parameters (CALCULATION.md §13): a
// conform form that posts as a plain HTML form (works without JavaScript) and checks
// on blur with the same zod schema as the server.
import {
  getFormProps,
  getSelectProps,
  getTextareaProps,
  useForm,
  type SubmissionResult,
} from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { Form } from "@remix-run/react";
import { SUPPORT_KEYS } from "../../domain/plan";
import { SUPPORT_KEY_LABELS, supportParametersSchema } from "../../domain/support-form";
import { germanErrorMap } from "../../domain/tender-form";
import { Labelled, TextInput } from "~/components/tender-forms";
import { Button, ErrorSummary } from "~/components/ui";

// A type alias, not an interface: conform needs the implicit index signature.
export type SupportParametersDefaults = {
  fromYear: string;
  toYear: string;
  devicesPerFte: string;
  fteStep: string;
  minFtePerPartner: string;
  poolOverheadFte: string;
  costPerFte: string;
  key: string;
  note: string;
};

export const SUPPORT_FORM_ID = "support-parameters";

export function SupportParametersForm({
  defaults,
  lastResult,
  preview,
}: {
  defaults: SupportParametersDefaults;
  lastResult: SubmissionResult<string[]> | undefined;
  preview: boolean;
}) {
  const [form, fields] = useForm({
    id: SUPPORT_FORM_ID,
    lastResult,
    defaultValue: defaults,
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) =>
      parseWithZod(formData, { schema: supportParametersSchema, error: germanErrorMap }),
  });
  const selectProps = getSelectProps(fields.key);
  const noteProps = getTextareaProps(fields.note);
  return (
    <Form method="post" {...getFormProps(form)} aria-label="Annahmen für den IT-Support">
      <input type="hidden" name="intent" value="save" />
      <ErrorSummary errors={form.errors} id={form.errorId} />
      <div className="grid gap-x-6 sm:grid-cols-2 lg:grid-cols-3">
        <TextInput meta={fields.fromYear} label="Erstes Jahr" inputMode="numeric" />
        <TextInput meta={fields.toYear} label="Letztes Jahr" inputMode="numeric" />
        <TextInput
          meta={fields.devicesPerFte}
          label="Geräte je Support-Stelle"
          hint="Support-Einheiten, die eine volle Stelle betreut"
          inputMode="decimal"
        />
        <TextInput
          meta={fields.fteStep}
          label="Stellen in Schritten von"
          hint="z. B. 0,25 (Viertelstellen)"
          inputMode="decimal"
        />
        <TextInput
          meta={fields.minFtePerPartner}
          label="Mindestausstattung je Schulträger"
          hint="Stellen, auch bei wenigen Geräten (z. B. 0,5)"
          inputMode="decimal"
        />
        <TextInput
          meta={fields.poolOverheadFte}
          label="Mehraufwand des Verbunds"
          hint="zusätzliche Stellen für Leitung und Abstimmung (z. B. 1)"
          inputMode="decimal"
        />
        <TextInput
          meta={fields.costPerFte}
          label="Kosten je Stelle und Jahr (brutto)"
          hint="Arbeitgeberkosten, z. B. 72.000,00"
          inputMode="decimal"
          suffix="€"
        />
        <Labelled
          meta={fields.key}
          label="Verteilung der gemeinsamen Kosten"
          hint="nach dem Anteil an …"
        >
          <select
            {...selectProps}
            key={selectProps.key}
            className="block w-full border-2 border-ink bg-white px-2 py-1.5"
          >
            {SUPPORT_KEYS.map((key) => (
              <option key={key} value={key}>
                {SUPPORT_KEY_LABELS[key]}
              </option>
            ))}
          </select>
        </Labelled>
      </div>
      <Labelled
        meta={fields.note}
        label="Herkunft der Zahlen"
        hint="Wird allen auf dieser Seite angezeigt, z. B. Quelle der Stellenkosten und des Betreuungsschlüssels."
      >
        <textarea
          {...noteProps}
          key={noteProps.key}
          rows={4}
          className="block w-full border-2 border-ink px-2 py-1.5"
        />
      </Labelled>
      <Button type="submit">{preview ? "Annahmen festlegen" : "Annahmen speichern"}</Button>
    </Form>
  );
}
