// A plan import replaces every lot; once a lot is awarded the database refuses it
// (migration 005). The admin page answers with the German message, not a 500 page.
import fs from "node:fs";
import { action } from "../../app/routes/admin.plan";
import { pendingUploadDir } from "../../app/utils/plan-upload.server";
import { awardLot, PLAN_IMPORT_AWARD_FROZEN_MESSAGE } from "../../db/awards";
import {
  awardOfL1,
  CALL_OFF_PLAN,
  seedCallOffPlan,
  SEED_PASSWORD,
  type SeededUsers,
} from "../helpers/call-offs-seed";
import type { TestDatabase } from "../helpers/test-database";
import { snapshotDatabase } from "../db/plan-fixtures";
import {
  BASE_URL,
  makeRequest,
  run,
  setUpAppDatabase,
  signIn,
  tearDownAppDatabase,
} from "./support";

let testDb: TestDatabase;
let users: SeededUsers;
let cookie: string;

beforeAll(async () => {
  testDb = await setUpAppDatabase({ demo: false });
  process.env.DATABASE_PATH = testDb.file; // pending uploads live beside the test database
  users = await seedCallOffPlan(testDb.db);
  cookie = await signIn(users.coordinator.email, SEED_PASSWORD);
  const outcome = await awardLot(testDb.db, awardOfL1(users));
  expect(outcome.ok).toBe(true);
});
afterAll(async () => {
  delete process.env.DATABASE_PATH;
  await tearDownAppDatabase(testDb);
});

function upload(content: string): Request {
  const body = new FormData();
  body.append("plan", new File([content], "neu.json", { type: "application/json" }));
  return new Request(`${BASE_URL}/admin/plan`, {
    method: "POST",
    headers: { Cookie: cookie },
    body,
  });
}

it("refuses to confirm an import that would replace an awarded lot with the German message, changing nothing", async () => {
  // The awarded lot L1 gets another category: exactly what the award froze.
  const changed = structuredClone(CALL_OFF_PLAN);
  changed.tenders![0].lots = [
    { code: "L1", name: "Notebooks und Tablets", categories: ["NB", "TAB"] },
  ];
  const uploaded = await (await run(action, upload(JSON.stringify(changed)))).json();
  expect(uploaded.step).toBe("confirm");

  const before = await snapshotDatabase(testDb.db);
  const response = await run(
    action,
    makeRequest("/admin/plan", {
      cookie,
      form: { intent: "confirm", uploadId: uploaded.uploadId },
    }),
  );
  expect(response.status).toBe(409);
  expect(await response.json()).toEqual({
    step: "error",
    errors: [PLAN_IMPORT_AWARD_FROZEN_MESSAGE],
  });
  expect(PLAN_IMPORT_AWARD_FROZEN_MESSAGE).toMatch(/Die Daten sind unverändert\.$/);
  expect(await snapshotDatabase(testDb.db)).toEqual(before);
  // The upload can never be imported while the award stands: it is not kept.
  expect(fs.readdirSync(pendingUploadDir())).toEqual([]);
});
