import type { Database } from "./database";

// Read-only queries for the demand pages: partners, their schools and demand lines,
// and the years the plan covers.

export interface PartnerSummary {
  code: string;
  name: string;
}

export interface SchoolSummary {
  code: string;
  name: string;
  type: string | null;
  pupils: number;
}

export interface CategorySummary {
  code: string;
  name: string;
  unit: string | null;
}

export interface DemandCell {
  schoolCode: string | null;
  categoryCode: string;
  year: number;
  quantity: number;
}

export interface PartnerDemand {
  partner: PartnerSummary;
  schools: SchoolSummary[];
  categories: CategorySummary[];
  /** The plan horizon: every year a tender covers or a demand line names, ascending. */
  years: number[];
  lines: DemandCell[];
}

export async function listPartners(db: Database): Promise<PartnerSummary[]> {
  return db.selectFrom("partners").select(["code", "name"]).orderBy("position").orderBy("code").execute();
}

export async function getPartner(db: Database, code: string): Promise<PartnerSummary | undefined> {
  return db.selectFrom("partners").select(["code", "name"]).where("code", "=", code).executeTakeFirst();
}

/** Years of all tender terms and all demand lines, ascending and without gaps. */
export async function planHorizonYears(db: Database): Promise<number[]> {
  const tenders = await db.selectFrom("tenders").select(["start_year", "term_years"]).execute();
  const demand = await db
    .selectFrom("demand_lines")
    .select((eb) => [eb.fn.min<number>("year").as("first"), eb.fn.max<number>("year").as("last")])
    .executeTakeFirstOrThrow();
  const firsts = tenders.map((t) => t.start_year);
  const lasts = tenders.map((t) => t.start_year + t.term_years - 1);
  if (demand.first !== null) firsts.push(Number(demand.first));
  if (demand.last !== null) lasts.push(Number(demand.last));
  if (firsts.length === 0) return [];
  const first = Math.min(...firsts);
  const last = Math.max(...lasts);
  return Array.from({ length: last - first + 1 }, (_, i) => first + i);
}

export async function getPartnerDemand(db: Database, partnerCode: string): Promise<PartnerDemand | undefined> {
  const partner = await getPartner(db, partnerCode);
  if (!partner) return undefined;
  const schools = await db
    .selectFrom("schools")
    .select(["code", "name", "type", "pupils"])
    .where("partner_code", "=", partnerCode)
    .orderBy("position")
    .orderBy("code")
    .execute();
  const categories = await db
    .selectFrom("categories")
    .select(["code", "name", "unit"])
    .orderBy("position")
    .orderBy("code")
    .execute();
  const lines = await db
    .selectFrom("demand_lines")
    .select(["school_code as schoolCode", "category_code as categoryCode", "year", "quantity"])
    .where("partner_code", "=", partnerCode)
    .orderBy("position")
    .orderBy("id")
    .execute();
  return { partner, schools, categories, years: await planHorizonYears(db), lines };
}
