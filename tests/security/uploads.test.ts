// Hardened uploads: limits enforced while the body streams, the xlsx zip-bomb guard,
// file type checks, and fuzzing of the plan and template parsers — never a crash,
// only structured German problems, and nothing written when an upload fails.
import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { action as planAction } from "../../app/routes/admin.plan";
import { action as importAction } from "../../app/routes/demand.$partner_.import";
import { loader as templateLoader } from "../../app/routes/demand.$partner_.template[.]xlsx";
import { checkPlanFile, checkXlsxFile, receiveUpload } from "../../app/utils/upload.server";
import { MAX_XLSX_ENTRIES, inspectXlsx } from "../../app/utils/xlsx-guard.server";
import { parsePlanText, validatePlan, type PlanValidation } from "../../domain/plan-validation";
import {
  parseDemandTemplate,
  type TemplateExpectation,
} from "../../exports/demand-template-import";
import type { TestDatabase } from "../helpers/test-database";
import {
  BASE_URL,
  COORDINATOR,
  OFFICER_COE,
  makeRequest,
  run,
  setUpAppDatabase,
  signIn,
  tearDownAppDatabase,
} from "../app/support";
import { buildZip, deflated, hiddenDirectoryBomb, tableCounts } from "./zip-fixtures";

let testDb: TestDatabase;
const cookies: Record<string, string> = {};
let template: Uint8Array;
let previousDatabasePath: string | undefined;

beforeAll(async () => {
  testDb = await setUpAppDatabase();
  // Pending plan uploads go beside the database: keep them in the temporary folder.
  previousDatabasePath = process.env.DATABASE_PATH;
  process.env.DATABASE_PATH = testDb.file;
  cookies.coe = await signIn(OFFICER_COE);
  cookies.coord = await signIn(COORDINATOR);
  const response = await run(
    templateLoader,
    makeRequest("/demand/COE/template.xlsx", { cookie: cookies.coe }),
    { partner: "COE" },
  );
  template = new Uint8Array(await response.arrayBuffer());
});
afterAll(async () => {
  if (previousDatabasePath === undefined) delete process.env.DATABASE_PATH;
  else process.env.DATABASE_PATH = previousDatabasePath;
  await tearDownAppDatabase(testDb);
});

const XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

function multipart(
  urlPath: string,
  cookie: string,
  field: string,
  bytes: Uint8Array,
  name: string,
  type = XLSX_TYPE,
): Request {
  const form = new FormData();
  form.set(field, new File([new Uint8Array(bytes)], name, { type }));
  return new Request(BASE_URL + urlPath, {
    method: "POST",
    body: form,
    headers: { Cookie: cookie },
  });
}

async function importTemplate(
  bytes: Uint8Array,
  name = "Bedarf.xlsx",
): Promise<{ status: number; messages: string[] }> {
  const response = await run(
    importAction,
    multipart("/demand/COE/import", cookies.coe, "file", bytes, name),
    { partner: "COE" },
  );
  const isJson = response.headers.get("Content-Type")?.includes("json");
  const body = isJson ? ((await response.json()) as { errors?: { message: string }[] }) : {};
  return { status: response.status, messages: (body.errors ?? []).map((e) => e.message) };
}

describe("reading the body with limits", () => {
  /** A multipart body of `chunks` × 1 MB that counts how much was pulled from it. */
  function streamedUpload(chunks: number, headers: Record<string, string> = {}) {
    const boundary = "----verbundkauf-security";
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="gross.xlsx"\r\nContent-Type: ${XLSX_TYPE}\r\n\r\n`;
    const chunk = new Uint8Array(1024 * 1024).fill(0x41);
    const state = { pulled: 0 };
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(head));
      },
      pull(controller) {
        if (state.pulled < chunks) {
          state.pulled += 1;
          controller.enqueue(chunk);
        } else {
          controller.enqueue(new TextEncoder().encode(`\r\n--${boundary}--\r\n`));
          controller.close();
        }
      },
    });
    const request = new Request(`${BASE_URL}/upload`, {
      method: "POST",
      headers: { "Content-Type": `multipart/form-data; boundary=${boundary}`, ...headers },
      body,
      duplex: "half",
    } as RequestInit);
    return { request, state };
  }
  const limits = {
    field: "file",
    maxFileBytes: 2 * 1024 * 1024,
    tooLargeMessage: "Die Datei ist größer als 2 MB.",
  };

  it("stops reading soon after the limit when no length is declared", async () => {
    const { request, state } = streamedUpload(50);
    const result = await receiveUpload(request, limits);
    expect(result).toEqual({ ok: false, status: 413, message: "Die Datei ist größer als 2 MB." });
    expect(state.pulled).toBeLessThanOrEqual(5); // 2 MB limit, never the 50 MB sent
  });

  it("refuses a declared length above the limit without reading at all", async () => {
    const { request, state } = streamedUpload(50, { "Content-Length": String(50 * 1024 * 1024) });
    expect(await receiveUpload(request, limits)).toMatchObject({ ok: false, status: 413 });
    expect(state.pulled).toBe(0);
  });

  it("accepts a file within the limit", async () => {
    const { request } = streamedUpload(1);
    const result = await receiveUpload(request, limits);
    expect(result.ok && result.bytes.length).toBe(1024 * 1024);
  });
});

describe("file types", () => {
  it("wants .xlsx with the zip signature, in German", () => {
    expect(checkXlsxFile("Bedarf.xlsx", template)).toEqual({ ok: true, value: template });
    expect(checkXlsxFile("Bedarf.xls", template)).toMatchObject({
      ok: false,
      status: 415,
      message: expect.stringContaining("Falscher Dateityp"),
    });
    expect(checkXlsxFile("Bedarf.xlsx", new TextEncoder().encode("a;b;c"))).toMatchObject({
      ok: false,
      status: 422,
      message: expect.stringContaining("keine Excel-Arbeitsmappe"),
    });
    expect(checkXlsxFile("Bedarf.xlsx", new Uint8Array())).toMatchObject({
      ok: false,
      status: 422,
      message: "Die Datei ist leer.",
    });
  });

  it("wants .json in UTF-8 for plans", () => {
    expect(checkPlanFile("plan.json", new TextEncoder().encode('\uFEFF{"a":1}'))).toEqual({
      ok: true,
      value: '{"a":1}',
    });
    expect(checkPlanFile("plan.xlsx", template)).toMatchObject({ ok: false, status: 415 });
    expect(checkPlanFile("plan.json", new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]))).toMatchObject({
      ok: false,
      status: 415,
      message: expect.stringContaining("UTF-8"),
    });
  });

  it("refuses a plan upload that is not .json and keeps the data", async () => {
    const before = await tableCounts(testDb);
    const response = await run(
      planAction,
      multipart("/admin/plan", cookies.coord, "plan", template, "plan.xlsx"),
    );
    expect(response.status).toBe(415);
    expect((await response.json()).errors[0]).toMatch(/^Falscher Dateityp/);
    expect(await tableCounts(testDb)).toEqual(before);
  });
});

describe("zip-bomb guard", () => {
  const zeros = new Uint8Array(100 * 1024 * 1024); // deflates to about 100 KB

  it("passes the real template", () => {
    const inspected = inspectXlsx(template);
    expect(inspected.ok).toBe(true);
  });

  it("refuses an archive that claims more than 50 MB, and one that lies about its size", () => {
    expect(inspectXlsx(buildZip([deflated("xl/worksheets/sheet1.xml", zeros)]))).toEqual({
      ok: false,
      reason: "too-large",
    });
    // Declares 1 KB but inflates to 100 MB: caught after inflating 1 KB + 1 byte.
    expect(inspectXlsx(buildZip([deflated("xl/worksheets/sheet1.xml", zeros, 1024)]))).toEqual({
      ok: false,
      reason: "corrupt",
    });
    // Many parts that add up: each small, together too large.
    const parts = Array.from({ length: 30 }, (_, i) =>
      deflated(`xl/media/${i}.bin`, new Uint8Array(2 * 1024 * 1024)),
    );
    expect(inspectXlsx(buildZip(parts))).toEqual({ ok: false, reason: "too-large" });
  });

  it("refuses too many entries, encryption and unknown compression", () => {
    const many = Array.from({ length: MAX_XLSX_ENTRIES + 1 }, (_, i) =>
      deflated(`x/${i}.xml`, new Uint8Array(1)),
    );
    expect(inspectXlsx(buildZip(many))).toEqual({ ok: false, reason: "too-many-entries" });
    expect(inspectXlsx(buildZip([{ ...deflated("a.xml", new Uint8Array(10)), flags: 1 }]))).toEqual(
      { ok: false, reason: "unsupported" },
    );
    expect(
      inspectXlsx(buildZip([{ ...deflated("a.xml", new Uint8Array(10)), method: 12 }])),
    ).toEqual({ ok: false, reason: "unsupported" });
    expect(inspectXlsx(buildZip([]))).toEqual({ ok: false, reason: "not-a-zip" }); // an empty zip starts with its end record
  });

  it("keeps a bomb away from exceljs in the import route: German message, little memory, nothing stored", async () => {
    const before = await tableCounts(testDb);
    const rssBefore = process.memoryUsage().rss;
    const honest = await importTemplate(buildZip([deflated("xl/worksheets/sheet1.xml", zeros)]));
    expect(honest).toEqual({
      status: 422,
      messages: [expect.stringContaining("größer als 50 MB")],
    });
    const lying = await importTemplate(
      buildZip([deflated("xl/worksheets/sheet1.xml", zeros, 1024)]),
    );
    expect(lying).toEqual({ status: 422, messages: [expect.stringContaining("beschädigt")] });
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(80 * 1024 * 1024);
    expect(await tableCounts(testDb)).toEqual(before);
  });
});

describe("the hidden second directory (penetration test, round two)", () => {
  it("is refused by the import route with a German message, little memory, nothing stored", async () => {
    const bomb = await hiddenDirectoryBomb();
    const before = await tableCounts(testDb);
    const rssBefore = process.memoryUsage().rss;
    expect(await importTemplate(bomb)).toEqual({
      status: 422,
      messages: [expect.stringContaining("beschädigt")],
    });
    // The hidden entry claims 400 MiB: inflating it would show here.
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(80 * 1024 * 1024);
    expect(await tableCounts(testDb)).toEqual(before);
  }, 60_000);
});

// ---------------------------------------------------------------------------------
// Fuzzing: random bytes and mutated valid files.

const examplePlanText = fs.readFileSync(
  path.resolve(__dirname, "../fixtures/examples/01-three-partners.plan.json"),
  "utf8",
);

function expectStructured(result: PlanValidation): void {
  if (result.ok) return;
  expect(result.problems.length).toBeGreaterThan(0);
  for (const problem of result.problems) {
    expect(typeof problem.path).toBe("string");
    expect(problem.message.length).toBeGreaterThan(0);
    expect(problem.message).not.toMatch(/\bat .+:\d+:\d+/); // no stack traces
  }
}

/** Flips bytes at the given positions (modulo the length). */
function flipBytes(bytes: Uint8Array, flips: [number, number][]): Uint8Array {
  const copy = new Uint8Array(bytes);
  for (const [at, mask] of flips) copy[at % copy.length] ^= mask;
  return copy;
}

const flipsArb = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), {
  minLength: 1,
  maxLength: 8,
});

/** Every path to a value in a JSON document. */
function jsonPaths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const paths: (string | number)[][] = [prefix];
  if (Array.isArray(value))
    value.forEach((item, i) => paths.push(...jsonPaths(item, [...prefix, i])));
  else if (value && typeof value === "object") {
    for (const [key, item] of Object.entries(value))
      paths.push(...jsonPaths(item, [...prefix, key]));
  }
  return paths;
}

function replaceAt(
  document: unknown,
  target: (string | number)[],
  replacement: unknown,
  remove: boolean,
): unknown {
  if (target.length === 0) return replacement;
  const copy = structuredClone(document) as Record<string | number, unknown>;
  let parent = copy;
  for (const key of target.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = target[target.length - 1];
  if (remove && Array.isArray(parent)) parent.splice(Number(last), 1);
  else if (remove) delete parent[last];
  else parent[last] = replacement;
  return copy;
}

describe("fuzzing the plan parser", () => {
  it("answers random text and random bytes with problems, never an exception", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit: "binary" }),
          fc.uint8Array().map((b) => Buffer.from(b).toString("latin1")),
        ),
        (text) => {
          expectStructured(parsePlanText(text));
        },
      ),
      { numRuns: 400 },
    );
  });

  it("survives flipped bytes and truncation of a valid plan file", () => {
    const bytes = new TextEncoder().encode(examplePlanText);
    fc.assert(
      fc.property(flipsArb, fc.nat({ max: bytes.length }), fc.boolean(), (flips, cut, truncate) => {
        const mutated = truncate ? bytes.subarray(0, cut) : flipBytes(bytes, flips);
        expectStructured(parsePlanText(new TextDecoder().decode(mutated)));
      }),
      { numRuns: 300 },
    );
  });

  it("survives any JSON value put in any place of a valid plan", () => {
    const plan: unknown = JSON.parse(examplePlanText);
    const paths = jsonPaths(plan);
    fc.assert(
      fc.property(
        fc.nat({ max: paths.length - 1 }),
        fc.jsonValue({ maxDepth: 3 }),
        fc.boolean(),
        (index, value, remove) => {
          expectStructured(validatePlan(replaceAt(plan, paths[index], value, remove)));
        },
      ),
      { numRuns: 400 },
    );
  });

  it("writes nothing for a failed plan upload through the route", async () => {
    const before = await tableCounts(testDb);
    const bytes = new TextEncoder().encode(examplePlanText);
    await fc.assert(
      fc.asyncProperty(flipsArb, fc.nat({ max: bytes.length }), async (flips, cut) => {
        const mutated = cut % 2 === 0 ? bytes.subarray(0, cut) : flipBytes(bytes, flips);
        const response = await run(
          planAction,
          multipart("/admin/plan", cookies.coord, "plan", mutated, "plan.json", "application/json"),
        );
        expect([200, 400, 415]).toContain(response.status); // 200 = summary to confirm, nothing imported yet
        expect(await tableCounts(testDb)).toEqual(before);
      }),
      { numRuns: 30 },
    );
  });
});

describe("fuzzing the template parser", () => {
  const expectation: TemplateExpectation = {
    partner: { code: "COE", name: "Stadt Coesfeld" },
    schoolCodes: new Set<string>(),
    categoryCodes: new Set<string>(),
    years: [2027, 2028, 2029, 2030],
  };

  async function expectTemplateStructured(bytes: Uint8Array): Promise<void> {
    const result = await parseDemandTemplate(bytes, expectation);
    if (result.ok) return;
    expect(result.errors.length).toBeGreaterThan(0);
    for (const error of result.errors) expect(error.message.length).toBeGreaterThan(0);
  }

  it("the zip guard never throws on mutated templates", () => {
    fc.assert(
      fc.property(
        flipsArb,
        fc.nat({ max: template.length }),
        fc.boolean(),
        (flips, cut, truncate) => {
          const result = inspectXlsx(
            truncate ? template.subarray(0, cut) : flipBytes(template, flips),
          );
          expect(typeof result.ok).toBe("boolean");
        },
      ),
      { numRuns: 500 },
    );
  });

  it("answers random bytes and mutated templates with errors, never an exception", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2000 }), async (bytes) =>
        expectTemplateStructured(bytes),
      ),
      { numRuns: 100 },
    );
    await fc.assert(
      fc.asyncProperty(
        flipsArb,
        fc.nat({ max: template.length }),
        fc.boolean(),
        async (flips, cut, truncate) => {
          await expectTemplateStructured(
            truncate ? template.subarray(0, cut) : flipBytes(template, flips),
          );
        },
      ),
      { numRuns: 40 },
    );
  });

  it("writes nothing for a failed template import through the route", async () => {
    await fc.assert(
      fc.asyncProperty(flipsArb, fc.nat({ max: template.length }), async (flips, cut) => {
        const before = await tableCounts(testDb);
        const mutated = cut % 2 === 0 ? template.subarray(0, cut) : flipBytes(template, flips);
        const { status, messages } = await importTemplate(mutated);
        // 302: the mutation left a readable template, which waits as a pending import.
        expect([302, 400, 413, 415, 422]).toContain(status);
        if (status !== 302) {
          expect(messages.length).toBeGreaterThan(0);
          expect(await tableCounts(testDb)).toEqual(before);
        }
      }),
      { numRuns: 30 },
    );
  });
});
