// The form for one category (Produktgruppe) with its volume tiers. Rows are added and
// removed with conform's list intents: with JavaScript in the browser, without it by
// a round trip to the action, which answers with the changed list.
import { getFormProps, useForm, type SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { Form } from "@remix-run/react";
import { categorySchema, germanErrorMap } from "../../domain/tender-form";
import { FieldError, TextInput } from "~/components/tender-forms";
import { Button, ErrorSummary } from "~/components/ui";
import { guardedForm } from "~/components/unsaved-changes";

// A type alias, not an interface: conform needs the implicit index signature.
export type CategoryDefaults = {
  originalCode?: string;
  code: string;
  name: string;
  unit: string;
  basePriceNet: string;
  vatPercent: string;
  tiers: { minQuantity: string; discountPercent: string }[];
  serviceLifeYears: string;
  supportUnits: string;
};

export function CategoryForm({
  category,
  lastResult,
  priceLocked,
}: {
  category: CategoryDefaults;
  lastResult: SubmissionResult<string[]> | undefined;
  /** Why price and tiers cannot change (the category is in an awarded lot). */
  priceLocked?: string;
}) {
  const isNew = category.originalCode === undefined;
  const formId = isNew ? "new-category" : `category-${category.originalCode}`;
  const [form, fields] = useForm({
    id: formId,
    lastResult,
    defaultValue: category,
    // Checked when submitted; messages stay until the next submit, so buttons never move
    // away under the pointer.
    shouldValidate: "onSubmit",
    shouldRevalidate: "onSubmit",
    onValidate: ({ formData }) =>
      parseWithZod(formData, { schema: categorySchema, error: germanErrorMap }),
  });
  const tiers = fields.tiers.getFieldList();
  return (
    <Form
      method="post"
      {...getFormProps(form)}
      {...guardedForm}
      aria-label={isNew ? "Neue Produktgruppe" : `Produktgruppe ${category.code}`}
    >
      <input type="hidden" name="intent" value={isNew ? "add-category" : "update-category"} />
      {isNew ? null : <input type="hidden" name="originalCode" value={category.originalCode} />}
      <ErrorSummary errors={form.errors} id={form.errorId} />
      <div className="grid gap-x-6 sm:grid-cols-[10rem_1fr_8rem]">
        <TextInput meta={fields.code} label="Kürzel" />
        <TextInput meta={fields.name} label="Bezeichnung" />
        <TextInput meta={fields.unit} label="Einheit" hint="z. B. Stück" />
        <TextInput
          meta={fields.basePriceNet}
          label="Grundpreis (netto)"
          inputMode="decimal"
          suffix="€"
          locked={priceLocked}
        />
        <TextInput
          meta={fields.vatPercent}
          label="Umsatzsteuersatz"
          inputMode="decimal"
          suffix="%"
        />
        <TextInput
          meta={fields.serviceLifeYears}
          label="Nutzungsdauer"
          inputMode="numeric"
          suffix="Jahre"
          hint="1 bis 15; danach ist Ersatz fällig"
        />
        <TextInput
          meta={fields.supportUnits}
          label="Support-Einheiten je Gerät"
          inputMode="decimal"
          hint="z. B. 1 für ein Notebook, 0,5 für ein Display"
        />
      </div>
      <fieldset
        className="mb-4"
        aria-describedby={fields.tiers.errors?.length ? fields.tiers.errorId : undefined}
      >
        <legend className="mb-1 font-bold">Mengenstaffeln</legend>
        <p className="mb-2 text-sm text-muted">
          Ab der Mindestmenge gilt der Rabatt für alle Einheiten. Jede Mindestmenge nur einmal.
        </p>
        <FieldError meta={fields.tiers} />
        {tiers.length === 0 ? <p className="mb-2">Keine Staffeln.</p> : null}
        {tiers.map((tier, index) => {
          const row = tier.getFieldset();
          return (
            <div key={tier.key} className="flex flex-wrap items-end gap-x-4" data-tier-row={index}>
              <TextInput
                meta={row.minQuantity}
                label={`Staffel ${index + 1}: ab Menge`}
                inputMode="numeric"
                locked={priceLocked ? "eingefroren (vergeben)" : undefined}
              />
              <TextInput
                meta={row.discountPercent}
                label="Rabatt"
                inputMode="decimal"
                suffix="%"
                locked={priceLocked ? "eingefroren (vergeben)" : undefined}
              />
              {priceLocked ? null : (
                <Button
                  variant="secondary"
                  className="mb-4"
                  {...form.remove.getButtonProps({ name: fields.tiers.name, index })}
                >
                  Staffel {index + 1} entfernen
                </Button>
              )}
            </div>
          );
        })}
        {priceLocked ? null : (
          <Button
            variant="secondary"
            {...form.insert.getButtonProps({
              name: fields.tiers.name,
              defaultValue: { minQuantity: "", discountPercent: "" },
            })}
          >
            Staffel hinzufügen
          </Button>
        )}
      </fieldset>
      <Button type="submit">{isNew ? "Produktgruppe anlegen" : "Produktgruppe speichern"}</Button>
    </Form>
  );
}
