// Demand rounds: status and deadline per tender round (docs/decisions/021-demand-rounds.md).
// The demo's RV-2027 covers 2027–2030 and every category; RV-2031 (created here) covers
// 2031–2034 with notebooks and tablets only, so e.g. DOKU 2032 belongs to no round.
import { Migrator, sql } from "kysely";
import { migrateToLatest, openDatabase } from "../../db/database";
import {
  applyPendingImport,
  createPendingImport,
  gridsOf,
  listDemandHistory,
  loadPartnerDemand,
  previewImport,
  getPendingImport,
  importLockDecision,
  reopenDemand,
  saveGrid,
  setDemandDeadline,
  submitDemand,
  type DemandUser,
} from "../../db/demand";
import { getRoundStatus, listDemandRounds, listRoundProgress } from "../../db/demand-status";
import { migrations } from "../../db/migrations";
import { addLot, createTender, updateTender, type TenderInput } from "../../db/tenders";
import { cellKey, gridValues, type GridValues } from "../../domain/demand-grid";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";
import { seedDemandUsers, seedDemoPlan } from "./demand-seed";

let t: TestDatabase;
let users: Awaited<ReturnType<typeof seedDemandUsers>>;

const RV_2031: TenderInput = {
  code: "RV-2031",
  name: "Rahmenvertrag Endgeräte 2031",
  startYear: 2031,
  termYears: 4,
  reserve: "0.1",
  soloProcessCostGrossCents: 500_000n,
};

beforeEach(async () => {
  t = await createTestDatabase();
  await seedDemoPlan(t.db);
  users = await seedDemandUsers(t.db);
  await createTender(t.db, RV_2031, users.coordinator.id);
  await addLot(
    t.db,
    "RV-2031",
    { code: "L1", name: "Endgeräte", categories: ["NB-SUS", "TAB"] },
    users.coordinator.id,
  );
});
afterEach(async () => t.cleanup());

/** A save of COE-01's grid with the given cells changed. */
async function change(cells: Record<string, number>, user: DemandUser, now?: Date) {
  const data = await loadPartnerDemand(t.db, "COE");
  const grid = gridsOf(data!).find((g) => g.schoolCode === "COE-01")!;
  const baseline = gridValues(grid);
  const wanted: GridValues = {
    quantities: new Map(baseline.quantities),
    notes: new Map(baseline.notes),
  };
  for (const [key, q] of Object.entries(cells)) wanted.quantities.set(key, q);
  return saveGrid(t.db, {
    partnerCode: "COE",
    schoolCode: "COE-01",
    version: grid.version,
    baseline,
    wanted,
    user,
    now,
  });
}

const stored = async (category: string, year: number) =>
  Number(
    (
      await t.db
        .selectFrom("demand_lines")
        .select("quantity")
        .where("partner_code", "=", "COE")
        .where("school_code", "=", "COE-01")
        .where("category_code", "=", category)
        .where("year", "=", year)
        .executeTakeFirst()
    )?.quantity ?? 0,
  );

test("a new tender opens its own round: every partner a draft, no deadline", async () => {
  const rounds = await listDemandRounds(t.db);
  expect(rounds.map((r) => [r.tenderCode, r.years, r.deadline])).toEqual([
    ["RV-2027", [2027, 2028, 2029, 2030], null],
    ["RV-2031", [2031, 2032, 2033, 2034], null],
  ]);
  expect(rounds[1].categoryCodes).toEqual(["NB-SUS", "TAB"]);
  const progress = await listRoundProgress(t.db, rounds[1]);
  expect(progress).toHaveLength(12);
  expect(new Set(progress.map((p) => p.status))).toEqual(new Set(["draft"]));
  expect(progress.every((p) => p.totalQuantity === 0)).toBe(true);
  const opened = await t.db
    .selectFrom("audit_log")
    .select(["action", "entity_key"])
    .where("entity", "=", "demand_round")
    .execute();
  expect(opened).toEqual([{ action: "demand.round.open", entity_key: "RV-2031" }]);
});

test("submitting round A locks A's cells only; B and cells of no round stay editable", async () => {
  expect(await submitDemand(t.db, "COE", "RV-2027", users.coe)).toMatchObject({
    kind: "done",
    round: "RV-2027",
  });
  expect((await getRoundStatus(t.db, "RV-2027", "COE")).status).toBe("submitted");
  expect((await getRoundStatus(t.db, "RV-2031", "COE")).status).toBe("draft");
  // Another partner's status in the same round is untouched.
  expect((await getRoundStatus(t.db, "RV-2027", "DUE")).status).toBe("draft");

  const before = await stored("TAB", 2028);
  expect(await change({ [cellKey("COE-01", "TAB", 2028)]: before + 5 }, users.coe)).toMatchObject({
    kind: "denied",
    reason: expect.stringMatching(/RV-2027.*eingereicht/),
  });
  expect(await stored("TAB", 2028)).toBe(before);
  // A save that changes A and B at once is refused as a whole.
  expect(
    (
      await change(
        { [cellKey("COE-01", "TAB", 2028)]: before + 1, [cellKey("COE-01", "TAB", 2031)]: 4 },
        users.coe,
      )
    ).kind,
  ).toBe("denied");
  expect(await stored("TAB", 2031)).toBe(0);

  expect((await change({ [cellKey("COE-01", "TAB", 2031)]: 7 }, users.coe)).kind).toBe("saved");
  expect(await stored("TAB", 2031)).toBe(7);
  expect((await change({ [cellKey("COE-01", "DOKU", 2032)]: 2 }, users.coe)).kind).toBe("saved");

  // Submitting B too: B's cells lock, cells of no round stay free.
  expect((await submitDemand(t.db, "COE", "RV-2031", users.coe)).kind).toBe("done");
  expect((await change({ [cellKey("COE-01", "TAB", 2031)]: 8 }, users.coe)).kind).toBe("denied");
  expect((await change({ [cellKey("COE-01", "DOKU", 2032)]: 3 }, users.coe)).kind).toBe("saved");

  // Reopening A opens A only.
  expect((await reopenDemand(t.db, "COE", "RV-2027", users.coordinator)).kind).toBe("done");
  expect((await change({ [cellKey("COE-01", "TAB", 2028)]: before + 5 }, users.coe)).kind).toBe(
    "saved",
  );
  expect((await change({ [cellKey("COE-01", "TAB", 2031)]: 8 }, users.coe)).kind).toBe("denied");

  // The history keeps each round's status changes with the round in the key.
  const history = (await listDemandHistory(t.db, "COE")).filter(
    (h) => h.entity === "demand_status",
  );
  expect(history.map((h) => [h.round, h.newValue])).toEqual([
    ["RV-2027", "reopened"],
    ["RV-2031", "submitted"],
    ["RV-2027", "submitted"],
  ]);
  const keys = await t.db
    .selectFrom("audit_log")
    .select("entity_key")
    .where("entity", "=", "demand_status")
    .orderBy("id")
    .execute();
  expect(keys.map((k) => k.entity_key)).toEqual(["COE|RV-2027", "COE|RV-2031", "COE|RV-2027"]);
});

test("each round has its own deadline, which locks only its cells", async () => {
  expect(await setDemandDeadline(t.db, "RV-2031", "2027-01-31T18:00", users.coordinator)).toEqual({
    kind: "done",
    round: "RV-2031",
  });
  expect(
    (await setDemandDeadline(t.db, "RV-2099", "2027-01-31T18:00", users.coordinator)).kind,
  ).toBe("denied");
  const rounds = await listDemandRounds(t.db);
  expect(rounds.map((r) => r.deadlineLocal)).toEqual([null, "2027-01-31T18:00"]);
  const after = new Date("2027-01-31T17:00:00Z"); // 18:00 in Berlin
  const justBefore = new Date("2027-01-31T16:59:00Z");
  expect(await change({ [cellKey("COE-01", "TAB", 2031)]: 3 }, users.coe, after)).toMatchObject({
    kind: "denied",
    reason: expect.stringMatching(/RV-2031.*Frist/),
  });
  expect((await change({ [cellKey("COE-01", "TAB", 2031)]: 3 }, users.coe, justBefore)).kind).toBe(
    "saved",
  );
  expect((await change({ [cellKey("COE-01", "TAB", 2028)]: 3 }, users.coe, after)).kind).toBe(
    "saved",
  );
  expect((await submitDemand(t.db, "COE", "RV-2031", users.coe, after)).kind).toBe("denied");
  expect((await submitDemand(t.db, "COE", "RV-2027", users.coe, after)).kind).toBe("done");
  // The coordinator still edits after the deadline.
  expect(
    (await change({ [cellKey("COE-01", "TAB", 2031)]: 9 }, users.coordinator, after)).kind,
  ).toBe("saved");
  const entries = (await listDemandHistory(t.db, "COE")).filter(
    (h) => h.action === "demand.deadline",
  );
  expect(entries.map((h) => [h.round, h.newValue])).toEqual([["RV-2031", "2027-01-31T18:00"]]);
});

test("without a named round, the one with the nearest open deadline is meant", async () => {
  await setDemandDeadline(t.db, "RV-2027", "2027-06-30T18:00", users.coordinator);
  await setDemandDeadline(t.db, "RV-2031", "2027-03-31T18:00", users.coordinator);
  const now = new Date("2027-02-01T09:00:00Z");
  expect(await submitDemand(t.db, "COE", null, users.coe, now)).toMatchObject({
    round: "RV-2031",
  });
  // After RV-2031's deadline the open RV-2027 is next.
  const later = new Date("2027-04-01T09:00:00Z");
  expect(await submitDemand(t.db, "DUE", null, users.due, later)).toMatchObject({
    round: "RV-2027",
  });
});

test("an Excel import may change open rounds' cells, never a submitted round's", async () => {
  await submitDemand(t.db, "COE", "RV-2027", users.coe);
  const decisions: Awaited<ReturnType<typeof importLockDecision>>[] = [];
  const upload = async (cells: { categoryCode: string; year: number; quantity: number }[]) => {
    const r = await createPendingImport(t.db, {
      partnerCode: "COE",
      user: users.coe,
      fileName: "Bedarf.xlsx",
      generatedAt: new Date().toISOString(),
      cells: cells.map((c) => ({ ...c, schoolCode: "COE-01", downloaded: 0 })),
      notes: [],
    });
    if (r.kind !== "created") throw new Error(JSON.stringify(r));
    const pending = (await getPendingImport(t.db, r.id, users.coe, "COE"))!;
    const preview = await previewImport(t.db, pending);
    decisions.push(await importLockDecision(t.db, users.coe, pending));
    return applyPendingImport(t.db, {
      id: r.id,
      partnerCode: "COE",
      user: users.coe,
      token: preview.token,
    });
  };
  expect(await upload([{ categoryCode: "NB-SUS", year: 2033, quantity: 11 }])).toMatchObject({
    kind: "applied",
    cells: 1,
  });
  expect(await stored("NB-SUS", 2033)).toBe(11);
  const denied = await upload([
    { categoryCode: "NB-SUS", year: 2034, quantity: 4 },
    { categoryCode: "LADE", year: 2029, quantity: 99 },
  ]);
  expect(denied).toMatchObject({ kind: "denied", reason: expect.stringContaining("RV-2027") });
  // The preview already tells: the first file is fine, the second touches RV-2027.
  expect(decisions).toEqual([
    { allowed: true },
    { allowed: false, reason: expect.stringContaining("RV-2027") },
  ]);
  expect(await stored("NB-SUS", 2034)).toBe(0);
});

test("a renamed tender keeps its round", async () => {
  await submitDemand(t.db, "COE", "RV-2031", users.coe);
  await setDemandDeadline(t.db, "RV-2031", "2031-03-31T18:00", users.coordinator);
  await updateTender(t.db, "RV-2031", { ...RV_2031, code: "RV-2031A" }, users.coordinator.id);
  const rounds = await listDemandRounds(t.db);
  expect(rounds.map((r) => [r.tenderCode, r.deadlineLocal])).toEqual([
    ["RV-2027", null],
    ["RV-2031A", "2031-03-31T18:00"],
  ]);
  expect((await getRoundStatus(t.db, "RV-2031A", "COE")).status).toBe("submitted");
});

// SQLite only: it builds an old SQLite file (migrations before 011) beside the test's own.
test.skipIf(process.env.TEST_DATABASE_URL)(
  "migration 011: the old single status and deadline become every tender's round's",
  async () => {
    const dir = t.file.replace(/test\.db$/, "old.db");
    const old = openDatabase(dir);
    try {
      const before = Object.fromEntries(
        Object.entries(migrations).filter(([name]) => name < "011"),
      );
      const migrator = new Migrator({
        db: old.db,
        provider: { getMigrations: async () => before },
      });
      const { error } = await migrator.migrateToLatest();
      expect(error).toBeUndefined();
      const statements = [
        `INSERT INTO partners (code, name, population, position) VALUES ('AAA', 'A', 1, 0), ('BBB', 'B', 1, 1)`,
        `INSERT INTO tenders (code, name, start_year, term_years) VALUES ('T-1', 'Eins', 2027, 2), ('T-2', 'Zwei', 2029, 2)`,
        `INSERT INTO demand_status (partner_code, status, changed_at, changed_by) VALUES
        ('AAA', 'submitted', '2027-01-10T10:00:00.000Z', NULL),
        ('BBB', 'reopened', '2027-01-11T10:00:00.000Z', NULL)`,
        `INSERT INTO settings (key, value) VALUES ('demandDeadline', '2027-03-31T18:00')`,
      ];
      for (const statement of statements) await sql.raw(statement).execute(old.db);
      expect(await migrateToLatest(old.db)).toContain("011-demand-rounds");

      const rounds = await old.db
        .selectFrom("demand_rounds")
        .select(["tender_code", "deadline"])
        .orderBy("tender_code")
        .execute();
      expect(rounds).toEqual([
        { tender_code: "T-1", deadline: "2027-03-31T18:00" },
        { tender_code: "T-2", deadline: "2027-03-31T18:00" },
      ]);
      const statuses = await old.db
        .selectFrom("demand_round_status")
        .select(["tender_code", "partner_code", "status", "changed_at"])
        .orderBy("tender_code")
        .orderBy("partner_code")
        .execute();
      expect(statuses).toEqual([
        {
          tender_code: "T-1",
          partner_code: "AAA",
          status: "submitted",
          changed_at: "2027-01-10T10:00:00.000Z",
        },
        {
          tender_code: "T-1",
          partner_code: "BBB",
          status: "reopened",
          changed_at: "2027-01-11T10:00:00.000Z",
        },
        {
          tender_code: "T-2",
          partner_code: "AAA",
          status: "submitted",
          changed_at: "2027-01-10T10:00:00.000Z",
        },
        {
          tender_code: "T-2",
          partner_code: "BBB",
          status: "reopened",
          changed_at: "2027-01-11T10:00:00.000Z",
        },
      ]);
      const setting = await old.db
        .selectFrom("settings")
        .select("value")
        .where("key", "=", "demandDeadline")
        .executeTakeFirst();
      expect(setting).toBeUndefined();
      const tables = await sql<{
        name: string;
      }>`select name from sqlite_master where type = 'table'`.execute(old.db);
      expect(tables.rows.map((r) => r.name)).not.toContain("demand_status");
    } finally {
      await old.db.destroy();
    }
  },
);
