// The forms for call-offs: a new call-off, and the cancellation (Storno) or correction
// of one. Officers record for their own partner (a hidden field); the coordinator
// chooses the partner. They post as plain HTML forms (work without JavaScript); with it,
// conform checks the fields with the server's zod schema when submitted. Messages stay
// until the next submit, so the button never moves away under the pointer.
// Each rendered form carries a one-time token: the server stores a second post of the
// same form (double click, reload) only once.
import {
  getFormProps,
  getInputProps,
  getSelectProps,
  getTextareaProps,
  useForm,
  type SubmissionResult,
} from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { Form, useNavigation } from "@remix-run/react";
import type { ZodType } from "zod";
import {
  callOffFormSchema,
  cancelCallOffSchema,
  correctCallOffSchema,
  germanDate,
} from "../../domain/call-offs";
import { germanErrorMap } from "../../domain/tender-form";
import { Labelled, TextInput } from "~/components/tender-forms";
import { Button, ErrorSummary } from "~/components/ui";
import { guardedForm } from "~/components/unsaved-changes";
import { formatInteger } from "~/utils/format";

export const CALL_OFF_FORM_ID = "call-off";
export const CORRECTION_FORM_ID = "call-off-correction";

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

/** The call-off being cancelled or corrected. */
export interface CallOffOriginal {
  id: number;
  partnerCode: string;
  partnerName: string;
  categoryCode: string;
  categoryName: string;
  schoolCode: string | null;
  date: string;
  quantity: number;
  unit: string | null;
  orderNumber: string;
}

type CallOffShape = {
  intent: string;
  partner: string;
  category: string;
  school: string;
  date: string;
  quantity: string;
  orderNumber: string;
  token: string;
  confirmOverdraw: string;
  callOffId: string;
  reason: string;
};

const SELECT = "block w-full border-2 border-ink bg-white px-2 py-1.5";

function schemaFor(intent: FormDataEntryValue | null): ZodType<CallOffShape> {
  // The browser only shows the messages; the server keeps the parsed values.
  const schema =
    intent === "cancel"
      ? cancelCallOffSchema
      : intent === "correct" || intent === "correct-confirmed"
        ? correctCallOffSchema
        : callOffFormSchema;
  return schema as unknown as ZodType<CallOffShape>;
}

function useCallOffForm(
  id: string,
  defaultValue: Partial<CallOffShape>,
  lastResult: SubmissionResult<string[]> | undefined,
) {
  return useForm<CallOffShape>({
    id,
    lastResult,
    defaultValue,
    // Checked when submitted; a message stays until the next submit (see above).
    shouldValidate: "onSubmit",
    shouldRevalidate: "onSubmit",
    onValidate: ({ formData }) =>
      parseWithZod(formData, { schema: schemaFor(formData.get("intent")), error: germanErrorMap }),
  });
}

type Fields = ReturnType<typeof useCallOffForm>[1];

function CallOffFields({
  fields,
  partners,
  fixedPartner,
  categories,
}: {
  fields: Fields;
  partners: CallOffPartnerOption[];
  fixedPartner: string | null;
  categories: CallOffCategoryOption[];
}) {
  const schoolGroups = partners.filter((p) => p.schools.length > 0);
  return (
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
  );
}

/** The warning before a call-off beyond the partner's own share (the button to go on follows the form's own). */
function OverdrawWarning({ message }: { message: string }) {
  return (
    <div role="alert" className="mb-6 border-l-8 border-[#ffdd00] bg-[#fff7bf] p-4">
      <h3 className="mb-2 text-xl font-bold">Mehr als der eigene Anteil</h3>
      <p className="mb-3">{message}</p>
      <p>
        Noch ist nichts gespeichert. Menge prüfen und erneut speichern, oder „Trotzdem abrufen“.
      </p>
    </div>
  );
}

/** After the primary button, so Enter in a field never confirms the warning by accident. */
function OverdrawConfirmButton({ name, value }: { name: string; value: string }) {
  return (
    <Button type="submit" name={name} value={value} variant="secondary" className="ml-4">
      Trotzdem abrufen
    </Button>
  );
}

function useSubmitting(formId: string): boolean {
  const navigation = useNavigation();
  return navigation.state === "submitting" && navigation.formData?.get("formId") === formId;
}

export function CallOffForm({
  partners,
  fixedPartner,
  categories,
  defaultDate,
  token,
  lastResult,
  overdraw,
}: {
  partners: CallOffPartnerOption[];
  /** Officers: their own partner; the coordinator chooses (null). */
  fixedPartner: string | null;
  categories: CallOffCategoryOption[];
  /** A valid date of the term (today when inside it). */
  defaultDate: string;
  /** One-time token of this rendering of the form. */
  token: string;
  lastResult: SubmissionResult<string[]> | undefined;
  /** The server's warning that the partner would exceed its own share. */
  overdraw?: string;
}) {
  const [form, fields] = useCallOffForm(
    CALL_OFF_FORM_ID,
    {
      partner: fixedPartner ?? "",
      category: "",
      school: "",
      date: defaultDate,
      quantity: "",
      orderNumber: "",
    },
    lastResult,
  );
  const submitting = useSubmitting(CALL_OFF_FORM_ID);
  return (
    <Form
      method="post"
      {...getFormProps(form)}
      {...guardedForm}
      className="max-w-3xl"
      aria-label="Abruf erfassen"
    >
      <input type="hidden" name="intent" value="call-off" />
      <input type="hidden" name="formId" value={CALL_OFF_FORM_ID} />
      <input type="hidden" name="token" value={token} />
      <ErrorSummary errors={form.errors} id={form.errorId} />
      {overdraw ? <OverdrawWarning message={overdraw} /> : null}
      <CallOffFields
        fields={fields}
        partners={partners}
        fixedPartner={fixedPartner}
        categories={categories}
      />
      {/* Stays clickable: a second click posts the same token and is stored once. */}
      <Button type="submit" aria-disabled={submitting || undefined}>
        Abruf speichern
      </Button>
      {overdraw ? <OverdrawConfirmButton name="confirmOverdraw" value="1" /> : null}
    </Form>
  );
}

/** Cancel one call-off (Storno), or cancel it and record the corrected one, in one step. */
export function CallOffCorrectionForm({
  original,
  partners,
  fixedPartner,
  categories,
  token,
  lastResult,
  overdraw,
}: {
  original: CallOffOriginal;
  partners: CallOffPartnerOption[];
  fixedPartner: string | null;
  categories: CallOffCategoryOption[];
  token: string;
  lastResult: SubmissionResult<string[]> | undefined;
  overdraw?: string;
}) {
  const [form, fields] = useCallOffForm(
    CORRECTION_FORM_ID,
    {
      partner: original.partnerCode,
      category: original.categoryCode,
      school: original.schoolCode ?? "",
      date: original.date,
      quantity: String(original.quantity),
      orderNumber: original.orderNumber,
      reason: "",
    },
    lastResult,
  );
  const label = `Abruf ${original.orderNumber} vom ${germanDate(original.date)}`;
  return (
    <Form
      method="post"
      {...getFormProps(form)}
      {...guardedForm}
      className="max-w-3xl border-2 border-ink p-4"
      aria-label={`${label} stornieren oder korrigieren`}
    >
      <input type="hidden" name="formId" value={CORRECTION_FORM_ID} />
      <input type="hidden" name="token" value={token} />
      <input type="hidden" name="callOffId" value={original.id} />
      <ErrorSummary errors={form.errors} id={form.errorId} />
      <p className="mb-4">
        {label}: {original.partnerName}, {original.categoryName}, {formatInteger(original.quantity)}{" "}
        {original.unit ?? "Stück"}. Die Stornierung bleibt mit Grund in der Liste und im Protokoll;
        die Menge wird wieder verfügbar.
      </p>
      <Labelled meta={fields.reason} label="Grund der Stornierung">
        <textarea
          {...getTextareaProps(fields.reason)}
          key={fields.reason.key}
          rows={2}
          className={SELECT}
        />
      </Labelled>
      <fieldset className="mb-6 border-t-2 border-line pt-4">
        <legend className="text-xl font-bold">Korrigierter Abruf</legend>
        <p className="mb-4">
          Storniert den Abruf und speichert diese Angaben als neuen Abruf – beides zusammen oder gar
          nicht.
        </p>
        {overdraw ? <OverdrawWarning message={overdraw} /> : null}
        <CallOffFields
          fields={fields}
          partners={partners}
          fixedPartner={fixedPartner}
          categories={categories}
        />
        {/* First submit button of the form: Enter in a field corrects, never only cancels. */}
        <Button type="submit" name="intent" value="correct">
          Stornieren und korrigiert speichern
        </Button>
        {overdraw ? <OverdrawConfirmButton name="intent" value="correct-confirmed" /> : null}
      </fieldset>
      <p className="mb-2">Oder nur stornieren, ohne neuen Abruf:</p>
      <Button type="submit" name="intent" value="cancel" variant="danger">
        {`${label} stornieren`}
      </Button>
    </Form>
  );
}
