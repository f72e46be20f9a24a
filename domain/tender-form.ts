// Form schemas for editing tenders, lots, common costs and categories, with the
// German messages users see at the field. Pure zod: the routes parse with
// conform's `parseWithZod` (from "@conform-to/zod/v4") on server and client alike.
// Money leaves these schemas as bigint cents, rates as plan decimal strings.
import Decimal from "decimal.js";
import { z } from "zod";
import { COST_KEYS, type CostKey } from "./plan";
import {
  parseGermanDecimal,
  parseGermanMoney,
  parseGermanPercent,
  parseGermanWholeNumber,
  type ParseOutcome,
  type WholeNumberOptions,
} from "./german-input";

/** German labels of the allocation keys (CALCULATION.md §5). */
export const COST_KEY_LABELS: Record<CostKey, string> = {
  volume: "Volumen",
  quantity: "Stückzahl",
  pupils: "Schülerzahl",
  population: "Einwohner",
  equal: "gleich",
  custom: "individuell",
};

/** German fallback for any zod issue without its own message (passed to parseWithZod). */
export const germanErrorMap: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case "invalid_type":
      return issue.input === undefined ? "Pflichtfeld." : "Ungültige Eingabe.";
    case "too_small":
      return "Wert zu klein.";
    case "too_big":
      return "Wert zu groß.";
    case "invalid_value":
      return "Bitte einen der angebotenen Werte wählen.";
    default:
      return "Ungültige Eingabe.";
  }
};

const CODE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

export function codeField(example: string) {
  return z
    .string({ error: "Bitte ein Kürzel eingeben." })
    .trim()
    .min(1, { error: "Bitte ein Kürzel eingeben." })
    .max(20, { error: "Höchstens 20 Zeichen." })
    .regex(CODE_PATTERN, { error: `Nur Buchstaben, Ziffern, „-“ und „_“, z. B. ${example}.` });
}

export function nameField(message: string, max = 200) {
  return z
    .string({ error: message })
    .trim()
    .min(1, { error: message })
    .max(max, { error: `Höchstens ${max} Zeichen.` });
}

/** Turns a parser outcome into a zod transform result (issue at this field on failure). */
export function fromOutcome<T>(outcome: ParseOutcome<T>, ctx: z.RefinementCtx<unknown>): T {
  if (outcome.ok) return outcome.value;
  ctx.addIssue({ code: "custom", message: outcome.message });
  return z.NEVER;
}

/** "7.500,00" → 750000n. */
export function moneyField(requiredMessage = "Bitte einen Betrag eingeben.") {
  return z
    .string({ error: requiredMessage })
    .transform((text, ctx) => fromOutcome(parseGermanMoney(text), ctx));
}

/**
 * A quantity field: "1.000" → 1000 (German thousands dots), "1,5" or "1.00" refused.
 * A string schema, so conform hands the text over instead of coercing it with Number().
 */
export function wholeNumberField(
  message: string,
  options: Omit<WholeNumberOptions, "message"> = {},
) {
  return z
    .string({ error: message })
    .transform((text, ctx) =>
      fromOutcome(parseGermanWholeNumber(text, { ...options, message }), ctx),
    );
}

/** "6,5" → "0.065"; a discount or VAT rate stays below 100 %, a reserve may reach it. */
export function percentField(
  options: { maxInclusive: boolean },
  requiredMessage = "Bitte einen Prozentwert eingeben.",
) {
  return z
    .string({ error: requiredMessage })
    .transform((text, ctx) => fromOutcome(parseGermanPercent(text, { max: 100, ...options }), ctx));
}

export function wholeNumber(message: string) {
  return z.number({ error: message }).int({ error: message });
}

/** Support units per device (CALCULATION.md §11): "0,5" → "0.5"; ≥ 0, two decimals at most. */
export const MAX_SUPPORT_UNITS = 1000;
function supportUnitsField() {
  return z
    .string({ error: "Bitte die Support-Einheiten je Gerät eingeben (z. B. 1 oder 0,5)." })
    .transform((text, ctx) => {
      const parsed = parseGermanDecimal(text, { maxDecimals: 2 });
      if (!parsed.ok) {
        ctx.addIssue({
          code: "custom",
          message:
            parsed.message === "Bitte eine Zahl eingeben."
              ? "Bitte die Support-Einheiten je Gerät eingeben (z. B. 1 oder 0,5)."
              : parsed.message,
        });
        return z.NEVER;
      }
      if (new Decimal(parsed.value).greaterThan(MAX_SUPPORT_UNITS)) {
        ctx.addIssue({ code: "custom", message: "Höchstens 1.000 Einheiten je Gerät." });
        return z.NEVER;
      }
      return new Decimal(parsed.value).toFixed();
    });
}

// ---- Tender ---------------------------------------------------------------------

export const tenderSchema = z.object({
  code: codeField("RV-2031"),
  name: nameField("Bitte einen Namen eingeben."),
  startYear: wholeNumber("Bitte ein Jahr wie 2031 eingeben.")
    .min(2000, { error: "Das Startjahr liegt zwischen 2000 und 2100." })
    .max(2100, { error: "Das Startjahr liegt zwischen 2000 und 2100." }),
  termYears: wholeNumber("Bitte eine Laufzeit in Jahren eingeben.")
    .min(1, { error: "Die Laufzeit beträgt 1 bis 4 Jahre (§ 21 VgV)." })
    .max(4, { error: "Die Laufzeit beträgt 1 bis 4 Jahre (§ 21 VgV)." }),
  reservePercent: percentField(
    { maxInclusive: true },
    "Bitte eine Reserve in % eingeben (0 für keine).",
  ),
  soloProcessCostGross: moneyField(
    "Bitte die Kosten eines eigenen Verfahrens eingeben (0 für keine).",
  ),
});
export type TenderFormValues = z.output<typeof tenderSchema>;

// ---- Lots -----------------------------------------------------------------------

const lotFields = {
  code: codeField("L1"),
  name: nameField("Bitte einen Namen für das Los eingeben."),
  categories: z.array(z.string()).default([]),
};

export const newLotSchema = z.object(lotFields);
export const lotSchema = z.object({ lotId: z.number().int(), ...lotFields });
export const lotIdSchema = z.object({ lotId: z.number().int() });

// ---- Common costs -----------------------------------------------------------------

const weightEntry = z.object({
  partner: z.string(),
  // Empty means "no weight" (the participant weighs 0, CALCULATION.md §5).
  weight: z
    .string()
    .optional()
    .transform((text, ctx) =>
      text === undefined ? undefined : fromOutcome(parseGermanDecimal(text), ctx),
    ),
});

const commonCostFields = {
  label: nameField("Bitte eine Bezeichnung eingeben."),
  amountGross: moneyField(),
  key: z.enum(COST_KEYS, { error: "Bitte einen Verteilschlüssel wählen." }),
  weights: z.array(weightEntry).default([]),
};

function checkCustomWeights(
  value: { key: CostKey; weights: { partner: string; weight?: string }[] },
  ctx: z.RefinementCtx<unknown>,
): void {
  if (value?.key !== "custom" || !Array.isArray(value.weights)) return;
  const weights = value.weights.map((entry) => entry?.weight);
  // A weight that did not parse has its own message; the sum is only meaningful without those.
  if (weights.some((weight) => weight !== undefined && typeof weight !== "string")) return;
  const sum = weights.reduce((total: Decimal, weight) => total.plus(weight ?? "0"), new Decimal(0));
  if (sum.isZero()) {
    ctx.addIssue({
      code: "custom",
      path: ["weights"],
      message:
        "Beim Schlüssel „individuell“ braucht mindestens ein Partner ein Gewicht größer als 0 (die Summe ist 0).",
    });
  }
}

/** Cross-field checks run even when another field failed, so all messages show at once. */
const ALWAYS = { when: () => true };

export const newCommonCostSchema = z
  .object(commonCostFields)
  .superRefine(checkCustomWeights, ALWAYS);
export const commonCostSchema = z
  .object({ costId: z.number().int(), ...commonCostFields })
  .superRefine(checkCustomWeights, ALWAYS);
export const commonCostIdSchema = z.object({ costId: z.number().int() });
export type CommonCostFormValues = z.output<typeof newCommonCostSchema>;

/** Only custom keys keep weights; empty inputs are dropped (a missing participant weighs 0). */
export function customWeights(values: CommonCostFormValues): Record<string, string> | undefined {
  if (values.key !== "custom") return undefined;
  const weights: Record<string, string> = {};
  for (const entry of values.weights)
    if (entry.weight !== undefined) weights[entry.partner] = entry.weight;
  return weights;
}

// ---- Categories -------------------------------------------------------------------

const tierEntry = z.object({
  minQuantity: wholeNumberField("Bitte eine ganze Mindestmenge eingeben.", {
    min: 1,
    belowMin: "Die Mindestmenge ist mindestens 1.",
  }),
  discountPercent: percentField({ maxInclusive: false }, "Bitte einen Rabatt in % eingeben."),
});

export const categorySchema = z
  .object({
    originalCode: z.string().optional(),
    code: codeField("NB-SUS"),
    name: nameField("Bitte einen Namen eingeben."),
    unit: z.string().trim().max(30, { error: "Höchstens 30 Zeichen." }).optional(),
    basePriceNet: moneyField("Bitte einen Grundpreis (netto) eingeben."),
    vatPercent: percentField(
      { maxInclusive: false },
      "Bitte einen Umsatzsteuersatz in % eingeben.",
    ),
    tiers: z.array(tierEntry).default([]),
    serviceLifeYears: wholeNumber("Bitte die Nutzungsdauer in ganzen Jahren eingeben (1 bis 15).")
      .min(1, { error: "Die Nutzungsdauer beträgt 1 bis 15 Jahre." })
      .max(15, { error: "Die Nutzungsdauer beträgt 1 bis 15 Jahre." }),
    supportUnits: supportUnitsField(),
  })
  .superRefine((value, ctx) => {
    const seen = new Set<number>();
    (Array.isArray(value?.tiers) ? value.tiers : []).forEach((tier, index) => {
      if (typeof tier?.minQuantity !== "number") return; // has its own message
      if (seen.has(tier.minQuantity)) {
        ctx.addIssue({
          code: "custom",
          path: ["tiers", index, "minQuantity"],
          message: `Die Mindestmenge ${tier.minQuantity} kommt doppelt vor.`,
        });
      }
      seen.add(tier.minQuantity);
    });
  }, ALWAYS);
export type CategoryFormValues = z.output<typeof categorySchema>;

export const categoryCodeSchema = z.object({ code: z.string() });
