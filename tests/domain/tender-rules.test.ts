import type { Plan } from "../../domain/plan";
import {
  lotCoverageConflicts,
  overlappingYears,
  tenderYearConflicts,
} from "../../domain/tender-rules";

const plan: Plan = {
  format: "verbundkauf/plan@1",
  partners: [{ code: "COE", name: "Stadt Coesfeld" }],
  categories: [
    { code: "NB", name: "Notebook", basePriceNet: "500.00" },
    { code: "TAB", name: "Tablet", basePriceNet: "300.00" },
    { code: "AP", name: "Access-Point", basePriceNet: "400.00" },
  ],
  tenders: [
    {
      code: "RV-2027",
      name: "Endgeräte",
      startYear: 2027,
      termYears: 4,
      lots: [
        { code: "L1", name: "Mobil", categories: ["NB", "TAB"] },
        { code: "L2", name: "Netz", categories: [] },
      ],
    },
    {
      code: "RV-2031",
      name: "Netz 2031",
      startYear: 2031,
      termYears: 2,
      lots: [{ code: "N1", name: "Netz", categories: ["AP"] }],
    },
  ],
};

describe("overlappingYears", () => {
  it("finds the common years or none", () => {
    expect(
      overlappingYears({ startYear: 2027, termYears: 4 }, { startYear: 2029, termYears: 4 }),
    ).toEqual({ from: 2029, to: 2030 });
    expect(
      overlappingYears({ startYear: 2027, termYears: 4 }, { startYear: 2031, termYears: 1 }),
    ).toBeUndefined();
    expect(
      overlappingYears({ startYear: 2030, termYears: 1 }, { startYear: 2027, termYears: 4 }),
    ).toEqual({ from: 2030, to: 2030 });
  });
});

describe("lotCoverageConflicts", () => {
  it("names the sibling lot that already holds a category", () => {
    expect(lotCoverageConflicts(plan, "RV-2027", "L2", ["TAB"])).toEqual([
      { category: "TAB", message: "Produktgruppe Tablet (TAB) ist bereits Los L1 zugeordnet." },
    ]);
  });

  it("does not compare a lot with itself", () => {
    expect(lotCoverageConflicts(plan, "RV-2027", "L1", ["NB", "TAB"])).toEqual([]);
  });

  it("names the other tender and the overlapping years", () => {
    const moved: Plan = {
      ...plan,
      tenders: [plan.tenders![0], { ...plan.tenders![1], startYear: 2029 }],
    };
    expect(lotCoverageConflicts(moved, "RV-2031", "N1", ["NB", "AP"])).toEqual([
      {
        category: "NB",
        message:
          "Produktgruppe Notebook (NB) ist 2029–2030 bereits in Ausschreibung RV-2027 („Endgeräte“).",
      },
    ]);
  });

  it("allows the same category in tenders that do not overlap", () => {
    expect(lotCoverageConflicts(plan, "RV-2031", "N1", ["NB", "TAB", "AP"])).toEqual([]);
  });
});

describe("tenderYearConflicts", () => {
  it("reports every category that moving a tender would cover twice", () => {
    expect(tenderYearConflicts(plan, "RV-2031", { startYear: 2030, termYears: 2 })).toEqual([]);
    const withNb: Plan = {
      ...plan,
      tenders: [
        plan.tenders![0],
        { ...plan.tenders![1], lots: [{ code: "N1", name: "Netz", categories: ["AP", "NB"] }] },
      ],
    };
    expect(tenderYearConflicts(withNb, "RV-2031", { startYear: 2030, termYears: 2 })).toEqual([
      {
        category: "NB",
        message:
          "Produktgruppe Notebook (NB) ist 2030 bereits in Ausschreibung RV-2027 („Endgeräte“).",
      },
    ]);
  });
});
