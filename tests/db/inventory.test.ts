import { createTestDatabase, type TestDatabase } from "../helpers/test-database";
import {
  applyPendingInventoryImport,
  createPendingInventoryImport,
  inventoryGridsOf,
  inventoryYears,
  loadInventoryOverview,
  loadPartnerInventory,
  loadReplacementInputs,
  previewInventoryImport,
  getPendingInventoryImport,
  saveInventoryGrid,
} from "../../db/inventory";
import { cellKey, gridValues, lineKey, type GridValues } from "../../domain/demand-grid";
import { seedDemandUsers, seedDemoPlan } from "./demand-seed";

let t: TestDatabase;
let users: Awaited<ReturnType<typeof seedDemandUsers>>;
const NOW = new Date("2026-06-01T10:00:00Z");

beforeEach(async () => {
  t = await createTestDatabase();
  await seedDemoPlan(t.db);
  // The demo carries an installed base; these tests start from none.
  await t.db.deleteFrom("inventory_lines").execute();
  await t.db.deleteFrom("inventory_notes").execute();
  users = await seedDemandUsers(t.db);
});
afterEach(async () => t.cleanup());

async function edit(
  partner: string,
  school: string | null,
  changes: Record<string, number>,
  notes: Record<string, string> = {},
) {
  const data = await loadPartnerInventory(t.db, partner, NOW);
  const g = inventoryGridsOf(data!).find((x) => x.schoolCode === school)!;
  const baseline = gridValues(g);
  const wanted: GridValues = {
    quantities: new Map(baseline.quantities),
    notes: new Map(baseline.notes),
  };
  for (const [key, q] of Object.entries(changes)) wanted.quantities.set(key, q);
  for (const [key, text] of Object.entries(notes)) wanted.notes.set(key, text);
  return {
    partnerCode: partner,
    schoolCode: school,
    version: g.version,
    baseline,
    wanted,
    now: NOW,
  };
}

const storedLines = (partner: string) =>
  t.db
    .selectFrom("inventory_lines")
    .select(["school_code", "category_code", "year", "quantity"])
    .where("partner_code", "=", partner)
    .orderBy("year")
    .execute();

describe("inventory years", () => {
  it("shows the last eight purchase years and any year with data", () => {
    expect(inventoryYears([], NOW)).toEqual([2019, 2020, 2021, 2022, 2023, 2024, 2025, 2026]);
    expect(inventoryYears([2015, 2027], NOW)[0]).toBe(2015);
    expect(inventoryYears([2015, 2027], NOW).at(-1)).toBe(2027);
  });
});

describe("saveInventoryGrid", () => {
  it("saves cells and notes with an audit entry each", async () => {
    const input = await edit(
      "COE",
      "COE-01",
      { [cellKey("COE-01", "NB-SUS", 2022)]: 120, [cellKey("COE-01", "TAB", 2023)]: 30 },
      { [lineKey("COE-01", "NB-SUS")]: "Ausstattung aus dem DigitalPakt 2019–2024" },
    );
    const result = await saveInventoryGrid(t.db, { ...input, user: users.coe });
    expect(result).toMatchObject({ kind: "saved", cells: 2, notes: 1 });
    expect(await storedLines("COE")).toEqual([
      { school_code: "COE-01", category_code: "NB-SUS", year: 2022, quantity: 120 },
      { school_code: "COE-01", category_code: "TAB", year: 2023, quantity: 30 },
    ]);
    const audit = await t.db
      .selectFrom("audit_log")
      .select(["action", "entity", "entity_key", "new_value"])
      .where("action", "=", "inventory.update")
      .orderBy("id")
      .execute();
    expect(audit.map((a) => a.entity_key)).toEqual([
      "COE|COE-01|NB-SUS|2022",
      "COE|COE-01|TAB|2023",
      "COE|COE-01|NB-SUS",
    ]);
    // demand is untouched
    const demand = await t.db
      .selectFrom("demand_lines")
      .select("id")
      .where("partner_code", "=", "COE")
      .where("year", "=", 2022)
      .execute();
    expect(demand).toHaveLength(0);
  });

  it("deletes a line set to 0 and refuses a stale version with the conflicting cells", async () => {
    const first = await edit("COE", null, { [cellKey(null, "AP", 2021)]: 5 });
    await saveInventoryGrid(t.db, { ...first, user: users.coe });
    const stale = await edit("COE", null, { [cellKey(null, "AP", 2021)]: 7 });
    const other = await edit("COE", null, { [cellKey(null, "AP", 2021)]: 9 });
    expect((await saveInventoryGrid(t.db, { ...other, user: users.coordinator })).kind).toBe(
      "saved",
    );
    const result = await saveInventoryGrid(t.db, { ...stale, user: users.coe });
    expect(result).toEqual({
      kind: "conflict",
      conflicts: [{ schoolCode: null, categoryCode: "AP", year: 2021, theirs: "9", yours: "7" }],
    });
    const zero = await edit("COE", null, { [cellKey(null, "AP", 2021)]: 0 });
    await saveInventoryGrid(t.db, { ...zero, user: users.coe });
    expect(await storedLines("COE")).toEqual([]);
  });

  it("refuses values of another partner's school", async () => {
    const input = await edit("COE", "COE-01", {});
    input.wanted.quantities.set(cellKey("DUE-01", "TAB", 2022), 3);
    const result = await saveInventoryGrid(t.db, { ...input, user: users.coe });
    expect(result.kind).toBe("denied");
    expect(await storedLines("COE")).toEqual([]);
  });
});

describe("inventory imports", () => {
  it("previews, then applies all values in one go, and refuses after a concurrent change", async () => {
    const created = await createPendingInventoryImport(t.db, {
      partnerCode: "COE",
      user: users.coe,
      fileName: "Bestand.xlsx",
      cells: [
        { schoolCode: "COE-02", categoryCode: "NB-LK", year: 2020, quantity: 40 },
        { schoolCode: null, categoryCode: "DOKU", year: 2024, quantity: 2 },
      ],
      notes: [],
      now: NOW,
    });
    if (created.kind !== "created") throw new Error(created.kind);
    const pending = await getPendingInventoryImport(t.db, created.id, users.coe, "COE", NOW);
    expect((await previewInventoryImport(t.db, pending!, NOW)).cells).toHaveLength(2);
    // another officer of the same partner may not confirm it
    expect(
      await applyPendingInventoryImport(t.db, {
        id: created.id,
        partnerCode: "COE",
        user: users.coe2,
        now: NOW,
      }),
    ).toEqual({ kind: "missing" });
    const applied = await applyPendingInventoryImport(t.db, {
      id: created.id,
      partnerCode: "COE",
      user: users.coe,
      now: NOW,
    });
    expect(applied).toMatchObject({ kind: "applied", cells: 2 });
    expect(await storedLines("COE")).toHaveLength(2);

    const second = await createPendingInventoryImport(t.db, {
      partnerCode: "COE",
      user: users.coe,
      fileName: "Bestand.xlsx",
      cells: [{ schoolCode: "COE-02", categoryCode: "NB-LK", year: 2020, quantity: 50 }],
      notes: [],
      now: NOW,
    });
    if (second.kind !== "created") throw new Error(second.kind);
    const meanwhile = await edit("COE", "COE-02", { [cellKey("COE-02", "NB-LK", 2020)]: 45 });
    await saveInventoryGrid(t.db, { ...meanwhile, user: users.coordinator });
    const refused = await applyPendingInventoryImport(t.db, {
      id: second.id,
      partnerCode: "COE",
      user: users.coe,
      now: NOW,
    });
    expect(refused.kind).toBe("conflict");
    expect((await storedLines("COE")).find((l) => l.year === 2020)?.quantity).toBe(45);
  });

  it("refuses cells of unknown schools at upload", async () => {
    const created = await createPendingInventoryImport(t.db, {
      partnerCode: "COE",
      user: users.coe,
      fileName: "x.xlsx",
      cells: [{ schoolCode: "DUE-01", categoryCode: "TAB", year: 2020, quantity: 1 }],
      notes: [],
      now: NOW,
    });
    expect(created.kind).toBe("invalid");
  });
});

describe("overview and replacement inputs", () => {
  it("sums per partner and category and lists inventory and demand as purchases", async () => {
    const input = await edit("COE", "COE-01", { [cellKey("COE-01", "NB-SUS", 2022)]: 120 });
    await saveInventoryGrid(t.db, { ...input, user: users.coe });
    const overview = await loadInventoryOverview(t.db);
    expect(overview.rows.find((r) => r.partnerCode === "COE")).toMatchObject({
      totals: { "NB-SUS": 120 },
      total: 120,
    });
    expect(overview.rows.find((r) => r.partnerCode === "DUE")?.total).toBe(0);
    const inputs = await loadReplacementInputs(t.db, "COE");
    expect(inputs.purchases).toContainEqual({
      schoolCode: "COE-01",
      categoryCode: "NB-SUS",
      year: 2022,
      quantity: 120,
    });
    const demandLines = await t.db
      .selectFrom("demand_lines")
      .select("id")
      .where("partner_code", "=", "COE")
      .execute();
    expect(inputs.purchases).toHaveLength(demandLines.length + 1);
    expect(inputs.serviceLife.get("NB-SUS")).toBe(5);
  });
});
