import fs from "node:fs";
import path from "node:path";
import { loader as planLoader, planFileName } from "../../app/routes/api.plan";
import { loader as resultLoader } from "../../app/routes/api.result";
import { exportPlan } from "../../db/plan-io";
import { calculatePlan } from "../../domain/calculate";
import { toResultFile } from "../../domain/serialize";
import { validatePlan } from "../../domain/plan-validation";
import type { TestDatabase } from "../helpers/test-database";
import {
  COMMITTEE,
  COORDINATOR,
  FINANCE,
  OFFICER_DUE,
  makeRequest,
  run,
  setUpAppDatabase,
  signIn,
  tearDownAppDatabase,
} from "./support";

let testDb: TestDatabase;
const cookies: Record<string, string> = {};
beforeAll(async () => {
  testDb = await setUpAppDatabase();
  for (const email of [COORDINATOR, FINANCE, COMMITTEE, OFFICER_DUE])
    cookies[email] = await signIn(email);
});
afterAll(() => tearDownAppDatabase(testDb));

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- golden files as loose JSON
function golden(name: string): any {
  return JSON.parse(fs.readFileSync(path.resolve(__dirname, "../fixtures/examples", name), "utf8"));
}

describe("GET /api/plan", () => {
  it("answers 401 JSON when signed out and 403 JSON for committee and officers", async () => {
    const signedOut = await run(planLoader, makeRequest("/api/plan"));
    expect(signedOut.status).toBe(401);
    expect(signedOut.headers.get("Content-Type")).toMatch(/^application\/json/);
    expect(await signedOut.json()).toEqual({ error: "Nicht angemeldet." });
    for (const email of [COMMITTEE, OFFICER_DUE]) {
      const refused = await run(planLoader, makeRequest("/api/plan", { cookie: cookies[email] }));
      expect(refused.status).toBe(403);
      expect(await refused.json()).toEqual({ error: "Kein Zugriff." });
    }
  });

  it("gives coordinator and finance the database as a valid plan@2", async () => {
    for (const email of [COORDINATOR, FINANCE]) {
      const response = await run(planLoader, makeRequest("/api/plan", { cookie: cookies[email] }));
      expect(response.status).toBe(200);
      expect(response.headers.get("Content-Disposition")).toBeNull();
      const plan = await response.json();
      expect(plan).toEqual(await exportPlan(testDb.db));
      expect(validatePlan(plan).ok).toBe(true);
      expect(plan.format).toBe("verbundkauf/plan@2");
    }
  });

  it("offers a dated download with ?download=1", async () => {
    const response = await run(
      planLoader,
      makeRequest("/api/plan?download=1", { cookie: cookies[FINANCE] }),
    );
    expect(response.headers.get("Content-Disposition")).toMatch(
      /^attachment; filename="verbundkauf-plan-\d{4}-\d{2}-\d{2}\.json"$/,
    );
    expect(planFileName(new Date("2026-12-31T23:30:00Z"))).toBe("verbundkauf-plan-2027-01-01.json"); // Berlin is an hour ahead
  });
});

describe("GET /api/result", () => {
  it("answers 401 JSON when signed out", async () => {
    const response = await run(resultLoader, makeRequest("/api/result"));
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: "Nicht angemeldet." });
  });

  it("gives every signed-in role the engine's result@2 for the stored plan, equal to the golden demo figures", async () => {
    const expected = toResultFile(calculatePlan(await exportPlan(testDb.db)));
    for (const email of [COORDINATOR, FINANCE, COMMITTEE, OFFICER_DUE]) {
      const response = await run(
        resultLoader,
        makeRequest("/api/result", { cookie: cookies[email] }),
      );
      expect(response.status).toBe(200);
      const result = await response.json();
      expect(result).toEqual(expected);
      // The demo is example 04 without its stated maxima: funding, support and the
      // partner rows of example 04; the framework quantities and values of example 03.
      const v2 = golden("04-funding-support.result.json");
      const v1 = golden("03-kreis-coesfeld.result.json");
      expect(result.format).toBe("verbundkauf/result@2");
      expect(result.funding).toEqual(v2.funding);
      expect(result.support).toEqual(v2.support);
      expect(result.tenders).toEqual(
        v2.tenders.map((tender: Record<string, unknown>, t: number) => ({
          ...tender,
          estimatedValueNet: v1.tenders[t].estimatedValueNet,
          lots: v1.tenders[t].lots,
          categories: v1.tenders[t].categories,
        })),
      );
    }
  });

  it("follows a change in the data", async () => {
    await testDb.db
      .updateTable("categories")
      .set({ base_price_cents: 40000 })
      .where("code", "=", "TAB")
      .execute();
    const response = await run(
      resultLoader,
      makeRequest("/api/result", { cookie: cookies[COMMITTEE] }),
    );
    const result = await response.json();
    expect(result).toEqual(toResultFile(calculatePlan(await exportPlan(testDb.db))));
    expect(result).not.toEqual(golden("03-kreis-coesfeld.result.json"));
  });
});
