// Forms for a tender's fields, its lots and its common costs. Each is a conform form
// with its own id; several share one page and one action, told apart by the hidden
// `intent` field. They post as plain HTML forms, so they work without JavaScript;
// with it, conform validates on blur with the same zod schema the server uses.
import {
  getFormProps,
  getInputProps,
  getSelectProps,
  useForm,
  type DefaultValue,
  type SubmissionResult,
} from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { Form } from "@remix-run/react";
import type { ReactNode } from "react";
import type { z } from "zod";
import { COST_KEYS, type CostKey } from "../../domain/plan";
import {
  COST_KEY_LABELS,
  germanErrorMap,
  newCommonCostSchema,
  newLotSchema,
  tenderSchema,
} from "../../domain/tender-form";
import { Button, ErrorSummary } from "~/components/ui";
import { guardedForm } from "~/components/unsaved-changes";

/** What a page action answers when a form is refused: which form, and conform's reply. */
export interface FormReply {
  formId: string;
  result: SubmissionResult<string[]>;
}

export function replyFor(
  formId: string,
  reply: FormReply | undefined,
): SubmissionResult<string[]> | undefined {
  return reply?.formId === formId ? reply.result : undefined;
}

// The browser checks with the schema of a new item (ids are hidden fields, not typed).
function useSchemaForm<Input extends Record<string, unknown>, Output>(
  id: string,
  schema: z.ZodType<Output, Input>,
  defaultValue: DefaultValue<Input>,
  lastResult: SubmissionResult<string[]> | undefined,
) {
  return useForm<Input, Output>({
    id,
    lastResult,
    defaultValue,
    // Checked when submitted; a message stays until the next submit, so the button never
    // moves away under the pointer between mousedown and mouseup (the click would be lost).
    shouldValidate: "onSubmit",
    shouldRevalidate: "onSubmit",
    onValidate: ({ formData }) => parseWithZod(formData, { schema, error: germanErrorMap }),
  });
}

// ---- Small field building blocks -----------------------------------------------------

interface Meta {
  id: string;
  name: string;
  errorId: string;
  descriptionId: string;
  errors?: string[];
}

const INPUT = "block w-full border-2 border-ink px-2 py-1.5";

export function FieldError({ meta }: { meta: Meta }) {
  if (!meta.errors?.length) return null;
  return (
    <p id={meta.errorId} className="mb-1 font-semibold text-danger">
      {meta.errors.join(" ")}
    </p>
  );
}

export function Labelled({
  meta,
  label,
  hint,
  children,
  className = "",
}: {
  meta: Meta;
  label: string;
  hint?: ReactNode;
  children: ReactNode;
  className?: string;
}) {
  return (
    <div
      className={`mb-4 ${meta.errors?.length ? "border-l-4 border-danger pl-2" : ""} ${className}`}
    >
      <label htmlFor={meta.id} className="mb-1 block font-bold">
        {label}
      </label>
      {hint ? (
        <p id={meta.descriptionId} className="mb-1 text-sm text-muted">
          {hint}
        </p>
      ) : null}
      <FieldError meta={meta} />
      {children}
    </div>
  );
}

type InputMeta = Parameters<typeof getInputProps>[0];

export function TextInput({
  meta,
  label,
  hint,
  inputMode,
  className,
  suffix,
  locked,
}: {
  meta: InputMeta & Meta;
  label: string;
  hint?: ReactNode;
  inputMode?: "numeric" | "decimal";
  className?: string;
  suffix?: string;
  /** Why the value cannot change: shown instead of the hint; the field is disabled, its value still posted. */
  locked?: string;
}) {
  const shownHint = locked ?? hint;
  const props = getInputProps(meta, {
    type: "text",
    ariaDescribedBy: shownHint ? meta.descriptionId : undefined,
  });
  return (
    <Labelled meta={meta} label={label} hint={shownHint} className={className}>
      <span className="flex items-center gap-2">
        {locked ? (
          <input type="hidden" name={meta.name} value={String(meta.initialValue ?? "")} />
        ) : null}
        <input
          {...props}
          key={props.key}
          inputMode={inputMode}
          disabled={locked ? true : undefined}
          name={locked ? undefined : props.name}
          className={`${INPUT} ${meta.errors?.length ? "border-danger" : ""} ${locked ? "bg-soft" : ""}`}
        />
        {suffix ? <span aria-hidden="true">{suffix}</span> : null}
      </span>
    </Labelled>
  );
}

function IntentField({ intent }: { intent: string }) {
  return <input type="hidden" name="intent" value={intent} />;
}

// ---- Tender fields -------------------------------------------------------------------

export interface TenderFormDefaults {
  code: string;
  name: string;
  startYear: string;
  termYears: string;
  reservePercent: string;
  soloProcessCostGross: string;
}

export function TenderFieldsForm({
  defaults,
  lastResult,
  submitLabel,
  intent,
  reserveLocked,
}: {
  defaults: TenderFormDefaults;
  lastResult: SubmissionResult<string[]> | undefined;
  submitLabel: string;
  intent?: string;
  /** Why the reserve cannot change (a lot is awarded). */
  reserveLocked?: string;
}) {
  const [form, fields] = useSchemaForm("tender", tenderSchema, { ...defaults }, lastResult);
  return (
    <Form method="post" {...getFormProps(form)} {...guardedForm} className="max-w-2xl">
      {intent ? <IntentField intent={intent} /> : null}
      <ErrorSummary errors={form.errors} id={form.errorId} />
      <div className="grid gap-x-6 sm:grid-cols-2">
        <TextInput
          meta={fields.code}
          label="Kürzel"
          hint="z. B. RV-2031; Buchstaben, Ziffern, - und _"
        />
        <TextInput meta={fields.name} label="Bezeichnung" />
        <TextInput meta={fields.startYear} label="Startjahr" inputMode="numeric" />
        <TextInput
          meta={fields.termYears}
          label="Laufzeit in Jahren"
          hint="1 bis 4 Jahre (§ 21 VgV)"
          inputMode="numeric"
        />
        <TextInput
          meta={fields.reservePercent}
          label="Reserve auf die Höchstmenge"
          hint="in %, z. B. 10"
          inputMode="decimal"
          suffix="%"
          locked={reserveLocked}
        />
        <TextInput
          meta={fields.soloProcessCostGross}
          label="Kosten eines eigenen Vergabeverfahrens (brutto)"
          hint="je Partner, z. B. 7.500,00"
          inputMode="decimal"
          suffix="€"
        />
      </div>
      <Button type="submit">{submitLabel}</Button>
    </Form>
  );
}

// ---- Lots ----------------------------------------------------------------------------

export interface CategoryChoice {
  code: string;
  name: string;
  /** Where else the category is in use in overlapping years: "Los L1", "RV-2027 (2027–2030)". */
  usedElsewhere: string[];
}

export interface LotDefaults {
  id?: number;
  code: string;
  name: string;
  categories: string[];
}

export function LotForm({
  lot,
  choices,
  lastResult,
  locked,
}: {
  lot: LotDefaults;
  choices: CategoryChoice[];
  lastResult: SubmissionResult<string[]> | undefined;
  /** Why code and categories cannot change (the lot is awarded). */
  locked?: string;
}) {
  const isNew = lot.id === undefined;
  const formId = isNew ? "new-lot" : `lot-${lot.id}`;
  const [form, fields] = useSchemaForm(
    formId,
    newLotSchema,
    { code: lot.code, name: lot.name, categories: lot.categories },
    lastResult,
  );
  const initial = fields.categories.initialValue;
  const checked = new Set(
    Array.isArray(initial) ? initial : typeof initial === "string" ? [initial] : [],
  );
  return (
    <Form
      method="post"
      {...getFormProps(form)}
      {...guardedForm}
      className="mb-2"
      aria-label={isNew ? "Neues Los" : `Los ${lot.code}`}
    >
      <IntentField intent={isNew ? "add-lot" : "update-lot"} />
      {isNew ? null : <input type="hidden" name="lotId" value={lot.id} />}
      <ErrorSummary errors={form.errors} id={form.errorId} />
      <div className="grid gap-x-6 sm:grid-cols-[10rem_1fr]">
        <TextInput
          meta={fields.code}
          label="Los-Kürzel"
          locked={locked ? "eingefroren (vergeben)" : undefined}
        />
        <TextInput meta={fields.name} label="Bezeichnung des Loses" />
      </div>
      <fieldset
        className={`mb-4 ${fields.categories.errors?.length ? "border-l-4 border-danger pl-2" : ""}`}
        aria-describedby={fields.categories.errors?.length ? fields.categories.errorId : undefined}
      >
        <legend className="mb-1 font-bold">Produktgruppen</legend>
        {locked ? (
          <p id={`${form.id}-categories-locked`} className="mb-1 text-sm text-muted">
            {locked}
          </p>
        ) : null}
        <FieldError meta={fields.categories} />
        <ul className="grid gap-1 sm:grid-cols-2">
          {choices.map((choice) => {
            const id = `${form.id}-category-${choice.code}`;
            const elsewhere = choice.usedElsewhere.filter(
              (place) => isNew || place !== `Los ${lot.code}`,
            );
            return (
              <li key={choice.code}>
                {locked && checked.has(choice.code) ? (
                  <input type="hidden" name={fields.categories.name} value={choice.code} />
                ) : null}
                <input
                  type="checkbox"
                  id={id}
                  name={locked ? undefined : fields.categories.name}
                  value={choice.code}
                  defaultChecked={checked.has(choice.code)}
                  disabled={locked ? true : undefined}
                  aria-describedby={locked ? `${form.id}-categories-locked` : undefined}
                  className="mr-2 h-5 w-5 align-middle"
                />
                <label htmlFor={id}>
                  {choice.name} ({choice.code})
                  {elsewhere.length ? (
                    <span className="text-sm text-muted"> – bereits in {elsewhere.join(", ")}</span>
                  ) : null}
                </label>
              </li>
            );
          })}
        </ul>
      </fieldset>
      <Button type="submit">{isNew ? "Los hinzufügen" : "Los speichern"}</Button>
    </Form>
  );
}

/** Every message of a reply, form-level and field-level alike (for forms without visible fields). */
function allErrors(result: SubmissionResult<string[]> | undefined): string[] | undefined {
  const messages = Object.values(result?.error ?? {}).flatMap((list) => list ?? []);
  return messages.length ? messages : undefined;
}

/** The reply of an action that wants the deletion confirmed first (no JavaScript: a second step). */
export const CONFIRM_FIRST = "Bitte bestätigen Sie das Löschen.";

/**
 * A one-button form (delete). `confirmLabel` adds a checkbox that must be ticked.
 * `confirmQuestion` asks first: with JavaScript a dialog; without it the server answers
 * with CONFIRM_FIRST and the form shows a second button that confirms.
 */
export function ActionButtonForm({
  intent,
  hidden,
  label,
  confirmLabel,
  confirmQuestion,
  formId,
  lastResult,
}: {
  intent: string;
  hidden: Record<string, string | number>;
  /** Names what is deleted ("Los L2 löschen"): the button's accessible name. */
  label: string;
  confirmLabel?: string;
  confirmQuestion?: string;
  formId: string;
  lastResult?: SubmissionResult<string[]>;
}) {
  const errors = allErrors(lastResult);
  const askedToConfirm = confirmQuestion !== undefined && errors?.includes(CONFIRM_FIRST);
  return (
    <Form
      method="post"
      id={formId}
      className="mb-6"
      onSubmit={(event) => {
        if (!confirmQuestion) return;
        const submitter = (event.nativeEvent as SubmitEvent).submitter;
        if (submitter?.getAttribute("name") === "confirm") return; // the second step
        if (!window.confirm(confirmQuestion)) {
          event.preventDefault();
          return;
        }
        const confirm = event.currentTarget.elements.namedItem("confirm");
        if (confirm instanceof HTMLInputElement) confirm.value = "yes";
      }}
    >
      <IntentField intent={intent} />
      {Object.entries(hidden).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      {confirmQuestion && !askedToConfirm ? <input type="hidden" name="confirm" value="" /> : null}
      {askedToConfirm ? (
        <div role="alert" className="mb-3 border-l-8 border-danger p-3">
          <p className="mb-2 font-semibold">{confirmQuestion}</p>
          <Button type="submit" name="confirm" value="yes" variant="danger">
            {`Ja, ${label}`}
          </Button>
        </div>
      ) : (
        <ErrorSummary errors={errors} />
      )}
      {confirmLabel ? (
        <p className="mb-2">
          <input
            type="checkbox"
            id={`${formId}-confirm`}
            name="confirm"
            value="yes"
            className="mr-2 h-5 w-5 align-middle"
          />
          <label htmlFor={`${formId}-confirm`}>{confirmLabel}</label>
        </p>
      ) : null}
      {askedToConfirm ? null : (
        <Button type="submit" variant="danger">
          {label}
        </Button>
      )}
    </Form>
  );
}

// ---- Common costs ----------------------------------------------------------------------

export interface CostDefaults {
  id?: number;
  label: string;
  amountGross: string;
  key: CostKey | "";
  /** Participant code → weight as typed ("1,5"); every participant has an entry. */
  weights: { partner: string; weight: string }[];
}

export function CostForm({
  cost,
  participants,
  lastResult,
}: {
  cost: CostDefaults;
  participants: { code: string; name: string }[];
  lastResult: SubmissionResult<string[]> | undefined;
}) {
  const isNew = cost.id === undefined;
  const formId = isNew ? "new-cost" : `cost-${cost.id}`;
  const [form, fields] = useSchemaForm(
    formId,
    newCommonCostSchema,
    {
      label: cost.label,
      amountGross: cost.amountGross,
      key: cost.key,
      weights: cost.weights,
    },
    lastResult,
  );
  const weightFields = fields.weights.getFieldList();
  const names = new Map(participants.map((p) => [p.code, p.name]));
  const selectProps = getSelectProps(fields.key);
  return (
    <Form
      method="post"
      {...getFormProps(form)}
      {...guardedForm}
      className="mb-2"
      aria-label={isNew ? "Neuer Kostenposten" : `Kostenposten ${cost.label}`}
    >
      <IntentField intent={isNew ? "add-cost" : "update-cost"} />
      {isNew ? null : <input type="hidden" name="costId" value={cost.id} />}
      <ErrorSummary errors={form.errors} id={form.errorId} />
      <div className="grid gap-x-6 sm:grid-cols-3">
        <TextInput meta={fields.label} label="Bezeichnung" />
        <TextInput
          meta={fields.amountGross}
          label="Betrag (brutto)"
          inputMode="decimal"
          suffix="€"
        />
        <Labelled meta={fields.key} label="Verteilschlüssel">
          <select {...selectProps} key={selectProps.key} className={`${INPUT} bg-white`}>
            <option value="">Bitte wählen</option>
            {COST_KEYS.map((key) => (
              <option key={key} value={key}>
                {COST_KEY_LABELS[key]}
              </option>
            ))}
          </select>
        </Labelled>
      </div>
      <fieldset
        className={`mb-4 ${fields.weights.errors?.length ? "border-l-4 border-danger pl-2" : ""}`}
        aria-describedby={fields.weights.errors?.length ? fields.weights.errorId : undefined}
      >
        <legend className="mb-1 font-bold">Gewichte je teilnehmendem Partner</legend>
        <p className="mb-1 text-sm text-muted">
          Nur beim Schlüssel „individuell“ verwendet. Dezimalzahlen mit Komma; leer heißt 0.
        </p>
        <FieldError meta={fields.weights} />
        {weightFields.length === 0 ? (
          <p className="text-sm">
            Noch keine teilnehmenden Partner (kein Bedarf in den Produktgruppen und Jahren).
          </p>
        ) : (
          <div className="grid gap-x-4 sm:grid-cols-3 lg:grid-cols-4">
            {weightFields.map((entry) => {
              const set = entry.getFieldset();
              const partner = String(set.partner.initialValue ?? "");
              return (
                <div key={entry.key}>
                  <input type="hidden" name={set.partner.name} value={partner} />
                  <TextInput
                    meta={set.weight}
                    label={names.get(partner) ?? partner}
                    inputMode="decimal"
                  />
                </div>
              );
            })}
          </div>
        )}
      </fieldset>
      <Button type="submit">{isNew ? "Kostenposten hinzufügen" : "Kostenposten speichern"}</Button>
    </Form>
  );
}
