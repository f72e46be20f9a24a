import ExcelJS from "exceljs";
import {
  loader as editorLoader,
  action as editorAction,
} from "../../app/routes/inventory.$partner";
import { loader as overviewLoader } from "../../app/routes/inventory._index";
import { loader as templateLoader } from "../../app/routes/inventory.$partner_.template[.]xlsx";
import {
  loader as importLoader,
  action as importAction,
} from "../../app/routes/inventory.$partner_.import";
import { loader as demandLoader, action as demandAction } from "../../app/routes/demand.$partner";
import { baselineQuantityField, quantityField } from "../../domain/demand-form";
import { LAYOUT } from "../../exports/demand-template";
import { INVENTORY_SHEET } from "../../exports/inventory-template";
import type { TestDatabase } from "../helpers/test-database";
import {
  BASE_URL,
  COMMITTEE,
  COORDINATOR,
  OFFICER_COE,
  OFFICER_DUE,
  makeRequest,
  run,
  setUpAppDatabase,
  signIn,
  tearDownAppDatabase,
} from "./support";

let testDb: TestDatabase;
const cookies: Record<string, string> = {};

beforeAll(async () => {
  testDb = await setUpAppDatabase();
  // The demo carries an installed base; these tests start from none.
  await testDb.db.deleteFrom("inventory_lines").execute();
  await testDb.db.deleteFrom("inventory_notes").execute();
  for (const [k, email] of Object.entries({
    coe: OFFICER_COE,
    due: OFFICER_DUE,
    coord: COORDINATOR,
    committee: COMMITTEE,
  }))
    cookies[k] = await signIn(email);
});
afterAll(async () => tearDownAppDatabase(testDb));

interface Grid {
  schoolCode: string | null;
  years: number[];
  version: string;
  rows: { category: { code: string }; quantities: number[]; justification: string }[];
}

async function editor(who: string, partner = "COE") {
  const response = await run(
    editorLoader,
    makeRequest(`/inventory/${partner}`, { cookie: cookies[who] }),
    { partner },
  );
  return { status: response.status, data: response.status === 200 ? await response.json() : null };
}

/** The form of one grid as the browser sends it: every cell with its baseline. */
function gridForm(grid: Grid, changes: Record<string, string>): Record<string, string> {
  const form: Record<string, string> = {
    intent: "save",
    school: grid.schoolCode ?? "",
    version: grid.version,
  };
  for (const row of grid.rows)
    grid.years.forEach((year, i) => {
      const q = row.quantities[i];
      form[quantityField(year, row.category.code)] = q === 0 ? "" : String(q);
      form[baselineQuantityField(year, row.category.code)] = String(q);
    });
  return { ...form, ...changes };
}

const post = (who: string, partner: string, form: Record<string, string>) =>
  run(editorAction, makeRequest(`/inventory/${partner}`, { cookie: cookies[who], form }), {
    partner,
  });

const stored = (partner: string, year: number) =>
  testDb.db
    .selectFrom("inventory_lines")
    .select(["school_code", "category_code", "quantity"])
    .where("partner_code", "=", partner)
    .where("year", "=", year)
    .execute();

describe("inventory editor", () => {
  test("officers read and write only their own partner; committee reads only", async () => {
    expect((await editor("due", "COE")).status).toBe(403);
    const own = await editor("coe");
    expect(own.status).toBe(200);
    expect(own.data.canEdit).toBe(true);
    const committee = await editor("committee");
    expect(committee.data.canEdit).toBe(false);
    const grid: Grid = own.data.grids[0];
    const form = gridForm(grid, { [quantityField(grid.years[0], "TAB")]: "5" });
    expect((await post("due", "COE", form)).status).toBe(403);
    expect((await post("committee", "COE", form)).status).toBe(403);
    expect(await stored("COE", grid.years[0])).toEqual([]);
  });

  test("shows the last eight purchase years up to the current one", async () => {
    const { data } = await editor("coe");
    const year = new Date().getUTCFullYear();
    expect(data.grids[0].years).toEqual([7, 6, 5, 4, 3, 2, 1, 0].map((k) => year - k));
  });

  test("saves a grid, answers German errors at the cell and 409 with both values on stale data", async () => {
    const { data } = await editor("coe");
    const grid: Grid = data.grids[0];
    const year = grid.years[2];
    const bad = await post("coe", "COE", gridForm(grid, { [quantityField(year, "TAB")]: "-3" }));
    expect(bad.status).toBe(400);
    expect((await bad.json()).fieldErrors[quantityField(year, "TAB")]).toBe(
      "Keine negativen Mengen: bitte 0 oder mehr eingeben.",
    );
    const ok = await post(
      "coe",
      "COE",
      gridForm(grid, { [quantityField(year, "TAB")]: "1.200", "note.TAB": "Inventarliste 2024" }),
    );
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ status: "saved", changed: 2 });
    expect(await stored("COE", year)).toEqual([
      { school_code: grid.schoolCode, category_code: "TAB", quantity: 1200 },
    ]);
    // The coordinator still has the old version: conflict, nothing saved.
    const stale = await post("coord", "COE", gridForm(grid, { [quantityField(year, "TAB")]: "7" }));
    expect(stale.status).toBe(409);
    const conflict = await stale.json();
    expect(conflict.conflicts).toContainEqual(
      expect.objectContaining({ theirs: "1200", yours: "7" }),
    );
    expect((await stored("COE", year))[0].quantity).toBe(1200);
  });

  test("the overview sums per partner for the coordinator and sends officers to their own", async () => {
    const coord = await run(overviewLoader, makeRequest("/inventory", { cookie: cookies.coord }));
    const data = await coord.json();
    expect(data.rows.find((r: { partnerCode: string }) => r.partnerCode === "COE").total).toBe(
      1200,
    );
    const officer = await run(overviewLoader, makeRequest("/inventory", { cookie: cookies.due }));
    expect(officer.headers.get("Location")).toBe("/inventory/DUE");
  });
});

function multipart(path: string, cookie: string, bytes: Uint8Array, name: string): Request {
  const form = new FormData();
  form.set(
    "file",
    new File([new Uint8Array(bytes)], name, {
      type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }),
  );
  return new Request(BASE_URL + path, { method: "POST", body: form, headers: { Cookie: cookie } });
}

describe("inventory Excel round trip", () => {
  test("template, upload with preview, confirm: all values at once", async () => {
    const t = await run(
      templateLoader,
      makeRequest("/inventory/DUE/template.xlsx", { cookie: cookies.due }),
      { partner: "DUE" },
    );
    expect(t.status).toBe(200);
    expect(t.headers.get("Content-Disposition")).toMatch(/filename="Bestand-DUE-/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await t.arrayBuffer());
    const sheet = wb.getWorksheet(INVENTORY_SHEET)!;
    expect(sheet.getCell(1, 1).value).toMatch(/^Bestand /);
    // A demand template is not an inventory template and the other way round.
    expect(wb.getWorksheet("Bedarf")).toBeUndefined();
    sheet.getCell(LAYOUT.firstDataRow, LAYOUT.firstYearColumn).value = 40;
    sheet.getCell(LAYOUT.firstDataRow + 1, LAYOUT.firstYearColumn + 1).value = 12;
    const bytes = new Uint8Array((await wb.xlsx.writeBuffer()) as ArrayBuffer);

    const foreign = await run(
      importAction,
      multipart("/inventory/COE/import", cookies.due, bytes, "Bestand.xlsx"),
      { partner: "COE" },
    );
    expect(foreign.status).toBe(403);

    const uploaded = await run(
      importAction,
      multipart("/inventory/DUE/import", cookies.due, bytes, "Bestand.xlsx"),
      { partner: "DUE" },
    );
    expect(uploaded.status).toBe(302);
    const location = uploaded.headers.get("Location")!;
    expect(location).toMatch(/^\/inventory\/DUE\/import\?id=[\w-]+$/);
    const preview = await (
      await run(importLoader, makeRequest(location, { cookie: cookies.due }), { partner: "DUE" })
    ).json();
    expect(preview.preview.cells).toHaveLength(2);
    expect(
      await testDb.db
        .selectFrom("inventory_lines")
        .select("id")
        .where("partner_code", "=", "DUE")
        .execute(),
    ).toEqual([]);
    const id = new URL(BASE_URL + location).searchParams.get("id")!;
    const applied = await run(
      importAction,
      makeRequest("/inventory/DUE/import", { cookie: cookies.due, form: { intent: "apply", id } }),
      { partner: "DUE" },
    );
    expect(applied.headers.get("Location")).toBe("/inventory/DUE?importiert=2");
    const lines = await testDb.db
      .selectFrom("inventory_lines")
      .select(["quantity"])
      .where("partner_code", "=", "DUE")
      .orderBy("quantity")
      .execute();
    expect(lines.map((l) => l.quantity)).toEqual([12, 40]);
  });

  test("refuses a demand template with a German message and changes nothing", async () => {
    const { loader: demandTemplate } =
      await import("../../app/routes/demand.$partner_.template[.]xlsx");
    const t = await run(
      demandTemplate,
      makeRequest("/demand/DUE/template.xlsx", { cookie: cookies.due }),
      { partner: "DUE" },
    );
    const response = await run(
      importAction,
      multipart(
        "/inventory/DUE/import",
        cookies.due,
        new Uint8Array(await t.arrayBuffer()),
        "x.xlsx",
      ),
      { partner: "DUE" },
    );
    expect(response.status).toBe(422);
    const body = await response.json();
    expect(body.errors[0].message).toMatch(/keine Bestandsvorlage/);
  });
});

describe("replacement planning in the demand editor", () => {
  test("shows the devices due per cell and fills them in without JavaScript, saving nothing", async () => {
    // 30 tablets bought for the first COE school: due after the category's service life.
    const school = (await editor("coe")).data.grids[0] as Grid;
    const life = (
      await testDb.db
        .selectFrom("categories")
        .select("service_life_years")
        .where("code", "=", "TAB")
        .executeTakeFirstOrThrow()
    ).service_life_years;
    const demandResponse = await run(
      demandLoader,
      makeRequest("/demand/COE", { cookie: cookies.coe }),
      { partner: "COE" },
    );
    const demand = await demandResponse.json();
    const dueYear: number = demand.grids[0].years[0];
    const bought = dueYear - life;
    await testDb.db
      .insertInto("inventory_lines")
      .values({
        partner_code: "COE",
        school_code: school.schoolCode,
        category_code: "TAB",
        year: bought,
        quantity: 30,
        position: 99,
        updated_at: new Date().toISOString(),
        updated_by: null,
      })
      .execute();
    const after = await (
      await run(demandLoader, makeRequest("/demand/COE", { cookie: cookies.coe }), {
        partner: "COE",
      })
    ).json();
    const field = quantityField(dueYear, "TAB");
    const grid = after.grids[0] as Grid;
    const current = grid.rows.find((r) => r.category.code === "TAB")!.quantities[0];
    expect(after.replacements[school.schoolCode ?? ""][field]).toBeGreaterThanOrEqual(30);
    const due = after.replacements[school.schoolCode ?? ""][field] as number;

    const form = gridForm(grid, { fill: "replacement" });
    const before = await testDb.db.selectFrom("demand_lines").selectAll().execute();
    const reply = await run(
      demandAction,
      makeRequest("/demand/COE", { cookie: cookies.coe, form }),
      { partner: "COE" },
    );
    expect(reply.status).toBe(200);
    const body = await reply.json();
    expect(body.status).toBe("prefilled");
    expect(body.submitted[field]).toBe(String(Math.max(due, current)));
    expect(body.changed).toBeGreaterThanOrEqual(current < due ? 1 : 0);
    expect(await testDb.db.selectFrom("demand_lines").selectAll().execute()).toEqual(before);
  });
});
