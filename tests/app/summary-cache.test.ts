// The committee summary is computed and drawn once per data version (working state)
// or once ever (a snapshot): a repeated view reuses the model and its SVG charts, a
// demand change produces new ones, a snapshot keeps its figures whatever happens later.
import { sql } from "kysely";
import { clearDataVersionCache } from "~/utils/data-version-cache.server";
import { loadCurrentSummary, loadSnapshotSummary } from "~/components/summary-data.server";
import { createSnapshot, listSnapshots } from "../../db/snapshots";
import { exportPlan } from "../../db/plan-io";
import { loadDemo } from "../../db/demo";
import { calculatePlan } from "../../domain/calculate";
import { validatePlan } from "../../domain/plan-validation";
import { toResultFile } from "../../domain/serialize";
import { formatCents } from "~/utils/format";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

const TENDER = "RV-2027";
let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase();
  await loadDemo(testDb.db);
});
afterAll(() => testDb.cleanup());
beforeEach(() => clearDataVersionCache());

const bars = (svg: string) => svg.match(/recharts-bar-rectangle"/g)?.length ?? 0;
/** A write outside the app's functions, which the data version must still notice. */
const addDemand = (quantity: number) =>
  sql`UPDATE demand_lines SET quantity = quantity + ${quantity}
      WHERE id = (SELECT min(id) FROM demand_lines WHERE quantity > 0)`.execute(testDb.db);

test("the working state: drawn once per data version, redrawn after a write", async () => {
  const first = (await loadCurrentSummary(testDb.db, TENDER))!;
  expect(first.view).not.toBeNull();
  expect(first.charts!.savingsPerPartner).toMatch(/^<div[^>]*class="recharts-wrapper"/);
  expect(bars(first.charts!.savingsPerPartner)).toBe(first.view!.partners.length);
  expect(await loadCurrentSummary(testDb.db, TENDER)).toBe(first); // the same object: cached

  await addDemand(250);
  const second = (await loadCurrentSummary(testDb.db, TENDER))!;
  expect(second).not.toBe(first);
  expect(second.view!.keyFigures.quantity).toBe(first.view!.keyFigures.quantity + 250);
  // Drawings are also kept by what they show: the changed ones are redrawn, exactly.
  expect(second.charts!.volumePerLot).not.toBe(first.charts!.volumePerLot);
  expect(second.charts!.savingsPerPartner).not.toBe(first.charts!.savingsPerPartner);
  for (const lot of second.view!.lots)
    expect(second.charts!.volumePerLot).toContain(formatCents(BigInt(lot.directNet)));
  expect(await loadCurrentSummary(testDb.db, "NOPE")).toBeUndefined();
});

test("a snapshot: drawn once and kept after later writes", async () => {
  const plan = await exportPlan(testDb.db);
  const validation = validatePlan(plan);
  if (!validation.ok) throw new Error("demo plan invalid");
  const user = await testDb.db
    .selectFrom("users")
    .select("id")
    .where("role", "=", "coordinator")
    .executeTakeFirstOrThrow();
  await createSnapshot(testDb.db, {
    tenderCode: TENDER,
    comment: "Cache",
    plan,
    result: toResultFile(calculatePlan(validation.plan)),
    userId: user.id,
  });
  const info = (await listSnapshots(testDb.db, TENDER))[0];

  const frozen = (await loadSnapshotSummary(testDb.db, info))!;
  expect(frozen.matchesStoredResult).toBe(true);
  await addDemand(40);
  expect(await loadSnapshotSummary(testDb.db, info)).toBe(frozen);
  const current = (await loadCurrentSummary(testDb.db, TENDER))!;
  expect(current.view!.keyFigures.quantity).toBe(frozen.view!.keyFigures.quantity + 40);
});
