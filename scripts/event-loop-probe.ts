import { AsyncLocalStorage, createHook } from "node:async_hooks";
import fs from "node:fs";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import type { RequestHandler } from "express";

// For `npm run bench:load` only (scripts/server.ts mounts it when BENCH=1): the server's
// own event-loop delay, measured in the process that serves the requests. GET answers
// the histogram since the last reset in milliseconds; `?reset=1` starts a new one.
export function eventLoopProbe(): RequestHandler {
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  const ms = (ns: number) => Math.round((ns / 1e6) * 10) / 10;
  let since = mainThreadSchedule();
  return (req, res) => {
    const now = mainThreadSchedule();
    const body = {
      samples: histogram.count,
      meanMs: ms(histogram.mean),
      p50Ms: ms(histogram.percentile(50)),
      p99Ms: ms(histogram.percentile(99)),
      maxMs: ms(histogram.max),
      // Linux only: the main thread's time on a CPU, and the time it was ready to run
      // but waited for one (other processes, the workers): the part of the delay that is
      // not this thread's own work.
      ...(now && since
        ? {
            mainThreadCpuMs: ms(now.cpuNs - since.cpuNs),
            waitedForCpuMs: ms(now.waitNs - since.waitNs),
          }
        : {}),
    };
    if (req.query.reset === "1") {
      histogram.reset();
      since = now;
    }
    res.setHeader("Cache-Control", "no-store");
    res.json(body);
  };
}

/** The main thread's scheduler counters (/proc/self/schedstat: ns on a CPU, ns waiting). */
function mainThreadSchedule(): { cpuNs: number; waitNs: number } | null {
  try {
    const [cpu, wait] = fs.readFileSync("/proc/self/schedstat", "utf8").split(" ").map(Number);
    return Number.isFinite(cpu) && Number.isFinite(wait) ? { cpuNs: cpu, waitNs: wait } : null;
  } catch {
    return null;
  }
}

/**
 * Debug mode (SLOW_SYNC_MS=50, read by scripts/server.ts): logs every callback that
 * holds the event loop longer than the threshold, with the request it belongs to
 * (method and path, followed through promises and timers by AsyncLocalStorage), or
 * "(no request)". The hooks cost time on every callback: never in production.
 * Returns the middleware that tags each request.
 */
export function slowCallbackLog(
  thresholdMs: number,
  log: (line: string) => void = (line) => console.warn(line),
): RequestHandler {
  const requests = new AsyncLocalStorage<string>();
  const started: number[] = [];
  const hook = createHook({
    before() {
      started.push(performance.now());
    },
    after() {
      const start = started.pop();
      if (start === undefined) return;
      const took = performance.now() - start;
      if (took > thresholdMs && started.length === 0)
        log(`slow callback ${Math.round(took)} ms: ${requests.getStore() ?? "(no request)"}`);
    },
  });
  hook.enable();
  return (req, _res, next) => requests.run(`${req.method} ${req.originalUrl}`, next);
}
