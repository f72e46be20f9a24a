// Funding programmes (Förderprogramme, CALCULATION.md §12) with their eligible
// categories and per-partner budgets. Programmes are plan data (they travel in plan
// files), so every change runs like a tender edit (db/tenders.ts): one transaction
// with an audit entry, and the whole plan is validated before commit. The rules of
// §12 that a form can break get a German message at the field first.
import type { Kysely } from "kysely";
import type { BudgetBasis } from "../domain/funding-budgets";
import { writeAudit } from "./audit";
import { storedCents } from "./cents";
import type { DB } from "./schema";
import { changePlan, EditRefused, EditTargetMissing } from "./tenders";

export interface FundingProgrammeRecord {
  code: string;
  name: string;
  /** Decimal fraction, 0 < rate <= 1 ("0.9"). */
  rate: string;
  fromYear: number;
  toYear: number;
  /** Cap per device (gross), or null. */
  maxPerUnitCents: number | null;
  /** Eligible category codes in the order stored. */
  categories: string[];
  /** Partner code → budget cents, in partner order; null = unlimited (no budgets). */
  budgets: { partner: string; amountCents: number }[] | null;
}

export type FundingProgrammeInput = Omit<FundingProgrammeRecord, "maxPerUnitCents" | "budgets"> & {
  maxPerUnitCents: bigint | null;
  budgets: { partner: string; amountCents: bigint }[] | null;
};

export async function listFundingProgrammes(db: Kysely<DB>): Promise<FundingProgrammeRecord[]> {
  const programmes = await db
    .selectFrom("funding_programmes")
    .selectAll()
    .orderBy("position")
    .orderBy("code")
    .execute();
  const categories = await db
    .selectFrom("funding_programme_categories")
    .selectAll()
    .orderBy("position")
    .orderBy("category_code")
    .execute();
  const budgets = await db
    .selectFrom("funding_budgets as b")
    .innerJoin("partners as p", "p.code", "b.partner_code")
    .select(["b.programme_code", "b.partner_code", "b.amount_cents"])
    .orderBy("p.position")
    .orderBy("p.code")
    .execute();
  return programmes.map((f) => ({
    code: f.code,
    name: f.name,
    rate: f.rate,
    fromYear: f.from_year,
    toYear: f.to_year,
    maxPerUnitCents: f.max_per_unit_cents,
    categories: categories.filter((c) => c.programme_code === f.code).map((c) => c.category_code),
    budgets:
      Number(f.has_budgets) === 1
        ? budgets
            .filter((b) => b.programme_code === f.code)
            .map((b) => ({ partner: b.partner_code, amountCents: b.amount_cents }))
        : null,
  }));
}

export async function getFundingProgramme(
  db: Kysely<DB>,
  code: string,
): Promise<FundingProgrammeRecord | undefined> {
  return (await listFundingProgrammes(db)).find((f) => f.code === code);
}

/** Partners with their pupils (sum over schools) and population: the basis of budget formulas. */
export async function listBudgetBases(db: Kysely<DB>): Promise<(BudgetBasis & { name: string })[]> {
  const partners = await db
    .selectFrom("partners")
    .select(["code", "name", "population"])
    .orderBy("position")
    .orderBy("code")
    .execute();
  const pupils = await db
    .selectFrom("schools")
    .select((eb) => ["partner_code", eb.fn.sum<number>("pupils").as("pupils")])
    .groupBy("partner_code")
    .execute();
  return partners.map((p) => ({
    code: p.code,
    name: p.name,
    population: p.population,
    pupils: Number(pupils.find((s) => s.partner_code === p.code)?.pupils ?? 0),
  }));
}

// ---- Rules with messages at the field (§12) ----------------------------------------

async function refuseBrokenRules(
  trx: Kysely<DB>,
  input: FundingProgrammeInput,
  originalCode: string | null,
): Promise<void> {
  const errors: Record<string, string[]> = {};
  const others = (await listFundingProgrammes(trx)).filter((f) => f.code !== originalCode);
  if (others.some((f) => f.code === input.code)) {
    errors.code = [`Das Kürzel ${input.code} ist bereits vergeben.`];
  }
  const known = new Set(
    (await trx.selectFrom("categories").select("code").execute()).map((c) => c.code),
  );
  const unknown = input.categories.filter((c) => !known.has(c));
  if (unknown.length) errors.categories = [`Unbekannte Produktgruppen: ${unknown.join(", ")}.`];
  // A (category, year) pair may be eligible under only one programme.
  const overlaps: string[] = [];
  for (const other of others) {
    const from = Math.max(other.fromYear, input.fromYear);
    const to = Math.min(other.toYear, input.toYear);
    if (from > to) continue;
    const shared = input.categories.filter((c) => other.categories.includes(c));
    if (shared.length) {
      const years = from === to ? `${from}` : `${from}–${to}`;
      overlaps.push(
        `${shared.join(", ")} ${shared.length === 1 ? "ist" : "sind"} in ${years} schon im Förderprogramm ${other.code} förderfähig; eine Produktgruppe kann je Jahr nur in einem Programm gefördert werden.`,
      );
    }
  }
  if (overlaps.length) errors.categories = [...(errors.categories ?? []), ...overlaps];
  if (input.budgets) {
    const partners = new Set(
      (await trx.selectFrom("partners").select("code").execute()).map((p) => p.code),
    );
    const strangers = input.budgets.filter((b) => !partners.has(b.partner));
    if (strangers.length) {
      errors.budgets = [`Unbekannte Partner: ${strangers.map((b) => b.partner).join(", ")}.`];
    }
  }
  if (Object.keys(errors).length) throw new EditRefused(errors);
}

// ---- Writes ------------------------------------------------------------------------

function programmeRow(input: FundingProgrammeInput) {
  return {
    code: input.code,
    name: input.name,
    rate: input.rate,
    from_year: input.fromYear,
    to_year: input.toYear,
    max_per_unit_cents: input.maxPerUnitCents === null ? null : storedCents(input.maxPerUnitCents),
    has_budgets: input.budgets ? 1 : 0,
  };
}

async function writeChildren(trx: Kysely<DB>, input: FundingProgrammeInput): Promise<void> {
  await trx
    .deleteFrom("funding_programme_categories")
    .where("programme_code", "=", input.code)
    .execute();
  await trx.deleteFrom("funding_budgets").where("programme_code", "=", input.code).execute();
  if (input.categories.length) {
    await trx
      .insertInto("funding_programme_categories")
      .values(
        input.categories.map((category_code, position) => ({
          programme_code: input.code,
          category_code,
          position,
        })),
      )
      .execute();
  }
  if (input.budgets?.length) {
    await trx
      .insertInto("funding_budgets")
      .values(
        input.budgets.map((b, position) => ({
          programme_code: input.code,
          partner_code: b.partner,
          amount_cents: storedCents(b.amountCents),
          position,
        })),
      )
      .execute();
  }
}

function auditable(input: FundingProgrammeInput) {
  return {
    ...input,
    maxPerUnitCents: input.maxPerUnitCents?.toString() ?? null,
    budgets: input.budgets?.map((b) => ({ ...b, amountCents: b.amountCents.toString() })) ?? null,
  };
}

async function findProgramme(trx: Kysely<DB>, code: string): Promise<FundingProgrammeRecord> {
  const programme = await getFundingProgramme(trx, code);
  if (!programme) throw new EditTargetMissing(`Das Förderprogramm ${code}`);
  return programme;
}

export function createFundingProgramme(
  db: Kysely<DB>,
  input: FundingProgrammeInput,
  userId: number | null,
): Promise<void> {
  return changePlan(db, async (trx) => {
    await refuseBrokenRules(trx, input, null);
    const last = await trx
      .selectFrom("funding_programmes")
      .select((eb) => eb.fn.max<number | null>("position").as("max"))
      .executeTakeFirst();
    await trx
      .insertInto("funding_programmes")
      .values({ ...programmeRow(input), position: (last?.max ?? -1) + 1 })
      .execute();
    await writeChildren(trx, input);
    await writeAudit(trx, {
      userId,
      action: "create",
      entity: "funding_programme",
      entityKey: input.code,
      newValue: auditable(input),
    });
  });
}

/** Updates the programme; a new code follows into categories and budgets (ON UPDATE CASCADE). */
export function updateFundingProgramme(
  db: Kysely<DB>,
  originalCode: string,
  input: FundingProgrammeInput,
  userId: number | null,
): Promise<void> {
  return changePlan(db, async (trx) => {
    const old = await findProgramme(trx, originalCode);
    await refuseBrokenRules(trx, input, originalCode);
    await trx
      .updateTable("funding_programmes")
      .set(programmeRow(input))
      .where("code", "=", originalCode)
      .execute();
    await writeChildren(trx, input);
    await writeAudit(trx, {
      userId,
      action: "update",
      entity: "funding_programme",
      entityKey: input.code,
      oldValue: old,
      newValue: auditable(input),
    });
  });
}

export function deleteFundingProgramme(
  db: Kysely<DB>,
  code: string,
  userId: number | null,
): Promise<void> {
  return changePlan(db, async (trx) => {
    const old = await findProgramme(trx, code);
    await trx.deleteFrom("funding_programmes").where("code", "=", code).execute();
    await writeAudit(trx, {
      userId,
      action: "delete",
      entity: "funding_programme",
      entityKey: code,
      oldValue: old,
    });
  });
}

/** The categories a programme may fund, in plan order (for the checkboxes). */
export function listCategoryChoices(db: Kysely<DB>): Promise<{ code: string; name: string }[]> {
  return db
    .selectFrom("categories")
    .select(["code", "name"])
    .orderBy("position")
    .orderBy("code")
    .execute();
}
