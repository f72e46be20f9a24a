// Editing a tender after one of its lots is awarded: what the award froze (migration
// 005) stays refused with the German message at the field; everything else saves.
import { listAudit } from "../../db/audit";
import { AWARD_FROZEN_MESSAGE, awardLot, listAwards, reserveFrozenMessage } from "../../db/awards";
import { createCategory } from "../../db/categories";
import { getTenderForEditing } from "../../db/tender-inputs";
import { EditRefused, refusalAsFormErrors, updateLot, updateTender } from "../../db/tenders";
import { awardOfL1, seedCallOffPlan, type SeededUsers } from "../helpers/call-offs-seed";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";
import { snapshotDatabase } from "./plan-fixtures";

let t: TestDatabase;
let users: SeededUsers;

beforeEach(async () => {
  t = await createTestDatabase();
  users = await seedCallOffPlan(t.db);
  await createCategory(
    t.db,
    { code: "MON", name: "Monitor", basePriceNetCents: 15_000n, vatRate: "0.19", tiers: [] },
    null,
  );
  const outcome = await awardLot(t.db, awardOfL1(users));
  expect(outcome.ok).toBe(true);
});
afterEach(async () => t.cleanup());

async function lotL1() {
  const lot = (await getTenderForEditing(t.db, "RV-2027"))!.lots.find((l) => l.code === "L1");
  if (!lot) throw new Error("no lot L1");
  return lot;
}

async function refusal(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => null,
    (error: unknown) => error,
  );
}

test("renaming an awarded lot with its categories unchanged saves and is audited", async () => {
  const l1 = await lotL1();
  await updateLot(
    t.db,
    "RV-2027",
    l1.id,
    { code: "L1", name: "Notebooks (vergeben)", categories: ["NB"] },
    users.coordinator.id,
  );
  expect(await lotL1()).toEqual({ ...l1, name: "Notebooks (vergeben)" });
  const [entry] = await listAudit(t.db, { action: "update" });
  expect(entry).toMatchObject({ entity: "lot", entityKey: "RV-2027/L1" });
  // The award keeps the name it was given.
  expect((await listAwards(t.db, "RV-2027"))[0].lotName).toBe("Notebooks");
});

test("changing an awarded lot's categories is refused at the categories field; nothing changes", async () => {
  const l1 = await lotL1();
  const before = await snapshotDatabase(t.db);
  for (const categories of [["NB", "MON"], ["MON"], []]) {
    const error = await refusal(
      updateLot(
        t.db,
        "RV-2027",
        l1.id,
        { code: "L1", name: "Neu", categories },
        users.coordinator.id,
      ),
    );
    expect(error).toBeInstanceOf(EditRefused);
    expect(refusalAsFormErrors(error)).toEqual({
      fieldErrors: { categories: [AWARD_FROZEN_MESSAGE] },
    });
  }
  expect(await snapshotDatabase(t.db)).toEqual(before);
});

test("a new code for an awarded lot is refused at the code field", async () => {
  const l1 = await lotL1();
  const error = await refusal(
    updateLot(
      t.db,
      "RV-2027",
      l1.id,
      { code: "LX", name: "Notebooks", categories: ["NB"] },
      users.coordinator.id,
    ),
  );
  expect(refusalAsFormErrors(error)).toEqual({ fieldErrors: { code: [AWARD_FROZEN_MESSAGE] } });
  expect((await lotL1()).code).toBe("L1");
});

test("the open lot of the same tender still changes its categories, and reordering only moves positions", async () => {
  const l2 = (await getTenderForEditing(t.db, "RV-2027"))!.lots.find((l) => l.code === "L2")!;
  await updateLot(
    t.db,
    "RV-2027",
    l2.id,
    { code: "L2", name: "Tablets", categories: ["TAB", "MON"] },
    users.coordinator.id,
  );
  await updateLot(
    t.db,
    "RV-2027",
    l2.id,
    { code: "L2", name: "Tablets", categories: ["MON", "TAB"] },
    users.coordinator.id,
  );
  const tender = await getTenderForEditing(t.db, "RV-2027");
  expect(tender!.lots.find((l) => l.code === "L2")!.categories).toEqual(["MON", "TAB"]);
});

test("the awarded tender's name and solo cost save; its reserve and term stay frozen", async () => {
  const input = {
    code: "RV-2027",
    name: "Rahmenvertrag Endgeräte (vergeben)",
    startYear: 2027,
    termYears: 2,
    reserve: "0.1",
    soloProcessCostGrossCents: 800_000n,
  };
  await updateTender(t.db, "RV-2027", input, users.coordinator.id);
  const tender = await getTenderForEditing(t.db, "RV-2027");
  expect(tender).toMatchObject({
    name: input.name,
    reserve: "0.10",
    soloProcessCostGrossCents: 800_000,
  });
  // The award's maximum quantities were computed with the reserve (issue 14).
  const reserveError = await refusal(
    updateTender(t.db, "RV-2027", { ...input, reserve: "0.15" }, users.coordinator.id),
  );
  expect(refusalAsFormErrors(reserveError)).toEqual({
    fieldErrors: { reservePercent: [reserveFrozenMessage(["L1"])] },
  });
  const error = await refusal(
    updateTender(t.db, "RV-2027", { ...input, termYears: 3 }, users.coordinator.id),
  );
  expect(refusalAsFormErrors(error)).toEqual({ formErrors: [AWARD_FROZEN_MESSAGE] });
});
