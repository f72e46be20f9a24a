// Plan validation: the strict schema (plan-schema.ts) plus the rules between items
// (CALCULATION.md §2, §5, §7). Reports ALL problems at once, each with a JSON path
// like `tenders[0].commonCosts[1].weights.ASC` and a German message.

import type { z } from "zod";
import { PLAN_FORMAT_V2 } from "./plan";
import type {
  Plan,
  PlanCategory,
  PlanCommonCost,
  PlanDemandLine,
  PlanFundingProgramme,
  PlanInventoryLine,
  PlanLot,
  PlanPartner,
  PlanSchool,
  PlanSettings,
} from "./plan";
import {
  categorySchema,
  commonCostSchema,
  demandLineSchema,
  fundingProgrammeSchema,
  germanPlanErrors,
  isValidDemandLine,
  lotSchema,
  partnerSchema,
  planSchema,
  schoolSchema,
  settingsSchema,
  supportSchema,
  tenderSchema,
} from "./plan-schema";
import {
  checkPlanRules,
  type CheckablePlan,
  type CheckableTender,
  type SalvageFacts,
} from "./plan-rules";

export interface PlanProblem {
  /** JSON path: `tenders[0].commonCosts[1].weights.ASC`, `$` for the whole document. */
  path: string;
  /** German, for users. */
  message: string;
}

export type PlanValidation = { ok: true; plan: Plan } | { ok: false; problems: PlanProblem[] };

export const ROOT_PATH = "$";

export function validatePlan(input: unknown): PlanValidation {
  const v2Fields = planV2FieldIssues(input);
  if (v2Fields.length > 0) {
    // plan@2 fields in a plan@1 document are unknown fields (§11): the rest is checked
    // as plan@1, without them.
    const rest = validatePlan(withoutUnknownFields(input, v2Fields));
    const problems = issuesToProblems(v2Fields);
    if (!rest.ok) problems.push(...rest.problems);
    return { ok: false, problems };
  }
  const parsed = parseSchema(input);
  if (parsed.success) {
    const problems = checkPlanRules(parsed.data, undefined);
    return problems.length === 0 ? { ok: true, plan: parsed.data } : { ok: false, problems };
  }
  const problems = issuesToProblems(parsed.issues);
  // Check the rules between items on what did parse, so one typo does not hide the rest.
  // Unknown fields are reported above and change no figure: salvage without them.
  const salvaged = salvage(withoutUnknownFields(input, parsed.issues), parsed.issues);
  if (salvaged) problems.push(...checkPlanRules(salvaged.plan, salvaged.facts));
  return { ok: false, problems };
}

const V2_PLAN_FIELDS = ["fundingProgrammes", "inventory", "support"] as const;
const V2_CATEGORY_FIELDS = ["serviceLifeYears", "supportUnits"] as const;
const V2_TENDER_FIELDS = ["maxQuantities"] as const;

/**
 * The fields of format version 2 in a document that is not plan@2, as
 * `unrecognized_keys` issues at the object that holds them.
 */
export function planV2FieldIssues(input: unknown): z.core.$ZodIssue[] {
  if (!isRecord(input) || input.format === PLAN_FORMAT_V2) return [];
  const issues: z.core.$ZodIssue[] = [];
  const unknown = (value: unknown, fields: readonly string[], path: PropertyKey[]) => {
    if (!isRecord(value)) return;
    const keys = fields.filter((field) => Object.hasOwn(value, field));
    if (keys.length > 0)
      issues.push({ code: "unrecognized_keys", keys, path, input: value, message: "" });
  };
  unknown(input, V2_PLAN_FIELDS, []);
  if (Array.isArray(input.categories))
    input.categories.forEach((c: unknown, i) => unknown(c, V2_CATEGORY_FIELDS, ["categories", i]));
  if (Array.isArray(input.tenders))
    input.tenders.forEach((t: unknown, i) => unknown(t, V2_TENDER_FIELDS, ["tenders", i]));
  return issues;
}

type SchemaOutcome = { success: true; data: Plan } | { success: false; issues: z.core.$ZodIssue[] };

/**
 * planSchema.safeParse, with the demand lines checked by the fast path: lines that
 * pass are taken as they are (the returned plan shares those objects); only lines
 * that fail are parsed by zod, for its messages, with their paths kept.
 */
function parseSchema(input: unknown): SchemaOutcome {
  const demand = isRecord(input) && Array.isArray(input.demand) ? input.demand : undefined;
  const inventory = isRecord(input) && Array.isArray(input.inventory) ? input.inventory : undefined;
  if (!isRecord(input) || (demand === undefined && inventory === undefined)) {
    const parsed = planSchema.safeParse(input, { error: germanPlanErrors });
    return parsed.success ? parsed : { success: false, issues: parsed.error.issues };
  }
  const rest = planSchema.safeParse(
    {
      ...input,
      ...(demand ? { demand: [] } : {}),
      ...(inventory ? { inventory: [] } : {}),
    },
    { error: germanPlanErrors },
  );
  const issues = rest.success ? [] : [...rest.error.issues];
  checkLinesFast(demand, "demand", issues);
  checkLinesFast(inventory, "inventory", issues);
  if (issues.length > 0 || !rest.success) return { success: false, issues };
  return {
    success: true,
    data: {
      ...rest.data,
      ...(demand ? { demand: demand as PlanDemandLine[] } : {}),
      ...(inventory ? { inventory: inventory as PlanInventoryLine[] } : {}),
    },
  };
}

/** Demand and inventory lines (same fields): the fast check, zod only for the messages. */
function checkLinesFast(
  lines: unknown[] | undefined,
  key: "demand" | "inventory",
  issues: z.core.$ZodIssue[],
): void {
  if (lines === undefined) return;
  for (let i = 0; i < lines.length; i++) {
    if (isValidDemandLine(lines[i])) continue;
    const line = demandLineSchema.safeParse(lines[i], { error: germanPlanErrors });
    for (const issue of line.error?.issues ?? [])
      issues.push({ ...issue, path: [key, i, ...issue.path] });
  }
}

/** Parses plan JSON text; bad JSON becomes one problem at `$`. */
export function parsePlanText(text: string): PlanValidation {
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (error) {
    const detail = error instanceof SyntaxError ? ` (${error.message})` : "";
    return { ok: false, problems: [{ path: ROOT_PATH, message: `Kein gültiges JSON${detail}.` }] };
  }
  return validatePlan(input);
}

export function formatProblem(problem: PlanProblem): string {
  return `${problem.path}: ${problem.message}`;
}

/** `["tenders", 0, "commonCosts", 1, "weights", "ASC"]` → `tenders[0].commonCosts[1].weights.ASC`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = "";
  for (const part of path) {
    if (typeof part === "number") text += `[${part}]`;
    else text += text === "" ? String(part) : `.${String(part)}`;
  }
  return text === "" ? ROOT_PATH : text;
}

function issuesToProblems(issues: readonly z.core.$ZodIssue[]): PlanProblem[] {
  const problems: PlanProblem[] = [];
  for (const issue of issues) {
    if (issue.code === "unrecognized_keys") {
      // One line per unknown field, at the field itself.
      for (const key of issue.keys) {
        problems.push({
          path: formatPath([...issue.path, key]),
          message: `Unbekanntes Feld „${key}“.`,
        });
      }
    } else {
      problems.push({ path: formatPath(issue.path), message: issue.message });
    }
  }
  return problems;
}

// ---- Salvage: the parts of an invalid document that parse on their own -------------

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function eachParsed<T>(value: unknown, schema: z.ZodType<T>): (T | undefined)[] {
  if (!Array.isArray(value)) return [];
  return value.map((item) => {
    const result = schema.safeParse(item);
    return result.success ? result.data : undefined;
  });
}

function rawCodes(value: unknown): Set<string> {
  const codes = new Set<string>();
  if (Array.isArray(value))
    for (const item of value)
      if (isRecord(item) && typeof item.code === "string") codes.add(item.code);
  return codes;
}

function salvageTender(value: unknown): CheckableTender | undefined {
  const whole = tenderSchema.safeParse(value);
  if (whole.success) return whole.data;
  if (!isRecord(value)) return undefined;
  const head = tenderSchema.safeParse({ ...value, lots: [], commonCosts: [] });
  if (!head.success) return undefined;
  return {
    ...head.data,
    lots: eachParsed<PlanLot>(value.lots, lotSchema),
    commonCosts: eachParsed<PlanCommonCost>(value.commonCosts, commonCostSchema),
  };
}

/**
 * The document without the fields that `unrecognized_keys` issues name; only the
 * objects and lists on their paths are copied (the input stays as it is).
 */
function withoutUnknownFields(input: unknown, issues: readonly z.core.$ZodIssue[]): unknown {
  const copies = new Set<unknown>();
  const copyOf = (value: object): Record<PropertyKey, unknown> => {
    if (copies.has(value)) return value as Record<PropertyKey, unknown>;
    const copy = Array.isArray(value) ? [...(value as unknown[])] : { ...value };
    copies.add(copy);
    return copy as Record<PropertyKey, unknown>;
  };
  let root = input;
  for (const issue of issues) {
    if (issue.code !== "unrecognized_keys" || typeof root !== "object" || root === null) continue;
    root = copyOf(root);
    let node = root as Record<PropertyKey, unknown> | undefined;
    for (const key of issue.path) {
      const child = node?.[key];
      if (typeof child !== "object" || child === null) {
        node = undefined;
        break;
      }
      node![key] = copyOf(child);
      node = node![key] as Record<PropertyKey, unknown>;
    }
    if (node) for (const key of issue.keys) delete node[key];
  }
  return root;
}

/** `failed(path)`: some issue (other than an unknown field) lies at `path` or inside it. */
function failedPaths(issues: readonly z.core.$ZodIssue[]): (path: string) => boolean {
  const prefixes = new Set<string>();
  for (const issue of issues) {
    if (issue.code === "unrecognized_keys") continue;
    for (let length = 0; length <= issue.path.length; length++)
      prefixes.add(formatPath(issue.path.slice(0, length)));
  }
  return (path) => prefixes.has(path);
}

function salvage(
  input: unknown,
  issues: readonly z.core.$ZodIssue[],
): { plan: CheckablePlan; facts: SalvageFacts } | undefined {
  if (!isRecord(input)) return undefined;
  const settings = settingsSchema.safeParse(input.settings);
  const support = supportSchema.safeParse(input.support);
  const plan: CheckablePlan = {
    settings: settings.success ? (settings.data as PlanSettings | undefined) : undefined,
    partners: eachParsed<PlanPartner>(input.partners, partnerSchema),
    schools: eachParsed<PlanSchool>(input.schools, schoolSchema),
    categories: eachParsed<PlanCategory>(input.categories, categorySchema),
    // The fast check first: a state-scale plan with one bad line stays quick.
    demand: Array.isArray(input.demand)
      ? input.demand.map((line: unknown) =>
          isValidDemandLine(line) ? line : eachParsed<PlanDemandLine>([line], demandLineSchema)[0],
        )
      : [],
    tenders: Array.isArray(input.tenders) ? input.tenders.map(salvageTender) : [],
    fundingProgrammes: eachParsed<PlanFundingProgramme>(
      input.fundingProgrammes,
      fundingProgrammeSchema,
    ),
    inventory: Array.isArray(input.inventory)
      ? input.inventory.map((line: unknown) =>
          isValidDemandLine(line) ? line : eachParsed<PlanDemandLine>([line], demandLineSchema)[0],
        )
      : [],
    support: support.success ? support.data : undefined,
  };
  return {
    plan,
    facts: {
      partners: rawCodes(input.partners),
      schools: rawCodes(input.schools),
      categories: rawCodes(input.categories),
      document: input,
      failed: failedPaths(issues),
    },
  };
}
