// Requests that arrive together no longer run back to back in one turn of the event
// loop (scripts/server.ts startWithinTurnBudget; decisions 027, 030). A handler here
// stands for a loader or an action on better-sqlite3: 20 ms of work without a real wait.
// Twelve of them arriving in one turn held the loop for their sum (240 ms); started
// within the turn's budget, the loop turns in between, so a timer (a /healthz, any other
// request) waits for about one of them.
import { monitorEventLoopDelay } from "node:perf_hooks";
import type { Request, Response } from "express";
import { waitForTurn } from "../db/turns";
import { startWithinTurnBudget } from "../scripts/server";

const WORK_MS = 20;
const ARRIVING = 12;

function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // the synchronous part of a request
  }
}

const request = (path = "/tenders/X/summary") => ({ path }) as Request;
const response = {} as Response;
const turn = () => new Promise((resolve) => setImmediate(resolve));

/** Twelve requests arriving in one turn, each 20 ms of work; the longest the loop was held. */
async function arriveTogether(handle: (run: () => void) => void): Promise<number> {
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  let done = 0;
  await new Promise<void>((resolve) => {
    // Arrivals in one turn, as the poll phase delivers several sockets' requests.
    setTimeout(() => {
      for (let i = 0; i < ARRIVING; i++)
        handle(() => {
          busy(WORK_MS);
          if (++done === ARRIVING) resolve();
        });
    }, 10);
  });
  await new Promise((resolve) => setTimeout(resolve, 20));
  histogram.disable();
  return histogram.max / 1e6;
}

test("once the turn has run its budget, requests start in later turns, in arrival order", async () => {
  const gate = startWithinTurnBudget(8);
  await waitForTurn(); // right at the start of a turn
  const started: number[] = [];
  gate(request(), response, () => started.push(0));
  expect(started).toEqual([0]); // a fresh turn: the first starts at once
  busy(10);
  for (let i = 1; i < 5; i++)
    gate(request(), response, () => {
      started.push(i);
      busy(5);
    });
  expect(started).toEqual([0]); // the budget is spent: the rest wait
  await turn(); // the check phase the waiting requests start in
  // One turn starts requests while its budget lasts: 5 ms each, 8 ms budget, so the
  // first (always) and the second (at 5 ms), not the third (at 10 ms).
  expect(started).toEqual([0, 1, 2]);
  for (let i = 0; i < 4 && started.length < 5; i++) await turn();
  expect(started).toEqual([0, 1, 2, 3, 4]);
});

test("/healthz does not wait", () => {
  const gate = startWithinTurnBudget(0);
  let ran = false;
  gate(request("/healthz"), response, () => (ran = true));
  expect(ran).toBe(true);
});

test("the loop is held for about one request's work, not for all twelve", async () => {
  const gate = startWithinTurnBudget(8);
  const without = await arriveTogether((run) => run());
  const withGate = await arriveTogether((run) => gate(request(), response, run));
  console.log("max loop delay ms:", { without, withGate });
  expect(without).toBeGreaterThan(ARRIVING * WORK_MS * 0.9);
  expect(withGate).toBeLessThan(without / 4);
}, 30_000);
