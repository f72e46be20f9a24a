// All demand lines from the database for the demand export, with names and the
// justification (which the plan file does not carry). Lines with quantity 0 are
// kept: an explicit 0 is information for finance too.
import { sql, type Kysely } from "kysely";
import type { Database } from "../db/database";
import type { DemandNotesTable } from "../db/demand";
import type { DB } from "../db/schema";
import type { DemandExportRow } from "./demand-export";

export async function loadDemandRows(db: Database): Promise<DemandExportRow[]> {
  // Justifications live per school × category in demand_notes (migration 004, typed in
  // db/demand.ts); every year's line of that row carries the note.
  const rows = await (db as unknown as Kysely<DB & { demand_notes: DemandNotesTable }>)
    .selectFrom("demand_lines as d")
    .innerJoin("partners as p", "p.code", "d.partner_code")
    .innerJoin("categories as c", "c.code", "d.category_code")
    .leftJoin("schools as s", "s.code", "d.school_code")
    .leftJoin("demand_notes as n", (join) =>
      join
        .onRef("n.partner_code", "=", "d.partner_code")
        .onRef("n.category_code", "=", "d.category_code")
        .on(sql`coalesce(n.school_code, '')`, "=", sql`coalesce(d.school_code, '')`),
    )
    .select([
      "d.partner_code as partnerCode",
      "p.name as partnerName",
      "d.school_code as schoolCode",
      "s.name as schoolName",
      "d.category_code as categoryCode",
      "c.name as categoryName",
      "c.unit as unit",
      "d.year as year",
      "d.quantity as quantity",
      sql<string | null>`coalesce(n.text, d.justification)`.as("justification"),
    ])
    .orderBy("p.position")
    .orderBy("p.code")
    .orderBy("d.year")
    .orderBy("c.position")
    .orderBy("c.code")
    // Lines without a school first, on both engines (PostgreSQL sorts NULL last by default).
    .orderBy("s.position", (ob) => ob.asc().nullsFirst())
    .orderBy("d.school_code", (ob) => ob.asc().nullsFirst())
    .execute();
  return rows.map((row) => ({ ...row, justification: row.justification || null }));
}
