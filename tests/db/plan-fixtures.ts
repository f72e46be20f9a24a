// Helpers for the database tests: golden plans, an independent normalizer, a full
// snapshot of every table, and a generator for large plans.
import fs from "node:fs";
import path from "node:path";
import Decimal from "decimal.js";
import { sql, type Kysely } from "kysely";
import { DEFAULT_SETTINGS, DEFAULT_SUPPORT, PLAN_FORMAT_V2, type Plan } from "../../domain/plan";
import { engineOf } from "../../db/engine";
import type { DB } from "../../db/schema";

export function readExamplePlan(name: string): Plan {
  const file = path.resolve(__dirname, "../fixtures/examples", `${name}.plan.json`);
  return JSON.parse(fs.readFileSync(file, "utf8")) as Plan;
}

const money = (value: string) => new Decimal(value).toFixed(2);

const moneyRecord = (record: Record<string, string>) =>
  Object.fromEntries(Object.entries(record).map(([key, value]) => [key, money(value)]));

/**
 * The plan as the product writes it (plan@2) with every optional field filled in as
 * CALCULATION.md §7 and §11–§13 define its default; a stated maximum of 0 is no maximum.
 */
export function normalizePlan(plan: Plan): Plan {
  return {
    format: PLAN_FORMAT_V2,
    settings: { ...DEFAULT_SETTINGS, ...plan.settings },
    partners: plan.partners.map((p) => ({ ...p, population: p.population ?? 0 })),
    schools: (plan.schools ?? []).map((s) => ({ ...s, pupils: s.pupils ?? 0 })),
    categories: plan.categories.map((c) => ({
      ...c,
      basePriceNet: money(c.basePriceNet),
      vatRate: c.vatRate ?? "0.19",
      tiers: c.tiers ?? [],
      serviceLifeYears: c.serviceLifeYears ?? 5,
      supportUnits: c.supportUnits ?? "1",
    })),
    demand: plan.demand ?? [],
    tenders: (plan.tenders ?? []).map(({ maxQuantities, ...t }) => {
      const stated = Object.entries(maxQuantities ?? {}).filter(([, n]) => n > 0);
      return {
        ...t,
        ...(stated.length > 0 && { maxQuantities: Object.fromEntries(stated) }),
        reserve: t.reserve ?? "0",
        soloProcessCostGross: money(t.soloProcessCostGross ?? "0"),
        commonCosts: (t.commonCosts ?? []).map((c) => ({
          ...c,
          amountGross: money(c.amountGross),
          ...(c.key === "custom" ? { weights: c.weights ?? {} } : {}),
        })),
      };
    }),
    fundingProgrammes: (plan.fundingProgrammes ?? []).map((f) => ({
      ...f,
      ...(f.maxPerUnitGross !== undefined && { maxPerUnitGross: money(f.maxPerUnitGross) }),
      ...(f.budgets !== undefined && { budgets: moneyRecord(f.budgets) }),
    })),
    inventory: plan.inventory ?? [],
    ...(plan.support !== undefined && {
      support: {
        ...DEFAULT_SUPPORT,
        ...plan.support,
        costPerFteGross: money(plan.support.costPerFteGross),
      },
    }),
  };
}

/**
 * Every row of every table: equal snapshots mean an unchanged database. SQLite lists the
 * rows in rowid order; PostgreSQL has no rowid, so its rows are sorted by their JSON.
 */
export async function snapshotDatabase(db: Kysely<DB>): Promise<Record<string, unknown[]>> {
  const postgres = engineOf(db) === "postgres";
  const tables = postgres
    ? await sql<{ name: string }>`
    select table_name as name from information_schema.tables
    where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`.execute(
        db,
      )
    : await sql<{ name: string }>`
    select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name`.execute(
        db,
      );
  const snapshot: Record<string, unknown[]> = {};
  for (const { name } of tables.rows) {
    snapshot[name] = postgres
      ? (await sql`select * from ${sql.table(name)}`.execute(db)).rows
          .map((row) => JSON.stringify(row))
          .sort()
          .map((json) => JSON.parse(json) as unknown)
      : (await sql`select * from ${sql.table(name)} order by rowid`.execute(db)).rows;
  }
  return snapshot;
}

/**
 * A valid plan with partners × schoolsPerPartner × categories × years demand lines
 * (deterministic quantities, some of them 0).
 */
export function generatePlan(options: {
  partners: number;
  schoolsPerPartner: number;
  categories: number;
  years: number;
}): Plan {
  const partners = Array.from({ length: options.partners }, (_, i) => ({
    code: `P${String(i).padStart(3, "0")}`,
    name: `Partner ${i}`,
    population: 1000 + i,
  }));
  const schools = partners.flatMap((p) =>
    Array.from({ length: options.schoolsPerPartner }, (_, j) => ({
      code: `${p.code}-S${j}`,
      partner: p.code,
      name: `Schule ${j} (${p.name})`,
      type: "grundschule" as const,
      pupils: 100 + j,
    })),
  );
  const categories = Array.from({ length: options.categories }, (_, k) => ({
    code: `C${k}`,
    name: `Kategorie ${k}`,
    basePriceNet: `${100 + k}.${String(k % 100).padStart(2, "0")}`,
    tiers: [{ minQuantity: 100, discount: "0.05" }],
  }));
  const demand = [];
  let n = 0;
  for (const s of schools) {
    for (const c of categories) {
      for (let y = 0; y < options.years; y++) {
        demand.push({
          partner: s.partner,
          school: s.code,
          category: c.code,
          year: 2026 + y,
          quantity: n++ % 7,
        });
      }
    }
  }
  return {
    format: "verbundkauf/plan@1",
    partners,
    schools,
    categories,
    demand,
    tenders: [
      {
        code: "RV",
        name: "Rahmenvertrag",
        startYear: 2026,
        termYears: 4,
        lots: [{ code: "L1", name: "Alles", categories: categories.map((c) => c.code) }],
        commonCosts: [{ label: "Beratung", amountGross: "1000.00", key: "equal" }],
      },
    ],
  };
}
