// Form schemas for funding programmes (/funding, CALCULATION.md §12), with German
// messages at the field. Money leaves as bigint cents, the rate as a plan decimal.
import Decimal from "decimal.js";
import { z } from "zod";
import { BUDGET_FORMULAS } from "./funding-budgets";
import { parseGermanDecimal, parseGermanMoney, type ParseOutcome } from "./german-input";
import { codeField, fromOutcome, nameField, wholeNumber } from "./tender-form";

/**
 * The funding rate as typed: "90", "90 %" and "87,5 %" are percent; a number up to 1
 * without "%" ("0,9", "1") is the fraction itself. → plan decimal, 0 < rate <= 1.
 */
export function parseFundingRate(text: string): ParseOutcome<string> {
  const percentSign = /%\s*$/.test(text.trim());
  const parsed = parseGermanDecimal(text, { maxDecimals: 6 });
  if (!parsed.ok) {
    return parsed.message === "Bitte eine Zahl eingeben."
      ? { ok: false, message: "Bitte einen Fördersatz eingeben, z. B. 90 %." }
      : parsed;
  }
  let value = new Decimal(parsed.value);
  if (percentSign || value.greaterThan(1)) value = value.dividedBy(100);
  if (value.isZero()) return { ok: false, message: "Der Fördersatz muss größer als 0 % sein." };
  if (value.greaterThan(1)) return { ok: false, message: "Höchstens 100 % eingeben." };
  if (value.decimalPlaces() > 6)
    return { ok: false, message: "Höchstens vier Nachkommastellen in Prozent." };
  return { ok: true, value: value.toFixed() };
}

function yearField(label: string) {
  const message = `${label} liegt zwischen 2000 und 2100.`;
  return wholeNumber(`Bitte ein Jahr wie 2027 eingeben.`)
    .min(2000, { error: message })
    .max(2100, { error: message });
}

const optionalMoney = z
  .string()
  .optional()
  .transform((text, ctx) =>
    text === undefined || text.trim() === "" ? null : fromOutcome(parseGermanMoney(text), ctx),
  );

const budgetEntry = z.object({
  partner: z.string(),
  // Empty: the partner is not listed and receives nothing from this programme (§12).
  amount: optionalMoney,
});

const ALWAYS = { when: () => true };

export const fundingProgrammeSchema = z
  .object({
    originalCode: z.string().optional(),
    code: codeField("DP2"),
    name: nameField("Bitte einen Namen eingeben."),
    rate: z
      .string({ error: "Bitte einen Fördersatz eingeben, z. B. 90 %." })
      .transform((text, ctx) => fromOutcome(parseFundingRate(text), ctx)),
    fromYear: yearField("Das erste förderfähige Jahr"),
    toYear: yearField("Das letzte förderfähige Jahr"),
    categories: z
      .array(z.string(), { error: "Bitte mindestens eine Produktgruppe wählen." })
      .min(1, { error: "Bitte mindestens eine Produktgruppe wählen." }),
    maxPerUnit: optionalMoney,
    hasBudgets: z.literal("on").optional(),
    budgets: z.array(budgetEntry).default([]),
    // The budget formula's fields travel with the form; saving ignores them.
    formula: z.string().optional(),
    formulaAmount: z.string().optional(),
  })
  .superRefine((value, ctx) => {
    if (typeof value?.fromYear === "number" && typeof value?.toYear === "number") {
      if (value.fromYear > value.toYear) {
        ctx.addIssue({
          code: "custom",
          path: ["toYear"],
          message: "Das letzte Jahr darf nicht vor dem ersten liegen.",
        });
      }
    }
  }, ALWAYS);
export type FundingProgrammeFormValues = z.output<typeof fundingProgrammeSchema>;

/** Budgets as db/funding takes them: null without budgets, typed amounts only. */
export function budgetsFromForm(
  values: FundingProgrammeFormValues,
): { partner: string; amountCents: bigint }[] | null {
  if (!values.hasBudgets) return null;
  return values.budgets.flatMap((b) =>
    b.amount === null ? [] : [{ partner: b.partner, amountCents: b.amount }],
  );
}

/** The formula the budgets are computed from once (then shown editable). */
export const budgetFormulaSchema = z
  .object({
    formula: z.enum(BUDGET_FORMULAS, { error: "Bitte eine Berechnungsart wählen." }),
    formulaAmount: z
      .string({ error: "Bitte einen Betrag eingeben." })
      .transform((text, ctx) => fromOutcome(parseGermanDecimal(text, { maxDecimals: 4 }), ctx)),
  })
  .superRefine((value, ctx) => {
    const whole = value?.formula === "fixed" || value?.formula === "totalByPupils";
    const amount = value?.formulaAmount;
    if (whole && typeof amount === "string" && new Decimal(amount).decimalPlaces() > 2) {
      ctx.addIssue({
        code: "custom",
        path: ["formulaAmount"],
        message: "Höchstens zwei Nachkommastellen (Cent) eingeben.",
      });
    }
  }, ALWAYS);

export const fundingCodeSchema = z.object({ code: z.string() });
