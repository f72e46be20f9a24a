import ExcelJS from "exceljs";
import { loader as editorLoader, action as editorAction } from "../../app/routes/demand.$partner";
import { loader as overviewLoader, action as overviewAction } from "../../app/routes/demand._index";
import { loader as historyLoader } from "../../app/routes/demand.$partner_.history";
import { loader as templateLoader } from "../../app/routes/demand.$partner_.template[.]xlsx";
import {
  loader as importLoader,
  action as importAction,
} from "../../app/routes/demand.$partner_.import";
import { baselineQuantityField, quantityField } from "../../domain/demand-form";
import { DATA_SHEET, LAYOUT, META_SHEET } from "../../exports/demand-template";
import type { TestDatabase } from "../helpers/test-database";
import {
  COMMITTEE,
  COORDINATOR,
  FINANCE,
  OFFICER_COE,
  OFFICER_DUE,
  BASE_URL,
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
  for (const [k, email] of Object.entries({
    coe: OFFICER_COE,
    due: OFFICER_DUE,
    coord: COORDINATOR,
    finance: FINANCE,
    committee: COMMITTEE,
  })) {
    cookies[k] = await signIn(email);
  }
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
    makeRequest(`/demand/${partner}`, { cookie: cookies[who] }),
    { partner },
  );
  return {
    response,
    data:
      response.status === 200
        ? ((await response.json()) as {
            grids: Grid[];
            status: string;
            canEdit: boolean;
            lockReason: string | null;
          })
        : null,
  };
}

/** The form a browser would post for one grid, with some cells changed. */
function gridForm(grid: Grid, changes: Record<string, string>): Record<string, string> {
  const form: Record<string, string> = {
    intent: "save",
    // As the page posts with JavaScript (the fetcher shows the answer in place).
    js: "1",
    school: grid.schoolCode ?? "",
    version: grid.version,
  };
  for (const row of grid.rows) {
    grid.years.forEach((year, i) => {
      form[quantityField(year, row.category.code)] = String(row.quantities[i]);
      form[baselineQuantityField(year, row.category.code)] = String(row.quantities[i]);
    });
  }
  return { ...form, ...changes };
}

async function save(who: string, form: Record<string, string>, partner = "COE") {
  const response = await run(
    editorAction,
    makeRequest(`/demand/${partner}`, { cookie: cookies[who], form }),
    { partner },
  );
  return {
    status: response.status,
    body: response.headers.get("Content-Type")?.includes("json")
      ? await response.json()
      : await response.text(),
  };
}

const stored = async (school: string | null, category: string, year: number) => {
  let q = testDb.db
    .selectFrom("demand_lines")
    .select("quantity")
    .where("partner_code", "=", "COE")
    .where("category_code", "=", category)
    .where("year", "=", year);
  q = school === null ? q.where("school_code", "is", null) : q.where("school_code", "=", school);
  return (await q.executeTakeFirst())?.quantity ?? 0;
};
const auditCount = async () =>
  Number(
    (
      await testDb.db
        .selectFrom("audit_log")
        .select((eb) => eb.fn.countAll().as("n"))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe("authorization", () => {
  test("an officer of DUE can neither read nor write COE's demand, template, import or history", async () => {
    expect((await editor("due")).response.status).toBe(403);
    const { data } = await editor("coe");
    const before = await stored("COE-01", "TAB", 2028);
    const audits = await auditCount();
    const r = await save("due", gridForm(data!.grids[0], { [quantityField(2028, "TAB")]: "999" }));
    expect(r.status).toBe(403);
    expect(await stored("COE-01", "TAB", 2028)).toBe(before);
    expect(await auditCount()).toBe(audits);
    expect(
      (
        await run(
          templateLoader,
          makeRequest("/demand/COE/template.xlsx", { cookie: cookies.due }),
          { partner: "COE" },
        )
      ).status,
    ).toBe(403);
    expect(
      (
        await run(historyLoader, makeRequest("/demand/COE/history", { cookie: cookies.due }), {
          partner: "COE",
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await run(importLoader, makeRequest("/demand/COE/import", { cookie: cookies.due }), {
          partner: "COE",
        })
      ).status,
    ).toBe(403);
    const upload = await run(
      importAction,
      multipart("/demand/COE/import", cookies.due, new Uint8Array([1]), "x.xlsx"),
      { partner: "COE" },
    );
    expect(upload.status).toBe(403);
    const submit = await save("due", { intent: "submit", confirm: "yes" });
    expect(submit.status).toBe(403);
    expect((await editor("coe")).data!.status).toBe("draft");
  });

  test("finance and committee read everything but write nothing", async () => {
    for (const who of ["finance", "committee"]) {
      const { response, data } = await editor(who);
      expect(response.status).toBe(200);
      expect(data!.canEdit).toBe(false);
      const r = await save(who, gridForm(data!.grids[0], { [quantityField(2028, "TAB")]: "1" }));
      expect(r.status).toBe(403);
      expect(
        (await run(overviewLoader, makeRequest("/demand", { cookie: cookies[who] }))).status,
      ).toBe(200);
      expect(
        (
          await run(
            overviewAction,
            makeRequest("/demand", {
              cookie: cookies[who],
              form: { intent: "reopen", partner: "COE" },
            }),
          )
        ).status,
      ).toBe(403);
      expect(
        (
          await run(
            templateLoader,
            makeRequest("/demand/COE/template.xlsx", { cookie: cookies[who] }),
            { partner: "COE" },
          )
        ).status,
      ).toBe(200);
    }
  });

  test("signed out: redirected to the login", async () => {
    const r = await run(editorLoader, makeRequest("/demand/COE"), { partner: "COE" });
    expect(r.status).toBe(302);
    expect(r.headers.get("Location")).toMatch(/^\/login/);
  });

  test("an officer opening /demand goes to its own partner", async () => {
    const r = await run(overviewLoader, makeRequest("/demand", { cookie: cookies.due }));
    expect(r.headers.get("Location")).toBe("/demand/DUE");
  });
});

describe("editing", () => {
  test("saving one grid: changed cells written, reply with count and time, audit entries", async () => {
    const { data } = await editor("coe");
    const grid = data!.grids.find((g) => g.schoolCode === "COE-02")!;
    const r = await save(
      "coe",
      gridForm(grid, { [quantityField(2027, "AP")]: "17", [quantityField(2030, "DOKU")]: "1.000" }),
    );
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      status: "saved",
      changed: 2,
      timeText: expect.stringMatching(/^\d\d:\d\d Uhr$/),
    });
    expect(await stored("COE-02", "AP", 2027)).toBe(17);
    expect(await stored("COE-02", "DOKU", 2030)).toBe(1000);
  });

  test("quantities with German thousands dots: 12.345 is twelve thousand …, 1.00 is refused", async () => {
    const { data } = await editor("coe");
    const grid = data!.grids.find((g) => g.schoolCode === "COE-02")!;
    const refused = await save(
      "coe",
      gridForm(grid, {
        [quantityField(2028, "AP")]: "1.00",
        [quantityField(2029, "AP")]: "1.0000",
      }),
    );
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toContain("ohne Nachkommastellen");
    const ok = await save("coe", gridForm(grid, { [quantityField(2028, "AP")]: "12.345" }));
    expect(ok.status).toBe(200);
    expect(await stored("COE-02", "AP", 2028)).toBe(12_345);
  });

  test("invalid input: German message per field, nothing saved", async () => {
    const { data } = await editor("coe");
    const grid = data!.grids.find((g) => g.schoolCode === "COE-03")!;
    const before = await stored("COE-03", "AP", 2027);
    const r = await save(
      "coe",
      gridForm(grid, { [quantityField(2027, "AP")]: "-2", [quantityField(2028, "AP")]: "2,5" }),
    );
    expect(r.status).toBe(400);
    expect(r.body.fieldErrors).toEqual({
      [quantityField(2027, "AP")]: expect.stringContaining("negativ"),
      [quantityField(2028, "AP")]: expect.stringContaining("Nachkommastellen"),
    });
    expect(await stored("COE-03", "AP", 2027)).toBe(before);
  });

  test("demand without a school is saved in its own grid", async () => {
    const { data } = await editor("coe");
    const grid = data!.grids.find((g) => g.schoolCode === null)!;
    const r = await save("coe", gridForm(grid, { [quantityField(2029, "SW-24")]: "4" }));
    expect(r.body.status).toBe("saved");
    expect(await stored(null, "SW-24", 2029)).toBe(4);
  });

  test("a stale save is a conflict showing theirs and yours; nothing overwritten; override saves knowingly", async () => {
    const { data } = await editor("coe");
    const grid = data!.grids.find((g) => g.schoolCode === "COE-04")!;
    expect(
      (await save("coord", gridForm(grid, { [quantityField(2028, "TAB")]: "40" }))).body.status,
    ).toBe("saved");
    const mine = gridForm(grid, {
      [quantityField(2028, "TAB")]: "35",
      [quantityField(2027, "LADE")]: "2",
    });
    const r = await save("coe", mine);
    expect(r.status).toBe(409);
    expect(r.body.conflicts).toEqual([
      { label: expect.stringMatching(/ – Tablet mit Hülle 2028$/), theirs: "40", yours: "35" },
    ]);
    expect(await stored("COE-04", "TAB", 2028)).toBe(40);
    expect(await stored("COE-04", "LADE", 2027)).toBe(0);
    const again = await save("coe", { ...mine, override: r.body.latestVersion });
    expect(again.body.status).toBe("saved");
    expect(await stored("COE-04", "TAB", 2028)).toBe(35);
  });
});

describe("saving a table without JavaScript", () => {
  test("redirects back to that table (#fragment) and shows its message there", async () => {
    const { data } = await editor("coe");
    const grid = data!.grids.find((g) => g.schoolCode === "COE-05")!;
    const { js: _js, ...withoutJs } = gridForm(grid, { [quantityField(2028, "AP")]: "4" });
    const response = await run(
      editorAction,
      makeRequest("/demand/COE", { cookie: cookies.coe, form: withoutJs }),
      { partner: "COE" },
    );
    expect(response.status).toBe(302);
    const location = response.headers.get("Location")!;
    expect(location).toMatch(/^\/demand\/COE\?gespeichert=COE-05&werte=1&um=.+#grid-COE-05$/);
    const after = await run(
      editorLoader,
      makeRequest(location.split("#")[0], { cookie: cookies.coe }),
      { partner: "COE" },
    );
    expect((await after.json()).savedReply).toMatchObject({
      school: "COE-05",
      status: "saved",
      changed: 1,
    });
  });
});

describe("workflow", () => {
  test("submit locks the officer, the coordinator reopens, the officer edits again", async () => {
    // Without the confirmation only the question comes back; nothing is submitted.
    const asked = await save("coe", { intent: "submit" });
    expect(asked.body).toMatchObject({ intent: "submit", ok: false, confirm: true });
    expect((await editor("coe")).data!.status).toBe("draft");
    const submit = await save("coe", { intent: "submit", confirm: "yes" });
    expect(submit.status).toBe(200);
    const locked = await editor("coe");
    expect(locked.data!.status).toBe("submitted");
    expect(locked.data!.canEdit).toBe(false);
    expect(locked.data!.lockReason).toMatch(/eingereicht/);
    const grid = locked.data!.grids.find((g) => g.schoolCode === "COE-05")!;
    const denied = await save("coe", gridForm(grid, { [quantityField(2027, "AP")]: "3" }));
    expect(denied.status).toBe(403);
    expect(await stored("COE-05", "AP", 2027)).toBe(0);
    // The coordinator still edits a submitted demand.
    expect(
      (await save("coord", gridForm(grid, { [quantityField(2027, "AP")]: "1" }))).body.status,
    ).toBe("saved");
    const overview = await run(overviewLoader, makeRequest("/demand", { cookie: cookies.coord }));
    const body = await overview.json();
    expect(body.notSubmitted.map((p: { code: string }) => p.code)).not.toContain("COE");
    expect(body.notSubmitted.find((p: { code: string }) => p.code === "DUE").mailto).toMatch(
      /^mailto:beschaffung%40duelmen\.example\?subject=Erinnerung/,
    );
    expect(decodeURIComponent(body.mailtoAll)).toContain("Bedarfsmeldung");
    const reopen = await run(
      overviewAction,
      makeRequest("/demand", { cookie: cookies.coord, form: { intent: "reopen", partner: "COE" } }),
    );
    expect(reopen.status).toBe(200);
    const open = await editor("coe");
    expect(open.data!.status).toBe("reopened");
    const g2 = open.data!.grids.find((g) => g.schoolCode === "COE-05")!;
    expect(
      (await save("coe", gridForm(g2, { [quantityField(2027, "AP")]: "3" }))).body.status,
    ).toBe("saved");
  });

  test("after the deadline the officer is locked out, the coordinator is not", async () => {
    // A deadline in the past asks first (it locks every partner at once): nothing saved yet.
    const asked = await run(
      overviewAction,
      makeRequest("/demand", {
        cookie: cookies.coord,
        form: { intent: "deadline", deadline: "2020-01-31T18:00" },
      }),
    );
    const question = await asked.json();
    expect(question).toMatchObject({ ok: false, confirmPast: "2020-01-31T18:00" });
    expect(question.message).toMatch(
      /^Die Frist 31\.01\.2020, 18:00 Uhr liegt in der Vergangenheit/,
    );
    expect((await editor("coe")).data!.canEdit).toBe(true);
    const set = await run(
      overviewAction,
      makeRequest("/demand", {
        cookie: cookies.coord,
        form: { intent: "deadline", deadline: "2020-01-31T18:00", confirmPast: "yes" },
      }),
    );
    expect(set.status).toBe(200);
    expect((await set.json()).ok).toBe(true);
    try {
      const { data } = await editor("coe");
      expect(data!.canEdit).toBe(false);
      expect(data!.lockReason).toMatch(/Frist/);
      const grid = data!.grids.find((g) => g.schoolCode === "COE-06")!;
      expect((await save("coe", gridForm(grid, { [quantityField(2027, "AP")]: "5" }))).status).toBe(
        403,
      );
      expect((await save("coe", { intent: "submit", confirm: "yes" })).status).toBe(403);
      expect(
        (await save("coord", gridForm(grid, { [quantityField(2027, "AP")]: "5" }))).body.status,
      ).toBe("saved");
      const bad = await run(
        overviewAction,
        makeRequest("/demand", {
          cookie: cookies.coord,
          form: { intent: "deadline", deadline: "morgen" },
        }),
      );
      expect(bad.status).toBe(400);
      expect((await bad.json()).message).toMatch(/Datum und Uhrzeit/);
      expect(
        (
          await run(
            overviewAction,
            makeRequest("/demand", { cookie: cookies.coe, form: { intent: "clear-deadline" } }),
          )
        ).status,
      ).toBe(403);
    } finally {
      await run(
        overviewAction,
        makeRequest("/demand", { cookie: cookies.coord, form: { intent: "clear-deadline" } }),
      );
    }
    expect((await editor("coe")).data!.canEdit).toBe(true);
  });

  test("history lists changes newest first with user, cell, old and new", async () => {
    const r = await run(
      historyLoader,
      makeRequest("/demand/COE/history", { cookie: cookies.coe }),
      { partner: "COE" },
    );
    const { entries } = await r.json();
    expect(entries.length).toBeGreaterThan(5);
    const ids = entries.map((e: { id: number }) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(entries).toContainEqual(
      expect.objectContaining({
        user: "Beschaffung Coesfeld",
        kind: "Eingabe",
        field: expect.stringMatching(/ – WLAN-Access-Point 2027$/),
        oldValue: "0",
        newValue: "17",
      }),
    );
    expect(entries).toContainEqual(
      expect.objectContaining({
        kind: "Eingereicht",
        field: "Status Bedarfsrunde RV-2027",
        oldValue: "Entwurf",
        newValue: "Eingereicht",
      }),
    );
    expect(entries).toContainEqual(
      expect.objectContaining({ kind: "Wieder geöffnet", user: "Koordination Kreis Coesfeld" }),
    );
    expect(entries[0].at).toMatch(/^\d\d\.\d\d\.\d{4}, \d\d:\d\d Uhr$/);
    // Quantities from a thousand up are shown de-DE, like everywhere else.
    expect(entries).toContainEqual(
      expect.objectContaining({ kind: "Eingabe", newValue: "12.345" }),
    );
    expect(entries).toContainEqual(expect.objectContaining({ newValue: "1.000" }));
    expect(entries.some((e: { newValue: string }) => /^\d{4,}$/.test(e.newValue))).toBe(false);
  });
});

function multipart(
  path: string,
  cookie: string,
  bytes: Uint8Array,
  name: string,
  headers: Record<string, string> = {},
): Request {
  const form = new FormData();
  form.set(
    "file",
    new File([new Uint8Array(bytes)], name, {
      type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }),
  );
  return new Request(BASE_URL + path, {
    method: "POST",
    body: form,
    headers: { Cookie: cookie, ...headers },
  });
}

async function template(who: string, partner = "COE"): Promise<Buffer> {
  const r = await run(
    templateLoader,
    makeRequest(`/demand/${partner}/template.xlsx`, { cookie: cookies[who] }),
    { partner },
  );
  expect(r.status).toBe(200);
  expect(r.headers.get("Content-Type")).toBe(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  );
  expect(r.headers.get("Content-Disposition")).toMatch(
    new RegExp(`attachment; filename="Bedarf-${partner}-\\d{4}-\\d\\d-\\d\\d\\.xlsx"`),
  );
  return Buffer.from(await r.arrayBuffer());
}

async function edit(
  file: Buffer,
  cells: [row: number, yearIndex: number, value: ExcelJS.CellValue][],
): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(file as unknown as ArrayBuffer);
  const sheet = wb.getWorksheet(DATA_SHEET)!;
  for (const [row, i, value] of cells) sheet.getCell(row, LAYOUT.firstYearColumn + i).value = value;
  return new Uint8Array((await wb.xlsx.writeBuffer()) as ArrayBuffer);
}

describe("Excel import", () => {
  // Row 5 is COE-01 / first category (NB-SUS); year index 0 = 2027.
  test("upload → preview → apply changes the values in one go", async () => {
    const file = await edit(await template("coe"), [
      [5, 0, 21],
      [6, 1, 8],
    ]);
    const upload = await run(
      importAction,
      multipart("/demand/COE/import", cookies.coe, file, "Bedarf.xlsx"),
      { partner: "COE" },
    );
    expect(upload.status).toBe(302);
    const location = upload.headers.get("Location")!;
    expect(location).toMatch(/^\/demand\/COE\/import\?id=[\w-]+$/);
    expect(await stored("COE-01", "NB-SUS", 2027)).toBe(0); // nothing before confirming
    const preview = await (
      await run(importLoader, makeRequest(location, { cookie: cookies.coe }), { partner: "COE" })
    ).json();
    expect(preview.preview.cells).toEqual([
      {
        school: expect.any(String),
        category: "Schüler-Notebook",
        year: 2027,
        oldQuantity: 0,
        newQuantity: 21,
      },
      {
        school: expect.any(String),
        category: "Lehrkräfte-Notebook",
        year: 2028,
        oldQuantity: 4,
        newQuantity: 8,
      },
    ]);
    // Another user cannot see or apply it.
    const foreign = await (
      await run(importLoader, makeRequest(location, { cookie: cookies.coord }), { partner: "COE" })
    ).json();
    expect(foreign.missing).toBe(true);
    const id = new URL(BASE_URL + location).searchParams.get("id")!;
    expect(preview.preview.conflicts).toEqual([]);
    const apply = await run(
      importAction,
      makeRequest("/demand/COE/import", {
        cookie: cookies.coe,
        form: { intent: "apply", id, token: preview.preview.token },
      }),
      { partner: "COE" },
    );
    expect(apply.status).toBe(302);
    expect(apply.headers.get("Location")).toBe("/demand/COE?importiert=2");
    expect(await stored("COE-01", "NB-SUS", 2027)).toBe(21);
    expect(await stored("COE-01", "NB-LK", 2028)).toBe(8);
  });

  test("one bad cell: list of errors with sheet and cell, nothing stored", async () => {
    const file = await edit(await template("coe"), [
      [5, 0, 99],
      [7, 2, "zwölf"],
    ]);
    const pendingBefore = Number(
      (
        (await testDb.db
          .selectFrom("demand_imports" as never)
          .select((eb) => eb.fn.countAll().as("n"))
          .executeTakeFirstOrThrow()) as { n: number }
      ).n,
    );
    const r = await run(
      importAction,
      multipart("/demand/COE/import", cookies.coe, file, "Bedarf.xlsx"),
      { partner: "COE" },
    );
    expect(r.status).toBe(422);
    expect((await r.json()).errors).toEqual([
      { sheet: "Bedarf", cell: "H7", message: expect.stringContaining("ganze Zahl") },
    ]);
    expect(await stored("COE-01", "NB-SUS", 2027)).toBe(21);
    const pendingAfter = Number(
      (
        (await testDb.db
          .selectFrom("demand_imports" as never)
          .select((eb) => eb.fn.countAll().as("n"))
          .executeTakeFirstOrThrow()) as { n: number }
      ).n,
    );
    expect(pendingAfter).toBe(pendingBefore);
  });

  test("wrong type, empty, broken, too big, other partner's template: clear German errors", async () => {
    const post = async (bytes: Uint8Array, name: string, headers: Record<string, string> = {}) => {
      const r = await run(
        importAction,
        multipart("/demand/COE/import", cookies.coe, bytes, name, headers),
        { partner: "COE" },
      );
      return {
        status: r.status,
        message: ((await r.json()).errors as { message: string }[])[0].message,
      };
    };
    expect(await post(new TextEncoder().encode("a;b"), "bedarf.csv")).toEqual({
      status: 415,
      message: expect.stringContaining("Falscher Dateityp"),
    });
    expect(await post(new Uint8Array(), "leer.xlsx")).toEqual({
      status: 422,
      message: expect.stringContaining("leer"),
    });
    expect(await post(new TextEncoder().encode("kein zip"), "kaputt.xlsx")).toEqual({
      status: 422,
      message: expect.stringContaining("keine Excel-Arbeitsmappe"),
    });
    const good = await template("coe");
    expect(await post(good.subarray(0, 3000), "kaputt.xlsx")).toEqual({
      status: 422,
      message: expect.stringContaining("beschädigt"),
    });
    expect(await post(new Uint8Array(5 * 1024 * 1024 + 10), "gross.xlsx")).toEqual({
      status: 413,
      message: expect.stringContaining("5 MB"),
    });
    expect(
      await post(new Uint8Array(10), "gross.xlsx", { "Content-Length": String(20 * 1024 * 1024) }),
    ).toEqual({ status: 413, message: expect.stringContaining("5 MB") });
    const due = await template("coord", "DUE");
    expect(await post(new Uint8Array(due), "due.xlsx")).toEqual({
      status: 422,
      message: expect.stringContaining("anderen Schulträger (DUE)"),
    });
    expect(await stored("COE-01", "NB-SUS", 2027)).toBe(21);
  });

  test("stale upload: others' changes since the download are conflicts, skipped unless ticked", async () => {
    const downloaded = await template("coe");
    // After the download the coordinator changes NB-LK 2028 (8 → 44) and TAB 2029 in the editor.
    const { data } = await editor("coord");
    const grid = data!.grids.find((g) => g.schoolCode === "COE-01")!;
    const tab2029 = grid.rows.find((r) => r.category.code === "TAB")!.quantities[2] + 7;
    const saved = await save(
      "coord",
      gridForm(grid, {
        [quantityField(2028, "NB-LK")]: "44",
        [quantityField(2029, "TAB")]: String(tab2029),
      }),
    );
    expect(saved.status).toBe(200);
    // The officer edits the old file: NB-SUS 2027 (21 → 22) and NB-LK 2028 (8 → 10).
    const file = await edit(downloaded, [
      [5, 0, 22],
      [6, 1, 10],
    ]);
    const uploadAndPreview = async () => {
      const upload = await run(
        importAction,
        multipart("/demand/COE/import", cookies.coe, file, "Bedarf-alt.xlsx"),
        { partner: "COE" },
      );
      expect(upload.status).toBe(302);
      const location = upload.headers.get("Location")!;
      const body = await (
        await run(importLoader, makeRequest(location, { cookie: cookies.coe }), { partner: "COE" })
      ).json();
      return { id: new URL(BASE_URL + location).searchParams.get("id")!, preview: body.preview };
    };
    const first = await uploadAndPreview();
    expect(first.preview.cells).toEqual([
      expect.objectContaining({ year: 2027, oldQuantity: 21, newQuantity: 22 }),
    ]);
    expect(first.preview.conflicts).toEqual([
      {
        key: "q:COE-01|NB-LK|2028",
        school: expect.any(String),
        category: "Lehrkräfte-Notebook",
        year: 2028,
        downloaded: "8",
        stored: "44",
        file: "10",
      },
    ]);
    const apply = async (id: string, token: string, take: string[] = []) =>
      run(
        importAction,
        new Request(BASE_URL + "/demand/COE/import", {
          method: "POST",
          headers: {
            Cookie: cookies.coe,
            "Content-Type": "application/x-www-form-urlencoded",
          },
          body: new URLSearchParams([
            ["intent", "apply"],
            ["id", id],
            ["token", token],
            ...take.map((k) => ["take", k]),
          ]),
        }),
        { partner: "COE" },
      );
    const untouched = await apply(first.id, first.preview.token);
    expect(untouched.status).toBe(302);
    expect(untouched.headers.get("Location")).toBe("/demand/COE?importiert=1&uebersprungen=1");
    expect(await stored("COE-01", "NB-SUS", 2027)).toBe(22);
    expect(await stored("COE-01", "NB-LK", 2028)).toBe(44); // theirs stays
    expect(await stored("COE-01", "TAB", 2029)).toBe(tab2029); // not reverted by the old file

    // Uploaded again, the officer ticks the conflict: now their value wins, knowingly.
    const second = await uploadAndPreview();
    expect(second.preview.cells).toEqual([]);
    expect(second.preview.conflicts).toHaveLength(1);
    const ticked = await apply(second.id, second.preview.token, [second.preview.conflicts[0].key]);
    expect(ticked.headers.get("Location")).toBe("/demand/COE?importiert=1");
    expect(await stored("COE-01", "NB-LK", 2028)).toBe(10);
    expect(await stored("COE-01", "TAB", 2029)).toBe(tab2029);
  });

  test("a confirmed preview that is no longer current applies nothing", async () => {
    const file = await edit(await template("coe"), [[5, 3, 3]]);
    const upload = await run(
      importAction,
      multipart("/demand/COE/import", cookies.coe, file, "Bedarf.xlsx"),
      { partner: "COE" },
    );
    const location = upload.headers.get("Location")!;
    const { preview } = await (
      await run(importLoader, makeRequest(location, { cookie: cookies.coe }), { partner: "COE" })
    ).json();
    const { data } = await editor("coord");
    const grid = data!.grids.find((g) => g.schoolCode === "COE-01")!;
    await save("coord", gridForm(grid, { [quantityField(2030, "NB-SUS")]: "5" }));
    const r = await run(
      importAction,
      makeRequest("/demand/COE/import", {
        cookie: cookies.coe,
        form: { intent: "apply", id: preview.id, token: preview.token },
      }),
      { partner: "COE" },
    );
    expect(r.status).toBe(409);
    expect((await r.json()).message).toMatch(/seit dem Anzeigen der Vorschau geändert/);
    expect(await stored("COE-01", "NB-SUS", 2030)).toBe(5);
  });

  test("a crafted _meta sheet or a zip that is no workbook: 422 with a German message", async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await template("coe")) as unknown as ArrayBuffer);
    wb.getWorksheet(META_SHEET)!.getCell(7, 1).value = 1e308;
    const crafted = new Uint8Array((await wb.xlsx.writeBuffer()) as ArrayBuffer);
    const r = await run(
      importAction,
      multipart("/demand/COE/import", cookies.coe, crafted, "Bedarf.xlsx"),
      { partner: "COE" },
    );
    expect(r.status).toBe(422);
    expect((await r.json()).errors[0].message).toMatch(/beschädigt/);
    // An OpenDocument text renamed to .xlsx: a zip, but no workbook.
    const other = new ExcelJS.Workbook();
    const zipOnly = new Uint8Array((await other.xlsx.writeBuffer()) as ArrayBuffer);
    const z = await run(
      importAction,
      multipart("/demand/COE/import", cookies.coe, zipOnly, "Bericht.xlsx"),
      { partner: "COE" },
    );
    expect(z.status).toBe(422);
    expect((await z.json()).errors[0].message).toMatch(/keine Excel-Arbeitsmappe/);
  });
});
