// Demand rounds (Bedarfsrunden): each tender collects its demand in a round of its own,
// with its own deadline and per partner its own status. A round covers the tender's
// term years and lot categories (CALCULATION.md §2); a demand cell (category × year)
// belongs to the one round whose tender covers it, or to none (then it is freely
// editable). Pure: the db layer supplies rounds and statuses.
import {
  canEditDemand,
  deadlinePassed,
  type Decision,
  type DemandActor,
  type DemandStatus,
} from "./demand-workflow";

export interface DemandRound {
  /** The tender's code, e.g. "RV-2031"; it names the round. */
  tenderCode: string;
  tenderName: string;
  /** The tender's term, ascending. */
  years: number[];
  /** Categories of the tender's lots. */
  categoryCodes: string[];
  /** Berlin wall-clock time as entered ("2027-03-31T18:00"), or null. */
  deadlineLocal: string | null;
  /** The deadline as an instant, or null when none is set. */
  deadline: Date | null;
}

/** A partner's status in one round; no stored status means "draft". */
export interface RoundStatus {
  status: DemandStatus;
  changedAt: string | null;
}

export const DRAFT: RoundStatus = { status: "draft", changedAt: null };

export const roundCovers = (round: DemandRound, categoryCode: string, year: number): boolean =>
  round.years.includes(year) && round.categoryCodes.includes(categoryCode);

/** The round a cell belongs to (§2: at most one tender covers a category and year). */
export function roundOfCell(
  rounds: readonly DemandRound[],
  categoryCode: string,
  year: number,
): DemandRound | undefined {
  return rounds.find((r) => roundCovers(r, categoryCode, year));
}

/**
 * The round shown when the user picks none: the one with the nearest deadline still
 * open; else the first open round without a deadline (in tender order); else the one
 * whose deadline passed last. Undefined without rounds.
 */
export function defaultRound(rounds: readonly DemandRound[], now: Date): DemandRound | undefined {
  const open = rounds.filter((r) => r.deadline !== null && !deadlinePassed(r.deadline, now));
  if (open.length > 0)
    return open.reduce((a, b) => (b.deadline!.getTime() < a.deadline!.getTime() ? b : a));
  const undated = rounds.find((r) => r.deadline === null);
  if (undated) return undated;
  return rounds.reduce<DemandRound | undefined>(
    (a, b) => (a === undefined || b.deadline!.getTime() > a.deadline!.getTime() ? b : a),
    undefined,
  );
}

/** The round named in `?round=` (case-insensitive), or the default when none is named. */
export function pickRound(
  rounds: readonly DemandRound[],
  requested: string | null,
  now: Date,
): { round: DemandRound | undefined; unknown: boolean } {
  if (requested === null || requested.trim() === "")
    return { round: defaultRound(rounds, now), unknown: false };
  const wanted = requested.trim().toUpperCase();
  const round = rounds.find((r) => r.tenderCode.toUpperCase() === wanted);
  return { round, unknown: round === undefined };
}

/** May the actor edit the cells of this round? The round's code names it in the reason. */
export function canEditRound(
  actor: DemandActor,
  partnerCode: string,
  round: DemandRound,
  status: RoundStatus,
  now: Date,
): Decision {
  const decision = canEditDemand(
    actor,
    partnerCode,
    { status: status.status, deadline: round.deadline },
    now,
  );
  if (decision.allowed || actor.role !== "officer" || actor.partnerCode !== partnerCode)
    return decision;
  return { allowed: false, reason: `Bedarfsrunde ${round.tenderCode}: ${decision.reason}` };
}

/**
 * Why each locked cell (key "CATEGORY|YEAR") of the given years and categories is
 * locked for the actor; cells missing from the map are editable. Cells no tender
 * covers belong to no round and are locked only by the role rule.
 */
export function lockedCells(input: {
  actor: DemandActor;
  partnerCode: string;
  rounds: readonly DemandRound[];
  statuses: ReadonlyMap<string, RoundStatus>;
  years: readonly number[];
  categoryCodes: readonly string[];
  now: Date;
}): Map<string, string> {
  const locks = new Map<string, string>();
  const base = canEditDemand(input.actor, input.partnerCode, DRAFT_STATE, input.now);
  const byRound = new Map<string, Decision>();
  for (const round of input.rounds) {
    const status = input.statuses.get(round.tenderCode) ?? DRAFT;
    byRound.set(
      round.tenderCode,
      canEditRound(input.actor, input.partnerCode, round, status, input.now),
    );
  }
  for (const category of input.categoryCodes) {
    for (const year of input.years) {
      const round = roundOfCell(input.rounds, category, year);
      const decision = round ? byRound.get(round.tenderCode)! : base;
      if (!decision.allowed) locks.set(lockKey(category, year), decision.reason);
    }
  }
  return locks;
}

const DRAFT_STATE = { status: "draft" as const, deadline: null };

export const lockKey = (categoryCode: string, year: number): string => `${categoryCode}|${year}`;

/**
 * A justification belongs to a line (school × category) across years: it stays
 * editable while at least one of the line's cells is, and is locked once all are.
 */
export function noteLocked(
  locks: ReadonlyMap<string, string>,
  categoryCode: string,
  years: readonly number[],
): string | null {
  if (years.length === 0) return null;
  const reasons = years.map((y) => locks.get(lockKey(categoryCode, y)));
  return reasons.every((r) => r !== undefined) ? reasons[0]! : null;
}

/**
 * The grids cut down to one round's term years and categories, so their sums are that
 * round's only (quantities of different rounds are never added up). Without a round
 * the grids stay as they are.
 */
export function gridsInRound<
  G extends {
    years: readonly number[];
    rows: readonly { category: { code: string }; quantities: readonly number[] }[];
  },
>(grids: readonly G[], round: Pick<DemandRound, "years" | "categoryCodes"> | undefined): G[] {
  if (!round) return [...grids];
  return grids.map((grid) => {
    const keep = grid.years.map((y, i) => [y, i] as const).filter(([y]) => round.years.includes(y));
    return {
      ...grid,
      years: keep.map(([y]) => y),
      rows: grid.rows
        .filter((row) => round.categoryCodes.includes(row.category.code))
        .map((row) => ({ ...row, quantities: keep.map(([, i]) => row.quantities[i]) })),
    };
  });
}
