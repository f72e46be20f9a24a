import type { Database } from "./database";

// Partner look-ups for the start page, the layout and the user administration.
// The demand pages read through db/demand.ts (loadPartnerDemand).

export interface PartnerSummary {
  code: string;
  name: string;
}

export async function listPartners(db: Database): Promise<PartnerSummary[]> {
  return db
    .selectFrom("partners")
    .select(["code", "name"])
    .orderBy("position")
    .orderBy("code")
    .execute();
}

export async function getPartner(db: Database, code: string): Promise<PartnerSummary | undefined> {
  return db
    .selectFrom("partners")
    .select(["code", "name"])
    .where("code", "=", code)
    .executeTakeFirst();
}
