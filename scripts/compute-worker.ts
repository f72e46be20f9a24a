import os from "node:os";
import { PassThrough } from "node:stream";
import { parentPort, threadId } from "node:worker_threads";
import { buildSummaryModel } from "../app/components/summary-model.server";
import { writeCostSplitWorkbook } from "../exports/cost-split-workbook";
import { calculateCurrentSupport } from "../db/support";
import {
  buildTemplate,
  calculateOutcome,
  summaryFromDatabase,
  type ComputeTask,
  type WorkerReply,
} from "../app/utils/compute-pool.server";
import { openStoreInWorker } from "../app/utils/db.server";
import { kernelThreadId, lowerThisThreadsPriority } from "../app/utils/thread-priority.server";

// The tasks of the compute pool, run in a worker thread: the CPU-heavy parts of a
// request (the engine, the charts, a workbook), so that the server's event loop keeps
// answering everyone else meanwhile.

// Background work: the main thread, which answers requests, gets the CPU first.
lowerThisThreadsPriority();

const port = parentPort!;
/** The smallest piece of a streamed workbook sent to the main thread (but the last). */
const CHUNK_BYTES = 256 * 1024;
const reply = (message: WorkerReply, transfer: ArrayBuffer[] = []) =>
  port.postMessage(message, transfer);

async function run(id: number, task: ComputeTask): Promise<unknown> {
  switch (task.kind) {
    case "ping":
      return threadId;
    case "priority": {
      const tid = kernelThreadId();
      return tid === null ? null : os.getPriority(tid);
    }
    case "calculate":
      return calculateOutcome(task.plan);
    case "summary-db":
      return summaryFromDatabase(task.store, task.tenderCode);
    case "support-db":
      return calculateCurrentSupport(openStoreInWorker(task.store), task.now);
    case "grid-template":
      return buildTemplate(task.template, task.input);
    case "summary":
      return buildSummaryModel(task.plan, task.tenderCode);
    case "cost-split": {
      // The workbook's bytes go to the main thread as they are written, in pieces of at
      // least 256 KB: the zip writer's own chunks are small, and each one cost the main
      // thread a message and a write (thousands per workbook; decision 030).
      const stream = new PassThrough();
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      const send = () => {
        if (pendingBytes === 0) return;
        const bytes = new Uint8Array(pendingBytes);
        let at = 0;
        for (const chunk of pending) {
          bytes.set(chunk, at);
          at += chunk.byteLength;
        }
        pending = [];
        pendingBytes = 0;
        reply({ id, type: "chunk", bytes }, [bytes.buffer]);
      };
      stream.on("data", (chunk: Buffer) => {
        pending.push(chunk);
        pendingBytes += chunk.byteLength;
        if (pendingBytes >= CHUNK_BYTES) send();
      });
      const finished = new Promise<void>((resolve, reject) => {
        stream.once("end", () => {
          send();
          resolve();
        });
        stream.once("error", reject);
      });
      await writeCostSplitWorkbook(task.input, stream);
      await finished;
      return null;
    }
  }
}

port.on("message", ({ id, task }: { id: number; task: ComputeTask }) => {
  run(id, task).then(
    (result) => reply({ id, type: "done", result }),
    (error: unknown) =>
      reply({
        id,
        type: "error",
        message: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      }),
  );
});
