import { sql } from "kysely";
import { listAudit } from "../../db/audit";
import {
  AWARD_FROZEN_MESSAGE,
  awardLot,
  getAwardPage,
  isAwardFrozenError,
  listAwardedPlannedDemand,
  setMaxQuantityOverride,
  type AwardInput,
} from "../../db/awards";
import {
  getCallOffOverview,
  cancelCallOff,
  correctCallOff,
  getPlanVsActual,
  listCallOffs,
  NOT_AWARDED_MESSAGE,
  recordCallOff,
  tenderUsageLevels,
  type CallOffInput,
} from "../../db/call-offs";
import { importPlan } from "../../db/plan-io";
import { getTenderForEditing } from "../../db/tender-inputs";
import { deleteLot, refusalAsFormErrors, updateTender } from "../../db/tenders";
import { priceField } from "../../domain/call-offs";
import {
  awardOfL1,
  CALL_OFF_PLAN,
  seedCallOffPlan,
  type SeededUsers,
} from "../helpers/call-offs-seed";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";
import { isUniqueViolation } from "../../db/errors";

let t: TestDatabase;
let users: SeededUsers;

beforeEach(async () => {
  t = await createTestDatabase();
  users = await seedCallOffPlan(t.db);
});
afterEach(async () => t.cleanup());

function award(overrides: Partial<AwardInput> = {}): AwardInput {
  return awardOfL1(users, overrides);
}

function callOff(overrides: Partial<CallOffInput> = {}): CallOffInput {
  return {
    tenderCode: "RV-2027",
    partnerCode: "COE",
    categoryCode: "NB",
    schoolCode: null,
    date: "2027-02-01",
    quantity: 1,
    orderNumber: "B-2027-001",
    userId: users.officerCoe.id,
    ...overrides,
  };
}

async function calledOffTotal(): Promise<number> {
  const { rows } = await sql<{
    total: number | null;
  }>`select sum(quantity) as total from call_offs`.execute(t.db);
  return Number(rows[0].total ?? 0);
}

describe("award", () => {
  test("before the award the page shows the engine's quantity, maximum and joint price per category", async () => {
    const page = await getAwardPage(t.db, "RV-2027");
    expect(page?.planProblems).toEqual([]);
    const l1 = page!.lots.find((l) => l.code === "L1")!;
    expect(l1.award).toBeNull();
    expect(l1.categories).toEqual([
      expect.objectContaining({
        code: "NB",
        jointQuantity: 40,
        engineMaxQuantity: 44,
        maxQuantity: 44,
        overrideMaxQuantity: null,
        estimatedUnitPriceNetCents: 49_400,
      }),
    ]);
  });

  test("freezes supplier, date, price, the engine's maximum and the planned demand; audited", async () => {
    const outcome = await awardLot(t.db, award());
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(outcome.value).toMatchObject({
      lotCode: "L1",
      supplier: "Muster IT GmbH",
      awardDate: "2026-11-02",
      startYear: 2027,
      termYears: 2,
    });
    expect(outcome.value.categories).toEqual([
      expect.objectContaining({
        code: "NB",
        unitPriceNetCents: 47_950,
        maxQuantity: 44,
        jointQuantity: 40,
        engineMaxQuantity: 44,
        estimatedUnitPriceNetCents: 49_400,
      }),
    ]);
    expect(await listAwardedPlannedDemand(t.db, "RV-2027")).toEqual([
      { partner: "COE", category: "NB", year: 2027, quantity: 20 },
      { partner: "COE", category: "NB", year: 2028, quantity: 10 },
      { partner: "DUE", category: "NB", year: 2027, quantity: 10 },
    ]);
    const [entry] = await listAudit(t.db, { action: "award.create" });
    expect(entry).toMatchObject({
      entity: "award",
      entityKey: "RV-2027/L1",
      userId: users.coordinator.id,
    });
    expect(JSON.parse(entry.newValue!)).toMatchObject({
      supplier: "Muster IT GmbH",
      categories: [{ category: "NB", unitPriceCents: 47_950, maxQuantity: 44 }],
    });
  });

  test("refuses a second award, a future date and a missing price", async () => {
    expect((await awardLot(t.db, award({ awardDate: "2026-11-29" }))).ok).toBe(false);
    const missing = await awardLot(t.db, award({ pricesCents: {} }));
    expect(missing).toEqual({
      ok: false,
      fieldErrors: { [priceField("NB")]: ["Bitte den Zuschlagspreis (netto) eingeben."] },
    });
    expect((await awardLot(t.db, award())).ok).toBe(true);
    expect(await awardLot(t.db, award())).toEqual({
      ok: false,
      fieldErrors: { "": ["Dieses Los ist bereits vergeben."] },
    });
  });

  test("maximum override: not below the joint quantity, used by the award, frozen after it", async () => {
    const input = { tenderCode: "RV-2027", categoryCode: "NB", userId: users.coordinator.id };
    expect(await setMaxQuantityOverride(t.db, { ...input, maxQuantity: 39 })).toEqual({
      ok: false,
      fieldErrors: {
        maxQuantity: ["Die Höchstmenge muss mindestens die gemeldete Gesamtmenge abdecken (40)."],
      },
    });
    expect((await setMaxQuantityOverride(t.db, { ...input, maxQuantity: 50 })).ok).toBe(true);
    const before = await getAwardPage(t.db, "RV-2027");
    const nb = before!.lots[0].categories[0];
    expect(nb).toMatchObject({ overrideMaxQuantity: 50, maxQuantity: 50 });
    expect(nb.warnings.join(" ")).toMatch(/Auftragswert/);

    const outcome = await awardLot(t.db, award());
    expect(outcome.ok && outcome.value.categories[0].maxQuantity).toBe(50);
    expect(await setMaxQuantityOverride(t.db, { ...input, maxQuantity: 60 })).toEqual({
      ok: false,
      fieldErrors: {
        maxQuantity: ["Das Los ist vergeben: die Höchstmenge ist mit dem Zuschlag festgelegt."],
      },
    });
    await expect(
      sql`update max_quantity_overrides set max_quantity = 60`.execute(t.db),
    ).rejects.toThrow(/eingefroren/);
    const audit = await listAudit(t.db, { action: "award.max-quantity" });
    expect(audit.map((a) => a.newValue)).toEqual(["50"]);
  });

  test("the database refuses to change an award or the inputs of an awarded lot", async () => {
    await awardLot(t.db, award());
    await expect(
      sql`update award_categories set max_quantity = 1000`.execute(t.db),
    ).rejects.toThrow(/eingefroren/);
    await expect(
      sql`update award_categories set unit_price_cents = 1`.execute(t.db),
    ).rejects.toThrow(/eingefroren/);
    await expect(sql`delete from awards`.execute(t.db)).rejects.toThrow(/eingefroren/);
    await expect(sql`delete from award_planned_demand`.execute(t.db)).rejects.toThrow(
      /eingefroren/,
    );
    await expect(sql`delete from lots where code = 'L1'`.execute(t.db)).rejects.toThrow(
      /eingefroren/,
    );
    await expect(sql`update lots set code = 'LX' where code = 'L1'`.execute(t.db)).rejects.toThrow(
      /eingefroren/,
    );
    await expect(
      sql`delete from lot_categories where category_code = 'NB'`.execute(t.db),
    ).rejects.toThrow(/eingefroren/);
    await expect(
      sql`insert into lot_categories (lot_id, category_code, position) select id, 'TAB', 9 from lots where code = 'L1'`.execute(
        t.db,
      ),
    ).rejects.toThrow(/eingefroren/);
    await expect(sql`update tenders set term_years = 3`.execute(t.db)).rejects.toThrow(
      /eingefroren/,
    );
    await expect(sql`delete from categories where code = 'NB'`.execute(t.db)).rejects.toThrow(
      /eingefroren/,
    );
    await expect(importPlan(t.db, CALL_OFF_PLAN, { replace: true })).rejects.toThrow(/eingefroren/);
    // What an award does not depend on stays editable: the open lot, names, common costs.
    await sql`update lots set name = 'Notebooks (vergeben)' where code = 'L1'`.execute(t.db);
    await sql`delete from lot_categories where category_code = 'TAB'`.execute(t.db);
    await sql`update common_costs set amount_cents = 400000`.execute(t.db);
  });

  test("the tender editor turns the refusal into a German form error", async () => {
    await awardLot(t.db, award());
    const l1 = (await getTenderForEditing(t.db, "RV-2027"))!.lots.find((l) => l.code === "L1")!;
    const error = await deleteLot(t.db, "RV-2027", l1.id, users.coordinator.id).then(
      () => null,
      (e: unknown) => e,
    );
    expect(refusalAsFormErrors(error)).toEqual({ formErrors: [AWARD_FROZEN_MESSAGE] });
    const termChange = updateTender(
      t.db,
      "RV-2027",
      {
        code: "RV-2027",
        name: "Rahmenvertrag Endgeräte",
        startYear: 2027,
        termYears: 3,
        reserve: "0.10",
        soloProcessCostGrossCents: 750_000n,
      },
      users.coordinator.id,
    );
    await expect(termChange).rejects.toSatisfy(isAwardFrozenError);
  });
});

describe("call-offs", () => {
  test("refused while the lot is not awarded; nothing stored", async () => {
    expect(await recordCallOff(t.db, callOff())).toEqual({
      ok: false,
      fieldErrors: { category: [NOT_AWARDED_MESSAGE] },
    });
    await awardLot(t.db, award());
    expect(await recordCallOff(t.db, callOff({ categoryCode: "TAB", partnerCode: "DUE" }))).toEqual(
      {
        ok: false,
        fieldErrors: { category: [NOT_AWARDED_MESSAGE] },
      },
    );
    expect(await calledOffTotal()).toBe(0);
  });

  test("up to the maximum; beyond it refused with what is left; audited", async () => {
    await awardLot(t.db, award());
    const first = await recordCallOff(t.db, callOff({ quantity: 32, schoolCode: "COE-GY" }));
    expect(first.ok).toBe(true);
    if (first.ok)
      expect(first.value).toMatchObject({
        partnerCode: "COE",
        schoolName: "Gymnasium Coesfeld (Demo)",
        quantity: 32,
        lotCode: "L1",
      });
    expect(
      await recordCallOff(
        t.db,
        callOff({ quantity: 13, partnerCode: "DUE", userId: users.officerDue.id }),
      ),
    ).toEqual({
      ok: false,
      fieldErrors: { quantity: ["Abruf überschreitet die Höchstmenge: noch 12 Stück verfügbar."] },
    });
    // 12 is beyond DUE's own share (10 + 10 % = 11): confirmed after the warning.
    expect(
      (
        await recordCallOff(
          t.db,
          callOff({ quantity: 12, partnerCode: "DUE", confirmOverdraw: true }),
        )
      ).ok,
    ).toBe(true);
    expect(await recordCallOff(t.db, callOff())).toEqual({
      ok: false,
      fieldErrors: { quantity: ["Abruf überschreitet die Höchstmenge: noch 0 Stück verfügbar."] },
    });
    expect(await calledOffTotal()).toBe(44);
    const audit = await listAudit(t.db, { action: "call-off.create" });
    expect(audit).toHaveLength(2);
    expect(JSON.parse(audit[1].newValue!)).toMatchObject({
      partner: "COE",
      category: "NB",
      quantity: 32,
      school: "COE-GY",
    });
  });

  test("refuses a school of another partner, an unknown partner and dates outside the term or before the award", async () => {
    await awardLot(t.db, award());
    expect(await recordCallOff(t.db, callOff({ schoolCode: "DUE-GS" }))).toEqual({
      ok: false,
      fieldErrors: { school: ["Diese Schule gehört nicht zum gewählten Schulträger."] },
    });
    expect((await recordCallOff(t.db, callOff({ partnerCode: "XXX" }))).ok).toBe(false);
    const late = await recordCallOff(t.db, callOff({ date: "2029-01-01" }));
    expect(late.ok || late.fieldErrors.date).toEqual([
      "Das Abrufdatum liegt außerhalb der Laufzeit des Rahmenvertrags (2027–2028).",
    ]);
    expect((await recordCallOff(t.db, callOff({ date: "2026-12-31" }))).ok).toBe(false);
    expect(await calledOffTotal()).toBe(0);
  });

  test("the database itself refuses an excess, and any change or deletion of a call-off", async () => {
    await awardLot(t.db, award());
    await recordCallOff(t.db, callOff({ quantity: 40, confirmOverdraw: true }));
    const insert = (quantity: number) =>
      sql`
      insert into call_offs (award_id, category_code, partner_code, call_off_date, quantity, order_number, created_at, created_by)
      select id, 'NB', 'COE', '2027-03-01', ${quantity}, 'X', '2027-03-01T00:00:00Z', ${users.coordinator.id} from awards`.execute(
        t.db,
      );
    await expect(insert(5)).rejects.toThrow(/Höchstmenge/);
    await insert(4);
    await expect(sql`update call_offs set quantity = 1`.execute(t.db)).rejects.toThrow(
      /nicht geändert/,
    );
    await expect(sql`delete from call_offs`.execute(t.db)).rejects.toThrow(/nicht gelöscht/);
    expect(await calledOffTotal()).toBe(44);
  });

  test("overview: maximum, called off, left, level, and the partner's own share", async () => {
    await awardLot(t.db, award());
    await recordCallOff(t.db, callOff({ quantity: 30 }));
    await recordCallOff(t.db, callOff({ quantity: 6, partnerCode: "DUE" }));
    const overview = await getCallOffOverview(t.db, "RV-2027", "DUE");
    expect(overview?.pendingLots).toEqual([{ code: "L2", name: "Tablets" }]);
    expect(overview?.categories).toEqual([
      expect.objectContaining({
        code: "NB",
        maxQuantity: 44,
        calledOff: 36,
        remaining: 8,
        level: "warning", // 36/44 = 81.8 %
        perMille: 818,
        share: { partnerCode: "DUE", calledOff: 6, planned: 10, limit: 11 },
      }),
    ]);
    expect(overview?.level).toBe("warning");
    expect(await tenderUsageLevels(t.db)).toEqual({ "RV-2027": "warning" });
    await recordCallOff(t.db, callOff({ quantity: 6, confirmOverdraw: true }));
    expect(await tenderUsageLevels(t.db)).toEqual({ "RV-2027": "critical" });
    expect(
      (await listCallOffs(t.db, "RV-2027", { partnerCode: "DUE" })).map((c) => c.quantity),
    ).toEqual([6]);
  });

  test("plan against actual from the database: frozen plan, call-offs by year, awarded price", async () => {
    await awardLot(t.db, award());
    await recordCallOff(t.db, callOff({ quantity: 5, date: "2027-03-01" }));
    await recordCallOff(t.db, callOff({ quantity: 2, date: "2028-01-10" }));
    // Demand changed after the award does not move the planned side.
    await sql`update demand_lines set quantity = 99 where partner_code = 'COE' and category_code = 'NB' and year = 2027`.execute(
      t.db,
    );
    const result = await getPlanVsActual(t.db, "RV-2027");
    expect(result?.comparison).toBeDefined();
    const coe = result!.comparison!.partners.find((p) => p.code === "COE")!;
    expect(coe.planned.quantity).toBe(30);
    expect(coe.planned.directNet).toBe(30n * 47_950n);
    expect(coe.actual.quantity).toBe(7);
    expect(coe.years.map((y) => [y.year, y.actual.quantity, y.actual.directNet])).toEqual([
      [2027, 5, 5n * 47_950n],
      [2028, 2, 2n * 47_950n],
    ]);
    // COE is the only one calling off, yet it bears only its share of the common costs
    // as split on the plan (the tender's key), not the whole 3.000,00 €.
    expect(coe.actual.commonCostShare).toBe(coe.planned.commonCostShare);
    expect(coe.actual.commonCostShare).toBeLessThan(300_000n);
    expect(result!.pendingLots).toEqual([{ code: "L2", name: "Tablets" }]);
  });
});

describe("concurrency", () => {
  test("20 call-offs at the same time at the limit: exactly what is left succeeds, never more", async () => {
    await awardLot(t.db, award());
    await recordCallOff(t.db, callOff({ quantity: 40, confirmOverdraw: true }));
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        recordCallOff(t.db, callOff({ quantity: 1, orderNumber: `P-${i}`, confirmOverdraw: true })),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(4);
    expect(results.filter((r) => !r.ok)).toHaveLength(16);
    expect(await calledOffTotal()).toBe(44);
  });
});

describe("storno and one-time tokens (migration 008)", () => {
  test("a cancelled call-off frees its quantity, also for the database's own check; cancellations are append-only", async () => {
    await awardLot(t.db, award());
    const big = await recordCallOff(t.db, callOff({ quantity: 44, confirmOverdraw: true }));
    expect(big.ok).toBe(true);
    if (!big.ok) return;
    expect((await recordCallOff(t.db, callOff({ quantity: 1 }))).ok).toBe(false);
    const cancelled = await cancelCallOff(t.db, {
      tenderCode: "RV-2027",
      callOffId: big.value.id,
      reason: "Tippfehler",
      userId: users.coordinator.id,
    });
    expect(cancelled.ok && cancelled.value.cancellation?.reason).toBe("Tippfehler");
    const insert = (quantity: number) =>
      sql`
      insert into call_offs (award_id, category_code, partner_code, call_off_date, quantity, order_number, created_at, created_by)
      select id, 'NB', 'COE', '2027-03-01', ${quantity}, 'X', '2027-03-01T00:00:00Z', ${users.coordinator.id} from awards`.execute(
        t.db,
      );
    await insert(44);
    await expect(insert(1)).rejects.toThrow(/Höchstmenge/);
    await expect(sql`update call_off_cancellations set reason = 'x'`.execute(t.db)).rejects.toThrow(
      /nicht geändert/,
    );
    await expect(sql`delete from call_off_cancellations`.execute(t.db)).rejects.toThrow(
      /nicht gelöscht/,
    );
    // Never twice, even past the application.
    await expect(
      sql`insert into call_off_cancellations (call_off_id, reason, created_at, created_by)
          values (${big.value.id}, 'again', '2027-03-01T00:00:00Z', ${users.coordinator.id})`.execute(
        t.db,
      ),
    ).rejects.toSatisfy(isUniqueViolation);
    expect((await tenderUsageLevels(t.db))["RV-2027"]).toBe("exhausted");
  });

  test("a form token stores once: sequential and parallel posts; the database refuses a second row with it", async () => {
    await awardLot(t.db, award());
    const input = callOff({ quantity: 2, token: "token-aaaaaaaaaaaaaaaa" });
    const results = await Promise.all([
      recordCallOff(t.db, input),
      recordCallOff(t.db, input),
      recordCallOff(t.db, input),
    ]);
    expect(results.map((r) => r.ok && r.duplicate).sort()).toEqual([false, true, true]);
    expect(await calledOffTotal()).toBe(2);
    await expect(
      sql`
      insert into call_offs (award_id, category_code, partner_code, call_off_date, quantity, order_number, created_at, created_by, form_token)
      select id, 'NB', 'COE', '2027-03-01', 1, 'X', '2027-03-01T00:00:00Z', ${users.coordinator.id}, 'token-aaaaaaaaaaaaaaaa' from awards`.execute(
        t.db,
      ),
    ).rejects.toSatisfy(isUniqueViolation);
  });

  test("a correction is one transaction: refused replacement leaves the original uncancelled", async () => {
    await awardLot(t.db, award());
    const original = await recordCallOff(t.db, callOff({ quantity: 3 }));
    if (!original.ok) throw new Error("not stored");
    const cancel = {
      tenderCode: "RV-2027",
      callOffId: original.value.id,
      reason: "Menge",
      userId: users.officerCoe.id,
    };
    const refused = await correctCallOff(
      t.db,
      cancel,
      callOff({ quantity: 3, date: "2030-01-01" }),
    );
    expect(refused.ok).toBe(false);
    expect((await listCallOffs(t.db, "RV-2027"))[0].cancellation).toBeNull();
    const done = await correctCallOff(t.db, cancel, callOff({ quantity: 4 }));
    expect(done.ok && done.value).toMatchObject({ quantity: 4, correctsId: original.value.id });
    const audit = await listAudit(t.db);
    expect(audit.map((a) => a.action).filter((a) => a.startsWith("call-off"))).toEqual(
      expect.arrayContaining(["call-off.create", "call-off.cancel"]),
    );
  });
});
