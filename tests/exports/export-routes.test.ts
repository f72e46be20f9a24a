// Integration tests of the three export routes: who may download, what comes back.
import { sql } from "kysely";
import { loader as costSplitLoader } from "../../app/routes/tenders.$code.cost-split[.]xlsx";
import { loader as demandXlsxLoader } from "../../app/routes/demand.export[.]xlsx";
import { loader as demandCsvLoader } from "../../app/routes/demand.export[.]csv";
import { freezeTender } from "../../db/snapshots";
import { calculateCurrentPlan } from "../../db/tenders";
import { toResultFile } from "../../domain/serialize";
import { SHEET } from "../../exports/cost-split-layout";
import { XLSX_CONTENT_TYPE } from "../../exports/download.server";
import type { TestDatabase } from "../helpers/test-database";
import {
  COMMITTEE,
  COORDINATOR,
  FINANCE,
  OFFICER_DUE,
  makeRequest,
  run,
  setUpAppDatabase,
  signIn,
  tearDownAppDatabase,
} from "../app/support";
import { expectWorkbookMatchesResult, shown } from "./helpers/cost-split";
import { loadWorkbook } from "./helpers/stream-buffer";

let testDb: TestDatabase;
const cookies: Record<string, string> = {};
const TENDER = "RV-2027";

beforeAll(async () => {
  testDb = await setUpAppDatabase();
  for (const email of [COORDINATOR, FINANCE, COMMITTEE, OFFICER_DUE])
    cookies[email] = await signIn(email);
});
afterAll(() => tearDownAppDatabase(testDb));

async function body(response: Response): Promise<Buffer> {
  return Buffer.from(await response.arrayBuffer());
}

function costSplit(email: string | null, query = "", code = TENDER): Promise<Response> {
  const request = makeRequest(`/tenders/${code}/cost-split.xlsx${query}`, {
    cookie: email ? cookies[email] : null,
  });
  return run(costSplitLoader, request, { code });
}

describe("GET /tenders/:code/cost-split.xlsx", () => {
  it.each([FINANCE, COORDINATOR, COMMITTEE])(
    "streams the workbook of the current plan to %s",
    async (email) => {
      const response = await costSplit(email);
      expect(response.status).toBe(200);
      expect(response.headers.get("Content-Type")).toBe(XLSX_CONTENT_TYPE);
      expect(response.headers.get("Content-Disposition")).toContain(
        'filename="Kostenaufteilung-RV-2027.xlsx"',
      );
      expect(response.headers.get("Cache-Control")).toBe("no-store");
      const workbook = await loadWorkbook(await body(response));
      expect(workbook.worksheets).toHaveLength(8);
    },
  );

  it("holds exactly the figures of the current calculation", async () => {
    const current = await calculateCurrentPlan(testDb.db);
    if (!current.ok) throw new Error("demo plan invalid");
    const workbook = await loadWorkbook(await body(await costSplit(FINANCE)));
    expectWorkbookMatchesResult(
      workbook,
      toResultFile(current.calculation),
      current.calculation,
      TENDER,
    );
  });

  it("refuses officers with 403", async () => {
    expect((await costSplit(OFFICER_DUE)).status).toBe(403);
  });

  it("sends signed-out visitors to the login", async () => {
    const response = await costSplit(null);
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toContain("/login");
  });

  it("answers 404 for an unknown tender, an unknown and a malformed version", async () => {
    expect((await costSplit(FINANCE, "", "GIBT-ES-NICHT")).status).toBe(404);
    expect((await costSplit(FINANCE, "?version=99")).status).toBe(404);
    expect((await costSplit(FINANCE, "?version=abc")).status).toBe(404);
    expect((await costSplit(FINANCE, "?version=0")).status).toBe(404);
  });

  it("exports a snapshot by version, named as such", async () => {
    const coordinator = await testDb.db
      .selectFrom("users")
      .select("id")
      .where("role", "=", "coordinator")
      .executeTakeFirstOrThrow();
    const frozen = await freezeTender(testDb.db, {
      tenderCode: TENDER,
      comment: "Beschluss Lenkungskreis",
      userId: coordinator.id,
    });
    if (!frozen.ok) throw new Error("freeze failed");
    const version = frozen.snapshot.version;
    const response = await costSplit(COMMITTEE, `?version=${version}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Disposition")).toContain(
      `Kostenaufteilung-RV-2027-Beschluss-v${version}.xlsx`,
    );
    const workbook = await loadWorkbook(await body(response));
    const parameters = workbook.getWorksheet(SHEET.parameters)!;
    const values = new Map<unknown, unknown>();
    parameters.eachRow((row) => values.set(row.getCell(1).value, shown(row.getCell(2))));
    expect(values.get("Beschlussstand (Version)")).toBe(version);
    expect(values.get("Kommentar zum Beschlussstand")).toBe("Beschluss Lenkungskreis");
    expect(values.has("Hinweis")).toBe(false);
  });
});

describe("GET /demand/export.csv and /demand/export.xlsx", () => {
  it.each([COORDINATOR, FINANCE])("gives %s every demand line as CSV", async (email) => {
    const response = await run(
      demandCsvLoader,
      makeRequest("/demand/export.csv", { cookie: cookies[email] }),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
    const bytes = await body(response);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.subarray(3).toString("utf8").split("\r\n");
    const count = await testDb.db
      .selectFrom("demand_lines")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    expect(lines).toHaveLength(Number(count.n) + 2); // header, lines, empty string after the last CRLF
    expect(lines[0].split(";")).toHaveLength(10);
  });

  it("neutralizes a justification that starts a formula", async () => {
    await testDb.db
      .updateTable("demand_lines")
      .set({ justification: '=HYPERLINK("http://evil.example")' })
      .where("id", "=", 1)
      .execute();
    const response = await run(
      demandCsvLoader,
      makeRequest("/demand/export.csv", { cookie: cookies[COORDINATOR] }),
    );
    const text = (await body(response)).toString("utf8");
    expect(text).toContain(`'=HYPERLINK(""http://evil.example"")`);
    expect(text).not.toMatch(/;=HYPERLINK/);
  });

  it("carries the line's justification from demand_notes into every year of that line", async () => {
    const line = await testDb.db
      .selectFrom("demand_lines")
      .selectAll()
      .where("school_code", "is not", null)
      .executeTakeFirstOrThrow();
    await sql`insert into demand_notes (partner_code, school_code, category_code, text, updated_at)
      values (${line.partner_code}, ${line.school_code}, ${line.category_code}, ${"Ersatz defekter Geräte"}, ${"2026-11-28T12:00:00Z"})`.execute(
      testDb.db,
    );
    const expected = await testDb.db
      .selectFrom("demand_lines")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("partner_code", "=", line.partner_code)
      .where("school_code", "=", line.school_code)
      .where("category_code", "=", line.category_code)
      .executeTakeFirstOrThrow();
    const response = await run(
      demandCsvLoader,
      makeRequest("/demand/export.csv", { cookie: cookies[COORDINATOR] }),
    );
    const rows = (await body(response))
      .toString("utf8")
      .split("\r\n")
      .filter((row) => row.includes("Ersatz defekter Geräte"));
    expect(rows).toHaveLength(Number(expected.n));
    for (const row of rows) expect(row).toContain(`${line.school_code};`);
  });

  it.each([COORDINATOR, FINANCE])("gives %s the workbook", async (email) => {
    const response = await run(
      demandXlsxLoader,
      makeRequest("/demand/export.xlsx", { cookie: cookies[email] }),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe(XLSX_CONTENT_TYPE);
    const workbook = await loadWorkbook(await body(response));
    const sheet = workbook.getWorksheet("Bedarf")!;
    const count = await testDb.db
      .selectFrom("demand_lines")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    expect(sheet.actualRowCount).toBe(Number(count.n) + 2);
  });

  it.each([COMMITTEE, OFFICER_DUE])("refuses %s with 403", async (email) => {
    for (const [loader, path] of [
      [demandCsvLoader, "/demand/export.csv"],
      [demandXlsxLoader, "/demand/export.xlsx"],
    ] as const) {
      expect((await run(loader, makeRequest(path, { cookie: cookies[email] }))).status).toBe(403);
    }
  });
});
