import fs from "node:fs";
import path from "node:path";
import { sql, type KyselyPlugin } from "kysely";
import { calculatePlan } from "../../domain/calculate";
import { toResultFile } from "../../domain/serialize";
import { validatePlan } from "../../domain/plan-validation";
import type { Plan } from "../../domain/plan";
import { databaseHasPlanData, exportPlan, importPlan, PlanImportRefused } from "../../db/plan-io";
import { listAudit } from "../../db/audit";
import { freshDatabases, type TestDatabase } from "../helpers/test-database";
import { normalizePlan, readExamplePlan, snapshotDatabase } from "./plan-fixtures";
import { isForeignKeyViolation } from "../../db/errors";

const freshDatabase = freshDatabases();

async function addUser(
  t: TestDatabase,
  email: string,
  role: string,
  partner: string | null,
): Promise<number> {
  const now = new Date().toISOString();
  const { id } = await t.db
    .insertInto("users")
    .values({
      email,
      name: email,
      password_hash: "x",
      role: role as never,
      partner_code: partner,
      active: 1,
      created_at: now,
      updated_at: now,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return id;
}

describe("export after import", () => {
  test.each(["01-three-partners", "02-edge-cases", "03-kreis-coesfeld", "04-funding-support"])(
    "%s: the export is the input plan with defaults filled in",
    async (name) => {
      const t = await freshDatabase();
      const plan = readExamplePlan(name);
      expect(await databaseHasPlanData(t.db)).toBe(false);
      await importPlan(t.db, plan, { replace: false });
      expect(await databaseHasPlanData(t.db)).toBe(true);
      expect(await exportPlan(t.db)).toEqual(normalizePlan(plan));
    },
  );

  test("example 02 keeps what needs care: tier order, 0-quantity lines, lines without school, custom weights", async () => {
    const t = await freshDatabase();
    await importPlan(t.db, readExamplePlan("02-edge-cases"), { replace: false });
    const plan = await exportPlan(t.db);
    expect(plan.categories[0].tiers).toEqual([
      { minQuantity: 1000, discount: "0.06" },
      { minQuantity: 250, discount: "0.03" },
    ]);
    expect(plan.categories[1].tiers).toEqual([{ minQuantity: 500, discount: "0.1" }]);
    expect(plan.categories[0]).not.toHaveProperty("unit");
    expect(plan.demand).toContainEqual({
      partner: "NOK",
      school: "NOK-GS",
      category: "DOKU",
      year: 2027,
      quantity: 0,
    });
    expect(plan.demand?.[2]).toEqual({
      partner: "ASC",
      category: "LIZ",
      year: 2027,
      quantity: 333,
    });
    expect(plan.tenders?.[0].commonCosts?.[2]).toEqual({
      label: "Projektleitung",
      amountGross: "18000.01",
      key: "custom",
      weights: { KRS: "2", ASC: "1", NOK: "1" },
    });
    expect(Object.keys(plan.tenders?.[0].commonCosts?.[2].weights ?? {})).toEqual([
      "KRS",
      "ASC",
      "NOK",
    ]);
    expect(plan.tenders?.[0].commonCosts?.[3].amountGross).toBe("0.02");
    expect(plan.tenders?.[1].soloProcessCostGross).toBe("0.00");
  });

  test("money is stored as integer cents, rates as the decimal text of the plan", async () => {
    const t = await freshDatabase();
    const plan = readExamplePlan("02-edge-cases");
    plan.categories[2].basePriceNet = "419.5";
    await importPlan(t.db, plan, { replace: false });
    const row = await t.db
      .selectFrom("categories")
      .selectAll()
      .where("code", "=", "AP")
      .executeTakeFirstOrThrow();
    expect(row.base_price_cents).toBe(41950);
    const kab = await t.db
      .selectFrom("categories")
      .selectAll()
      .where("code", "=", "KAB")
      .executeTakeFirstOrThrow();
    expect(kab.base_price_cents).toBe(3);
    const tier = await t.db
      .selectFrom("category_tiers")
      .selectAll()
      .where("category_code", "=", "LIZ")
      .executeTakeFirstOrThrow();
    expect(tier.discount).toBe("0.1");
    expect((await exportPlan(t.db)).categories[2].basePriceNet).toBe("419.50");
  });
});

test("database → plan → database → plan gives the same file (example 03)", async () => {
  const t = await freshDatabase();
  await importPlan(t.db, readExamplePlan("03-kreis-coesfeld"), { replace: false });
  const first = await exportPlan(t.db);
  await importPlan(t.db, first, { replace: true });
  const second = await exportPlan(t.db);
  expect(JSON.stringify(second, null, 2)).toBe(JSON.stringify(first, null, 2));

  const other = await freshDatabase();
  await importPlan(other.db, first, { replace: false });
  expect(JSON.stringify(await exportPlan(other.db))).toBe(JSON.stringify(first));
});

test("an empty plan exports with every list present", async () => {
  const t = await freshDatabase();
  const empty: Plan = { format: "verbundkauf/plan@1", partners: [], categories: [] };
  await importPlan(t.db, empty, { replace: false });
  expect(await exportPlan(t.db)).toEqual({
    format: "verbundkauf/plan@2",
    settings: { euThresholdNet: "216000.00", smallLotLimitNet: "80000.00", smallLotQuota: "0.20" },
    partners: [],
    schools: [],
    categories: [],
    demand: [],
    tenders: [],
    fundingProgrammes: [],
    inventory: [],
  });
});

test("settings missing from the plan fall back to the defaults instead of keeping old values", async () => {
  const t = await freshDatabase();
  const plan = readExamplePlan("02-edge-cases");
  plan.settings = { euThresholdNet: "221000.00", smallLotQuota: "0.2" };
  await importPlan(t.db, plan, { replace: false });
  expect((await exportPlan(t.db)).settings).toEqual({
    euThresholdNet: "221000.00",
    smallLotLimitNet: "80000.00",
    smallLotQuota: "0.2",
  });
  delete plan.settings;
  await importPlan(t.db, plan, { replace: true });
  expect((await exportPlan(t.db)).settings?.euThresholdNet).toBe("216000.00");
});

describe("import into a database with a plan", () => {
  test("is refused without replace, and changes nothing", async () => {
    const t = await freshDatabase();
    await importPlan(t.db, readExamplePlan("02-edge-cases"), { replace: false });
    const before = await snapshotDatabase(t.db);
    const attempt = importPlan(t.db, readExamplePlan("01-three-partners"), { replace: false });
    await expect(attempt).rejects.toBeInstanceOf(PlanImportRefused);
    await expect(attempt).rejects.toThrow(/--replace/);
    expect(await snapshotDatabase(t.db)).toEqual(before);
  });

  test("replace keeps users, statuses of partners that stay, and history of unchanged cells", async () => {
    const t = await freshDatabase();
    await importPlan(t.db, readExamplePlan("02-edge-cases"), { replace: false });
    const coordinator = await addUser(t, "koordination@x.example", "coordinator", null);
    const ascOfficer = await addUser(t, "asc@x.example", "officer", "ASC");
    const rosOfficer = await addUser(t, "ros@x.example", "officer", "ROS");
    const now = new Date().toISOString();
    await t.db
      .insertInto("sessions")
      .values([
        { id: "s-asc", user_id: ascOfficer, created_at: now, last_seen_at: now, expires_at: now },
        { id: "s-ros", user_id: rosOfficer, created_at: now, last_seen_at: now, expires_at: now },
      ])
      .execute();
    await t.db
      .insertInto("demand_round_status")
      .values([
        {
          tender_code: "ROUND-X",
          partner_code: "ASC",
          status: "submitted",
          changed_at: now,
          changed_by: ascOfficer,
        },
        {
          tender_code: "ROUND-X",
          partner_code: "ROS",
          status: "submitted",
          changed_at: now,
          changed_by: rosOfficer,
        },
      ])
      .execute();
    // An officer's entry: a justification on a cell that survives unchanged and one whose quantity changes.
    await t.db
      .updateTable("demand_lines")
      .set({
        justification: "Ersatz alter Geräte",
        updated_at: "2026-01-05T10:00:00.000Z",
        updated_by: ascOfficer,
      })
      .where("partner_code", "=", "ASC")
      .where("category_code", "=", "LIZ")
      .execute();
    await t.db
      .updateTable("demand_lines")
      .set({
        justification: "Neue Klassen",
        updated_at: "2026-01-05T10:00:00.000Z",
        updated_by: ascOfficer,
      })
      .where("school_code", "=", "ASC-GS")
      .where("category_code", "=", "NB")
      .execute();

    // Line justifications (demand_notes, migration 004): two survive, ROS's goes with ROS.
    await sql`insert into demand_notes (partner_code, school_code, category_code, text, updated_at, updated_by) values
      ('ASC', 'ASC-GS', 'NB', 'Neue Klassen 5', '2026-01-05T10:00:00.000Z', ${ascOfficer}),
      ('ASC', null, 'LIZ', 'Lizenzen für alle', '2026-01-05T10:00:00.000Z', ${ascOfficer}),
      ('ROS', 'ROS-GS', 'NB', 'entfällt', '2026-01-05T10:00:00.000Z', ${rosOfficer})`.execute(t.db);

    // The new plan drops ROS and adds COE; ASC's NB line at ASC-GS changes from 120 to 125.
    const plan = readExamplePlan("02-edge-cases");
    plan.partners = plan.partners
      .filter((p) => p.code !== "ROS")
      .concat({ code: "COE", name: "Stadt Coesfeld", population: 36500 });
    plan.schools = plan.schools?.filter((s) => s.partner !== "ROS");
    plan.demand = plan.demand
      ?.filter((d) => d.partner !== "ROS")
      .map((d) => (d.school === "ASC-GS" && d.category === "NB" ? { ...d, quantity: 125 } : d));
    const summary = await importPlan(t.db, plan, { replace: true, userId: coordinator });
    expect(summary).toMatchObject({
      partners: 4,
      removedPartners: ["ROS"],
      deactivatedOfficers: ["ros@x.example"],
      demandNotesKept: 2,
    });
    const notes = await sql<{
      partner_code: string;
      school_code: string | null;
      text: string;
      updated_by: number;
    }>`
      select partner_code, school_code, text, updated_by from demand_notes order by text`.execute(
      t.db,
    );
    expect(notes.rows).toEqual([
      { partner_code: "ASC", school_code: null, text: "Lizenzen für alle", updated_by: ascOfficer },
      {
        partner_code: "ASC",
        school_code: "ASC-GS",
        text: "Neue Klassen 5",
        updated_by: ascOfficer,
      },
    ]);

    const users = await t.db.selectFrom("users").selectAll().orderBy("id").execute();
    expect(users.map((u) => [u.email, u.role, u.partner_code, u.active])).toEqual([
      ["koordination@x.example", "coordinator", null, 1],
      ["asc@x.example", "officer", "ASC", 1],
      ["ros@x.example", "committee", null, 0],
    ]);
    const sessions = await t.db.selectFrom("sessions").select("id").execute();
    expect(sessions.map((s) => s.id)).toEqual(["s-asc"]);

    // Partners that stay keep their round statuses, removed ones lose theirs (new ones have none: drafts).
    const statuses = await t.db
      .selectFrom("demand_round_status")
      .selectAll()
      .orderBy("partner_code")
      .execute();
    expect(statuses.map((s) => [s.tender_code, s.partner_code, s.status])).toEqual([
      ["ROUND-X", "ASC", "submitted"],
    ]);

    const liz = await t.db
      .selectFrom("demand_lines")
      .selectAll()
      .where("partner_code", "=", "ASC")
      .where("category_code", "=", "LIZ")
      .executeTakeFirstOrThrow();
    expect([liz.justification, liz.updated_at, liz.updated_by]).toEqual([
      "Ersatz alter Geräte",
      "2026-01-05T10:00:00.000Z",
      ascOfficer,
    ]);
    const nb = await t.db
      .selectFrom("demand_lines")
      .selectAll()
      .where("school_code", "=", "ASC-GS")
      .where("category_code", "=", "NB")
      .executeTakeFirstOrThrow();
    expect(nb.quantity).toBe(125);
    expect(nb.justification).toBe("Neue Klassen");
    expect(nb.updated_by).toBe(coordinator);
    expect(nb.updated_at).not.toBe("2026-01-05T10:00:00.000Z");

    const deactivation = await listAudit(t.db, { entity: "user", entityKey: String(rosOfficer) });
    expect(deactivation).toHaveLength(1);
    expect(deactivation[0]).toMatchObject({ action: "user.deactivate", userId: coordinator });
    expect(JSON.parse(deactivation[0].oldValue ?? "null")).toEqual({
      role: "officer",
      partner: "ROS",
      active: 1,
    });

    const imports = await listAudit(t.db, { entity: "plan", action: "plan.import" });
    expect(imports).toHaveLength(2);
    expect(imports[0].userId).toBe(coordinator);
    expect(JSON.parse(imports[0].detail ?? "{}")).toMatchObject({
      partners: 4,
      schools: 4,
      demandLines: 12,
      tenders: 2,
      lots: 5,
      commonCosts: 6,
    });

    expect(await exportPlan(t.db)).toEqual(normalizePlan(plan));
  });

  test("a failing import leaves the database exactly as before", async () => {
    const t = await freshDatabase();
    await importPlan(t.db, readExamplePlan("02-edge-cases"), { replace: false });
    await addUser(t, "ros@x.example", "officer", "ROS");
    const before = await snapshotDatabase(t.db);

    // Drops ROS (so its officer would be deactivated) and then fails on an unknown category.
    const broken = readExamplePlan("01-three-partners");
    broken.demand?.push({ partner: "BIL", category: "GIBT-ES-NICHT", year: 2027, quantity: 1 });
    await expect(importPlan(t.db, broken, { replace: true })).rejects.toSatisfy(
      isForeignKeyViolation,
    );
    expect(await snapshotDatabase(t.db)).toEqual(before);

    // The connection is usable afterwards (no transaction left open).
    const count = await sql<{ n: number }>`select count(*) as n from partners`.execute(t.db);
    expect(count.rows[0].n).toBe(4);
  });
});

describe("plan@2 data (CALCULATION.md §11–§13)", () => {
  test("database → plan → database → plan gives the same file (example 04), and the same result@2", async () => {
    const t = await freshDatabase();
    const input = readExamplePlan("04-funding-support");
    await importPlan(t.db, input, { replace: false });
    const first = await exportPlan(t.db);
    expect(first.format).toBe("verbundkauf/plan@2");
    expect(first.fundingProgrammes).toEqual(input.fundingProgrammes);
    expect(first.inventory).toEqual(input.inventory);
    expect(first.support).toEqual(input.support);
    // A stated maximum of 0 is no maximum above the computed one: not stored.
    expect(first.tenders?.[0].maxQuantities).toEqual({ "DISP-86": 215 });
    await importPlan(t.db, first, { replace: true });
    const second = await exportPlan(t.db);
    expect(JSON.stringify(second, null, 2)).toBe(JSON.stringify(first, null, 2));

    const expected: unknown = JSON.parse(
      fs.readFileSync(
        path.resolve(__dirname, "../fixtures/examples/04-funding-support.result.json"),
        "utf8",
      ),
    );
    expect(toResultFile(calculatePlan(second))).toStrictEqual(expected);
  });

  test("a plan@1 import clears the plan@2 data and sets category defaults", async () => {
    const t = await freshDatabase();
    await importPlan(t.db, readExamplePlan("04-funding-support"), { replace: false });
    await importPlan(t.db, readExamplePlan("03-kreis-coesfeld"), { replace: true });
    const plan = await exportPlan(t.db);
    expect(plan.fundingProgrammes).toEqual([]);
    expect(plan.inventory).toEqual([]);
    expect(plan).not.toHaveProperty("support");
    expect(plan.tenders?.some((tender) => tender.maxQuantities !== undefined)).toBe(false);
    expect(new Set(plan.categories.map((c) => `${c.serviceLifeYears}/${c.supportUnits}`))).toEqual(
      new Set(["5/1"]),
    );
    for (const table of [
      "funding_programmes",
      "funding_programme_categories",
      "funding_budgets",
      "inventory_lines",
      "support_parameters",
      "max_quantity_overrides",
    ] as const) {
      const rows = await sql`select count(*) as n from ${sql.table(table)}`.execute(t.db);
      expect([table, rows.rows[0]]).toEqual([table, { n: 0 }]);
    }
  });

  test("programmes without budgets or cap, budgets {} and an empty support key round-trip as written", async () => {
    const t = await freshDatabase();
    const plan = readExamplePlan("04-funding-support");
    plan.fundingProgrammes![0].budgets = {};
    plan.fundingProgrammes![0].maxPerUnitGross = "12.5";
    delete plan.fundingProgrammes![1].maxPerUnitGross;
    plan.support = { fromYear: 2027, toYear: 2027, devicesPerFte: "250.5", costPerFteGross: "1" };
    await importPlan(t.db, plan, { replace: false });
    const exported = await exportPlan(t.db);
    expect(exported.fundingProgrammes?.[0].budgets).toEqual({});
    expect(exported.fundingProgrammes?.[0].maxPerUnitGross).toBe("12.50");
    expect(exported.fundingProgrammes?.[1]).not.toHaveProperty("maxPerUnitGross");
    expect(exported.fundingProgrammes?.[1]).not.toHaveProperty("budgets");
    expect(exported.support).toEqual({
      fromYear: 2027,
      toYear: 2027,
      devicesPerFte: "250.5",
      fteStep: "0.25",
      minFtePerPartner: "0",
      poolOverheadFte: "0",
      costPerFteGross: "1.00",
      key: "units",
    });
  });

  test("a stated maximum of a category no longer in the tender's lots is not exported", async () => {
    const t = await freshDatabase();
    await importPlan(t.db, readExamplePlan("04-funding-support"), { replace: false });
    await t.db.deleteFrom("lot_categories").where("category_code", "=", "DISP-86").execute();
    const plan = await exportPlan(t.db);
    expect(plan.tenders?.[0]).not.toHaveProperty("maxQuantities");
    expect(validatePlan(plan).ok).toBe(true);
  });

  test("replace keeps inventory notes and the history of unchanged inventory cells", async () => {
    const t = await freshDatabase();
    const plan = readExamplePlan("04-funding-support");
    await importPlan(t.db, plan, { replace: false });
    await t.db
      .updateTable("inventory_lines")
      .set({ updated_at: "2026-01-05T10:00:00.000Z" })
      .execute();
    await t.db
      .insertInto("inventory_notes")
      .values([
        {
          partner_code: "KRS",
          school_code: "KRS-01",
          category_code: "TAB",
          text: "Altbestand aus DigitalPakt 1",
          updated_at: "2026-01-05T10:00:00.000Z",
          updated_by: null,
        },
        {
          partner_code: "ASC",
          school_code: "ASC-01",
          category_code: "LADE",
          text: "geht mit der Produktgruppe",
          updated_at: "2026-01-05T10:00:00.000Z",
          updated_by: null,
        },
      ])
      .execute();
    const next = readExamplePlan("04-funding-support");
    next.inventory![0].quantity += 1; // KRS-01 TAB 2022 changes; the others stay
    // LADE goes away (with its lot, its demand and its inventory)
    next.categories = next.categories.filter((c) => c.code !== "LADE");
    next.tenders![0].lots = next.tenders![0].lots.filter((lot) => lot.code !== "L4");
    delete next.tenders![0].maxQuantities!.LADE;
    next.demand = next.demand!.filter((d) => d.category !== "LADE");
    next.inventory = next.inventory!.filter((d) => d.category !== "LADE");
    expect(validatePlan(next).ok).toBe(true);
    const summary = await importPlan(t.db, next, { replace: true });
    expect(summary.inventoryNotesKept).toBe(1);
    expect(summary.inventoryLines).toBe(next.inventory.length);
    const notes = await t.db.selectFrom("inventory_notes").selectAll().execute();
    expect(notes.map((n) => n.text)).toEqual(["Altbestand aus DigitalPakt 1"]);
    const rows = await t.db
      .selectFrom("inventory_lines")
      .select(["updated_at"])
      .orderBy("position")
      .execute();
    expect(rows[0].updated_at).not.toBe("2026-01-05T10:00:00.000Z");
    expect(rows.slice(1).every((r) => r.updated_at === "2026-01-05T10:00:00.000Z")).toBe(true);
  });
});

// PostgreSQL only: on SQLite the test's one connection cannot write while the export's
// read transaction holds it, so there is no concurrent writer to show.
describe.skipIf(!process.env.TEST_DATABASE_URL)("export while someone else writes", () => {
  test("the plan is one snapshot: a partner committed between two of its reads is not in it", async () => {
    const t = await freshDatabase();
    await importPlan(t.db, readExamplePlan("01-three-partners"), { replace: false });
    let written = false;
    // After the export's first read, another connection commits a new partner.
    const writeAfterFirstRead: KyselyPlugin = {
      transformQuery: (args) => args.node,
      transformResult: async (args) => {
        if (!written) {
          written = true;
          await t.db
            .insertInto("partners")
            .values({ code: "NEU", name: "Neu", population: 1, position: 99 })
            .execute();
        }
        return args.result;
      },
    };
    const plan = await exportPlan(t.db.withPlugin(writeAfterFirstRead));
    expect(written).toBe(true);
    expect(plan.partners.map((p) => p.code)).not.toContain("NEU");
    expect((await exportPlan(t.db)).partners.map((p) => p.code)).toContain("NEU");
  });
});
