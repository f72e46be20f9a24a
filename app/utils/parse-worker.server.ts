// Parsing uploads off the main thread. exceljs (and JSON.parse of a 20 MB plan) runs
// synchronously for seconds on a hostile or merely large file; on the main thread that
// would freeze every other request. Each parse runs in a worker thread with a heap
// limit and a time limit; a worker that hits either is terminated, and the route
// answers with a German message. After its first parse, one idle worker per parser
// stays warm (loading exceljs and zod takes seconds on a busy machine); parses that
// arrive while it works get a worker of their own. See docs/decisions/016-hardening-round-two.md.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type {
  ParserArgs,
  ParserName,
  ParserValue,
  WorkerReply,
  WorkerTask,
} from "./parse-worker.task";
import { waitForTurn } from "../../db/turns";

export type { ParserName } from "./parse-worker.task";

interface Limits {
  /** Old-generation heap of the worker. */
  memoryMb: number;
  timeoutMs: number;
}

export const PARSE_LIMITS: Record<ParserName, Limits> = {
  // The template of the largest partner parses in well under a second with ~60 MB.
  demandTemplate: { memoryMb: 256, timeoutMs: 20_000 },
  inventoryTemplate: { memoryMb: 256, timeoutMs: 20_000 },
  // A 200,000-line plan (16 MB) takes 2–4 s and a few hundred MB on the 2-core machine.
  planText: { memoryMb: 1024, timeoutMs: 60_000 },
};

export const TOO_COMPLEX_MESSAGE =
  "Die Datei ist zu umfangreich oder zu verschachtelt, um sie zu lesen, und wurde aus Sicherheitsgründen abgebrochen. Bitte die heruntergeladene Vorlage verwenden.";

export type WorkerOutcome<T> = { ok: true; value: T } | { ok: false; status: 422; message: string };

const ENTRY = "app/utils/parse-worker.entry.mjs";

/**
 * The worker's entry file. This module runs from app/utils (tests, tsx) or bundled
 * into build/index.js (the server): the project root is the nearest folder above that
 * holds the entry.
 */
function entryUrl(): URL {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, ENTRY);
    if (fs.existsSync(candidate)) return pathToFileURL(candidate);
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`${ENTRY} not found above ${import.meta.url}`);
    dir = parent;
  }
}

let cachedEntry: URL | undefined;

interface ParseWorker {
  worker: Worker;
  /** Resolves once the task module has loaded (rejects if the worker dies first). */
  ready: Promise<void>;
  dead: boolean;
}

const idle = new Map<ParserName, ParseWorker>();
let nextTaskId = 1;

function startWorker(parser: ParserName): ParseWorker {
  cachedEntry ??= entryUrl();
  const worker = new Worker(cachedEntry, {
    // A clean thread: tsx is registered by the entry itself, whatever the parent runs.
    execArgv: [],
    resourceLimits: {
      maxOldGenerationSizeMb: PARSE_LIMITS[parser].memoryMb,
      maxYoungGenerationSizeMb: 32,
    },
  });
  const handle: ParseWorker = { worker, dead: false, ready: Promise.resolve() };
  // Errors of a running task are answered by parseInWorker; an idle worker's must not
  // crash the server (it is marked dead on exit and replaced).
  worker.on("error", () => {});
  handle.ready = new Promise<void>((resolve, reject) => {
    const onMessage = (message: { ready?: boolean }) => {
      if (!message.ready) return;
      worker.off("message", onMessage);
      resolve();
    };
    worker.on("message", onMessage);
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`parse worker exited with ${code}`)));
  });
  handle.ready.catch(() => {}); // observed by whoever awaits it
  worker.once("exit", () => {
    handle.dead = true;
    if (idle.get(parser) === handle) idle.delete(parser);
  });
  return handle;
}

function takeWorker(parser: ParserName): ParseWorker {
  const warm = idle.get(parser);
  if (warm && !warm.dead) {
    idle.delete(parser);
    warm.worker.ref();
    return warm;
  }
  return startWorker(parser);
}

function giveBack(parser: ParserName, handle: ParseWorker): void {
  if (handle.dead || idle.has(parser)) {
    void handle.worker.terminate();
    return;
  }
  handle.worker.unref(); // an idle worker never keeps the process alive
  idle.set(parser, handle);
}

/** Ends the idle workers (tests, shutdown). */
export async function stopParseWorkers(): Promise<void> {
  const handles = [...idle.values()];
  idle.clear();
  await Promise.all(handles.map((h) => h.worker.terminate()));
}

/**
 * Runs the named parser (app/utils/parse-worker.task.ts) on `args` in a worker thread
 * and returns its value, or a 422 refusal when the file breaks the counts, the memory
 * or the time limit. A failure of the worker itself (a bug) is thrown.
 */
export async function parseInWorker<P extends ParserName>(
  parser: P,
  ...args: ParserArgs<P>
): Promise<WorkerOutcome<ParserValue<P>>> {
  const limits = PARSE_LIMITS[parser];
  const handle = takeWorker(parser);
  const { worker } = handle;
  const id = nextTaskId++;
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (outcome: WorkerOutcome<ParserValue<P>> | Error, keep: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      worker.off("message", onMessage);
      worker.off("error", onError);
      worker.off("exit", onExit);
      if (keep) giveBack(parser, handle);
      else void worker.terminate();
      // The caller goes on in a turn with budget left (db/turns.ts, decision 030).
      void waitForTurn().then(() =>
        outcome instanceof Error ? reject(outcome) : resolve(outcome),
      );
    };
    const refused = (message: string, keep: boolean) =>
      finish({ ok: false, status: 422, message }, keep);
    // The clock runs from the hand-over: loading a cold worker counts as well.
    const timer = setTimeout(() => refused(TOO_COMPLEX_MESSAGE, false), limits.timeoutMs);
    const onMessage = (message: { id?: number; reply?: WorkerReply }) => {
      if (message.id !== id || !message.reply) return;
      const { reply } = message;
      if (reply.kind === "refused") refused(reply.message, true);
      else finish({ ok: true, value: reply.value as ParserValue<P> }, true);
    };
    const onError = (error: Error & { code?: string }) => {
      if (error.code === "ERR_WORKER_OUT_OF_MEMORY") refused(TOO_COMPLEX_MESSAGE, false);
      else finish(error, false);
    };
    const onExit = (code: number) =>
      finish(
        new Error(`The parse worker for ${parser} exited with ${code} before answering`),
        false,
      );
    worker.on("message", onMessage);
    worker.on("error", onError);
    worker.on("exit", onExit);
    const task: WorkerTask = { id, parser, args };
    handle.ready.then(
      () => worker.postMessage(task),
      (error: unknown) => finish(error instanceof Error ? error : new Error(String(error)), false),
    );
  });
}
