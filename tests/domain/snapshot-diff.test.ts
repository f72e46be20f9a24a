import { fc, test as fcTest } from "@fast-check/vitest";
import { diffTender, type DiffableTender } from "../../domain/snapshot-diff";

function tender(overrides: Partial<DiffableTender> = {}): DiffableTender {
  return {
    estimatedValueNet: 250_000_00n,
    euProcedureRequired: true,
    categories: [
      { code: "NB", name: "Notebook", quantity: 300, maxQuantity: 330, unitPriceNet: 435_53n },
      { code: "TAB", name: "Tablet", quantity: 100, maxQuantity: 110, unitPriceNet: 389_00n },
    ],
    partners: [
      {
        code: "COE",
        name: "Stadt Coesfeld",
        quantity: 250,
        directGross: 100_000_00n,
        commonCostShare: 5_000_00n,
        totalGross: 105_000_00n,
        savingsGross: 9_000_00n,
      },
      {
        code: "DUE",
        name: "Stadt Dülmen",
        quantity: 150,
        directGross: 60_000_00n,
        commonCostShare: 3_000_00n,
        totalGross: 63_000_00n,
        savingsGross: 4_000_00n,
      },
    ],
    totals: {
      quantity: 400,
      directGross: 160_000_00n,
      commonCostShare: 8_000_00n,
      totalGross: 168_000_00n,
      savingsGross: 13_000_00n,
    },
    ...overrides,
  };
}

test("equal calculations have no changes", () => {
  const diff = diffTender(tender(), tender());
  expect(diff.hasChanges).toBe(false);
  expect(diff.categories).toEqual([]);
  expect(diff.partners).toEqual([]);
  expect(diff.totals.totalGross).toEqual({
    before: 168_000_00n,
    after: 168_000_00n,
    difference: 0n,
    changed: false,
  });
});

test("only changed rows are listed, with old, new and the difference", () => {
  const before = tender();
  const after = tender({
    categories: [
      { ...before.categories[0], quantity: 310, maxQuantity: 341, unitPriceNet: 422_06n },
      before.categories[1],
    ],
    partners: [
      { ...before.partners[0], quantity: 260, commonCostShare: 4_990_01n },
      before.partners[1],
    ],
  });
  const diff = diffTender(before, after);

  expect(diff.hasChanges).toBe(true);
  expect(diff.categories.map((c) => c.code)).toEqual(["NB"]);
  const nb = diff.categories[0];
  expect(nb.status).toBe("changed");
  expect(nb.quantity).toEqual({ before: 300, after: 310, difference: 10, changed: true });
  expect(nb.maxQuantity).toEqual({ before: 330, after: 341, difference: 11, changed: true });
  expect(nb.unitPriceNet).toEqual({
    before: 435_53n,
    after: 422_06n,
    difference: -13_47n,
    changed: true,
  });

  expect(diff.partners.map((p) => p.code)).toEqual(["COE"]);
  expect(diff.partners[0].commonCostShare.difference).toBe(-9_99n);
  expect(diff.partners[0].directGross.changed).toBe(false);
});

test("a new participant and a dropped category are marked added and removed", () => {
  const before = tender();
  const after = tender({
    categories: [before.categories[0]],
    partners: [
      ...before.partners,
      {
        code: "ASC",
        name: "Gemeinde Ascheberg",
        quantity: 20,
        directGross: 8_000_00n,
        commonCostShare: 400_00n,
        totalGross: 8_400_00n,
        savingsGross: -100_00n,
      },
    ],
  });
  const diff = diffTender(before, after);

  expect(diff.categories).toHaveLength(1);
  expect(diff.categories[0]).toMatchObject({ code: "TAB", status: "removed" });
  expect(diff.categories[0].quantity).toEqual({
    before: 100,
    after: null,
    difference: -100,
    changed: true,
  });
  // A unit price that no longer exists has no meaningful difference.
  expect(diff.categories[0].unitPriceNet).toEqual({
    before: 389_00n,
    after: null,
    difference: null,
    changed: true,
  });

  expect(diff.partners.map((p) => [p.code, p.status])).toEqual([["ASC", "added"]]);
  expect(diff.partners[0].savingsGross).toEqual({
    before: null,
    after: -100_00n,
    difference: -100_00n,
    changed: true,
  });
});

test("partners come by code ascending (plain character order), categories in the new order", () => {
  const before = tender({ partners: [] });
  const p = tender().partners[0];
  const after = tender({
    partners: [
      { ...p, code: "b" },
      { ...p, code: "B" },
      { ...p, code: "A" },
    ],
    categories: [...tender().categories].reverse().map((c) => ({ ...c, quantity: c.quantity + 1 })),
  });
  const diff = diffTender(before, after);
  expect(diff.partners.map((row) => row.code)).toEqual(["A", "B", "b"]);
  expect(diff.categories.map((row) => row.code)).toEqual(["TAB", "NB"]);
});

test("the threshold verdict and the estimated value count as changes on their own", () => {
  const diff = diffTender(
    tender(),
    tender({ estimatedValueNet: 200_000_00n, euProcedureRequired: false }),
  );
  expect(diff.hasChanges).toBe(true);
  expect(diff.estimatedValueNet.difference).toBe(-50_000_00n);
  expect(diff.euProcedureRequired).toEqual({ before: true, after: false, changed: true });
});

const arbitraryCents = fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n });
const arbitraryPartner = fc.record({
  code: fc.constantFrom("ASC", "BIL", "COE", "DUE"),
  name: fc.constant("Partner"),
  quantity: fc.nat(5000),
  directGross: arbitraryCents,
  commonCostShare: arbitraryCents,
  totalGross: arbitraryCents,
  savingsGross: arbitraryCents,
});
const arbitraryTender = fc.record({
  estimatedValueNet: arbitraryCents,
  euProcedureRequired: fc.boolean(),
  categories: fc.uniqueArray(
    fc.record({
      code: fc.constantFrom("NB", "TAB", "AP"),
      name: fc.constant("Kategorie"),
      quantity: fc.nat(5000),
      maxQuantity: fc.nat(6000),
      unitPriceNet: fc.bigInt({ min: 0n, max: 10n ** 8n }),
    }),
    { selector: (c) => c.code },
  ),
  partners: fc.uniqueArray(arbitraryPartner, { selector: (p) => p.code }),
  totals: arbitraryPartner.map(
    ({ quantity, directGross, commonCostShare, totalGross, savingsGross }) => ({
      quantity,
      directGross,
      commonCostShare,
      totalGross,
      savingsGross,
    }),
  ),
});

fcTest.prop([arbitraryTender, arbitraryTender])(
  "old + difference = new for every listed value",
  (before, after) => {
    const diff = diffTender(before, after);
    for (const row of [...diff.categories, ...diff.partners]) {
      for (const value of Object.values(row)) {
        if (typeof value !== "object" || value === null || value.difference === null) continue;
        const old = value.before ?? (typeof value.difference === "bigint" ? 0n : 0);
        const now = value.after ?? (typeof value.difference === "bigint" ? 0n : 0);
        expect(old + value.difference).toBe(now);
        expect(value.changed).toBe(value.before !== value.after);
      }
    }
    expect(diffTender(after, after).hasChanges).toBe(false);
  },
);
