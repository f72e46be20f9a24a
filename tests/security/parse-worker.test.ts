// Uploads are parsed in a worker thread (app/utils/parse-worker.server.ts): counts of
// sheets, cells and shared strings before exceljs, a memory limit and a time limit, and
// the main thread stays free meanwhile.
import {
  PARSE_LIMITS,
  TOO_COMPLEX_MESSAGE,
  parseInWorker,
  stopParseWorkers,
} from "../../app/utils/parse-worker.server";
import {
  MAX_XLSX_CELLS,
  MAX_XLSX_SHARED_STRINGS,
  countWorkbookParts,
  inspectXlsx,
  workbookLimitProblem,
  xlsxEntries,
  type WorkbookCounts,
} from "../../app/utils/xlsx-guard.server";
import type { TemplateExpectation } from "../../exports/demand-template-import";
import { buildZip, deflated, sharedStringsBomb } from "./zip-fixtures";

const expectation: TemplateExpectation = {
  partner: { code: "COE", name: "Stadt Coesfeld" },
  schoolCodes: new Set(["COE-GY"]),
  categoryCodes: new Set(["NB"]),
  years: [2027],
};

const original = structuredClone(PARSE_LIMITS);
afterEach(async () => {
  Object.assign(PARSE_LIMITS.demandTemplate, original.demandTemplate);
  Object.assign(PARSE_LIMITS.planText, original.planText);
  await stopParseWorkers();
});

let bomb: Uint8Array;
beforeAll(() => {
  bomb = sharedStringsBomb();
});

test("the shared-strings workbook is small, passes the byte guard, and is counted as what it is", async () => {
  expect(bomb.length).toBeLessThan(1024 * 1024);
  expect(inspectXlsx(bomb)).toMatchObject({ ok: true }); // the byte limits alone do not stop it
  const entries = xlsxEntries(bomb);
  if (typeof entries === "string") throw new Error(entries);
  // Counting stops right after the limit: the 2.8 million are never inflated whole.
  const counted = await countWorkbookParts(entries);
  expect(counted.sharedStrings).toBeGreaterThan(MAX_XLSX_SHARED_STRINGS);
  expect(counted.sharedStrings).toBeLessThan(2 * MAX_XLSX_SHARED_STRINGS);
  const all = await countWorkbookParts(entries, { sharedStrings: Infinity, cells: Infinity });
  expect(all).toEqual({ sheets: 1, sharedStrings: 2_800_000, cells: 0, inflatesLarger: false });
  const limits = (counts: Partial<WorkbookCounts>) =>
    workbookLimitProblem({
      sheets: 1,
      sharedStrings: 0,
      cells: 0,
      inflatesLarger: false,
      ...counts,
    });
  expect(limits({ sharedStrings: 2_800_000 })).toMatch(/aus Sicherheitsgründen nicht gelesen/);
  expect(limits({ sharedStrings: 10, cells: MAX_XLSX_CELLS + 1 })).not.toBeNull();
  expect(limits({ sheets: 51 })).toMatch(/Tabellenblätter/);
  expect(limits({ inflatesLarger: true })).toMatch(/beschädigt/);
  expect(limits({ sheets: 3, sharedStrings: 500, cells: 5_000 })).toBeNull();
});

test("counts namespaced elements too (<x:si>, <x:c>), and not <c:chart>", async () => {
  const zip = buildZip([
    deflated(
      "xl/worksheets/sheet1.xml",
      new TextEncoder().encode('<x:c r="A1"/><c r="A2">1</c><c:chart/><x:si><t>a</t></x:si><si/>'),
    ),
  ]);
  const entries = xlsxEntries(zip);
  if (typeof entries === "string") throw new Error(entries);
  expect(await countWorkbookParts(entries)).toEqual({
    sheets: 1,
    sharedStrings: 2,
    cells: 2,
    inflatesLarger: false,
  });
});

test("counting stops at a part that inflates past its declared size", async () => {
  const zeros = new Uint8Array(64 * 1024 * 1024);
  const liar = buildZip([deflated("xl/worksheets/sheet1.xml", zeros, 1024)]);
  const entries = xlsxEntries(liar, false); // the layout is fine; only inflating shows the lie
  if (typeof entries === "string") throw new Error(entries);
  expect((await countWorkbookParts(entries)).inflatesLarger).toBe(true);
  expect(xlsxEntries(liar, true)).toBe("corrupt");
});

test("the worker refuses it with a German message, and the main thread stays free meanwhile", async () => {
  let ticks = 0;
  let longestGap = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    longestGap = Math.max(longestGap, now - last);
    last = now;
    ticks++;
  }, 10);
  try {
    const started = performance.now();
    const outcome = await parseInWorker("demandTemplate", bomb, expectation);
    const took = performance.now() - started;
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) {
      expect(outcome.status).toBe(422);
      expect(outcome.message).toMatch(
        /mehr als .* Texte und wird aus Sicherheitsgründen nicht gelesen/,
      );
    }
    expect(took).toBeLessThan(PARSE_LIMITS.demandTemplate.timeoutMs);
    expect(ticks).toBeGreaterThan(5);
    // The event loop kept turning: no gap near the parse's length (seconds before).
    expect(longestGap).toBeLessThan(Math.max(500, took / 2));
  } finally {
    clearInterval(timer);
  }
});

test("a parse that runs past the time limit is ended and refused", async () => {
  PARSE_LIMITS.planText.timeoutMs = 1;
  const outcome = await parseInWorker("planText", "{}");
  expect(outcome).toEqual({ ok: false, status: 422, message: TOO_COMPLEX_MESSAGE });
});

test("a worker that runs out of memory is ended and refused, and the next parse works", async () => {
  PARSE_LIMITS.planText.memoryMb = 4; // not even enough to load the parser
  const outcome = await parseInWorker("planText", "{}");
  expect(outcome).toEqual({ ok: false, status: 422, message: TOO_COMPLEX_MESSAGE });
  Object.assign(PARSE_LIMITS.planText, original.planText);
  const fine = await parseInWorker("planText", "{}");
  expect(fine.ok).toBe(true);
  if (fine.ok) expect(fine.value.ok).toBe(false); // "{}" is JSON, but not a plan
});

test("parses in parallel give the same answers as on the main thread", async () => {
  const outcomes = await Promise.all(
    ["{}", "[", '{"format":"verbundkauf/plan@1"}'].map((text) => parseInWorker("planText", text)),
  );
  expect(outcomes.map((o) => o.ok && o.value.ok)).toEqual([false, false, false]);
  for (const outcome of outcomes) {
    if (!outcome.ok || outcome.value.ok) throw new Error("expected problems");
    expect(outcome.value.problems.length).toBeGreaterThan(0);
  }
});
