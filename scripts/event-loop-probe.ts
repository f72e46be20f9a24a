import { AsyncLocalStorage, createHook } from "node:async_hooks";
import fs from "node:fs";
import { createHistogram, monitorEventLoopDelay, performance } from "node:perf_hooks";
import type { RequestHandler } from "express";

// For `npm run bench:load` only (scripts/server.ts mounts it when BENCH=1): the server's
// own event-loop delay, measured in the process that serves the requests. GET answers
// the histogram since the last reset in milliseconds; `?reset=1` starts a new one.
//
// On a shared machine most of the delay can be time the main thread waited for a CPU
// (decision 030). So beside the delay it counts, per interval between two ticks of a 5 ms
// timer, the CPU time the main thread used: the loop's own work between two chances for
// a timer to run (Linux schedstat; it lags the running thread by at most a clock tick).
export function eventLoopProbe(): RequestHandler {
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  const ownWork = createHistogram();
  let lastTick = mainThreadSchedule();
  if (lastTick) {
    setInterval(() => {
      const tick = mainThreadSchedule();
      if (!tick || !lastTick) return;
      ownWork.record(Math.max(1, Math.round(tick.cpuNs - lastTick.cpuNs)));
      lastTick = tick;
    }, 5).unref();
  }
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
      // Linux only: the main thread's time on a CPU, the time it was ready to run but
      // waited for one (other processes, the workers), and its CPU time per timer interval.
      ...(now && since
        ? {
            mainThreadCpuMs: ms(now.cpuNs - since.cpuNs),
            waitedForCpuMs: ms(now.waitNs - since.waitNs),
            ownWorkPerTurn: {
              p99Ms: ms(ownWork.percentile(99)),
              maxMs: ms(ownWork.max),
            },
          }
        : {}),
    };
    if (req.query.reset === "1") {
      histogram.reset();
      ownWork.reset();
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
  let cpuAtStart = 0;
  const hook = createHook({
    before() {
      // The CPU time tells own work from waiting for a CPU (Linux; 0 elsewhere).
      if (started.length === 0) cpuAtStart = mainThreadSchedule()?.cpuNs ?? 0;
      started.push(performance.now());
    },
    after() {
      const start = started.pop();
      if (start === undefined) return;
      const took = performance.now() - start;
      if (took > thresholdMs && started.length === 0) {
        const cpuMs = ((mainThreadSchedule()?.cpuNs ?? 0) - cpuAtStart) / 1e6;
        log(
          `slow callback ${Math.round(took)} ms (${Math.round(cpuMs)} ms on a CPU): ${requests.getStore() ?? "(no request)"}`,
        );
      }
    },
  });
  hook.enable();
  return (req, _res, next) => requests.run(`${req.method} ${req.originalUrl}`, next);
}

/**
 * Debug mode (TURN_LOG_MS=25, read by scripts/server.ts): for every stretch between two
 * ticks of a 5 ms timer in which the main thread used more CPU than the threshold, logs
 * what ran in it: each callback the loop called (its kind: TCPWRAP, Immediate, …) with
 * the promise reactions that followed it, the request it belongs to, and its time. The
 * hooks cost time on every callback: never in production.
 */
export function longTurnLog(
  thresholdMs: number,
  log: (line: string) => void = (line) => console.warn(line),
): RequestHandler {
  const requests = new AsyncLocalStorage<string>();
  const kinds = new Map<number, string>();
  interface Ran {
    kind: string;
    request: string;
    ms: number;
  }
  let ran: Ran[] = [];
  let depth = 0;
  let current: { ran: Ran; start: number } | null = null;
  createHook({
    init(asyncId, type) {
      if (type !== "PROMISE") kinds.set(asyncId, type);
    },
    before(asyncId) {
      if (depth++ > 0) return;
      const kind = kinds.get(asyncId) ?? "PROMISE";
      const now = performance.now();
      if (kind === "PROMISE" && current) return; // a reaction after the callback: its part
      if (current) current.ran.ms = now - current.start;
      current = { ran: { kind, request: requests.getStore() ?? "-", ms: 0 }, start: now };
      ran.push(current.ran);
    },
    after() {
      depth--;
      if (depth === 0 && current) current.ran.ms = performance.now() - current.start;
    },
    destroy(asyncId) {
      kinds.delete(asyncId);
    },
  }).enable();
  let last = mainThreadSchedule();
  setInterval(() => {
    const now = mainThreadSchedule();
    const cpuMs = now && last ? (now.cpuNs - last.cpuNs) / 1e6 : 0;
    last = now;
    const seen = ran;
    ran = [];
    current = null;
    if (cpuMs < thresholdMs) return;
    const top = [...seen].sort((a, b) => b.ms - a.ms).slice(0, 6);
    const total = seen.reduce((sum, r) => sum + r.ms, 0);
    log(
      `long turn ${Math.round(cpuMs)} ms CPU, ${seen.length} callbacks (${Math.round(total)} ms): ` +
        top.map((r) => `${r.kind} ${r.request} ${r.ms.toFixed(1)}`).join(" | "),
    );
  }, 5).unref();
  return (req, _res, next) => requests.run(`${req.method} ${req.path}`, next);
}
