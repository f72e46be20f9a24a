// The inventory template keeps the demand template's promises (issue 14, decision 014):
// an old file uploaded after someone else changed a value shows that value as a conflict
// (download, stored, file), skipped unless ticked one by one; values the file leaves as
// downloaded never revert newer stored ones; a preview that is no longer current applies
// nothing (409); rows are read by their codes however they were sorted; a crafted `_meta`
// or a renamed zip is refused with 422 (the parse runs in the worker).
import ExcelJS from "exceljs";
import {
  loader as importLoader,
  action as importAction,
} from "../../app/routes/inventory.$partner_.import";
import { stopParseWorkers } from "../../app/utils/parse-worker.server";
import { inventoryGridsOf, loadPartnerInventory, saveInventoryGrid } from "../../db/inventory";
import { cellKey, gridValues } from "../../domain/demand-grid";
import { LAYOUT, META_SHEET } from "../../exports/demand-template";
import { INVENTORY_SHEET } from "../../exports/inventory-template";
import { loader as templateLoader } from "../../app/routes/inventory.$partner_.template[.]xlsx";
import type { TestDatabase } from "../helpers/test-database";
import {
  BASE_URL,
  COORDINATOR,
  OFFICER_DUE,
  makeRequest,
  run,
  setUpAppDatabase,
  signIn,
  tearDownAppDatabase,
} from "./support";

let testDb: TestDatabase;
let cookie: string;
let coordinator: { id: number; role: string };
let school: string;
let years: number[];

beforeAll(async () => {
  testDb = await setUpAppDatabase();
  await testDb.db.deleteFrom("inventory_lines").execute();
  await testDb.db.deleteFrom("inventory_notes").execute();
  cookie = await signIn(OFFICER_DUE);
  coordinator = await testDb.db
    .selectFrom("users")
    .select(["id", "role"])
    .where("email", "=", COORDINATOR)
    .executeTakeFirstOrThrow();
  const data = (await loadPartnerInventory(testDb.db, "DUE"))!;
  school = data.schools[0].code;
  years = data.years;
});
afterAll(async () => {
  await stopParseWorkers();
  await tearDownAppDatabase(testDb);
});

async function stored(category: string, year: number): Promise<number> {
  const row = await testDb.db
    .selectFrom("inventory_lines")
    .select("quantity")
    .where("partner_code", "=", "DUE")
    .where("school_code", "=", school)
    .where("category_code", "=", category)
    .where("year", "=", year)
    .executeTakeFirst();
  return row?.quantity ?? 0;
}

/** Someone else (the coordinator) saves values in the editor (db/inventory.ts). */
async function saveAsCoordinator(values: [category: string, year: number, quantity: number][]) {
  const data = (await loadPartnerInventory(testDb.db, "DUE"))!;
  const grid = inventoryGridsOf(data).find((g) => g.schoolCode === school)!;
  const baseline = gridValues(grid);
  const wanted = gridValues(grid);
  for (const [category, year, quantity] of values)
    wanted.quantities.set(cellKey(school, category, year), quantity);
  const result = await saveInventoryGrid(testDb.db, {
    partnerCode: "DUE",
    schoolCode: school,
    version: grid.version,
    baseline,
    wanted,
    user: coordinator,
  });
  expect(result.kind).toBe("saved");
}

async function download(): Promise<Buffer> {
  const t = await run(templateLoader, makeRequest("/inventory/DUE/template.xlsx", { cookie }), {
    partner: "DUE",
  });
  expect(t.status).toBe(200);
  return Buffer.from(await t.arrayBuffer());
}

/** The data row of `category` at the first school, found by the codes it shows. */
function rowOf(sheet: ExcelJS.Worksheet, category: string): number {
  for (let r = LAYOUT.firstDataRow; r < LAYOUT.firstDataRow + 500; r++)
    if (
      sheet.getCell(r, LAYOUT.schoolCodeColumn).value === school &&
      sheet.getCell(r, LAYOUT.categoryCodeColumn).value === category
    )
      return r;
  throw new Error(`no row for ${school}/${category}`);
}

const yearColumn = (year: number) => LAYOUT.firstYearColumn + years.indexOf(year);

async function edited(
  original: Buffer,
  edit: (sheet: ExcelJS.Worksheet, workbook: ExcelJS.Workbook) => void,
): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(original as unknown as ArrayBuffer);
  edit(wb.getWorksheet(INVENTORY_SHEET)!, wb);
  return new Uint8Array((await wb.xlsx.writeBuffer()) as ArrayBuffer);
}

function multipart(bytes: Uint8Array, name: string): Request {
  const form = new FormData();
  form.set(
    "file",
    new File([new Uint8Array(bytes)], name, {
      type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }),
  );
  return new Request(BASE_URL + "/inventory/DUE/import", {
    method: "POST",
    body: form,
    headers: { Cookie: cookie },
  });
}

async function uploadAndPreview(bytes: Uint8Array) {
  const upload = await run(importAction, multipart(bytes, "Bestand-alt.xlsx"), { partner: "DUE" });
  expect(upload.status).toBe(302);
  const location = upload.headers.get("Location")!;
  const body = await (
    await run(importLoader, makeRequest(location, { cookie }), { partner: "DUE" })
  ).json();
  return { id: new URL(BASE_URL + location).searchParams.get("id")!, preview: body.preview };
}

const apply = (id: string, token: string, take: string[] = []) =>
  run(
    importAction,
    new Request(BASE_URL + "/inventory/DUE/import", {
      method: "POST",
      headers: { Cookie: cookie, "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams([
        ["intent", "apply"],
        ["id", id],
        ["token", token],
        ...take.map((k) => ["take", k]),
      ]),
    }),
    { partner: "DUE" },
  );

describe("inventory template upload", () => {
  test("stale upload: others' changes since the download are conflicts, skipped unless ticked", async () => {
    const [y1, y2, y3] = years.slice(-3);
    await saveAsCoordinator([["TAB", y1, 8]]);
    const original = await download();
    // After the download the coordinator changes TAB y1 (8 → 44) and NB-LK y2 (0 → 7).
    await saveAsCoordinator([
      ["TAB", y1, 44],
      ["NB-LK", y2, 7],
    ]);
    // The officer edits the old file: TAB y1 (8 → 10) and NB-SUS y3 (0 → 5); NB-LK y2 stays 0.
    const file = await edited(original, (s) => {
      s.getCell(rowOf(s, "TAB"), yearColumn(y1)).value = 10;
      s.getCell(rowOf(s, "NB-SUS"), yearColumn(y3)).value = 5;
    });
    const first = await uploadAndPreview(file);
    expect(first.preview.cells).toEqual([
      expect.objectContaining({ year: y3, oldQuantity: 0, newQuantity: 5 }),
    ]);
    expect(first.preview.conflicts).toEqual([
      expect.objectContaining({
        key: `q:${cellKey(school, "TAB", y1)}`,
        year: y1,
        downloaded: "8",
        stored: "44",
        file: "10",
      }),
    ]);
    const untouched = await apply(first.id, first.preview.token);
    expect(untouched.status).toBe(302);
    expect(untouched.headers.get("Location")).toBe("/inventory/DUE?importiert=1&uebersprungen=1");
    expect(await stored("NB-SUS", y3)).toBe(5);
    expect(await stored("TAB", y1)).toBe(44); // theirs stays
    expect(await stored("NB-LK", y2)).toBe(7); // not reverted by the old file

    // Uploaded again, the officer ticks the conflict: now their value wins, knowingly.
    const second = await uploadAndPreview(file);
    expect(second.preview.cells).toEqual([]);
    expect(second.preview.conflicts).toHaveLength(1);
    const ticked = await apply(second.id, second.preview.token, [second.preview.conflicts[0].key]);
    expect(ticked.headers.get("Location")).toBe("/inventory/DUE?importiert=1");
    expect(await stored("TAB", y1)).toBe(10);
    expect(await stored("NB-LK", y2)).toBe(7);
  });

  test("a confirmed preview that is no longer current applies nothing (409)", async () => {
    const year = years[0];
    const file = await edited(await download(), (s) => {
      s.getCell(rowOf(s, "TAB"), yearColumn(year)).value = 3;
    });
    const { id, preview } = await uploadAndPreview(file);
    expect(preview.cells).toHaveLength(1);
    await saveAsCoordinator([["NB-LK", year, 9]]);
    await saveAsCoordinator([["TAB", year, 4]]);
    const r = await apply(id, preview.token);
    expect(r.status).toBe(409);
    expect((await r.json()).message).toMatch(/seit dem Anzeigen der Vorschau geändert/);
    expect(await stored("TAB", year)).toBe(4);
  });

  test("sorted rows are read by the codes they show", async () => {
    const year = years[1];
    const file = await edited(await download(), (s) => {
      s.getCell(rowOf(s, "NB-LK"), yearColumn(year)).value = 1234;
      // Then all data rows are sorted descending by product group name (after unprotecting).
      let last = LAYOUT.firstDataRow;
      while (s.getCell(last + 1, LAYOUT.categoryCodeColumn).value) last++;
      const width = LAYOUT.firstYearColumn + years.length + 1;
      const rows: ExcelJS.CellValue[][] = [];
      for (let r = LAYOUT.firstDataRow; r <= last; r++)
        rows.push(Array.from({ length: width }, (_, c) => s.getCell(r, c + 1).value));
      rows.sort((a, b) =>
        String(b[LAYOUT.categoryColumn - 1]).localeCompare(String(a[LAYOUT.categoryColumn - 1])),
      );
      rows.forEach((values, i) =>
        values.forEach((v, c) => (s.getCell(LAYOUT.firstDataRow + i, c + 1).value = v)),
      );
      expect(rowOf(s, "NB-LK")).not.toBe(LAYOUT.firstDataRow + 1); // it moved
    });
    const { preview } = await uploadAndPreview(file);
    expect(preview.conflicts).toEqual([]);
    expect(preview.cells).toEqual([
      expect.objectContaining({ category: "Lehrkräfte-Notebook", year, newQuantity: 1234 }),
    ]);
  });

  test("a crafted _meta sheet or a zip that is no workbook: 422 with a German message", async () => {
    const crafted = await edited(await download(), (_s, wb) => {
      wb.getWorksheet(META_SHEET)!.getCell(7, 1).value = 1e308;
    });
    const r = await run(importAction, multipart(crafted, "Bestand.xlsx"), { partner: "DUE" });
    expect(r.status).toBe(422);
    expect((await r.json()).errors[0].message).toMatch(/Bestandsvorlage ist beschädigt/);
    const zipOnly = new Uint8Array(
      (await new ExcelJS.Workbook().xlsx.writeBuffer()) as ArrayBuffer,
    );
    const z = await run(importAction, multipart(zipOnly, "Bericht.xlsx"), { partner: "DUE" });
    expect(z.status).toBe(422);
    expect((await z.json()).errors[0].message).toMatch(/keine Excel-Arbeitsmappe/);
  });
});
