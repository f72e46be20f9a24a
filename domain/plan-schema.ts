// Strict zod 4 schema of the plan file `verbundkauf/plan@1` (CALCULATION.md §7) and
// `verbundkauf/plan@2` (§11–§13). One schema accepts both formats; the plan@2 fields
// in a plan@1 document are reported as unknown fields by plan-validation.ts
// (planV2FieldIssues), so a plan@1 file is checked exactly as before.
// Unknown fields are errors; decimals are strings checked by pattern, never floats.
// Messages are German: they reach coordinators through the UI and the command line.
// Cross-references and rules between items live in plan-validation.ts.

import { z } from "zod";
import {
  COST_KEYS,
  PLAN_FORMAT,
  PLAN_FORMAT_V2,
  SCHOOL_TYPES,
  SUPPORT_KEYS,
  type PlanDemandLine,
} from "./plan";

const DECIMAL = /^\d+(?:\.\d+)?$/;
const MONEY = /^\d+(?:\.\d{1,2})?$/;
/** Decimals 0 <= x < 1: only zeros before the point. */
const BELOW_ONE = /^0+(?:\.\d+)?$/;
/** Decimals 0 <= x <= 1. */
const ZERO_TO_ONE = /^(?:0+(?:\.\d+)?|0*1(?:\.0+)?)$/;

/** A type error message that says "missing" when the field is absent. */
function typeError(expected: string) {
  return (issue: { input?: unknown }) =>
    issue.input === undefined ? "Pflichtfeld fehlt." : expected;
}

const TEXT_EXPECTED = typeError("Erwartet: Text.");

export const codeSchema = z.string({ error: TEXT_EXPECTED }).regex(/\S/, "Darf nicht leer sein.");
export const nameSchema = z.string({ error: TEXT_EXPECTED }).regex(/\S/, "Darf nicht leer sein.");

export const decimalSchema = z
  .string({ error: "Erwartet: Dezimalzahl als Text, z. B. „0.19“." })
  .regex(
    DECIMAL,
    "Erwartet: Dezimalzahl als Text aus Ziffern mit optionalem Punkt, z. B. „0.19“ oder „60“.",
  );

export const moneySchema = z
  .string({ error: "Erwartet: Betrag als Text, z. B. „520.00“." })
  .regex(MONEY, "Erwartet: Betrag >= 0 mit höchstens zwei Nachkommastellen, z. B. „520.00“.");

/** Discounts and VAT rates: 0 <= x < 1. */
export const fractionBelowOneSchema = decimalSchema.regex(
  BELOW_ONE,
  "Muss mindestens 0 und kleiner als 1 sein.",
);

/** Reserve and quota: 0 <= x <= 1. */
export const fractionUpToOneSchema = decimalSchema.regex(
  ZERO_TO_ONE,
  "Muss zwischen 0 und 1 liegen.",
);

/** Decimals >= 0 with at most two decimals (support units, FTE figures). */
const TWO_DECIMALS = /^\d+(?:\.\d{1,2})?$/;
/** Decimals that are not zero. */
const NOT_ZERO = /[1-9]/;

/** Rates of funding programmes: 0 < x <= 1. */
export const positiveFractionUpToOneSchema = fractionUpToOneSchema.regex(
  NOT_ZERO,
  "Muss größer als 0 und höchstens 1 sein.",
);

/** Decimal >= 0 with at most two decimals ("0.5", "10"). */
export const twoDecimalsSchema = decimalSchema.regex(
  TWO_DECIMALS,
  "Erwartet: Dezimalzahl >= 0 mit höchstens zwei Nachkommastellen, z. B. „0.25“.",
);

const WHOLE = typeError("Erwartet: ganze Zahl.");
export const countSchema = z.int({ error: WHOLE }).min(0, "Darf nicht negativ sein.");
export const yearSchema = z
  .int({ error: WHOLE })
  .min(2000, "Das Jahr muss zwischen 2000 und 2100 liegen.")
  .max(2100, "Das Jahr muss zwischen 2000 und 2100 liegen.");

export const settingsSchema = z.strictObject({
  euThresholdNet: moneySchema.optional(),
  smallLotLimitNet: moneySchema.optional(),
  smallLotQuota: fractionUpToOneSchema.optional(),
});

export const partnerSchema = z.strictObject({
  code: codeSchema,
  name: nameSchema,
  population: countSchema.optional(),
});

export const schoolSchema = z.strictObject({
  code: codeSchema,
  partner: codeSchema,
  name: nameSchema,
  type: z
    .enum(SCHOOL_TYPES, { error: typeError(`Erlaubte Schularten: ${SCHOOL_TYPES.join(", ")}.`) })
    .optional(),
  pupils: countSchema.optional(),
});

export const tierSchema = z.strictObject({
  minQuantity: z.int({ error: WHOLE }).min(1, "Die Mindestmenge muss mindestens 1 sein."),
  discount: fractionBelowOneSchema,
});

export const tiersSchema = z
  .array(tierSchema, { error: typeError("Erwartet: Liste von Staffeln.") })
  .superRefine((tiers, ctx) => {
    const seen = new Set<number>();
    tiers.forEach((tier, i) => {
      if (seen.has(tier.minQuantity)) {
        ctx.addIssue({
          code: "custom",
          path: [i, "minQuantity"],
          message: `Die Mindestmenge ${tier.minQuantity} kommt in dieser Produktgruppe mehrfach vor.`,
        });
      }
      seen.add(tier.minQuantity);
    });
  });

export const categorySchema = z.strictObject({
  code: codeSchema,
  name: nameSchema,
  unit: z.string({ error: TEXT_EXPECTED }).optional(),
  basePriceNet: moneySchema,
  vatRate: fractionBelowOneSchema.optional(),
  tiers: tiersSchema.optional(),
  // plan@2 (§11, §13)
  serviceLifeYears: z
    .int({ error: WHOLE })
    .min(1, "Die Nutzungsdauer beträgt 1 bis 15 Jahre.")
    .max(15, "Die Nutzungsdauer beträgt 1 bis 15 Jahre.")
    .optional(),
  supportUnits: twoDecimalsSchema.optional(),
});

export const demandLineSchema = z.strictObject({
  partner: codeSchema,
  school: codeSchema.optional(),
  category: codeSchema,
  year: yearSchema,
  quantity: countSchema,
});

/** plan@2 (§11, §13): an inventory line has the fields and rules of a demand line. */
export const inventoryLineSchema = demandLineSchema;

/** Plain keys of a demand line; the fast check below accepts no others. */
const DEMAND_LINE_KEYS = new Set(["partner", "school", "category", "year", "quantity"]);

/** codeSchema's test (/\S/) with a shortcut for the usual printable ASCII start. */
function isCode(value: unknown): value is string {
  if (typeof value !== "string" || value.length === 0) return false;
  const first = value.charCodeAt(0);
  return (first > 32 && first < 127) || /\S/.test(value);
}

/**
 * Fast path for the largest list: true only for lines that demandLineSchema accepts
 * unchanged (a property test checks that it never accepts more). Plan validation
 * checks hundreds of thousands of lines with this and falls back to zod for its
 * messages only when a line fails; per-line zod parsing would cost more than
 * JSON.parse itself.
 */
export function isValidDemandLine(line: unknown): line is PlanDemandLine {
  if (typeof line !== "object" || line === null) return false;
  // Plain objects only (as JSON.parse makes them): for-in then sees exactly the own keys.
  const prototype: unknown = Object.getPrototypeOf(line);
  if (prototype !== Object.prototype && prototype !== null) return false;
  const l = line as Record<string, unknown>;
  for (const key in l) if (!DEMAND_LINE_KEYS.has(key)) return false;
  const { year, quantity, school } = l;
  return (
    isCode(l.partner) &&
    isCode(l.category) &&
    (school === undefined || isCode(school)) &&
    Number.isSafeInteger(year) &&
    (year as number) >= 2000 &&
    (year as number) <= 2100 &&
    Number.isSafeInteger(quantity) &&
    (quantity as number) >= 0
  );
}

export const lotSchema = z.strictObject({
  code: codeSchema,
  name: nameSchema,
  categories: z.array(codeSchema, {
    error: typeError("Erwartet: Liste von Produktgruppen-Kürzeln."),
  }),
});

export const commonCostSchema = z
  .strictObject({
    label: nameSchema,
    amountGross: moneySchema,
    key: z.enum(COST_KEYS, { error: typeError(`Erlaubte Schlüssel: ${COST_KEYS.join(", ")}.`) }),
    weights: z
      .record(z.string(), decimalSchema, {
        error: typeError("Erwartet: Objekt Partnerkürzel → Gewicht."),
      })
      .optional(),
  })
  .superRefine((cost, ctx) => {
    if (cost.key === "custom" && cost.weights === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["weights"],
        message: "Beim Schlüssel „custom“ sind Gewichte Pflicht.",
      });
    }
    if (cost.key !== "custom" && cost.weights !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["weights"],
        message: `Gewichte sind nur beim Schlüssel „custom“ erlaubt, nicht bei „${cost.key}“.`,
      });
    }
  });

export const tenderSchema = z.strictObject({
  code: codeSchema,
  name: nameSchema,
  startYear: yearSchema,
  termYears: z
    .int({ error: WHOLE })
    .min(1, "Die Laufzeit beträgt 1 bis 4 Jahre.")
    .max(4, "Die Laufzeit beträgt 1 bis 4 Jahre."),
  reserve: fractionUpToOneSchema.optional(),
  soloProcessCostGross: moneySchema.optional(),
  lots: z.array(lotSchema, { error: typeError("Erwartet: Liste von Losen.") }),
  commonCosts: z
    .array(commonCostSchema, { error: typeError("Erwartet: Liste von Gemeinkosten.") })
    .optional(),
  // plan@2 (§11)
  maxQuantities: z
    .record(z.string(), countSchema, {
      error: typeError("Erwartet: Objekt Produktgruppen-Kürzel → Höchstmenge."),
    })
    .optional(),
});

/** `fromYear <= toYear`, reported at toYear. */
function yearOrder(value: { fromYear: number; toYear: number }, ctx: z.RefinementCtx): void {
  if (value.fromYear > value.toYear) {
    ctx.addIssue({
      code: "custom",
      path: ["toYear"],
      message: `Das Endjahr ${value.toYear} liegt vor dem Anfangsjahr ${value.fromYear}.`,
    });
  }
}

/** plan@2 (§12): a funding programme. */
export const fundingProgrammeSchema = z
  .strictObject({
    code: codeSchema,
    name: nameSchema,
    rate: positiveFractionUpToOneSchema,
    categories: z
      .array(codeSchema, { error: typeError("Erwartet: Liste von Produktgruppen-Kürzeln.") })
      .min(1, "Mindestens eine förderfähige Produktgruppe angeben."),
    fromYear: yearSchema,
    toYear: yearSchema,
    maxPerUnitGross: moneySchema.optional(),
    budgets: z
      .record(z.string(), moneySchema, {
        error: typeError("Erwartet: Objekt Partnerkürzel → Budget."),
      })
      .optional(),
  })
  .superRefine(yearOrder);

/** plan@2 (§13): pooled IT support. */
export const supportSchema = z
  .strictObject({
    fromYear: yearSchema,
    toYear: yearSchema,
    devicesPerFte: decimalSchema.regex(NOT_ZERO, "Muss größer als 0 sein."),
    fteStep: twoDecimalsSchema.regex(NOT_ZERO, "Muss größer als 0 sein.").optional(),
    minFtePerPartner: twoDecimalsSchema.optional(),
    poolOverheadFte: twoDecimalsSchema.optional(),
    costPerFteGross: moneySchema,
    key: z
      .enum(SUPPORT_KEYS, {
        error: typeError(`Erlaubte Schlüssel: ${SUPPORT_KEYS.join(", ")}.`),
      })
      .optional(),
  })
  .superRefine(yearOrder);

const list = <T extends z.ZodType>(item: T, what: string) =>
  z.array(item, { error: typeError(`Erwartet: Liste von ${what}.`) });

export const planSchema = z.strictObject(
  {
    format: z.literal([PLAN_FORMAT, PLAN_FORMAT_V2], {
      error: typeError(`Erwartet: „${PLAN_FORMAT}“ oder „${PLAN_FORMAT_V2}“.`),
    }),
    settings: settingsSchema.optional(),
    partners: list(partnerSchema, "Partnern"),
    schools: list(schoolSchema, "Schulen").optional(),
    categories: list(categorySchema, "Produktgruppen"),
    demand: list(demandLineSchema, "Bedarfsmeldungen").optional(),
    tenders: list(tenderSchema, "Ausschreibungen").optional(),
    fundingProgrammes: list(fundingProgrammeSchema, "Förderprogrammen").optional(),
    inventory: list(inventoryLineSchema, "Bestandszeilen").optional(),
    support: supportSchema.optional(),
  },
  { error: "Erwartet: ein JSON-Objekt (Plan)." },
);

/**
 * German fallback messages for issues without their own message: missing fields,
 * wrong types, unknown fields.
 */
export const germanPlanErrors: z.core.$ZodErrorMap = (issue) => {
  if (issue.code === "invalid_type" && issue.input === undefined) return "Pflichtfeld fehlt.";
  switch (issue.code) {
    case "invalid_type":
      return `Erwartet: ${GERMAN_TYPES[issue.expected] ?? issue.expected}.`;
    case "unrecognized_keys":
      return `Unbekanntes Feld ${issue.keys.map((k) => `„${k}“`).join(", ")}.`;
    case "invalid_value":
      return `Erlaubt: ${issue.values.map((v) => `„${String(v)}“`).join(", ")}.`;
    case "too_small":
      return `Zu klein (mindestens ${String(issue.minimum)}).`;
    case "too_big":
      return `Zu groß (höchstens ${String(issue.maximum)}).`;
    case "invalid_format":
      return "Ungültiges Format.";
    default:
      return "Ungültiger Wert.";
  }
};

const GERMAN_TYPES: Record<string, string> = {
  string: "Text",
  number: "Zahl",
  int: "ganze Zahl",
  boolean: "true oder false",
  object: "Objekt",
  array: "Liste",
  record: "Objekt",
};
