// db/turns.ts: waiters resume in arrival order, and a turn resumes them only while it has
// budget left (decision 030). A waiter's "work" here is busy-waiting, as a loader's code
// between two better-sqlite3 queries holds the loop.
import { turnBudgetSpent, turnElapsedMs, waitForTurn } from "../../db/turns";

function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // holding the loop
  }
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

test("waiters resume in arrival order", async () => {
  const order: number[] = [];
  await Promise.all(Array.from({ length: 8 }, (_, i) => waitForTurn(8).then(() => order.push(i))));
  expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
});

test("a waiter that waits again queues behind those that waited before it", async () => {
  const order: string[] = [];
  const first = (async () => {
    await waitForTurn(0);
    order.push("a1");
    busy(2);
    await waitForTurn(0);
    order.push("a2");
  })();
  const others = ["b", "c"].map((name) => waitForTurn(0).then(() => order.push(name)));
  await Promise.all([first, ...others]);
  expect(order).toEqual(["a1", "b", "c", "a2"]);
});

test("the first waiter of a turn resumes even when the budget is spent already", async () => {
  await nextTurn();
  let resumed = false;
  const waiting = waitForTurn(0).then(() => (resumed = true));
  await nextTurn();
  await nextTurn();
  expect(resumed).toBe(true);
  await waiting;
});

/**
 * Runs the waiters (each does `workMs` of work once it resumes) and answers how many
 * resumed in the busiest check phase, counted by a ticker immediate that runs once per turn.
 */
async function mostResumedInOneTurn(
  waits: (() => Promise<unknown>)[],
  workMs: number,
): Promise<number> {
  await nextTurn();
  let turn = 0;
  let ticking = true;
  const tick = () => {
    turn++;
    if (ticking) setImmediate(tick);
  };
  setImmediate(tick);
  const perTurn = new Map<number, number>();
  await Promise.all(
    waits.map((wait) =>
      wait().then(() => {
        perTurn.set(turn, (perTurn.get(turn) ?? 0) + 1);
        busy(workMs);
      }),
    ),
  );
  ticking = false;
  return Math.max(...perTurn.values());
}

test("thirty waiters of 3 ms share turns of about the budget, not thirty budgets in one", async () => {
  const WAITERS = 30;
  const waits = (wait: () => Promise<unknown>) => Array.from({ length: WAITERS }, () => wait);
  const together = await mostResumedInOneTurn(waits(nextTurn), 3);
  const shared = await mostResumedInOneTurn(
    waits(() => waitForTurn(8)),
    3,
  );
  console.log("most waiters resumed in one turn:", { together, shared });
  expect(together).toBe(WAITERS);
  // 0, 3 and 6 ms into the turn are within the 8 ms budget; a slow machine makes it fewer.
  expect(shared).toBeLessThanOrEqual(3);
  expect(shared).toBeGreaterThanOrEqual(1);
}, 30_000);

test("turnElapsedMs counts from the check phase; turnBudgetSpent compares it", async () => {
  await nextTurn();
  busy(5);
  expect(turnElapsedMs()).toBeGreaterThanOrEqual(5);
  expect(turnBudgetSpent(4)).toBe(true);
  expect(turnBudgetSpent(-1)).toBe(false);
  await nextTurn();
  await nextTurn();
  expect(turnBudgetSpent(50)).toBe(false);
});

test("a second copy of the module (the Remix build has its own) shares the same turns", async () => {
  const copyPath = "../../db/turns.ts?copy"; // a query makes vite load a second instance
  const copy = (await import(/* @vite-ignore */ copyPath)) as typeof import("../../db/turns");
  expect(copy.waitForTurn).not.toBe(waitForTurn); // really another module instance
  // Four waiters of 5 ms, two from each copy, budget 8 ms: one turn takes two of them
  // (at 0 and 5 ms), whichever copy they came from.
  const most = await mostResumedInOneTurn(
    [waitForTurn, copy.waitForTurn, waitForTurn, copy.waitForTurn].map((wait) => () => wait(8)),
    5,
  );
  expect(most).toBeLessThanOrEqual(2);
});
