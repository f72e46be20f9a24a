import { compileTiers, tierFor, unitPriceFor } from "../../domain/tiers";

describe("volume tiers (all-units)", () => {
  const table = compileTiers([
    { minQuantity: 1000, discount: "0.06" },
    { minQuantity: 250, discount: "0.03" },
    { minQuantity: 2500, discount: "0.09" },
  ]);

  it.each([
    [0, 0],
    [249, 0],
    [250, 250],
    [999, 250],
    [1000, 1000],
    [2499, 1000],
    [2500, 2500],
    [1_000_000, 2500],
  ])("quantity %i uses the tier from %i, whatever the listing order", (quantity, min) => {
    expect(tierFor(table, quantity)?.minQuantity ?? 0).toBe(min);
  });

  it("prices every unit at the tier: round(base × (1 − d)), half away from zero", () => {
    // 449.00 × 0.94 = 422.06; 12.35 × 0.9 = 11.115 → 11.12
    expect(unitPriceFor(44900n, table, 1100)).toMatchObject({
      tierMinQuantity: 1000,
      discountText: "0.06",
      unitPriceNet: 42206n,
    });
    const licences = compileTiers([{ minQuantity: 500, discount: "0.1" }]);
    expect(unitPriceFor(1235n, licences, 500).unitPriceNet).toBe(1112n);
    expect(unitPriceFor(1235n, licences, 499)).toMatchObject({
      tierMinQuantity: 0,
      discountText: "0",
      unitPriceNet: 1235n,
    });
  });

  it("applies no discount without tiers", () => {
    expect(unitPriceFor(41900n, compileTiers(undefined), 5000).unitPriceNet).toBe(41900n);
  });
});
