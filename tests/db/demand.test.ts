import { createTestDatabase, type TestDatabase } from "../helpers/test-database";
import {
  applyPendingImport,
  countDemandLines,
  createPendingImport,
  getPendingImport,
  gridsOf,
  listDemandHistory,
  loadDemandOverview,
  loadPartnerDemand,
  previewImport,
  reopenDemand,
  saveGrid,
  setDemandDeadline,
  submitDemand,
  type DemandUser,
} from "../../db/demand";
import { cellKey, gridValues, lineKey, type GridValues } from "../../domain/demand-grid";
import { getRoundStatus, listDemandRounds } from "../../db/demand-status";
import { seedDemandUsers, seedDemoPlan } from "./demand-seed";

let t: TestDatabase;
let users: Awaited<ReturnType<typeof seedDemandUsers>>;

beforeEach(async () => {
  t = await createTestDatabase();
  await seedDemoPlan(t.db);
  users = await seedDemandUsers(t.db);
});
afterEach(async () => t.cleanup());

async function grid(partner: string, school: string | null) {
  const data = await loadPartnerDemand(t.db, partner);
  return gridsOf(data!).find((g) => g.schoolCode === school)!;
}

/** A form submission: the grid as loaded, with some cells changed. */
async function edit(
  partner: string,
  school: string | null,
  changes: Record<string, number>,
  notes: Record<string, string> = {},
) {
  const g = await grid(partner, school);
  const baseline = gridValues(g);
  const wanted: GridValues = {
    quantities: new Map(baseline.quantities),
    notes: new Map(baseline.notes),
  };
  for (const [key, q] of Object.entries(changes)) wanted.quantities.set(key, q);
  for (const [key, text] of Object.entries(notes)) wanted.notes.set(key, text);
  return { partnerCode: partner, schoolCode: school, version: g.version, baseline, wanted };
}

const quantityOf = async (
  partner: string,
  school: string | null,
  category: string,
  year: number,
) => {
  const data = await loadPartnerDemand(t.db, partner);
  return (
    data!.cells.find(
      (c) => c.schoolCode === school && c.categoryCode === category && c.year === year,
    )?.quantity ?? 0
  );
};

test("the editor data covers every school, category and the demo years", async () => {
  const data = await loadPartnerDemand(t.db, "COE");
  expect(data!.years).toEqual([2027, 2028, 2029, 2030]);
  const grids = gridsOf(data!);
  expect(grids).toHaveLength(11); // 10 schools + without a school
  expect(grids[0].rows).toHaveLength(10);
  expect(grids[0].rows.find((r) => r.category.code === "NB-LK")!.quantities).toEqual([3, 4, 0, 2]);
  expect(await loadPartnerDemand(t.db, "NOPE")).toBeUndefined();
});

test("saving a grid writes changed cells only, with audit entries", async () => {
  const input = await edit(
    "COE",
    "COE-01",
    {
      [cellKey("COE-01", "NB-LK", 2027)]: 5, // 3 → 5
      [cellKey("COE-01", "NB-SUS", 2029)]: 12, // new line
      [cellKey("COE-01", "DISP-75", 2027)]: 0, // 1 → 0 deletes the line
    },
    { [lineKey("COE-01", "NB-LK")]: "Neue Lehrkräfte" },
  );
  const result = await saveGrid(t.db, { ...input, user: users.coe });
  expect(result).toMatchObject({ kind: "saved", cells: 3, notes: 1 });
  expect(await quantityOf("COE", "COE-01", "NB-LK", 2027)).toBe(5);
  expect(await quantityOf("COE", "COE-01", "NB-SUS", 2029)).toBe(12);
  const raw = await t.db
    .selectFrom("demand_lines")
    .selectAll()
    .where("school_code", "=", "COE-01")
    .where("category_code", "=", "DISP-75")
    .where("year", "=", 2027)
    .execute();
  expect(raw).toEqual([]);
  expect(
    (await grid("COE", "COE-01")).rows.find((r) => r.category.code === "NB-LK")!.justification,
  ).toBe("Neue Lehrkräfte");

  const history = await listDemandHistory(t.db, "COE");
  expect(history).toHaveLength(4);
  expect(history.map((h) => [h.categoryCode, h.year, h.oldValue, h.newValue])).toEqual(
    expect.arrayContaining([
      ["NB-LK", 2027, "3", "5"],
      ["NB-SUS", 2029, "0", "12"],
      ["DISP-75", 2027, "1", "0"],
      ["NB-LK", null, "", "Neue Lehrkräfte"],
    ]),
  );
  expect(history.every((h) => h.userName === "coe" && h.source === "editor")).toBe(true);
  expect(await listDemandHistory(t.db, "DUE")).toEqual([]);
});

test("demand without a school is its own grid", async () => {
  const input = await edit("COE", null, { [cellKey(null, "AP", 2028)]: 7 });
  expect((await saveGrid(t.db, { ...input, user: users.coe })).kind).toBe("saved");
  expect(await quantityOf("COE", null, "AP", 2028)).toBe(7);
  expect((await grid("COE", null)).total).toBe(7);
});

test("a save on stale data reports the conflict and saves nothing", async () => {
  const mine = await edit("COE", "COE-01", {
    [cellKey("COE-01", "TAB", 2028)]: 20,
    [cellKey("COE-01", "AP", 2028)]: 3,
  });
  const theirs = await edit("COE", "COE-01", { [cellKey("COE-01", "TAB", 2028)]: 15 });
  expect((await saveGrid(t.db, { ...theirs, user: users.coe2 })).kind).toBe("saved");
  const before = await countDemandLines(t.db, "COE");
  const result = await saveGrid(t.db, { ...mine, user: users.coe });
  expect(result).toEqual({
    kind: "conflict",
    conflicts: [
      { schoolCode: "COE-01", categoryCode: "TAB", year: 2028, theirs: "15", yours: "20" },
    ],
  });
  expect(await quantityOf("COE", "COE-01", "TAB", 2028)).toBe(15);
  expect(await quantityOf("COE", "COE-01", "AP", 2028)).toBe(2);
  expect(await countDemandLines(t.db, "COE")).toBe(before);
  // Saving another school's grid is unaffected by the change in COE-01.
  const other = await edit("COE", "COE-02", { [cellKey("COE-02", "TAB", 2028)]: 1 });
  expect((await saveGrid(t.db, { ...other, user: users.coe })).kind).toBe("saved");
});

test("an officer of another partner can write nothing", async () => {
  const input = await edit("COE", "COE-01", { [cellKey("COE-01", "TAB", 2028)]: 99 });
  expect((await saveGrid(t.db, { ...input, user: users.due })).kind).toBe("denied");
  expect((await saveGrid(t.db, { ...input, user: users.finance })).kind).toBe("denied");
  expect(await quantityOf("COE", "COE-01", "TAB", 2028)).toBe(13);
  expect((await submitDemand(t.db, "COE", "RV-2027", users.due)).kind).toBe("denied");
});

test("cells of a school of another partner are refused", async () => {
  const input = await edit("COE", "COE-01", {});
  input.wanted.quantities.set(cellKey("DUE-01", "TAB", 2028), 5);
  expect(await saveGrid(t.db, { ...input, user: users.coordinator })).toMatchObject({
    kind: "denied",
  });
  expect(await quantityOf("COE", "DUE-01", "TAB", 2028)).toBe(0);
});

test("submit locks the officer out, reopen lets them in again; all in the history", async () => {
  expect(await submitDemand(t.db, "COE", "RV-2027", users.coe)).toEqual({
    kind: "done",
    status: "submitted",
    round: "RV-2027",
  });
  expect((await getRoundStatus(t.db, "RV-2027", "COE")).status).toBe("submitted");
  const input = await edit("COE", "COE-01", { [cellKey("COE-01", "TAB", 2028)]: 1 });
  expect(await saveGrid(t.db, { ...input, user: users.coe })).toMatchObject({
    kind: "denied",
    reason: expect.stringContaining("eingereicht"),
  });
  expect((await reopenDemand(t.db, "COE", "RV-2027", users.coe)).kind).toBe("denied");
  expect(await reopenDemand(t.db, "COE", "RV-2027", users.coordinator)).toEqual({
    kind: "done",
    status: "reopened",
    round: "RV-2027",
  });
  expect((await saveGrid(t.db, { ...input, user: users.coe })).kind).toBe("saved");
  expect((await submitDemand(t.db, "COE", "RV-2027", users.coe)).kind).toBe("done");
  const statusChanges = (await listDemandHistory(t.db, "COE")).filter(
    (h) => h.entity === "demand_status",
  );
  expect(statusChanges.map((h) => [h.oldValue, h.newValue])).toEqual([
    ["reopened", "submitted"],
    ["submitted", "reopened"],
    ["draft", "submitted"],
  ]);
  expect(new Set(statusChanges.map((h) => h.round))).toEqual(new Set(["RV-2027"]));
});

test("after the deadline only the coordinator edits", async () => {
  await setDemandDeadline(t.db, "RV-2027", "2027-01-31T18:00", users.coordinator);
  const before = new Date("2027-01-31T16:59:00Z"); // 17:59 in Berlin
  const after = new Date("2027-01-31T17:00:00Z"); // 18:00 in Berlin
  const input = await edit("COE", "COE-01", { [cellKey("COE-01", "TAB", 2028)]: 2 });
  expect(await saveGrid(t.db, { ...input, user: users.coe, now: after })).toMatchObject({
    kind: "denied",
    reason: expect.stringContaining("Frist"),
  });
  expect((await submitDemand(t.db, "COE", "RV-2027", users.coe, after)).kind).toBe("denied");
  expect((await saveGrid(t.db, { ...input, user: users.coe, now: before })).kind).toBe("saved");
  const again = await edit("COE", "COE-01", { [cellKey("COE-01", "TAB", 2028)]: 3 });
  expect((await saveGrid(t.db, { ...again, user: users.coordinator, now: after })).kind).toBe(
    "saved",
  );
  const deadlineEntries = (await listDemandHistory(t.db, "COE")).filter(
    (h) => h.action === "demand.deadline",
  );
  expect(deadlineEntries.map((h) => h.newValue)).toEqual(["2027-01-31T18:00"]);
});

describe("pending imports", () => {
  // As downloaded: COE-01/TAB/2028 was 13, COE-01/NB-LK/2027 was 3, no AP 2030.
  const cells = [
    { schoolCode: "COE-01", categoryCode: "TAB", year: 2028, quantity: 30, downloaded: 13 },
    { schoolCode: "COE-01", categoryCode: "NB-LK", year: 2027, quantity: 3, downloaded: 3 }, // unchanged
    { schoolCode: null, categoryCode: "AP", year: 2030, quantity: 4, downloaded: 0 },
  ];

  async function upload(user: DemandUser, uploaded = cells) {
    const r = await createPendingImport(t.db, {
      partnerCode: "COE",
      user,
      fileName: "vorlage.xlsx",
      generatedAt: "2027-01-10T09:00:00.000Z",
      cells: uploaded,
      notes: [],
    });
    if (r.kind !== "created") throw new Error(r.kind);
    return r.id;
  }
  const previewOf = async (id: string) =>
    previewImport(t.db, (await getPendingImport(t.db, id, users.coe, "COE"))!);

  test("preview lists changes, apply writes them in one go with source import", async () => {
    const id = await upload(users.coe);
    const preview = await previewOf(id);
    expect(preview.cells).toEqual([
      { schoolCode: "COE-01", categoryCode: "TAB", year: 2028, oldQuantity: 13, newQuantity: 30 },
      { schoolCode: null, categoryCode: "AP", year: 2030, oldQuantity: 0, newQuantity: 4 },
    ]);
    expect(preview.conflicts).toEqual([]);
    expect(
      await applyPendingImport(t.db, {
        id,
        partnerCode: "COE",
        user: users.coe,
        token: preview.token,
      }),
    ).toMatchObject({ kind: "applied", cells: 2, skipped: 0 });
    expect(await quantityOf("COE", "COE-01", "TAB", 2028)).toBe(30);
    expect(await quantityOf("COE", null, "AP", 2030)).toBe(4);
    expect(
      (await listDemandHistory(t.db, "COE")).every(
        (h) => h.source === "import" && h.action === "demand.import",
      ),
    ).toBe(true);
    // Applied once only.
    expect(
      (
        await applyPendingImport(t.db, {
          id,
          partnerCode: "COE",
          user: users.coe,
          token: preview.token,
        })
      ).kind,
    ).toBe("missing");
  });

  test("only the uploader, for that partner, before expiry", async () => {
    const id = await upload(users.coe);
    expect(await getPendingImport(t.db, id, users.coe2, "COE")).toBeUndefined();
    expect(
      (await applyPendingImport(t.db, { id, partnerCode: "DUE", user: users.coe, token: "" })).kind,
    ).toBe("missing");
    expect(
      await getPendingImport(t.db, id, users.coe, "COE", new Date(Date.now() + 3 * 3600_000)),
    ).toBeUndefined();
  });

  test("stale upload: a value changed by someone else since the download is a conflict, skipped unless picked", async () => {
    // Someone else changes TAB 2028 (13 → 14) and NB-LK 2027 (3 → 5) after the download.
    const input = await edit("COE", "COE-01", {
      [cellKey("COE-01", "TAB", 2028)]: 14,
      [cellKey("COE-01", "NB-LK", 2027)]: 5,
    });
    expect((await saveGrid(t.db, { ...input, user: users.coe2 })).kind).toBe("saved");
    const id = await upload(users.coe);
    const preview = await previewOf(id);
    expect(preview.cells).toEqual([
      { schoolCode: null, categoryCode: "AP", year: 2030, oldQuantity: 0, newQuantity: 4 },
    ]);
    expect(preview.conflicts).toEqual([
      {
        key: `q:${cellKey("COE-01", "TAB", 2028)}`,
        schoolCode: "COE-01",
        categoryCode: "TAB",
        year: 2028,
        downloaded: "13",
        stored: "14",
        file: "30",
      },
    ]);
    const r = await applyPendingImport(t.db, {
      id,
      partnerCode: "COE",
      user: users.coe,
      token: preview.token,
    });
    expect(r).toMatchObject({ kind: "applied", cells: 1, skipped: 1 });
    expect(await quantityOf("COE", "COE-01", "TAB", 2028)).toBe(14); // theirs stays
    expect(await quantityOf("COE", "COE-01", "NB-LK", 2027)).toBe(5); // not reverted to 3
    expect(await quantityOf("COE", null, "AP", 2030)).toBe(4);
  });

  test("a picked conflict is applied", async () => {
    const input = await edit("COE", "COE-01", { [cellKey("COE-01", "TAB", 2028)]: 14 });
    await saveGrid(t.db, { ...input, user: users.coe2 });
    const id = await upload(users.coe);
    const preview = await previewOf(id);
    const r = await applyPendingImport(t.db, {
      id,
      partnerCode: "COE",
      user: users.coe,
      token: preview.token,
      take: [preview.conflicts[0].key],
    });
    expect(r).toMatchObject({ kind: "applied", cells: 2, skipped: 0 });
    expect(await quantityOf("COE", "COE-01", "TAB", 2028)).toBe(30);
  });

  test("a change between preview and apply: nothing applied", async () => {
    const id = await upload(users.coe);
    const preview = await previewOf(id);
    const input = await edit("COE", "COE-01", { [cellKey("COE-01", "TAB", 2028)]: 14 });
    await saveGrid(t.db, { ...input, user: users.coe2 });
    const r = await applyPendingImport(t.db, {
      id,
      partnerCode: "COE",
      user: users.coe,
      token: preview.token,
    });
    expect(r).toEqual({ kind: "changed" });
    expect(await quantityOf("COE", null, "AP", 2030)).toBe(0);
  });

  test("submitted demand cannot be imported into by the officer", async () => {
    const id = await upload(users.coe);
    const preview = await previewOf(id);
    await submitDemand(t.db, "COE", "RV-2027", users.coe);
    expect(
      (
        await applyPendingImport(t.db, {
          id,
          partnerCode: "COE",
          user: users.coe,
          token: preview.token,
        })
      ).kind,
    ).toBe("denied");
    expect(await quantityOf("COE", "COE-01", "TAB", 2028)).toBe(13);
  });

  test("cells of unknown or foreign schools are refused at upload", async () => {
    const r = await createPendingImport(t.db, {
      partnerCode: "COE",
      user: users.coe,
      fileName: "x.xlsx",
      generatedAt: "2027-01-10T09:00:00.000Z",
      cells: [
        { schoolCode: "DUE-01", categoryCode: "TAB", year: 2028, quantity: 1, downloaded: 0 },
      ],
      notes: [],
    });
    expect(r).toEqual({ kind: "invalid", keys: [cellKey("DUE-01", "TAB", 2028)] });
  });
});

test("overview: status, last change with user, totals per category, officer emails", async () => {
  const input = await edit("COE", "COE-01", { [cellKey("COE-01", "TAB", 2028)]: 23 });
  await saveGrid(t.db, { ...input, user: users.coe });
  await submitDemand(t.db, "DUE", "RV-2027", users.due);
  const { categories, rows } = await loadDemandOverview(t.db, (await listDemandRounds(t.db))[0]);
  expect(categories.map((c) => c.code)).toContain("TAB");
  expect(rows).toHaveLength(12);
  const coe = rows.find((r) => r.partnerCode === "COE")!;
  const due = rows.find((r) => r.partnerCode === "DUE")!;
  expect(coe.status).toBe("draft");
  expect(coe.lastChange?.userName).toBe("coe");
  expect(coe.officerEmails).toEqual(["coe2@test.example", "coe@test.example"]);
  expect(due.status).toBe("submitted");
  expect(due.lastChange?.userName).toBe("due");
  const stored = await t.db
    .selectFrom("demand_lines")
    .select((eb) => eb.fn.sum<number>("quantity").as("s"))
    .where("partner_code", "=", "COE")
    .where("category_code", "=", "TAB")
    .executeTakeFirst();
  expect(coe.totals.TAB).toBe(Number(stored!.s));
  expect(coe.total).toBe(Object.values(coe.totals).reduce((a, b) => a + b, 0));
});

test("two saves of the same loaded grid at the same moment: one is saved, the other reports the conflict", async () => {
  // On SQLite the two transactions run one after the other by nature; on PostgreSQL they
  // would run side by side (both reading the old version) without the consortium's write lock.
  const first = await edit("COE", "COE-01", { [cellKey("COE-01", "TAB", 2028)]: 21 });
  const second = await edit("COE", "COE-01", { [cellKey("COE-01", "TAB", 2028)]: 22 });
  const results = await Promise.all([
    saveGrid(t.db, { ...first, user: users.coe }),
    saveGrid(t.db, { ...second, user: users.coe2 }),
  ]);
  expect(results.map((r) => r.kind).sort()).toEqual(["conflict", "saved"]);
  const saved = results[0].kind === "saved" ? 21 : 22;
  expect(await quantityOf("COE", "COE-01", "TAB", 2028)).toBe(saved);
  expect(await listDemandHistory(t.db, "COE")).toHaveLength(1);
});
