import { describe, expect, it } from "vitest";
import { fc, test as fcTest } from "@fast-check/vitest";
import { cellKey } from "../../domain/demand-grid";
import {
  DEFAULT_SERVICE_LIFE_YEARS,
  dueByField,
  fillDueQuantities,
  replacementsDue,
  replacementsForGrid,
  takeOverReplacements,
  type Purchase,
} from "../../domain/replacement";

const life = new Map([
  ["NB", 5],
  ["TAB", 4],
]);

describe("replacementsDue", () => {
  it("puts a purchase of year b into year b + service life", () => {
    const due = replacementsDue(
      [
        { schoolCode: "S1", categoryCode: "NB", year: 2022, quantity: 120 },
        { schoolCode: "S1", categoryCode: "TAB", year: 2022, quantity: 30 },
        { schoolCode: null, categoryCode: "NB", year: 2023, quantity: 7 },
      ],
      life,
    );
    expect(due.get(cellKey("S1", "NB", 2027))).toBe(120);
    expect(due.get(cellKey("S1", "TAB", 2026))).toBe(30);
    expect(due.get(cellKey(null, "NB", 2028))).toBe(7);
    expect(due.get(cellKey("S1", "NB", 2026))).toBeUndefined();
    expect(due.size).toBe(3);
  });

  it("adds inventory and earlier demand of the same cell and uses the default life", () => {
    const due = replacementsDue(
      [
        { schoolCode: "S1", categoryCode: "NB", year: 2021, quantity: 10 },
        { schoolCode: "S1", categoryCode: "NB", year: 2021, quantity: 5 },
        { schoolCode: "S1", categoryCode: "DOC", year: 2021, quantity: 3 },
        { schoolCode: "S1", categoryCode: "NB", year: 2020, quantity: 0 },
      ],
      life,
    );
    expect(due.get(cellKey("S1", "NB", 2026))).toBe(15);
    expect(due.get(cellKey("S1", "DOC", 2021 + DEFAULT_SERVICE_LIFE_YEARS))).toBe(3);
    expect(due.get(cellKey("S1", "NB", 2025))).toBeUndefined();
  });

  fcTest.prop([
    fc.array(
      fc.record({
        schoolCode: fc.constantFrom("S1", "S2", null),
        categoryCode: fc.constantFrom("NB", "TAB", "DOC"),
        year: fc.integer({ min: 2000, max: 2040 }),
        quantity: fc.integer({ min: 0, max: 1000 }),
      }),
    ),
  ])("keeps every device: due quantities sum to the purchases", (purchases: Purchase[]) => {
    const due = replacementsDue(purchases, life);
    const total = [...due.values()].reduce((a, b) => a + b, 0);
    expect(total).toBe(purchases.reduce((a, p) => a + p.quantity, 0));
  });
});

describe("replacementsForGrid", () => {
  it("lists only the grid's school and years", () => {
    const due = new Map([
      [cellKey("S1", "NB", 2027), 120],
      [cellKey("S1", "NB", 2040), 9],
      [cellKey("S2", "NB", 2027), 4],
      [cellKey("S1", "TAB", 2028), 2],
    ]);
    expect(
      replacementsForGrid(due, {
        schoolCode: "S1",
        years: [2027, 2028],
        categoryCodes: ["NB", "TAB"],
      }),
    ).toEqual([
      { categoryCode: "NB", year: 2027, quantity: 120 },
      { categoryCode: "TAB", year: 2028, quantity: 2 },
    ]);
  });
});

describe("takeOverReplacements", () => {
  it("raises empty and lower cells to the due quantity and leaves higher ones", () => {
    const current = new Map([
      [cellKey("S1", "NB", 2027), 50],
      [cellKey("S1", "NB", 2028), 200],
    ]);
    const due = new Map([
      [cellKey("S1", "NB", 2027), 120],
      [cellKey("S1", "NB", 2028), 100],
      [cellKey("S1", "TAB", 2027), 30],
    ]);
    expect([...takeOverReplacements(current, due)]).toEqual([
      [cellKey("S1", "NB", 2027), 120],
      [cellKey("S1", "TAB", 2027), 30],
    ]);
  });
});

describe("form take-over", () => {
  it("keys due quantities by the editor's field names", () => {
    const due = new Map([
      [cellKey("S1", "NB", 2027), 120],
      [cellKey("S2", "NB", 2027), 4],
    ]);
    expect(dueByField(due, { schoolCode: "S1", years: [2027], categoryCodes: ["NB"] })).toEqual({
      "qty.2027.NB": 120,
    });
  });

  it("fills empty and lower typed cells, keeps higher and invalid ones, and counts changes", () => {
    const result = fillDueQuantities(
      {
        "qty.2027.NB": "",
        "qty.2028.NB": "1.000",
        "qty.2029.NB": "abc",
        "qty.2030.NB": "3",
        version: "x",
      },
      { "qty.2027.NB": 120, "qty.2028.NB": 500, "qty.2029.NB": 5, "qty.2030.NB": 7 },
    );
    expect(result.values).toEqual({
      "qty.2027.NB": "120",
      "qty.2028.NB": "1.000",
      "qty.2029.NB": "abc",
      "qty.2030.NB": "7",
      version: "x",
    });
    expect(result.changed).toBe(2);
  });
});
