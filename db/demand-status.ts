import type { Database } from "./database";
import type { DemandStatusTable } from "./schema";

export type DemandStatus = DemandStatusTable["status"];

export interface PartnerDemandStatus {
  status: DemandStatus;
  /** ISO timestamp of the last status change; null while the partner never changed it. */
  changedAt: string | null;
}

export interface PartnerProgress {
  partnerCode: string;
  partnerName: string;
  status: DemandStatus;
  /** Demand lines with a quantity above 0 (lines with 0 carry no demand). */
  lineCount: number;
  totalQuantity: number;
  /** The later of the last demand line change and the last status change. */
  lastChangedAt: string | null;
}

/** A partner without a row in demand_status is still drafting. */
export async function getDemandStatus(
  db: Database,
  partnerCode: string,
): Promise<PartnerDemandStatus> {
  const row = await db
    .selectFrom("demand_status")
    .select(["status", "changed_at"])
    .where("partner_code", "=", partnerCode)
    .executeTakeFirst();
  return row
    ? { status: row.status, changedAt: row.changed_at }
    : { status: "draft", changedAt: null };
}

function later(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return a > b ? a : b;
}

export async function listPartnerProgress(db: Database): Promise<PartnerProgress[]> {
  const rows = await db
    .selectFrom("partners as p")
    .leftJoin("demand_status as s", "s.partner_code", "p.code")
    .leftJoin("demand_lines as d", (join) =>
      join.onRef("d.partner_code", "=", "p.code").on("d.quantity", ">", 0),
    )
    .select((eb) => [
      "p.code",
      "p.name",
      "s.status",
      "s.changed_at",
      eb.fn.count<number>("d.id").as("lineCount"),
      eb.fn.coalesce(eb.fn.sum<number>("d.quantity"), eb.lit(0)).as("totalQuantity"),
      eb.fn.max<string | null>("d.updated_at").as("lastLineChange"),
    ])
    .groupBy(["p.code", "p.name", "s.status", "s.changed_at"])
    .orderBy("p.position")
    .orderBy("p.code")
    .execute();
  return rows.map((row) => ({
    partnerCode: row.code,
    partnerName: row.name,
    status: row.status ?? "draft",
    lineCount: Number(row.lineCount),
    totalQuantity: Number(row.totalQuantity),
    lastChangedAt: later(row.lastLineChange, row.changed_at),
  }));
}
