// The pooled-support parameters (CALCULATION.md §13) as the coordinator types them on
// /support: German numbers, German messages at the field. Pure zod, shared by the
// form (conform, client and server) and the action.
import Decimal from "decimal.js";
import { z } from "zod";
import { parseGermanDecimal, parseGermanMoney } from "./german-input";
import { SUPPORT_KEYS, type SupportKey } from "./plan";

/** German labels of the keys that split the pooled cost (§13). */
export const SUPPORT_KEY_LABELS: Record<SupportKey, string> = {
  units: "Support-Einheiten (Geräte im Einsatz)",
  pupils: "Schülerzahl",
  population: "Einwohner",
  equal: "gleiche Teile",
};

/** The note shown until the coordinator writes the consortium's own. */
export const DEFAULT_SUPPORT_NOTE =
  "Planungsannahmen, keine Messwerte: 400 Geräte je Support-Stelle ist ein verbreiteter Richtwert für den Schul-IT-Support; 72.000 € je Stelle und Jahr entsprechen grob den Arbeitgeberkosten einer Stelle nach TVöD E9–E10 einschließlich Arbeitsplatz. Bitte durch die eigenen Zahlen des Verbunds ersetzen (z. B. Stellenpläne, Personalkostentabellen des Landes).";

/** Defaults for a consortium that has not set its own parameters yet. */
export function defaultSupportParameters(now: Date) {
  const year = now.getUTCFullYear();
  return {
    fromYear: year,
    toYear: year + 6,
    devicesPerFte: "400",
    fteStep: "0.25",
    minFtePerPartner: "0.5",
    poolOverheadFte: "1",
    costPerFteCents: 7_200_000n,
    key: "units" as SupportKey,
    note: DEFAULT_SUPPORT_NOTE,
  };
}

const year = (message: string) =>
  z
    .number({ error: message })
    .int({ error: message })
    .min(2000, { error: "Bitte ein Jahr zwischen 2000 und 2100 eingeben." })
    .max(2100, { error: "Bitte ein Jahr zwischen 2000 und 2100 eingeben." });

/** A German decimal with at most two decimals ("0,25"), optionally above zero. */
function fteField(required: string, options: { positive: boolean }) {
  return z.string({ error: required }).transform((text, ctx) => {
    const parsed = parseGermanDecimal(text, { maxDecimals: 2 });
    if (!parsed.ok) {
      ctx.addIssue({
        code: "custom",
        message: parsed.message === "Bitte eine Zahl eingeben." ? required : parsed.message,
      });
      return z.NEVER;
    }
    const value = new Decimal(parsed.value);
    if (options.positive && value.isZero()) {
      ctx.addIssue({ code: "custom", message: "Bitte eine Zahl über 0 eingeben." });
      return z.NEVER;
    }
    if (value.greaterThan(10_000)) {
      ctx.addIssue({ code: "custom", message: "Höchstens 10.000 eingeben." });
      return z.NEVER;
    }
    return value.toFixed();
  });
}

// Year checks also when other fields fail, so every message shows at once.
const ALWAYS = { when: () => true };

export const supportParametersSchema = z
  .object({
    fromYear: year("Bitte das erste Jahr eingeben, z. B. 2027."),
    toYear: year("Bitte das letzte Jahr eingeben, z. B. 2033."),
    devicesPerFte: z
      .string({ error: "Bitte eingeben, wie viele Geräte eine Stelle betreut (z. B. 400)." })
      .transform((text, ctx) => {
        const parsed = parseGermanDecimal(text, { maxDecimals: 2 });
        if (!parsed.ok || new Decimal(parsed.value).isZero()) {
          ctx.addIssue({
            code: "custom",
            message: parsed.ok ? "Bitte eine Zahl über 0 eingeben." : parsed.message,
          });
          return z.NEVER;
        }
        return new Decimal(parsed.value).toFixed();
      }),
    fteStep: fteField("Bitte die Stufung der Stellen eingeben (z. B. 0,25).", { positive: true }),
    minFtePerPartner: fteField(
      "Bitte die Mindestausstattung je Schulträger eingeben (0 für keine).",
      { positive: false },
    ),
    poolOverheadFte: fteField("Bitte den Mehraufwand des Verbunds eingeben (0 für keinen).", {
      positive: false,
    }),
    costPerFte: z
      .string({ error: "Bitte die Kosten je Stelle und Jahr eingeben." })
      .transform((text, ctx) => {
        const parsed = parseGermanMoney(text);
        if (!parsed.ok) {
          ctx.addIssue({ code: "custom", message: parsed.message });
          return z.NEVER;
        }
        return parsed.value;
      }),
    key: z.enum(SUPPORT_KEYS, { error: "Bitte einen Verteilschlüssel wählen." }),
    note: z
      .string()
      .trim()
      .max(2000, { error: "Höchstens 2.000 Zeichen." })
      .optional()
      .transform((v) => v ?? ""),
  })
  .superRefine((v, ctx) => {
    if (typeof v.fromYear === "number" && typeof v.toYear === "number" && v.fromYear > v.toYear)
      ctx.addIssue({
        code: "custom",
        path: ["toYear"],
        message: "Das letzte Jahr darf nicht vor dem ersten liegen.",
      });
    if (
      typeof v.fromYear === "number" &&
      typeof v.toYear === "number" &&
      v.toYear - v.fromYear > 30
    )
      ctx.addIssue({
        code: "custom",
        path: ["toYear"],
        message: "Höchstens 31 Jahre vergleichen.",
      });
  }, ALWAYS);
export type SupportParametersFormValues = z.output<typeof supportParametersSchema>;
