// Demand rounds in the routes: /demand?round=, the editor's per-round lock and the start
// pages' figures per round. The demo's RV-2027 covers 2027–2030; RV-2031 is created
// here through /tenders/new with one lot (tablets), covering TAB 2031–2032.
import { loader as startLoader } from "../../app/routes/_index";
import { loader as editorLoader, action as editorAction } from "../../app/routes/demand.$partner";
import { loader as overviewLoader, action as overviewAction } from "../../app/routes/demand._index";
import { action as newTenderAction } from "../../app/routes/tenders.new";
import { action as tenderAction } from "../../app/routes/tenders.$code._index";
import { baselineQuantityField, quantityField } from "../../domain/demand-form";
import type { DemandTotals } from "../../domain/demand-grid";
import type { TestDatabase } from "../helpers/test-database";
import {
  COORDINATOR,
  OFFICER_COE,
  makeRequest,
  run,
  setUpAppDatabase,
  signIn,
  tearDownAppDatabase,
} from "./support";

let testDb: TestDatabase;
const cookies: Record<string, string> = {};

interface Grid {
  schoolCode: string | null;
  years: number[];
  version: string;
  rows: { category: { code: string }; quantities: number[]; justification: string }[];
}
interface EditorData {
  grids: Grid[];
  totals: DemandTotals;
  round: { code: string; years: number[] } | null;
  rounds: { code: string; status: string; deadlineText: string | null }[];
  status: string | null;
  canEdit: boolean;
  anyEditable: boolean;
  lockReason: string | null;
  lockedCells: Record<string, string>;
  canSubmit: boolean;
}

beforeAll(async () => {
  testDb = await setUpAppDatabase();
  cookies.coe = await signIn(OFFICER_COE);
  cookies.coord = await signIn(COORDINATOR);
  const created = await run(
    newTenderAction,
    makeRequest("/tenders/new", {
      cookie: cookies.coord,
      form: {
        code: "RV-2031",
        name: "Tablets 2031",
        startYear: "2031",
        termYears: "2",
        reservePercent: "10",
        soloProcessCostGross: "7.500,00",
      },
    }),
  );
  expect(created.status).toBe(302);
  const lot = await run(
    tenderAction,
    makeRequest("/tenders/RV-2031", {
      cookie: cookies.coord,
      form: { intent: "add-lot", code: "L1", name: "Tablets", categories: "TAB" },
    }),
    { code: "RV-2031" },
  );
  expect(lot.status).toBeLessThan(400);
});
afterAll(async () => tearDownAppDatabase(testDb));

async function editor(who: string, query = ""): Promise<{ status: number; data: EditorData }> {
  const response = await run(
    editorLoader,
    makeRequest(`/demand/COE${query}`, { cookie: cookies[who] }),
    { partner: "COE" },
  );
  return {
    status: response.status,
    data: response.status === 200 ? ((await response.json()) as EditorData) : (null as never),
  };
}

async function overview(query = "") {
  const response = await run(
    overviewLoader,
    makeRequest(`/demand${query}`, { cookie: cookies.coord }),
  );
  return { status: response.status, data: response.status === 200 ? await response.json() : null };
}

async function post(who: string, form: Record<string, string>) {
  const response = await run(
    editorAction,
    makeRequest("/demand/COE", { cookie: cookies[who], form }),
    { partner: "COE" },
  );
  return { status: response.status, body: await response.json() };
}

/** The form a browser posts for a grid: every open cell with its value, some changed. */
function gridForm(grid: Grid, locked: Record<string, string>, changes: Record<string, string>) {
  const form: Record<string, string> = {
    intent: "save",
    school: grid.schoolCode ?? "",
    version: grid.version,
    js: "1", // as the editor's fetcher posts it (without JavaScript a save redirects)
  };
  for (const row of grid.rows) {
    grid.years.forEach((year, i) => {
      form[baselineQuantityField(year, row.category.code)] = String(row.quantities[i]);
      // Locked cells have no input: the browser sends nothing for them.
      if (locked[`${row.category.code}|${year}`] === undefined)
        form[quantityField(year, row.category.code)] = String(row.quantities[i]);
    });
  }
  return { ...form, ...changes };
}

/** COE's stored quantity of a category over the given years. */
async function storedSum(category: string, years: number[]) {
  const row = await testDb.db
    .selectFrom("demand_lines")
    .select((eb) => eb.fn.sum<number>("quantity").as("q"))
    .where("partner_code", "=", "COE")
    .where("category_code", "=", category)
    .where("year", "in", years)
    .executeTakeFirst();
  return Number(row?.q ?? 0);
}

test("a tender created through /tenders/new opens its round: drafts, no deadline", async () => {
  const { data } = await overview("?round=RV-2031");
  expect(data.round).toEqual({ code: "RV-2031", name: "Tablets 2031", years: [2031, 2032] });
  expect(data.rounds.map((r: { code: string }) => r.code)).toEqual(["RV-2027", "RV-2031"]);
  expect(data.deadline).toBeNull();
  expect(data.categories.map((c: { code: string }) => c.code)).toEqual(["TAB"]);
  expect(data.rows).toHaveLength(12);
  expect(new Set(data.rows.map((r: { status: string }) => r.status))).toEqual(new Set(["draft"]));
  expect((await overview("?round=RV-1999")).status).toBe(404);
});

test("the editor locks only the submitted round's cells", async () => {
  // The officer enters tablets for 2031 (round RV-2031), then submits RV-2027 only.
  const first = await editor("coe", "?round=RV-2031");
  const grid = first.data.grids.find((g) => g.schoolCode === "COE-01")!;
  expect(
    (await post("coe", gridForm(grid, {}, { [quantityField(2031, "TAB")]: "7" }))).body.status,
  ).toBe("saved");
  const submitted = await post("coe", { intent: "submit", round: "RV-2027", confirm: "yes" });
  expect(submitted.status).toBe(200);
  expect(submitted.body.message).toContain("RV-2027");

  const a = await editor("coe", "?round=RV-2027");
  expect(a.data.round?.code).toBe("RV-2027");
  expect(a.data.status).toBe("submitted");
  expect(a.data.canEdit).toBe(false);
  expect(a.data.lockReason).toMatch(/RV-2027.*eingereicht/);
  expect(a.data.lockedCells["TAB|2028"]).toMatch(/RV-2027/);
  expect(a.data.lockedCells["TAB|2031"]).toBeUndefined();
  expect(a.data.lockedCells["DOKU|2032"]).toBeUndefined(); // no tender covers it
  expect(a.data.anyEditable).toBe(true);
  expect(a.data.rounds).toEqual([
    { code: "RV-2027", name: expect.any(String), status: "submitted", deadlineText: null },
    { code: "RV-2031", name: "Tablets 2031", status: "draft", deadlineText: null },
  ]);

  const b = await editor("coe", "?round=RV-2031");
  expect(b.data.status).toBe("draft");
  expect(b.data.canEdit).toBe(true);
  expect(b.data.canSubmit).toBe(true);

  // A save from the form as rendered (locked cells absent) changes the open round's cells.
  const g = b.data.grids.find((x) => x.schoolCode === "COE-01")!;
  const ok = await post(
    "coe",
    gridForm(g, b.data.lockedCells, { [quantityField(2032, "TAB")]: "3" }),
  );
  expect(ok.body.status).toBe("saved");
  // A crafted change of a locked cell is refused; nothing is stored.
  const g2 = (await editor("coe", "?round=RV-2031")).data.grids.find(
    (x) => x.schoolCode === "COE-01",
  )!;
  const before = await storedSum("TAB", [2028]);
  const refused = await post(
    "coe",
    gridForm(g2, {}, { [quantityField(2028, "TAB")]: String(before + 50) }),
  );
  expect(refused.status).toBe(403);
  expect(refused.body.message).toMatch(/RV-2027/);
  expect(await storedSum("TAB", [2028])).toBe(before);
  expect((await editor("coe", "?round=RV-9999")).status).toBe(404);
});

test("/demand shows the picked round's status, deadline and totals only", async () => {
  const a = await overview("?round=RV-2027");
  const coeA = a.data.rows.find((r: { partnerCode: string }) => r.partnerCode === "COE");
  expect(coeA.status).toBe("submitted");
  expect(coeA.totals.TAB).toBe(await storedSum("TAB", [2027, 2028, 2029, 2030]));
  expect(a.data.notSubmitted.map((p: { code: string }) => p.code)).not.toContain("COE");

  const b = await overview("?round=RV-2031");
  const coeB = b.data.rows.find((r: { partnerCode: string }) => r.partnerCode === "COE");
  expect(coeB.status).toBe("draft");
  expect(coeB.totals).toEqual({ TAB: 10 });
  expect(coeB.total).toBe(10);
  expect(coeB.lastChange?.userName).toBe("Beschaffung Coesfeld");
  expect(b.data.notSubmitted.map((p: { code: string }) => p.code)).toContain("COE");

  // The coordinator sets RV-2031's deadline: it becomes the default round, RV-2027 keeps none.
  const set = await run(
    overviewAction,
    makeRequest("/demand", {
      cookie: cookies.coord,
      form: { intent: "deadline", deadline: "2099-03-31T18:00", round: "RV-2031" },
    }),
  );
  expect(set.status).toBe(200);
  const def = await overview();
  expect(def.data.round.code).toBe("RV-2031");
  expect(def.data.deadline.text).toBe("31.03.2099, 18:00 Uhr");
  expect((await overview("?round=RV-2027")).data.deadline).toBeNull();
  expect((await editor("coe")).data.round?.code).toBe("RV-2031");
  await run(
    overviewAction,
    makeRequest("/demand", {
      cookie: cookies.coord,
      form: { intent: "clear-deadline", round: "RV-2031" },
    }),
  );
  expect((await overview("?round=RV-2031")).data.deadline).toBeNull();

  // Reopening names its round.
  const reopen = await run(
    overviewAction,
    makeRequest("/demand", {
      cookie: cookies.coord,
      form: { intent: "reopen", partner: "COE", round: "RV-2031" },
    }),
  );
  expect(reopen.status).toBe(409); // RV-2031 was never submitted
});

test("start pages show figures per round, never summed across rounds", async () => {
  const coord = await (await run(startLoader, makeRequest("/", { cookie: cookies.coord }))).json();
  expect(coord.rounds.map((r: { code: string }) => r.code)).toEqual(["RV-2027", "RV-2031"]);
  const row = (i: number) =>
    coord.rounds[i].progress.find((p: { partnerCode: string }) => p.partnerCode === "COE");
  const allCategories2027 = await testDb.db
    .selectFrom("demand_lines")
    .select((eb) => eb.fn.sum<number>("quantity").as("q"))
    .where("partner_code", "=", "COE")
    .where("year", "in", [2027, 2028, 2029, 2030])
    .executeTakeFirstOrThrow();
  expect(row(0).totalQuantity).toBe(Number(allCategories2027.q));
  expect(row(0).status).toBe("submitted");
  expect(row(1).totalQuantity).toBe(10);
  expect(row(1).lineCount).toBe(2);
  expect(row(1).status).toBe("draft");

  const officer = await (await run(startLoader, makeRequest("/", { cookie: cookies.coe }))).json();
  expect(
    officer.rounds.map((r: { code: string; status: string; totalQuantity: number }) => [
      r.code,
      r.status,
      r.totalQuantity,
    ]),
  ).toEqual([
    ["RV-2027", "submitted", Number(allCategories2027.q)],
    ["RV-2031", "draft", 10],
  ]);
});
