import { monitorEventLoopDelay } from "node:perf_hooks";
import type { RequestHandler } from "express";

// For `npm run bench:load` only (scripts/server.ts mounts it when BENCH=1): the server's
// own event-loop delay, measured in the process that serves the requests. GET answers
// the histogram since the last reset in milliseconds; `?reset=1` starts a new one.
export function eventLoopProbe(): RequestHandler {
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  const ms = (ns: number) => Math.round((ns / 1e6) * 10) / 10;
  return (req, res) => {
    const body = {
      samples: histogram.count,
      meanMs: ms(histogram.mean),
      p50Ms: ms(histogram.percentile(50)),
      p99Ms: ms(histogram.percentile(99)),
      maxMs: ms(histogram.max),
    };
    if (req.query.reset === "1") histogram.reset();
    res.setHeader("Cache-Control", "no-store");
    res.json(body);
  };
}
