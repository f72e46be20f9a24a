// The form for one call-off. Officers record for their own partner (a hidden field);
// the coordinator chooses the partner. Posts as a plain HTML form (works without
// JavaScript); with it, conform checks the fields with the server's zod schema.
import {
  getFormProps,
  getInputProps,
  getSelectProps,
  useForm,
  type SubmissionResult,
} from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { Form } from "@remix-run/react";
import { callOffFormSchema } from "../../domain/call-offs";
import { germanErrorMap } from "../../domain/tender-form";
import { Labelled, TextInput } from "~/components/tender-forms";
import { Button, ErrorSummary } from "~/components/ui";
import { formatInteger } from "~/utils/format";

export const CALL_OFF_FORM_ID = "call-off";

export interface CallOffPartnerOption {
  code: string;
  name: string;
  schools: { code: string; name: string }[];
}

export interface CallOffCategoryOption {
  code: string;
  name: string;
  unit: string | null;
  remaining: number;
}

const SELECT = "block w-full border-2 border-ink bg-white px-2 py-1.5";

export function CallOffForm({
  partners,
  fixedPartner,
  categories,
  today,
  lastResult,
}: {
  partners: CallOffPartnerOption[];
  /** Officers: their own partner; the coordinator chooses (null). */
  fixedPartner: string | null;
  categories: CallOffCategoryOption[];
  today: string;
  lastResult: SubmissionResult<string[]> | undefined;
}) {
  const [form, fields] = useForm({
    id: CALL_OFF_FORM_ID,
    lastResult,
    defaultValue: {
      partner: fixedPartner ?? "",
      category: "",
      school: "",
      date: today,
      quantity: "",
      orderNumber: "",
    },
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) =>
      parseWithZod(formData, { schema: callOffFormSchema, error: germanErrorMap }),
  });
  const schoolGroups = partners.filter((p) => p.schools.length > 0);
  return (
    <Form method="post" {...getFormProps(form)} className="max-w-3xl" aria-label="Abruf erfassen">
      <input type="hidden" name="intent" value="call-off" />
      <ErrorSummary errors={form.errors} id={form.errorId} />
      <div className="grid gap-x-6 sm:grid-cols-2">
        {fixedPartner ? (
          <input type="hidden" name={fields.partner.name} value={fixedPartner} />
        ) : (
          <Labelled meta={fields.partner} label="Schulträger">
            <select {...getSelectProps(fields.partner)} key={fields.partner.key} className={SELECT}>
              <option value="">Bitte wählen</option>
              {partners.map((p) => (
                <option key={p.code} value={p.code}>
                  {p.name}
                </option>
              ))}
            </select>
          </Labelled>
        )}
        <Labelled meta={fields.category} label="Produktgruppe">
          <select {...getSelectProps(fields.category)} key={fields.category.key} className={SELECT}>
            <option value="">Bitte wählen</option>
            {categories.map((c) => (
              <option key={c.code} value={c.code}>
                {c.name} (noch {formatInteger(c.remaining)} {c.unit ?? "Stück"})
              </option>
            ))}
          </select>
        </Labelled>
        <Labelled meta={fields.school} label="Schule (optional)">
          <select {...getSelectProps(fields.school)} key={fields.school.key} className={SELECT}>
            <option value="">ohne Schulzuordnung</option>
            {fixedPartner
              ? schoolGroups.flatMap((p) =>
                  p.schools.map((s) => (
                    <option key={s.code} value={s.code}>
                      {s.name}
                    </option>
                  )),
                )
              : schoolGroups.map((p) => (
                  <optgroup key={p.code} label={p.name}>
                    {p.schools.map((s) => (
                      <option key={s.code} value={s.code}>
                        {s.name}
                      </option>
                    ))}
                  </optgroup>
                ))}
          </select>
        </Labelled>
        <Labelled meta={fields.date} label="Abrufdatum">
          <input
            {...getInputProps(fields.date, { type: "date" })}
            key={fields.date.key}
            className={SELECT}
          />
        </Labelled>
        <TextInput
          meta={fields.quantity}
          label="Menge"
          hint="ganze Stück, mindestens 1"
          inputMode="numeric"
        />
        <TextInput meta={fields.orderNumber} label="Bestellnummer" />
      </div>
      <Button type="submit">Abruf speichern</Button>
    </Form>
  );
}
