// Requests that arrive together no longer run back to back in one turn of the event
// loop (scripts/server.ts oneStartPerTurn; decision 027). A handler here stands for a
// loader or an action on better-sqlite3: 25 ms of work without a
// real wait. Eight of them at once held the loop for their sum; started one per turn
// the loop turns between them, so a timer (a /healthz, any other request) waits at
// most about one of them.
import type { AddressInfo } from "node:net";
import { monitorEventLoopDelay } from "node:perf_hooks";
import express, { type RequestHandler } from "express";
import { oneStartPerTurn } from "../scripts/server";

const WORK_MS = 25;
const CONCURRENT = 8;

function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // the synchronous part of a request
  }
}

async function serve(gates: RequestHandler[]) {
  const app = express();
  for (const gate of gates) app.use(gate);
  app.get("/page", (_req, res) => {
    busy(WORK_MS);
    res.send("ok");
  });
  const server = await new Promise<import("node:http").Server>((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** The longest the event loop was held while `work` ran (timer drift, 5 ms resolution). */
async function maxDelayMs(work: () => Promise<unknown>): Promise<number> {
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  await work();
  await new Promise((resolve) => setTimeout(resolve, 20));
  histogram.disable();
  return histogram.max / 1e6;
}

/** Several rounds of CONCURRENT simultaneous requests; the worst delay of all rounds. */
async function burst(url: string): Promise<number> {
  let worst = 0;
  for (let round = 0; round < 3; round++) {
    const delay = await maxDelayMs(() =>
      Promise.all(
        Array.from({ length: CONCURRENT }, () => fetch(`${url}/page`).then((r) => r.text())),
      ),
    );
    worst = Math.max(worst, delay);
  }
  return worst;
}

test("simultaneous requests start one per turn: the loop is held for one, not all", async () => {
  const plain = await serve([]);
  const gated = await serve([oneStartPerTurn()]);
  try {
    const without = await burst(plain.url);
    const withGate = await burst(gated.url);
    console.log("GET burst, max loop delay ms:", { without, withGate });
    // The control shows the problem: the loop held for several requests' work at once.
    expect(without).toBeGreaterThan(3 * WORK_MS);
    expect(withGate).toBeLessThan(without / 2);
  } finally {
    await plain.close();
    await gated.close();
  }
}, 60_000);
