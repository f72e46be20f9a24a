// Turns of the event loop, shared fairly (decision 030).
//
// better-sqlite3 answers at once, so a request's code runs without a real wait from one
// query to the next. The SQLite driver (db/database.ts) and the server's request gate
// (scripts/server.ts) therefore wait for a turn here when the current turn has used its
// budget. A turn begins when the loop reaches its check phase (an "opener" immediate
// stamps it). The waiters resume in arrival order, and each turn resumes them only
// while it has budget left; the rest move on to the next turn, still in order. So one
// turn holds the loop for about the budget plus one waiter's next step, however many
// requests are in flight. (Before, each waiter had a fresh budget of its own, and a turn
// with 30 waiters ran 30 budgets.)
import { performance } from "node:perf_hooks";
import { setImmediate as onCheckPhase } from "node:timers";

// One state per process, on globalThis: the server (scripts/) and the Remix build each
// load their own copy of this module, and both must share the turns of the one loop.
interface TurnState {
  turnStartedAt: number;
  idleAtTurnStart: number;
  openerPending: boolean;
  resumedThisTurn: boolean;
  /** Each waiter adds one slot (an immediate); a slot resumes the oldest waiter. */
  waiting: (() => void)[];
}
const STATE_KEY = Symbol.for("verbundkauf.event-loop-turns");
const state: TurnState = ((globalThis as { [STATE_KEY]?: TurnState })[STATE_KEY] ??= {
  turnStartedAt: performance.now(),
  idleAtTurnStart: performance.eventLoopUtilization().idle,
  openerPending: false,
  resumedThisTurn: false,
  waiting: [],
});

/** Time the loop has spent waiting for I/O (ms), libuv's own count. */
function idleMs(): number {
  return performance.eventLoopUtilization().idle;
}

/** The turn's running time: since its stamp, without the time the loop sat idle. */
function elapsed(): number {
  return performance.now() - state.turnStartedAt - (idleMs() - state.idleAtTurnStart);
}

/** Queues the stamp of the next turn's start (at most one pending). */
function openNextTurn(): void {
  if (state.openerPending) return;
  state.openerPending = true;
  onCheckPhase(() => {
    state.openerPending = false;
    state.turnStartedAt = performance.now();
    state.idleAtTurnStart = idleMs();
    state.resumedThisTurn = false;
  });
}

/**
 * How long (ms) the current turn has run: since the loop last reached its check phase,
 * less the time it then sat idle (after a quiet spell the first request starts at once).
 */
export function turnElapsedMs(): number {
  openNextTurn();
  return elapsed();
}

/** The budget (ms) of one turn: TURN_BUDGET_MS, default 4. */
export function turnBudgetMs(): number {
  const value = Number(process.env.TURN_BUDGET_MS ?? 4);
  return Number.isFinite(value) && value >= 0 ? value : 4;
}

/** Whether the current turn has used `budgetMs` (negative: never). */
export function turnBudgetSpent(budgetMs: number = turnBudgetMs()): boolean {
  return budgetMs >= 0 && turnElapsedMs() >= budgetMs;
}

/**
 * Resolves in a later turn, after everything that waited before it, in a turn that still
 * has `budgetMs` left. The first waiter of a turn always resumes, so the queue moves on
 * even when other immediates spend the budget.
 */
export function waitForTurn(budgetMs: number = turnBudgetMs()): Promise<void> {
  return new Promise((resume) => {
    state.waiting.push(resume);
    queueSlot(budgetMs);
  });
}

// Each waiter adds one slot (an immediate); a slot resumes the oldest waiter, not its own,
// so a request that resumed and waits again queues behind those still waiting.

function queueSlot(budgetMs: number): void {
  openNextTurn(); // queued before the slot: the turn is stamped before the slot runs
  onCheckPhase(() => {
    if (state.resumedThisTurn && elapsed() >= budgetMs) {
      queueSlot(budgetMs); // the next turn, ahead of slots queued after this turn
      return;
    }
    state.resumedThisTurn = true;
    state.waiting.shift()?.();
  });
}
