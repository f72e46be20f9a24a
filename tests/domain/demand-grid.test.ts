import { test as fcTest, fc } from "@fast-check/vitest";
import {
  buildDemandGrids,
  cellKey,
  checkQuantityNumber,
  diffValues,
  findConflicts,
  gridValues,
  lineKey,
  NO_SCHOOL_TITLE,
  parseQuantityText,
  planningYears,
  splitCellKey,
  sumDemandGrids,
} from "../../domain/demand-grid";

const schools = [
  { code: "COE-GS1", name: "Grundschule A" },
  { code: "COE-GY1", name: "Gymnasium B" },
];
const categories = [
  { code: "NB-SUS", name: "Schüler-Notebook", unit: "Stück" },
  { code: "TAB", name: "Tablet", unit: "Stück" },
];

describe("planningYears", () => {
  test("spans tender terms and demand years without gaps", () => {
    expect(
      planningYears({
        tenders: [{ startYear: 2027, termYears: 4 }],
        demandYears: [2026],
        fallbackStartYear: 2030,
      }),
    ).toEqual([2026, 2027, 2028, 2029, 2030]);
    expect(
      planningYears({ tenders: [], demandYears: [2029, 2031], fallbackStartYear: 2000 }),
    ).toEqual([2029, 2030, 2031]);
  });
  test("falls back to four years from the given start", () => {
    expect(planningYears({ tenders: [], demandYears: [], fallbackStartYear: 2027 })).toEqual([
      2027, 2028, 2029, 2030,
    ]);
  });
});

describe("buildDemandGrids", () => {
  const grids = buildDemandGrids({
    schools,
    categories,
    years: [2027, 2028],
    cells: [
      { schoolCode: "COE-GS1", categoryCode: "NB-SUS", year: 2027, quantity: 10 },
      { schoolCode: "COE-GS1", categoryCode: "TAB", year: 2028, quantity: 5 },
      { schoolCode: "COE-GS1", categoryCode: "TAB", year: 2027, quantity: 7 },
      { schoolCode: null, categoryCode: "TAB", year: 2028, quantity: 3 },
    ],
    notes: [{ schoolCode: "COE-GS1", categoryCode: "TAB", text: "Ersatz alter Geräte" }],
  });

  test("one grid per school plus one without a school, in order", () => {
    expect(grids.map((g) => g.schoolCode)).toEqual(["COE-GS1", "COE-GY1", null]);
    expect(grids[2].title).toBe(NO_SCHOOL_TITLE);
  });

  test("quantities, row, year and grand totals", () => {
    const g = grids[0];
    expect(g.rows.map((r) => r.quantities)).toEqual([
      [10, 0],
      [7, 5],
    ]);
    expect(g.rows.map((r) => r.total)).toEqual([10, 12]);
    expect(g.yearTotals).toEqual([17, 5]);
    expect(g.total).toBe(22);
    expect(g.rows[1].justification).toBe("Ersatz alter Geräte");
    expect(grids[1].total).toBe(0);
    expect(grids[2].yearTotals).toEqual([0, 3]);
  });

  test("version changes with any value and only then", () => {
    const again = buildDemandGrids({
      schools,
      categories,
      years: [2027, 2028],
      cells: [
        { schoolCode: "COE-GS1", categoryCode: "TAB", year: 2027, quantity: 7 },
        { schoolCode: "COE-GS1", categoryCode: "NB-SUS", year: 2027, quantity: 10 },
        { schoolCode: "COE-GS1", categoryCode: "TAB", year: 2028, quantity: 5 },
        { schoolCode: "COE-GS1", categoryCode: "NB-SUS", year: 2028, quantity: 0 },
      ],
      notes: [{ schoolCode: "COE-GS1", categoryCode: "TAB", text: "Ersatz alter Geräte" }],
    });
    expect(again[0].version).toBe(grids[0].version);
    const changed = buildDemandGrids({
      schools,
      categories,
      years: [2027, 2028],
      cells: [{ schoolCode: "COE-GS1", categoryCode: "NB-SUS", year: 2027, quantity: 11 }],
      notes: [],
    });
    expect(changed[0].version).not.toBe(grids[0].version);
    expect(grids[0].version).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe("sumDemandGrids", () => {
  const cells = [
    { schoolCode: "COE-GS1", categoryCode: "NB-SUS", year: 2027, quantity: 10 },
    { schoolCode: "COE-GY1", categoryCode: "NB-SUS", year: 2027, quantity: 4 },
    { schoolCode: "COE-GY1", categoryCode: "TAB", year: 2028, quantity: 6 },
    { schoolCode: null, categoryCode: "TAB", year: 2028, quantity: 3 },
  ];
  const grids = buildDemandGrids({ schools, categories, years: [2027, 2028], cells, notes: [] });

  test("adds all schools' grids per category and year", () => {
    const totals = sumDemandGrids(grids);
    expect(totals.years).toEqual([2027, 2028]);
    expect(totals.rows.map((r) => [r.category.code, r.quantities, r.total])).toEqual([
      ["NB-SUS", [14, 0], 14],
      ["TAB", [0, 9], 9],
    ]);
    expect(totals.yearTotals).toEqual([14, 9]);
    expect(totals.total).toBe(23);
  });

  test("no grids: no rows, zero total", () => {
    expect(sumDemandGrids([])).toEqual({ years: [], rows: [], yearTotals: [], total: 0 });
  });

  test("matches grids by category code and year, not by position", () => {
    const a = { years: [2028, 2027], rows: [{ category: categories[1], quantities: [1, 2] }] };
    const b = {
      years: [2027],
      rows: [
        { category: categories[0], quantities: [5] },
        { category: categories[1], quantities: [10] },
      ],
    };
    const totals = sumDemandGrids([a, b]);
    expect(totals.years).toEqual([2027, 2028]);
    expect(totals.rows.map((r) => [r.category.code, r.quantities])).toEqual([
      ["TAB", [12, 1]],
      ["NB-SUS", [5, 0]],
    ]);
  });

  const cellArbitrary = fc.record({
    schoolCode: fc.constantFrom("COE-GS1", "COE-GY1", null),
    categoryCode: fc.constantFrom("NB-SUS", "TAB"),
    year: fc.constantFrom(2027, 2028, 2029),
    quantity: fc.integer({ min: 0, max: 100_000 }),
  });
  fcTest.prop([
    fc.uniqueArray(cellArbitrary, {
      selector: (c) => cellKey(c.schoolCode, c.categoryCode, c.year),
    }),
  ])("every total equals the sum of the demand lines it covers", (lines) => {
    const years = [2027, 2028, 2029];
    const totals = sumDemandGrids(
      buildDemandGrids({ schools, categories, years, cells: lines, notes: [] }),
    );
    const of = (match: (c: (typeof lines)[number]) => boolean) =>
      lines.filter(match).reduce((s, c) => s + c.quantity, 0);
    for (const row of totals.rows) {
      years.forEach((year, i) =>
        expect(row.quantities[i]).toBe(
          of((c) => c.categoryCode === row.category.code && c.year === year),
        ),
      );
      expect(row.total).toBe(of((c) => c.categoryCode === row.category.code));
    }
    years.forEach((year, i) => expect(totals.yearTotals[i]).toBe(of((c) => c.year === year)));
    expect(totals.total).toBe(of(() => true));
  });
});

describe("parseQuantityText", () => {
  test.each([
    ["", 0],
    ["  12 ", 12],
    ["0", 0],
    ["100000", 100000],
    ["1.000", 1000],
    ["100.000", 100000],
  ])("accepts %j as %d", (raw, value) => {
    expect(parseQuantityText(raw)).toEqual({ ok: true, value });
  });

  test.each([
    ["-1", "Keine negativen Mengen"],
    ["1,5", "ohne Nachkommastellen"],
    ["2.5", "ohne Nachkommastellen"],
    ["100001", "Höchstens 100.000"],
    ["abc", "ganze Zahl von 0 bis 100.000"],
    ["1e3", "ganze Zahl von 0 bis 100.000"],
  ])("rejects %j with a German message", (raw, message) => {
    const r = parseQuantityText(raw);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain(message);
  });

  fcTest.prop([fc.integer({ min: 0, max: 100_000 })])(
    "every whole number in range round-trips",
    (n) => {
      expect(parseQuantityText(String(n))).toEqual({ ok: true, value: n });
      expect(parseQuantityText(n.toLocaleString("de-DE"))).toEqual({ ok: true, value: n });
    },
  );

  fcTest.prop([fc.integer({ min: 100_001, max: 10 ** 12 })])(
    "everything above the limit fails",
    (n) => {
      expect(parseQuantityText(String(n)).ok).toBe(false);
    },
  );
});

test("checkQuantityNumber mirrors the text rules", () => {
  expect(checkQuantityNumber(5)).toEqual({ ok: true, value: 5 });
  expect(checkQuantityNumber(-1).ok).toBe(false);
  expect(checkQuantityNumber(1.5).ok).toBe(false);
  expect(checkQuantityNumber(100_001).ok).toBe(false);
  expect(checkQuantityNumber(Number.NaN).ok).toBe(false);
});

describe("diffValues and findConflicts", () => {
  const k = (y: number) => cellKey("S", "NB", y);
  const values = (q: [number, number][], note = "") => ({
    quantities: new Map(q.map(([y, n]) => [k(y), n])),
    notes: new Map([[lineKey("S", "NB"), note]]),
  });

  test("diff lists only changed cells and notes, missing counts as 0", () => {
    const d = diffValues(values([[2027, 1]]), {
      quantities: new Map([
        [k(2027), 1],
        [k(2028), 4],
      ]),
      notes: new Map([[lineKey("S", "NB"), "neu"]]),
    });
    expect(d.cells).toEqual([
      { schoolCode: "S", categoryCode: "NB", year: 2028, oldQuantity: 0, newQuantity: 4 },
    ]);
    expect(d.notes).toEqual([{ schoolCode: "S", categoryCode: "NB", oldText: "", newText: "neu" }]);
  });

  test("conflicts show the stored and the wanted value of cells changed meanwhile", () => {
    const baseline = values([
      [2027, 1],
      [2028, 2],
    ]);
    const current = values(
      [
        [2027, 1],
        [2028, 9],
      ],
      "anders",
    );
    const wanted = values([
      [2027, 3],
      [2028, 5],
    ]);
    expect(findConflicts(baseline, current, wanted)).toEqual([
      { schoolCode: "S", categoryCode: "NB", year: 2028, theirs: "9", yours: "5" },
      { schoolCode: "S", categoryCode: "NB", year: null, theirs: "anders", yours: "" },
    ]);
    expect(findConflicts(baseline, baseline, wanted)).toEqual([]);
  });

  test("cell keys split back, with and without a school", () => {
    expect(splitCellKey(cellKey(null, "DISP-75", 2029))).toEqual({
      schoolCode: null,
      categoryCode: "DISP-75",
      year: 2029,
    });
    expect(splitCellKey(cellKey("A-1", "X", 2027))).toEqual({
      schoolCode: "A-1",
      categoryCode: "X",
      year: 2027,
    });
  });

  test("gridValues flattens a grid", () => {
    const [g] = buildDemandGrids({
      schools: [schools[0]],
      categories: [categories[0]],
      years: [2027],
      cells: [{ schoolCode: "COE-GS1", categoryCode: "NB-SUS", year: 2027, quantity: 4 }],
      notes: [],
    });
    const v = gridValues(g);
    expect([...v.quantities]).toEqual([[cellKey("COE-GS1", "NB-SUS", 2027), 4]]);
    expect([...v.notes]).toEqual([[lineKey("COE-GS1", "NB-SUS"), ""]]);
  });
});
