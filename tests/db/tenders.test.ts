import Decimal from "decimal.js";
import { listAudit } from "../../db/audit";
import { createUser } from "../../db/users";
import {
  createCategory,
  deleteCategory,
  listCategoriesForEditing,
  updateCategory,
} from "../../db/categories";
import { exportPlan, importPlan } from "../../db/plan-io";
import {
  addCommonCost,
  addLot,
  createTender,
  deleteCommonCost,
  deleteLot,
  deleteTender,
  EditRefused,
  PlanWouldBeInvalid,
  updateCommonCost,
  updateLot,
  updateTender,
  type TenderInput,
} from "../../db/tenders";
import { getTenderForEditing } from "../../db/tender-inputs";
import { calculatePlan } from "../../domain/calculate";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";
import { snapshotDatabase } from "./plan-fixtures";
import { editingPlan } from "./tenders-fixtures";

let t: TestDatabase;
let userId: number;
beforeAll(async () => {
  t = await createTestDatabase();
  userId = (
    await createUser(t.db, {
      email: "k@example.org",
      name: "Koordination",
      role: "coordinator",
      password: "geheim-geheim",
    })
  ).id;
});
afterAll(async () => t.cleanup());
beforeEach(async () => {
  await importPlan(t.db, editingPlan(), { replace: true });
  await t.db.deleteFrom("audit_log").execute();
});

const RV_2031: TenderInput = {
  code: "RV-2031",
  name: "Präsentation 2031",
  startYear: 2031,
  termYears: 2,
  reserve: "0.1",
  soloProcessCostGrossCents: 750000n,
};

async function refusal(promise: Promise<unknown>): Promise<EditRefused> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EditRefused);
  return error as EditRefused;
}

async function invalidPlan(promise: Promise<unknown>): Promise<PlanWouldBeInvalid> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PlanWouldBeInvalid);
  return error as PlanWouldBeInvalid;
}

describe("tenders", () => {
  it("creates a tender with an audit entry and refuses a taken code", async () => {
    await createTender(t.db, RV_2031, userId);
    const plan = await exportPlan(t.db);
    expect(plan.tenders?.map((x) => x.code)).toEqual(["RV-2027", "RV-2031"]);
    expect(plan.tenders?.[1]).toMatchObject({
      startYear: 2031,
      termYears: 2,
      reserve: "0.1",
      soloProcessCostGross: "7500.00",
    });
    const audit = await listAudit(t.db, { entity: "tender" });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: "create",
      entityKey: "RV-2031",
      userId,
      userName: "Koordination",
    });
    expect(JSON.parse(audit[0].newValue ?? "{}")).toMatchObject({
      soloProcessCostGrossCents: "750000",
    });

    const before = await snapshotDatabase(t.db);
    const error = await refusal(createTender(t.db, { ...RV_2031, name: "Zweite" }, null));
    expect(error.fieldErrors).toEqual({ code: ["Das Kürzel RV-2031 ist bereits vergeben."] });
    expect(await snapshotDatabase(t.db)).toEqual(before);
  });

  it("renames a tender; lots and costs follow", async () => {
    await createTender(t.db, RV_2031, null);
    await addLot(t.db, "RV-2031", { code: "P1", name: "Beamer", categories: ["BEAM"] }, null);
    await addCommonCost(
      t.db,
      "RV-2031",
      { label: "Beratung", amountGrossCents: 100000n, key: "equal" },
      null,
    );
    await updateTender(
      t.db,
      "RV-2031",
      { ...RV_2031, code: "RV-31", name: "Neu", termYears: 1 },
      null,
    );
    const tender = await getTenderForEditing(t.db, "RV-31");
    expect(tender).toMatchObject({
      name: "Neu",
      termYears: 1,
      lots: [{ code: "P1", categories: ["BEAM"] }],
    });
    expect(tender?.commonCosts).toHaveLength(1);
    expect(await getTenderForEditing(t.db, "RV-2031")).toBeUndefined();
  });

  it("refuses years that would cover a category twice, at the start year", async () => {
    await createTender(t.db, RV_2031, null);
    await addLot(
      t.db,
      "RV-2031",
      { code: "P1", name: "Präsentation", categories: ["BEAM", "DOKU"] },
      null,
    );
    const before = await snapshotDatabase(t.db);
    const error = await refusal(
      updateTender(t.db, "RV-2031", { ...RV_2031, startYear: 2029, termYears: 4 }, null),
    );
    expect(error.fieldErrors).toEqual({
      startYear: [
        "Produktgruppe Dokumentenkamera (DOKU) ist 2029–2030 bereits in Ausschreibung RV-2027 („Rahmenvertrag Schul-IT 2027–2030“).",
      ],
    });
    expect(await snapshotDatabase(t.db)).toEqual(before);
  });

  it("deletes a tender with its lots and costs", async () => {
    await createTender(t.db, RV_2031, null);
    await addLot(t.db, "RV-2031", { code: "P1", name: "Beamer", categories: ["BEAM"] }, null);
    await deleteTender(t.db, "RV-2031", null);
    expect((await exportPlan(t.db)).tenders?.map((x) => x.code)).toEqual(["RV-2027"]);
    expect(
      await t.db.selectFrom("lots").select("id").where("tender_code", "=", "RV-2031").execute(),
    ).toEqual([]);
  });
});

describe("lots", () => {
  beforeEach(async () => {
    await createTender(t.db, RV_2031, null);
  });

  it("adds, renames, reassigns and deletes lots", async () => {
    const p1 = await addLot(
      t.db,
      "RV-2031",
      { code: "P1", name: "Beamer", categories: ["BEAM"] },
      userId,
    );
    await addLot(t.db, "RV-2031", { code: "P2", name: "Audio", categories: ["HEAD"] }, userId);
    await updateLot(
      t.db,
      "RV-2031",
      p1,
      { code: "L1", name: "Projektion", categories: [] },
      userId,
    );
    let plan = await exportPlan(t.db);
    expect(plan.tenders?.[1].lots).toEqual([
      { code: "L1", name: "Projektion", categories: [] },
      { code: "P2", name: "Audio", categories: ["HEAD"] },
    ]);
    await deleteLot(t.db, "RV-2031", p1, userId);
    plan = await exportPlan(t.db);
    expect(plan.tenders?.[1].lots.map((l) => l.code)).toEqual(["P2"]);
    expect(
      (await listAudit(t.db, { entity: "lot" })).map((a) => `${a.action} ${a.entityKey}`),
    ).toEqual(["delete RV-2031/L1", "update RV-2031/L1", "create RV-2031/P2", "create RV-2031/P1"]);
  });

  it("refuses a category that another lot of the tender holds", async () => {
    await addLot(t.db, "RV-2031", { code: "L1", name: "Beamer", categories: ["BEAM"] }, null);
    const before = await snapshotDatabase(t.db);
    const error = await refusal(
      addLot(t.db, "RV-2031", { code: "L2", name: "Alles", categories: ["HEAD", "BEAM"] }, null),
    );
    expect(error.fieldErrors).toEqual({
      categories: ["Produktgruppe Beamer (BEAM) ist bereits Los L1 zugeordnet."],
    });
    expect(await snapshotDatabase(t.db)).toEqual(before);
  });

  it("refuses a category another tender covers in overlapping years, and a taken lot code", async () => {
    await t.db
      .updateTable("tenders")
      .set({ start_year: 2030 })
      .where("code", "=", "RV-2031")
      .execute();
    await addLot(t.db, "RV-2031", { code: "L1", name: "Beamer", categories: ["BEAM"] }, null);
    const error = await refusal(
      addLot(t.db, "RV-2031", { code: "L1", name: "Tablets", categories: ["TAB"] }, null),
    );
    expect(error.fieldErrors).toEqual({
      code: ["Das Los L1 gibt es in dieser Ausschreibung schon."],
      categories: [
        "Produktgruppe Tablet mit Hülle (TAB) ist 2030 bereits in Ausschreibung RV-2027 („Rahmenvertrag Schul-IT 2027–2030“).",
      ],
    });
  });

  it("refuses unknown categories", async () => {
    const error = await refusal(
      addLot(t.db, "RV-2031", { code: "L1", name: "X", categories: ["NOPE"] }, null),
    );
    expect(error.fieldErrors.categories).toEqual(["Die Produktgruppe NOPE gibt es nicht."]);
  });
});

describe("common costs", () => {
  beforeEach(async () => {
    await createTender(t.db, RV_2031, null);
    await addLot(t.db, "RV-2031", { code: "L1", name: "Beamer", categories: ["BEAM"] }, null);
    await addLot(t.db, "RV-2031", { code: "L2", name: "Audio", categories: ["HEAD"] }, null);
  });

  it("stores custom weights that the engine then uses", async () => {
    const id = await addCommonCost(
      t.db,
      "RV-2031",
      {
        label: "Projektleitung",
        amountGrossCents: 1000000n,
        key: "custom",
        weights: { KRS: "2", COE: "1.5", ASC: "0.5" },
      },
      userId,
    );
    const plan = await exportPlan(t.db);
    expect(plan.tenders?.[1].commonCosts).toEqual([
      {
        label: "Projektleitung",
        amountGross: "10000.00",
        key: "custom",
        weights: { KRS: "2", COE: "1.5", ASC: "0.5" },
      },
    ]);
    const shares = calculatePlan(plan).tenders[1].commonCosts[0].shares;
    // 10,000.00 € by 0.5 : 1.5 : 0 : 2 of 4 → 1,250 / 3,750 / 0 / 5,000
    expect(shares.map((s) => [s.partner, s.cents])).toEqual([
      ["ASC", 125000n],
      ["COE", 375000n],
      ["DUE", 0n],
      ["KRS", 500000n],
    ]);
    await updateCommonCost(
      t.db,
      "RV-2031",
      id,
      { label: "Projektleitung", amountGrossCents: 1000000n, key: "equal" },
      userId,
    );
    const after = await exportPlan(t.db);
    expect(after.tenders?.[1].commonCosts?.[0]).toEqual({
      label: "Projektleitung",
      amountGross: "10000.00",
      key: "equal",
    });
    expect(
      await t.db
        .selectFrom("common_cost_weights")
        .selectAll()
        .where("common_cost_id", "=", id)
        .execute(),
    ).toEqual([]);
    await deleteCommonCost(t.db, "RV-2031", id, userId);
    expect((await exportPlan(t.db)).tenders?.[1].commonCosts).toEqual([]);
    expect((await listAudit(t.db, { entity: "common_cost" })).map((a) => a.action)).toEqual([
      "delete",
      "update",
      "create",
    ]);
  });

  it("rolls back weights that sum to zero and names the problem", async () => {
    const before = await snapshotDatabase(t.db);
    const error = await invalidPlan(
      addCommonCost(
        t.db,
        "RV-2031",
        { label: "Leer", amountGrossCents: 100n, key: "custom", weights: { KRS: "0" } },
        null,
      ),
    );
    expect(error.problems.length).toBeGreaterThan(0);
    expect(error.problems[0].path).toMatch(/^tenders\[1\]\.commonCosts\[0\]/);
    expect(await snapshotDatabase(t.db)).toEqual(before);
  });

  it("rolls back a weight for a partner that does not take part", async () => {
    const before = await snapshotDatabase(t.db);
    const error = await invalidPlan(
      addCommonCost(
        t.db,
        "RV-2031",
        { label: "X", amountGrossCents: 100n, key: "custom", weights: { KRS: "1", NOK: "1" } },
        null,
      ),
    );
    expect(error.problems.some((p) => p.path.includes("NOK"))).toBe(true);
    expect(await snapshotDatabase(t.db)).toEqual(before);
  });

  it("refuses unknown partners in weights at the field", async () => {
    const error = await refusal(
      addCommonCost(
        t.db,
        "RV-2031",
        { label: "X", amountGrossCents: 100n, key: "custom", weights: { XYZ: "1" } },
        null,
      ),
    );
    expect(error.fieldErrors).toEqual({ weights: ["Unbekannte Partner: XYZ."] });
  });
});

describe("categories", () => {
  it("creates, updates (tiers replaced, sorted) and deletes an unused category", async () => {
    await createCategory(
      t.db,
      {
        code: "MIC",
        name: "Mikrofon",
        unit: "Stück",
        basePriceNetCents: 12990n,
        vatRate: "0.19",
        tiers: [{ minQuantity: 50, discount: "0.05" }],
      },
      userId,
    );
    await updateCategory(
      t.db,
      "MIC",
      {
        code: "MIC",
        name: "Mikrofon",
        basePriceNetCents: 11990n,
        vatRate: "0.07",
        tiers: [
          { minQuantity: 200, discount: "0.1" },
          { minQuantity: 20, discount: "0.02" },
        ],
      },
      userId,
    );
    const mic = (await listCategoriesForEditing(t.db)).find((c) => c.code === "MIC");
    expect(mic).toEqual({
      code: "MIC",
      name: "Mikrofon",
      unit: null,
      basePriceNetCents: 11990,
      vatRate: "0.07",
      tiers: [
        { minQuantity: 20, discount: "0.02" },
        { minQuantity: 200, discount: "0.1" },
      ],
      serviceLifeYears: 5, // the defaults of §11
      supportUnits: "1",
      lots: [],
      demandLines: 0,
    });
    await deleteCategory(t.db, "MIC", userId);
    expect((await listCategoriesForEditing(t.db)).some((c) => c.code === "MIC")).toBe(false);
    expect((await listAudit(t.db, { entity: "category" })).map((a) => a.action)).toEqual([
      "delete",
      "update",
      "create",
    ]);
  });

  it("refuses to delete a category in use, and a taken code", async () => {
    const before = await snapshotDatabase(t.db);
    const error = await refusal(deleteCategory(t.db, "TAB", null));
    expect(error.fieldErrors.code[0]).toMatch(
      /^Die Produktgruppe TAB wird noch verwendet \(Lose RV-2027\/L1; \d+ Bedarfsmeldungen\)/,
    );
    const taken = await refusal(
      updateCategory(
        t.db,
        "BEAM",
        { code: "TAB", name: "x", basePriceNetCents: 1n, vatRate: "0.19", tiers: [] },
        null,
      ),
    );
    expect(taken.fieldErrors).toEqual({ code: ["Das Kürzel TAB ist bereits vergeben."] });
    expect(await snapshotDatabase(t.db)).toEqual(before);
  });

  it("a new price reaches the engine", async () => {
    const tab = (await listCategoriesForEditing(t.db)).find((c) => c.code === "TAB")!;
    await updateCategory(
      t.db,
      "TAB",
      { ...tab, unit: tab.unit ?? undefined, basePriceNetCents: 40000n },
      null,
    );
    const category = calculatePlan(await exportPlan(t.db)).tenders[0].categories.find(
      (c) => c.code === "TAB",
    )!;
    expect(category.basePriceNet).toBe(40000n);
    expect(category.discount).not.toBe("0");
    const expected = new Decimal(40000)
      .times(new Decimal(1).minus(category.discount))
      .toDecimalPlaces(0, Decimal.ROUND_HALF_UP);
    expect(category.unitPriceNet).toBe(BigInt(expected.toFixed()));
  });
});

test("two plan edits at the same moment run one after the other: the second sees the first's category", async () => {
  // Without the consortium's write lock PostgreSQL would run both checks before either
  // insert, and the second would fail on the primary key instead of a field message.
  const input = {
    code: "CAM",
    name: "Dokumentenkamera",
    unit: "Stück",
    basePriceNetCents: 19900n,
    vatRate: "0.19",
    tiers: [],
  };
  const outcomes = await Promise.allSettled([
    createCategory(t.db, input, userId),
    createCategory(t.db, { ...input, name: "Kamera" }, userId),
  ]);
  expect(outcomes.map((o) => o.status).sort()).toEqual(["fulfilled", "rejected"]);
  const refusal = outcomes.find((o) => o.status === "rejected")!.reason as unknown;
  expect(refusal).toBeInstanceOf(EditRefused);
  expect((refusal as EditRefused).fieldErrors.code).toEqual([
    "Das Kürzel CAM ist bereits vergeben.",
  ]);
  const cam = (await listCategoriesForEditing(t.db)).filter((c) => c.code === "CAM");
  expect(cam).toHaveLength(1);
});
