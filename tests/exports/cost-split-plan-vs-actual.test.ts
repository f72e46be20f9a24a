// The finance workbook of a tender with an awarded lot carries the sheet "Plan-Ist":
// the engine's plan-against-actual figures, written by the streaming writer, with
// formulas that recalculate to them. Snapshots and unawarded tenders go without it.
import type ExcelJS from "exceljs";
import { loader as costSplitLoader } from "../../app/routes/tenders.$code.cost-split[.]xlsx";
import { awardLot } from "../../db/awards";
import { getPlanVsActual, recordCallOff } from "../../db/call-offs";
import { freezeTender } from "../../db/snapshots";
import { findUserByEmail } from "../../db/users";
import type { PlanVsActual } from "../../domain/plan-vs-actual";
import {
  LOT_CATEGORY_COLUMNS as LOT,
  POSITION_COLUMNS,
  SHEET,
} from "../../exports/cost-split-layout";
import { FUNDING_SHEET } from "../../exports/cost-split-funding";
import { PLAN_VS_ACTUAL_COLUMNS as PV, PLAN_VS_ACTUAL_SHEET } from "../../exports/plan-vs-actual";
import type { TestDatabase } from "../helpers/test-database";
import {
  COMMITTEE,
  COORDINATOR,
  FINANCE,
  makeRequest,
  run,
  setUpAppDatabase,
  signIn,
  tearDownAppDatabase,
} from "../app/support";
import { checkFormulas } from "./helpers/formula-check";
import { loadWorkbook } from "./helpers/stream-buffer";

const TENDER = "RV-2027";
const BASE_SHEETS = [
  SHEET.overview,
  SHEET.lots,
  SHEET.budgetYears,
  SHEET.vatRates,
  FUNDING_SHEET,
  SHEET.positions,
  SHEET.commonCosts,
  SHEET.parameters,
];

let testDb: TestDatabase;
const cookies: Record<string, string> = {};
let coordinatorId: number;

beforeAll(async () => {
  testDb = await setUpAppDatabase();
  for (const email of [COORDINATOR, FINANCE, COMMITTEE]) cookies[email] = await signIn(email);
  coordinatorId = (await findUserByEmail(testDb.db, COORDINATOR))!.id;
});
afterAll(() => tearDownAppDatabase(testDb));

async function workbookFor(email: string, query = ""): Promise<ExcelJS.Workbook> {
  const request = makeRequest(`/tenders/${TENDER}/cost-split.xlsx${query}`, {
    cookie: cookies[email],
  });
  const response = await run(costSplitLoader, request, { code: TENDER });
  expect(response.status).toBe(200);
  return loadWorkbook(Buffer.from(await response.arrayBuffer()));
}

/** A cell's shown number: the cached result of a formula, else the value. */
function shownNumber(sheet: ExcelJS.Worksheet, row: number, column: number): number {
  const value = sheet.getRow(row).getCell(column).value;
  if (typeof value === "number") return value;
  if (value && typeof value === "object" && "result" in value && typeof value.result === "number")
    return value.result;
  throw new Error(`${sheet.name}: no number at ${row}/${column}: ${JSON.stringify(value)}`);
}

function rowLabelled(sheet: ExcelJS.Worksheet, label: string): number {
  let found = 0;
  sheet.eachRow((row, rowNumber) => {
    if (!found && row.getCell(2).value === label) found = rowNumber;
  });
  if (!found) throw new Error(`no row ${label}`);
  return found;
}

const euros = (cents: bigint) => Number(cents) / 100;

it("has no sheet Plan-Ist while no lot is awarded", async () => {
  expect((await workbookFor(FINANCE)).worksheets.map((s) => s.name)).toEqual(BASE_SHEETS);
});

describe("after the award of the demo lot L4 (Ladewagen) and a call-off", () => {
  let comparison: PlanVsActual;
  let snapshotVersion: number;

  beforeAll(async () => {
    // A snapshot taken before the award: its workbook stays the decided state.
    const frozen = await freezeTender(testDb.db, {
      tenderCode: TENDER,
      comment: "Beschluss",
      userId: coordinatorId,
    });
    if (!frozen.ok) throw new Error("freeze failed");
    snapshotVersion = frozen.snapshot.version;
    const awarded = await awardLot(testDb.db, {
      tenderCode: TENDER,
      lotCode: "L4",
      supplier: "Schulmöbel Münsterland GmbH",
      awardDate: "2026-11-02",
      pricesCents: { LADE: 109_870n },
      userId: coordinatorId,
      today: "2026-11-28",
    });
    expect(awarded.ok).toBe(true);
    const calledOff = await recordCallOff(testDb.db, {
      tenderCode: TENDER,
      partnerCode: "KRS",
      categoryCode: "LADE",
      schoolCode: "KRS-01",
      date: "2027-03-15",
      quantity: 5,
      orderNumber: "KRS-2027-17",
      userId: coordinatorId,
    });
    expect(calledOff.ok).toBe(true);
    comparison = (await getPlanVsActual(testDb.db, TENDER))!.comparison!;
    expect(comparison.totals.actual.quantity).toBe(5);
  });

  it.each([FINANCE, COORDINATOR, COMMITTEE])(
    "adds the sheet Plan-Ist with the engine's figures for %s",
    async (email) => {
      const workbook = await workbookFor(email);
      expect(workbook.worksheets.map((s) => s.name)).toEqual([
        ...BASE_SHEETS,
        PLAN_VS_ACTUAL_SHEET,
      ]);
      const sheet = workbook.getWorksheet(PLAN_VS_ACTUAL_SHEET)!;
      const total = rowLabelled(sheet, "Summe aller Schulträger");
      const { planned, actual } = comparison.totals;
      expect(shownNumber(sheet, total, 4)).toBe(planned.quantity);
      expect(shownNumber(sheet, total, 5)).toBe(actual.quantity);
      expect(shownNumber(sheet, total, 6)).toBe(euros(planned.directNet));
      expect(shownNumber(sheet, total, 7)).toBe(euros(actual.directNet));
      expect(shownNumber(sheet, total, PV.planTotal)).toBe(euros(planned.totalGross));
      expect(shownNumber(sheet, total, PV.actualTotal)).toBe(euros(actual.totalGross));
      expect(shownNumber(sheet, total, PV.difference)).toBe(
        euros(comparison.totals.differenceGross),
      );
      const krs = comparison.partners.find((p) => p.code === "KRS")!;
      const krsSum = rowLabelled(sheet, `Summe ${krs.name}`);
      expect(shownNumber(sheet, krsSum, 7)).toBe(euros(krs.actual.directNet));
      expect(krs.actual.directNet).toBe(5n * 109_870n); // 5 × 1.098,70 € at the awarded price
      // The maximum's use: the category row below the partner table.
      const lade = rowLabelled(sheet, comparison.categories[0].name);
      expect(sheet.getRow(lade).getCell(1).value).toBe("LADE");
      expect(shownNumber(sheet, lade, 6)).toBe(5); // Menge Ist
      // Every formula of the whole workbook recalculates to its cached value.
      const check = checkFormulas(workbook);
      expect(check.mismatches).toEqual([]);
      expect(check.formulasPerSheet[PLAN_VS_ACTUAL_SHEET]).toBeGreaterThan(0);
    },
  );

  it("shows the awarded price as the current figure, the estimate beside it", async () => {
    const workbook = await workbookFor(FINANCE);
    const lots = workbook.getWorksheet(SHEET.lots)!;
    let lade: ExcelJS.Row | undefined;
    lots.eachRow((row, n) => {
      if (n > 2 && !lade && row.getCell(LOT.category).value === "LADE") lade = row;
    });
    expect(lade).toBeDefined();
    const cell = (column: number) => shownNumber(lots, lade!.number, column);
    expect(cell(LOT.awardedPrice)).toBe(1098.7);
    expect(cell(LOT.unitPrice)).toBe(1098.7);
    expect(cell(LOT.estimatedPrice)).not.toBe(1098.7);
    // Positionen of LADE use it (by formula), so do Übersicht and the shares by volume.
    const positions = workbook.getWorksheet(SHEET.positions)!;
    let priced = 0;
    positions.eachRow((row, n) => {
      if (n > 2 && row.getCell(POSITION_COLUMNS.category).value === "LADE") {
        expect(shownNumber(positions, n, POSITION_COLUMNS.unitPrice)).toBe(1098.7);
        priced++;
      }
    });
    expect(priced).toBeGreaterThan(0);
    const parameters = workbook.getWorksheet(SHEET.parameters)!;
    let state: unknown;
    parameters.eachRow((row) => {
      if (row.getCell(1).value === "Stand") state = row.getCell(2).value;
    });
    expect(state).toBe("aktueller Stand mit Zuschlagspreisen");
  });

  it("leaves it out of a snapshot's workbook", async () => {
    const workbook = await workbookFor(FINANCE, `?version=${snapshotVersion}`);
    expect(workbook.worksheets.map((s) => s.name)).toEqual(BASE_SHEETS);
  });
});
