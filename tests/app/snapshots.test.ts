import { sql } from "kysely";
import { listAudit } from "../../db/audit";
import { createSnapshot, getSnapshot, listSnapshots } from "../../db/snapshots";
import { exportPlan } from "../../db/plan-io";
import { calculatePlan } from "../../domain/calculate";
import { toResultFileV1 } from "../../domain/serialize";
import { action, loader } from "../../app/routes/tenders.$code.snapshots";
import { loader as compareLoader } from "../../app/routes/tenders.$code.compare";
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

const TENDER = "RV-2027";
const params = { code: TENDER };
let testDb: TestDatabase;
const cookies: Record<string, string> = {};

beforeAll(async () => {
  testDb = await setUpAppDatabase();
  for (const email of [COORDINATOR, FINANCE, COMMITTEE, OFFICER_DUE])
    cookies[email] = await signIn(email);
});
afterAll(async () => tearDownAppDatabase(testDb));

function post(email: string, comment: string, code = TENDER) {
  return run(
    action,
    makeRequest(`/tenders/${code}/snapshots`, { cookie: cookies[email], form: { comment } }),
    { code },
  );
}

function compare(email: string, query = "") {
  return run(
    compareLoader,
    makeRequest(`/tenders/${TENDER}/compare${query}`, { cookie: cookies[email] }),
    params,
  );
}

/** Adds `delta` to one demand line of a partner in the tender's first year. */
async function changeDemand(partner: string, delta: number) {
  const line = await testDb.db
    .selectFrom("demand_lines")
    .select(["id", "quantity"])
    .where("partner_code", "=", partner)
    .where("year", "=", 2027)
    .where("quantity", ">", 0)
    .orderBy("id")
    .executeTakeFirstOrThrow();
  await testDb.db
    .updateTable("demand_lines")
    .set({ quantity: line.quantity + delta })
    .where("id", "=", line.id)
    .execute();
}

describe("creating a snapshot", () => {
  it("refuses everyone but the coordinator with 403 and stores nothing", async () => {
    for (const email of [COMMITTEE, FINANCE, OFFICER_DUE]) {
      const response = await post(email, "Versuch ohne Recht");
      expect(response.status).toBe(403);
    }
    expect(await listSnapshots(testDb.db, TENDER)).toEqual([]);
  });

  it("redirects to the sign-in page when signed out", async () => {
    const response = await run(
      action,
      makeRequest(`/tenders/${TENDER}/snapshots`, { form: { comment: "x" } }),
      params,
    );
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toMatch(/^\/login/);
    expect(await listSnapshots(testDb.db, TENDER)).toEqual([]);
  });

  it("needs a comment of at most 500 characters, with German messages", async () => {
    const empty = await post(COORDINATOR, "   ");
    expect(empty.status).toBe(400);
    expect(JSON.stringify(await empty.json())).toContain("Bitte beschreiben Sie kurz");
    const long = await post(COORDINATOR, "x".repeat(501));
    expect(long.status).toBe(400);
    expect(JSON.stringify(await long.json())).toContain("höchstens 500 Zeichen");
    expect(await listSnapshots(testDb.db, TENDER)).toEqual([]);
  });

  it("stores plan and result as version 1, 2, … with an audit entry", async () => {
    const first = await post(COORDINATOR, "Vorlage Schulausschuss");
    expect(first.status).toBe(302);
    expect(first.headers.get("Location")).toBe(`/tenders/${TENDER}/snapshots?created=1`);
    const second = await post(COORDINATOR, "Vorlage Kreistag");
    expect(second.headers.get("Location")).toBe(`/tenders/${TENDER}/snapshots?created=2`);

    const stored = await getSnapshot(testDb.db, TENDER, 1);
    expect(stored?.comment).toBe("Vorlage Schulausschuss");
    expect(stored?.createdBy).toBe("Koordination Kreis Coesfeld");
    expect(stored?.plan.format).toBe("verbundkauf/plan@2");
    expect(stored?.result.tenders.map((t) => t.code)).toContain(TENDER);

    const audit = await listAudit(testDb.db, { entity: "snapshot" });
    expect(audit.map((entry) => entry.entityKey)).toEqual([`${TENDER}/2`, `${TENDER}/1`]);
  });

  it("answers 404 for an unknown tender", async () => {
    expect((await post(COORDINATOR, "gibt es nicht", "NOPE")).status).toBe(404);
  });

  it("refuses a plan that cannot be calculated, with the reason (422)", async () => {
    // A custom key without any weight: the weights sum to 0, an invalid plan (§5).
    const { id } = await testDb.db
      .insertInto("common_costs")
      .values({
        tender_code: TENDER,
        label: "Ohne Gewichte",
        amount_cents: 100,
        key: "custom",
        position: 99,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    try {
      const response = await post(COORDINATOR, "sollte scheitern");
      expect(response.status).toBe(422);
      expect(JSON.stringify(await response.json())).toContain("kann so nicht berechnet werden");
      expect((await listSnapshots(testDb.db, TENDER)).length).toBe(2);
    } finally {
      await testDb.db.deleteFrom("common_costs").where("id", "=", id).execute();
    }
  });
});

describe("the snapshot list", () => {
  it("is visible to every signed-in role; only the coordinator sees the form", async () => {
    for (const email of [COORDINATOR, FINANCE, COMMITTEE, OFFICER_DUE]) {
      const response = await run(
        loader,
        makeRequest(`/tenders/${TENDER}/snapshots`, { cookie: cookies[email] }),
        params,
      );
      expect(response.status).toBe(200);
      const data = await response.json();
      expect(data.snapshots.map((s: { version: number }) => s.version)).toEqual([2, 1]);
      expect(data.canCreate).toBe(email === COORDINATOR);
    }
  });

  it("answers 404 for an unknown tender and redirects when signed out", async () => {
    const unknown = await run(
      loader,
      makeRequest("/tenders/NOPE/snapshots", { cookie: cookies[COMMITTEE] }),
      { code: "NOPE" },
    );
    expect(unknown.status).toBe(404);
    const signedOut = await run(loader, makeRequest(`/tenders/${TENDER}/snapshots`), params);
    expect(signedOut.status).toBe(302);
  });

  it("snapshots stay immutable underneath the app", async () => {
    await expect(sql`update snapshots set comment = 'x'`.execute(testDb.db)).rejects.toThrow(
      /immutable/,
    );
    await expect(sql`delete from snapshots`.execute(testDb.db)).rejects.toThrow(/immutable/);
  });
});

describe("the comparison", () => {
  it("shows no changes right after a snapshot", async () => {
    const response = await compare(COMMITTEE, "?version=2");
    expect(response.status).toBe(200);
    const data = await response.json();
    expect(data.diff.hasChanges).toBe(false);
    expect(data.causes).toEqual([]);
    expect(data.snapshot.version).toBe(2);
  });

  it("lists only what changed since, old → new with the difference", async () => {
    await changeDemand("DUE", 40);
    const data = await (await compare(OFFICER_DUE, "?version=1")).json();
    expect(data.diff.hasChanges).toBe(true);
    const due = data.diff.partners.find((p: { code: string }) => p.code === "DUE");
    expect(due.quantity).toMatchObject({ difference: 40, changed: true });
    expect(BigInt(due.directGross.after) - BigInt(due.directGross.before)).toBe(
      BigInt(due.directGross.difference),
    );
    expect(BigInt(due.directGross.difference)).toBeGreaterThan(0n);
    // Every listed row has at least one changed value.
    for (const row of [...data.diff.partners, ...data.diff.categories]) {
      expect(
        Object.values(row).some(
          (v) => typeof v === "object" && v !== null && (v as { changed: boolean }).changed,
        ),
      ).toBe(true);
    }
    expect(data.diff.totals.quantity.difference).toBe(40);
    // The cause stands beside the effects: DUE's demand, old → new.
    const causes = data.causes.filter((c: { kind: string }) => c.kind === "demand");
    expect(causes).toHaveLength(1);
    expect(causes[0]).toMatchObject({ partner: "DUE" });
    expect(causes[0].after - causes[0].before).toBe(40);
  });

  it("uses the latest snapshot without ?version and 404s for unknown or malformed versions", async () => {
    expect((await (await compare(COMMITTEE)).json()).snapshot.version).toBe(2);
    expect((await compare(COMMITTEE, "?version=99")).status).toBe(404);
    expect((await compare(COMMITTEE, "?version=abc")).status).toBe(404);
    expect((await compare(COMMITTEE, "?version=0")).status).toBe(404);
  });

  it("compares with an old plan@1/result@1 snapshot as well", async () => {
    // As stored before format version 2: today's data as plan@1 with its result@1.
    const {
      fundingProgrammes: _f,
      inventory: _i,
      support: _s,
      ...rest
    } = await exportPlan(testDb.db);
    const plan = {
      ...rest,
      format: "verbundkauf/plan@1" as const,
      categories: rest.categories.map(
        ({ serviceLifeYears: _l, supportUnits: _u, ...category }) => category,
      ),
      tenders: rest.tenders?.map(({ maxQuantities: _m, ...tender }) => tender),
    };
    const result = toResultFileV1(calculatePlan(plan));
    const old = await createSnapshot(testDb.db, {
      tenderCode: TENDER,
      comment: "Stand vor Format 2",
      plan,
      result,
      userId: (
        await testDb.db
          .selectFrom("users")
          .select("id")
          .where("email", "=", COORDINATOR)
          .executeTakeFirstOrThrow()
      ).id,
    });
    const response = await compare(COMMITTEE, `?version=${old.version}`);
    expect(response.status).toBe(200);
    const data = await response.json();
    expect(data.snapshot.version).toBe(old.version);
    expect(data.diff.hasChanges).toBe(false);
    const list = await run(
      loader,
      makeRequest(`/tenders/${TENDER}/snapshots`, { cookie: cookies[COMMITTEE] }),
      params,
    );
    expect(list.status).toBe(200);
  });

  it("redirects to sign-in when signed out", async () => {
    const response = await run(
      compareLoader,
      makeRequest(`/tenders/${TENDER}/compare?version=1`),
      params,
    );
    expect(response.status).toBe(302);
  });
});
