// The form for one funding programme (Förderprogramm, CALCULATION.md §12): fields,
// eligible categories as checkboxes, optional budgets per partner. Budgets can be
// computed once from a formula (a second submit button of the same form, so the typed
// fields travel along and come back unchanged, with and without JavaScript); the
// computed amounts are then editable before the programme is saved.
import { getFormProps, getInputProps, useForm, type SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { Form } from "@remix-run/react";
import { BUDGET_FORMULAS, BUDGET_FORMULA_LABELS } from "../../domain/funding-budgets";
import { budgetFormulaSchema, fundingProgrammeSchema } from "../../domain/funding-form";
import { germanErrorMap } from "../../domain/tender-form";
import { FieldError, Labelled, TextInput } from "~/components/tender-forms";
import { Button, ErrorSummary } from "~/components/ui";

// A type alias, not an interface: conform needs the implicit index signature.
export type FundingProgrammeDefaults = {
  originalCode?: string;
  code: string;
  name: string;
  rate: string;
  fromYear: string;
  toYear: string;
  maxPerUnit: string;
  categories: string[];
  hasBudgets: "on" | "";
  budgets: { partner: string; amount: string }[];
  formula: string;
  formulaAmount: string;
};

export interface Choice {
  code: string;
  name: string;
}

function parseProgramme(formData: FormData) {
  return parseWithZod(formData, { schema: fundingProgrammeSchema, error: germanErrorMap });
}

export const COMPUTE_INTENT = "compute-budgets";

export function FundingProgrammeForm({
  programme,
  categories,
  partners,
  lastResult,
}: {
  programme: FundingProgrammeDefaults;
  categories: Choice[];
  partners: Choice[];
  lastResult: SubmissionResult<string[]> | undefined;
}) {
  const isNew = programme.originalCode === undefined;
  const [form, fields] = useForm({
    id: "programme",
    lastResult,
    defaultValue: programme,
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
    // "Budgets berechnen" checks only the formula fields; saving checks the programme.
    onValidate: ({ formData }) =>
      formData.get("intent") === COMPUTE_INTENT
        ? (parseWithZod(formData, {
            schema: budgetFormulaSchema,
            error: germanErrorMap,
          }) as unknown as ReturnType<typeof parseProgramme>)
        : parseProgramme(formData),
  });
  const budgetRows = fields.budgets.getFieldList();
  const checked = new Set(
    (Array.isArray(fields.categories.initialValue)
      ? fields.categories.initialValue
      : [fields.categories.initialValue]
    ).filter((v): v is string => typeof v === "string"),
  );
  const hasBudgetsProps = getInputProps(fields.hasBudgets, { type: "checkbox", value: "on" });
  const formulaMeta = fields.formula;
  return (
    <Form
      method="post"
      {...getFormProps(form)}
      aria-label={isNew ? "Neues Förderprogramm" : `Förderprogramm ${programme.originalCode}`}
      className="max-w-3xl"
    >
      {/* Enter in a field saves: the first submit button in the form is the default one. */}
      <button
        type="submit"
        name="intent"
        value="save"
        className="sr-only"
        tabIndex={-1}
        aria-hidden="true"
      >
        Speichern
      </button>
      {isNew ? null : <input type="hidden" name="originalCode" value={programme.originalCode} />}
      <ErrorSummary errors={form.errors} id={form.errorId} />
      <div className="grid gap-x-6 sm:grid-cols-[10rem_1fr]">
        <TextInput meta={fields.code} label="Kürzel" hint="z. B. DP2" />
        <TextInput meta={fields.name} label="Bezeichnung" />
      </div>
      <div className="grid gap-x-6 sm:grid-cols-2">
        <TextInput
          meta={fields.rate}
          label="Fördersatz"
          hint="in Prozent (90 oder 90 %) oder als Anteil (0,9)"
          inputMode="decimal"
        />
        <TextInput
          meta={fields.maxPerUnit}
          label="Höchstbetrag je Gerät (brutto, optional)"
          hint="z. B. 500,00; leer = ohne Deckel"
          inputMode="decimal"
          suffix="€"
        />
        <TextInput meta={fields.fromYear} label="Förderfähig ab Jahr" inputMode="numeric" />
        <TextInput meta={fields.toYear} label="Förderfähig bis Jahr" inputMode="numeric" />
      </div>
      <fieldset
        className={`mb-4 ${fields.categories.errors?.length ? "border-l-4 border-danger pl-2" : ""}`}
        aria-describedby={fields.categories.errors?.length ? fields.categories.errorId : undefined}
      >
        <legend className="mb-1 font-bold">Förderfähige Produktgruppen</legend>
        <p className="mb-2 text-sm text-muted">
          Eine Produktgruppe kann je Jahr nur in einem Programm gefördert werden. Gemeinkosten
          werden nie gefördert.
        </p>
        <FieldError meta={fields.categories} />
        <ul className="grid gap-1 sm:grid-cols-2">
          {categories.map((c) => (
            <li key={c.code}>
              <input
                type="checkbox"
                id={`${fields.categories.id}-${c.code}`}
                name={fields.categories.name}
                value={c.code}
                defaultChecked={checked.has(c.code)}
                className="mr-2 h-5 w-5 align-middle"
              />
              <label htmlFor={`${fields.categories.id}-${c.code}`}>
                {c.name} ({c.code})
              </label>
            </li>
          ))}
        </ul>
      </fieldset>
      <fieldset className="mb-4 border-2 border-line p-3">
        <legend className="px-1 font-bold">Budgets je Partner</legend>
        <p className="mb-2">
          <input
            {...hasBudgetsProps}
            key={hasBudgetsProps.key}
            className="mr-2 h-5 w-5 align-middle"
          />
          <label htmlFor={fields.hasBudgets.id}>
            Das Programm hat Budgets je Partner (ohne Häkchen: Förderung ohne Obergrenze)
          </label>
        </p>
        <p className="mb-3 text-sm text-muted">
          Mit Budgets erhält ein Partner ohne Betrag nichts aus diesem Programm.
        </p>
        <FieldError meta={fields.budgets} />
        <div className="grid gap-x-6 sm:grid-cols-2">
          {budgetRows.map((row, index) => {
            const entry = row.getFieldset();
            const partner = partners[index];
            return (
              <div key={row.key} data-budget={partner?.code}>
                <input type="hidden" name={entry.partner.name} value={partner?.code ?? ""} />
                <TextInput
                  meta={entry.amount}
                  label={`Budget ${partner?.name ?? ""} (${partner?.code ?? ""})`}
                  inputMode="decimal"
                  suffix="€"
                />
              </div>
            );
          })}
        </div>
        <div className="mt-2 border-t-2 border-line pt-3">
          <h3 className="mb-2 text-lg font-bold">Budgets einmalig berechnen</h3>
          <p className="mb-2 text-sm text-muted">
            Füllt die Beträge oben aus einer Formel; sie bleiben danach änderbar und werden erst mit
            „Speichern“ übernommen. Beträge je Kopf werden kaufmännisch auf Cent gerundet.
          </p>
          <div className="grid gap-x-6 sm:grid-cols-2">
            <Labelled meta={formulaMeta} label="Berechnungsart">
              <select
                id={formulaMeta.id}
                name={formulaMeta.name}
                defaultValue={programme.formula}
                aria-invalid={formulaMeta.errors?.length ? true : undefined}
                aria-describedby={formulaMeta.errors?.length ? formulaMeta.errorId : undefined}
                className="block w-full border-2 border-ink bg-white px-2 py-1.5"
              >
                {BUDGET_FORMULAS.map((f) => (
                  <option key={f} value={f}>
                    {BUDGET_FORMULA_LABELS[f]}
                  </option>
                ))}
              </select>
            </Labelled>
            <TextInput
              meta={fields.formulaAmount}
              label="Betrag für die Formel"
              hint="je Kopf (bis 4 Nachkommastellen), je Partner oder gesamt"
              inputMode="decimal"
              suffix="€"
            />
          </div>
          <Button type="submit" name="intent" value={COMPUTE_INTENT} variant="secondary">
            Budgets berechnen
          </Button>
        </div>
      </fieldset>
      <Button type="submit" name="intent" value="save">
        {isNew ? "Förderprogramm anlegen" : "Förderprogramm speichern"}
      </Button>
    </Form>
  );
}
