// Demand rounds and the partners' status in each (docs/decisions/021-demand-rounds.md).
// A round is a tender's: it covers the tender's term years and lot categories. Rounds
// are read from the tenders, so every tender has one (a missing demand_rounds row means
// no deadline, a missing status row means "draft").
import { writeAudit } from "./audit";
import type { Database } from "./database";
import type { DemandRoundStatusTable } from "./schema";
import { berlinLocalToInstant } from "../domain/demand-deadline";
import { DRAFT, type DemandRound, type RoundStatus } from "../domain/demand-rounds";

export type DemandStatus = DemandRoundStatusTable["status"];
export type { DemandRound, RoundStatus };

/** Audit entity of a round (opened, deadline set); the key is the tender code. */
export const ROUND_AUDIT_ENTITY = "demand_round";

/** Every tender's round in tender order, with its term, lot categories and deadline. */
export async function listDemandRounds(db: Database): Promise<DemandRound[]> {
  const tenders = await db
    .selectFrom("tenders as t")
    .leftJoin("demand_rounds as r", "r.tender_code", "t.code")
    .select([
      "t.code",
      "t.name",
      "t.start_year as startYear",
      "t.term_years as termYears",
      "r.deadline",
    ])
    .orderBy("t.position")
    .orderBy("t.code")
    .execute();
  const categories = await db
    .selectFrom("lots as l")
    .innerJoin("lot_categories as lc", "lc.lot_id", "l.id")
    .select(["l.tender_code as tenderCode", "lc.category_code as categoryCode"])
    .orderBy("l.position")
    .orderBy("lc.position")
    .execute();
  return tenders.map((t) => ({
    tenderCode: t.code,
    tenderName: t.name,
    years: Array.from({ length: t.termYears }, (_, i) => t.startYear + i),
    categoryCodes: categories.filter((c) => c.tenderCode === t.code).map((c) => c.categoryCode),
    deadlineLocal: t.deadline,
    deadline: t.deadline ? berlinLocalToInstant(t.deadline) : null,
  }));
}

/** The partner's status in every round that has one stored (others are drafts). */
export async function getRoundStatuses(
  db: Database,
  partnerCode: string,
): Promise<Map<string, RoundStatus>> {
  const rows = await db
    .selectFrom("demand_round_status")
    .select(["tender_code", "status", "changed_at"])
    .where("partner_code", "=", partnerCode)
    .execute();
  return new Map(rows.map((r) => [r.tender_code, { status: r.status, changedAt: r.changed_at }]));
}

export async function getRoundStatus(
  db: Database,
  tenderCode: string,
  partnerCode: string,
): Promise<RoundStatus> {
  const row = await db
    .selectFrom("demand_round_status")
    .select(["status", "changed_at"])
    .where("tender_code", "=", tenderCode)
    .where("partner_code", "=", partnerCode)
    .executeTakeFirst();
  return row ? { status: row.status, changedAt: row.changed_at } : DRAFT;
}

export interface RoundProgress {
  partnerCode: string;
  partnerName: string;
  status: DemandStatus;
  /** Last status change in this round; null while the partner never changed it. */
  statusChangedAt: string | null;
  /** Demand lines of this round with a quantity above 0. */
  lineCount: number;
  /** Quantity of this round only (its categories in its term years). */
  totalQuantity: number;
  /** The later of the last change of a stored line of this round and the last status change. */
  lastChangedAt: string | null;
}

function later(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return a > b ? a : b;
}

/** Every partner's status and figures in one round, in plan order. */
export async function listRoundProgress(
  db: Database,
  round: DemandRound,
): Promise<RoundProgress[]> {
  const partners = await db
    .selectFrom("partners as p")
    .leftJoin("demand_round_status as s", (join) =>
      join.onRef("s.partner_code", "=", "p.code").on("s.tender_code", "=", round.tenderCode),
    )
    .select(["p.code", "p.name", "s.status", "s.changed_at"])
    .orderBy("p.position")
    .orderBy("p.code")
    .execute();
  const sums =
    round.categoryCodes.length === 0 || round.years.length === 0
      ? []
      : await db
          .selectFrom("demand_lines")
          .select((eb) => [
            "partner_code",
            eb.fn.countAll<number>().as("lineCount"),
            eb.fn.sum<number>("quantity").as("totalQuantity"),
            eb.fn.max<string>("updated_at").as("lastLineChange"),
          ])
          .where("quantity", ">", 0)
          .where("category_code", "in", round.categoryCodes)
          .where("year", "in", round.years)
          .groupBy("partner_code")
          .execute();
  return partners.map((p) => {
    const s = sums.find((x) => x.partner_code === p.code);
    return {
      partnerCode: p.code,
      partnerName: p.name,
      status: p.status ?? "draft",
      statusChangedAt: p.changed_at,
      lineCount: Number(s?.lineCount ?? 0),
      totalQuantity: Number(s?.totalQuantity ?? 0),
      lastChangedAt: later(s?.lastLineChange ?? null, p.changed_at),
    };
  });
}

/**
 * Opens the round of a newly created tender: every partner starts as a draft, and there
 * is no deadline until the coordinator sets one. Leftovers of a deleted tender with the
 * same code are cleared. Runs inside the caller's transaction.
 */
export async function openDemandRound(
  trx: Database,
  tenderCode: string,
  userId: number | null,
  now = new Date(),
): Promise<void> {
  await trx.deleteFrom("demand_round_status").where("tender_code", "=", tenderCode).execute();
  await trx.deleteFrom("demand_rounds").where("tender_code", "=", tenderCode).execute();
  await trx
    .insertInto("demand_rounds")
    .values({
      tender_code: tenderCode,
      deadline: null,
      opened_at: now.toISOString(),
      opened_by: userId,
    })
    .execute();
  await writeAudit(trx, {
    userId,
    action: "demand.round.open",
    entity: ROUND_AUDIT_ENTITY,
    entityKey: tenderCode,
    newValue: "draft",
    at: now,
  });
}

/** A renamed tender keeps its round (statuses and deadline follow the new code). */
export async function renameDemandRound(trx: Database, from: string, to: string): Promise<void> {
  if (from === to) return;
  await trx.deleteFrom("demand_round_status").where("tender_code", "=", to).execute();
  await trx.deleteFrom("demand_rounds").where("tender_code", "=", to).execute();
  await trx
    .updateTable("demand_rounds")
    .set({ tender_code: to })
    .where("tender_code", "=", from)
    .execute();
  await trx
    .updateTable("demand_round_status")
    .set({ tender_code: to })
    .where("tender_code", "=", from)
    .execute();
}
