// Forms of the award page: the maximum quantity of a category before the award, and
// the award of one lot (supplier, date, awarded net unit price per category).
import { getFormProps, getInputProps, useForm, type SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { Form } from "@remix-run/react";
import { awardFormSchema, maxQuantityOverrideSchema, priceField } from "../../domain/call-offs";
import { germanErrorMap } from "../../domain/tender-form";
import { Labelled, TextInput } from "~/components/tender-forms";
import { Button, ErrorSummary } from "~/components/ui";

export const awardFormId = (lotCode: string) => `award-${lotCode}`;
export const maxQuantityFormId = (categoryCode: string) => `max-${categoryCode}`;

export function MaxQuantityForm({
  category,
  current,
  lastResult,
}: {
  category: { code: string; name: string };
  /** The stored override, or null. */
  current: number | null;
  lastResult: SubmissionResult<string[]> | undefined;
}) {
  const [form, fields] = useForm({
    id: maxQuantityFormId(category.code),
    lastResult,
    defaultValue: { category: category.code, maxQuantity: current === null ? "" : String(current) },
    // Checked when submitted; a message stays until the next submit, so the button never
    // moves away under the pointer between mousedown and mouseup (the click would be lost).
    shouldValidate: "onSubmit",
    shouldRevalidate: "onSubmit",
    onValidate: ({ formData }) =>
      parseWithZod(formData, { schema: maxQuantityOverrideSchema, error: germanErrorMap }),
  });
  return (
    <Form
      method="post"
      {...getFormProps(form)}
      className="flex flex-wrap items-end gap-3"
      aria-label={`Höchstmenge ${category.name}`}
    >
      <input type="hidden" name="intent" value="max-quantity" />
      <input type="hidden" name={fields.category.name} value={category.code} />
      <ErrorSummary errors={form.errors} id={form.errorId} />
      <TextInput
        meta={fields.maxQuantity}
        label={`Höchstmenge ${category.name} festlegen`}
        hint="leer: aus Bedarf und Reserve"
        inputMode="numeric"
        className="mb-0"
      />
      <Button type="submit" variant="secondary" className="mb-4">
        Höchstmenge speichern
      </Button>
    </Form>
  );
}

export function AwardForm({
  lot,
  categories,
  today,
  lastResult,
}: {
  lot: { code: string; name: string };
  categories: { code: string; name: string; estimatedPrice: string }[];
  today: string;
  lastResult: SubmissionResult<string[]> | undefined;
}) {
  const schema = awardFormSchema(categories.map((c) => c.code));
  const [form, fields] = useForm({
    id: awardFormId(lot.code),
    lastResult,
    defaultValue: { lot: lot.code, supplier: "", awardDate: today },
    // Checked when submitted; a message stays until the next submit, so the button never
    // moves away under the pointer between mousedown and mouseup (the click would be lost).
    shouldValidate: "onSubmit",
    shouldRevalidate: "onSubmit",
    onValidate: ({ formData }) => parseWithZod(formData, { schema, error: germanErrorMap }),
  });
  const priceFields = fields as unknown as Record<string, Parameters<typeof TextInput>[0]["meta"]>;
  return (
    <Form
      method="post"
      {...getFormProps(form)}
      className="max-w-3xl"
      aria-label={`Zuschlag Los ${lot.code}`}
    >
      <input type="hidden" name="intent" value="award" />
      <input type="hidden" name={fields.lot.name} value={lot.code} />
      <ErrorSummary errors={form.errors} id={form.errorId} />
      <div className="grid gap-x-6 sm:grid-cols-2">
        <TextInput meta={fields.supplier} label="Auftragnehmer" />
        <Labelled meta={fields.awardDate} label="Zuschlagsdatum">
          <input
            {...getInputProps(fields.awardDate, { type: "date" })}
            key={fields.awardDate.key}
            className="block w-full border-2 border-ink px-2 py-1.5"
          />
        </Labelled>
        {categories.map((c) => (
          <TextInput
            key={c.code}
            meta={priceFields[priceField(c.code)]}
            label={`Zuschlagspreis ${c.name} (netto je Einheit)`}
            hint={`Schätzung aus Grundpreis und Staffel: ${c.estimatedPrice}`}
            inputMode="decimal"
            suffix="€"
          />
        ))}
      </div>
      <p className="mb-4">
        Mit dem Zuschlag werden Preise und Höchstmengen des Loses eingefroren; sie lassen sich
        danach nicht mehr ändern.
      </p>
      <Button type="submit">Zuschlag für Los {lot.code} erfassen</Button>
    </Form>
  );
}
