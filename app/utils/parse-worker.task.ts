// Runs inside the worker thread (see parse-worker.server.ts): the named pure parser on
// the data it was given, after the cheap counts that keep exceljs from building
// millions of objects. Posts exactly one message (WorkerReply).
import { parentPort } from "node:worker_threads";
import { lowerThisThreadsPriority } from "./thread-priority.server";
import { parsePlanText } from "../../domain/plan-validation";
import {
  parseDemandTemplate,
  type TemplateExpectation,
} from "../../exports/demand-template-import";
import { parseInventoryTemplate } from "../../exports/inventory-template";
import {
  countWorkbookParts,
  workbookLimitProblem,
  xlsxEntries,
  xlsxRejectionMessage,
} from "./xlsx-guard.server";

const PARSERS = {
  /** The demand template (exceljs). */
  demandTemplate: (bytes: Uint8Array, expected: TemplateExpectation) =>
    parseDemandTemplate(bytes, expected),
  /** The inventory template: the same grid template, another kind. */
  inventoryTemplate: (bytes: Uint8Array, expected: TemplateExpectation) =>
    parseInventoryTemplate(bytes, expected),
  /** A plan file's text (JSON and every plan rule). */
  planText: async (text: string) => parsePlanText(text),
};

export type ParserName = keyof typeof PARSERS;
export type ParserArgs<P extends ParserName> = Parameters<(typeof PARSERS)[P]>;
export type ParserValue<P extends ParserName> = Awaited<ReturnType<(typeof PARSERS)[P]>>;

/** Before exceljs reads an xlsx: a German refusal, or null to go on. */
async function xlsxPrecheck(bytes: Uint8Array): Promise<string | null> {
  // Layout first, then the counts (they stop early, also at a part that inflates past
  // its declared size), then the full size proof before exceljs reads anything.
  const entries = xlsxEntries(bytes, false);
  if (typeof entries === "string") return xlsxRejectionMessage(entries);
  const problem = workbookLimitProblem(await countWorkbookParts(entries));
  if (problem !== null) return problem;
  const proven = xlsxEntries(bytes, true);
  return typeof proven === "string" ? xlsxRejectionMessage(proven) : null;
}

/** Checks before a parser runs: a German refusal, or null to go on. */
const PRECHECKS: {
  [P in ParserName]?: (...args: ParserArgs<P>) => Promise<string | null>;
} = {
  demandTemplate: xlsxPrecheck,
  inventoryTemplate: xlsxPrecheck,
};

export interface WorkerTask {
  id: number;
  parser: ParserName;
  args: unknown[];
}

export type WorkerReply = { kind: "value"; value: unknown } | { kind: "refused"; message: string };

async function runTask({ parser, args }: WorkerTask): Promise<WorkerReply> {
  const precheck = PRECHECKS[parser] as ((...a: unknown[]) => Promise<string | null>) | undefined;
  const refusal = (await precheck?.(...args)) ?? null;
  if (refusal !== null) return { kind: "refused", message: refusal };
  const run = PARSERS[parser] as (...a: unknown[]) => Promise<unknown>;
  return { kind: "value", value: await run(...args) };
}

// One task at a time (the parent sends the next only after the answer); the worker
// stays warm in between, so a parse does not pay for loading exceljs and zod again.
// Background work: the main thread, which answers requests, gets the CPU first.
lowerThisThreadsPriority();

const port = parentPort;
if (port) {
  port.on("message", async (task: WorkerTask) => {
    port.postMessage({ id: task.id, reply: await runTask(task) });
  });
  port.postMessage({ ready: true });
}
