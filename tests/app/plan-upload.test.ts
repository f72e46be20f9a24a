import fs from "node:fs";
import { action, loader } from "../../app/routes/admin.plan";
import { pendingUploadDir } from "../../app/utils/plan-upload.server";
import { listAudit } from "../../db/audit";
import { exportPlan } from "../../db/plan-io";
import { createUser } from "../../db/users";
import { normalizePlan, readExamplePlan, snapshotDatabase } from "../db/plan-fixtures";
import type { TestDatabase } from "../helpers/test-database";
import {
  BASE_URL,
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

const SECOND_COORDINATOR = "vertretung@kreis-coesfeld.example";
let testDb: TestDatabase;
const cookies: Record<string, string> = {};
beforeAll(async () => {
  testDb = await setUpAppDatabase();
  process.env.DATABASE_PATH = testDb.file; // pending uploads live beside the test database
  await createUser(testDb.db, {
    email: SECOND_COORDINATOR,
    name: "Vertretung",
    role: "coordinator",
    password: "vertretung-passwort",
  });
  for (const email of [COORDINATOR, FINANCE, COMMITTEE, OFFICER_DUE])
    cookies[email] = await signIn(email);
  cookies[SECOND_COORDINATOR] = await signIn(SECOND_COORDINATOR, "vertretung-passwort");
});
afterAll(async () => {
  delete process.env.DATABASE_PATH;
  await tearDownAppDatabase(testDb);
});

function uploadRequest(email: string, content: string, fileName = "plan.json"): Request {
  const body = new FormData();
  body.append("plan", new File([content], fileName, { type: "application/json" }));
  return new Request(`${BASE_URL}/admin/plan`, {
    method: "POST",
    headers: { Cookie: cookies[email] },
    body,
  });
}

function post(email: string, form: Record<string, string>) {
  return run(action, makeRequest("/admin/plan", { cookie: cookies[email], form }));
}

function pendingFiles(): string[] {
  return fs.existsSync(pendingUploadDir()) ? fs.readdirSync(pendingUploadDir()) : [];
}

it("is for the coordinator only", async () => {
  const before = await snapshotDatabase(testDb.db);
  const plan = JSON.stringify(readExamplePlan("01-three-partners"));
  for (const email of [FINANCE, COMMITTEE, OFFICER_DUE]) {
    expect((await run(loader, makeRequest("/admin/plan", { cookie: cookies[email] }))).status).toBe(
      403,
    );
    expect((await run(action, uploadRequest(email, plan))).status).toBe(403);
    expect((await post(email, { intent: "confirm", uploadId: "x".repeat(32) })).status).toBe(403);
  }
  expect(pendingFiles()).toEqual([]);
  expect(await snapshotDatabase(testDb.db)).toEqual(before);
});

it("lists every problem of an invalid plan with its path, and changes nothing", async () => {
  const plan = readExamplePlan("01-three-partners") as unknown as Record<string, unknown> & {
    categories: Record<string, unknown>[];
    tenders: Record<string, unknown>[];
  };
  plan.categories[0].basePriceNet = "12,50";
  plan.categories[0].colour = "rot";
  plan.tenders[0].termYears = 5;
  const before = await snapshotDatabase(testDb.db);
  const response = await run(
    action,
    uploadRequest(COORDINATOR, JSON.stringify(plan), "kaputt.json"),
  );
  expect(response.status).toBe(400);
  const data = await response.json();
  expect(data.step).toBe("invalid");
  expect(data.fileName).toBe("kaputt.json");
  const paths = data.problems.map((p: { path: string }) => p.path);
  expect(paths).toEqual(
    expect.arrayContaining([
      "categories[0].basePriceNet",
      "categories[0].colour",
      "tenders[0].termYears",
    ]),
  );
  expect(data.problems.length).toBeGreaterThanOrEqual(3);
  for (const problem of data.problems) expect(problem.message).toMatch(/[a-zäöü]/i);
  expect(pendingFiles()).toEqual([]);
  expect(await snapshotDatabase(testDb.db)).toEqual(before);
});

it("reports a file that is not JSON at the root path", async () => {
  const data = await (await run(action, uploadRequest(COORDINATOR, "{ nicht json"))).json();
  expect(data.problems).toHaveLength(1);
  expect(data.problems[0].path).toBe("$");
  expect(data.problems[0].message).toMatch(/^Kein gültiges JSON/);
});

it("refuses an empty form and a file over 20 MB, also when no length is declared", async () => {
  const empty = await run(
    action,
    new Request(`${BASE_URL}/admin/plan`, {
      method: "POST",
      headers: { Cookie: cookies[COORDINATOR] },
      body: new FormData(),
    }),
  );
  expect(empty.status).toBe(400);
  expect((await empty.json()).errors).toEqual(["Bitte wählen Sie eine Plandatei (JSON) aus."]);

  const big = "x".repeat(20 * 1024 * 1024 + 1);
  const declared = await run(action, uploadRequest(COORDINATOR, big));
  expect(declared.status).toBe(413);
  expect((await declared.json()).errors).toEqual(["Die Datei ist größer als 20 MB."]);

  // The same body streamed without Content-Length: the limit is checked while reading.
  const boundary = "----verbundkauf-test";
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="plan"; filename="gross.json"\r\nContent-Type: application/json\r\n\r\n`;
  const chunk = new TextEncoder().encode("x".repeat(1024 * 1024));
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(head));
    },
    pull(controller) {
      if (sent < 40) {
        controller.enqueue(chunk);
        sent += 1;
      } else {
        controller.enqueue(new TextEncoder().encode(`\r\n--${boundary}--\r\n`));
        controller.close();
      }
    },
  });
  const streamed = new Request(`${BASE_URL}/admin/plan`, {
    method: "POST",
    headers: {
      Cookie: cookies[COORDINATOR],
      "Content-Type": `multipart/form-data; boundary=${boundary}`,
    },
    body: stream,
    duplex: "half",
  } as RequestInit);
  expect(streamed.headers.get("Content-Length")).toBeNull();
  const response = await run(action, streamed);
  expect(response.status).toBe(413);
  expect(sent).toBeLessThanOrEqual(22); // stopped reading soon after 20 MB, not at the end (40 MB)
  expect(pendingFiles()).toEqual([]);
});

it("shows a summary first and replaces the data only after the uploader confirms", async () => {
  const plan = readExamplePlan("01-three-partners");
  const before = await snapshotDatabase(testDb.db);
  const response = await run(
    action,
    uploadRequest(COORDINATOR, "\uFEFF" + JSON.stringify(plan), "drei.json"),
  );
  expect(response.status).toBe(200);
  const data = await response.json();
  expect(data.step).toBe("confirm");
  expect(data.upload).toEqual({
    partners: plan.partners.length,
    schools: plan.schools?.length ?? 0,
    categories: plan.categories.length,
    demandLines: plan.demand?.length ?? 0,
    tenders: plan.tenders!.map((t) =>
      expect.objectContaining({ code: t.code, lots: t.lots.length }),
    ),
  });
  expect(data.current.partners).toBe(12);
  expect(pendingFiles()).toHaveLength(1);
  expect(await snapshotDatabase(testDb.db)).toEqual(before); // nothing replaced yet

  // Another coordinator cannot confirm someone else's upload; a made-up id gets the same answer.
  for (const [email, id] of [
    [SECOND_COORDINATOR, data.uploadId],
    [COORDINATOR, "../../../etc/passwd"],
  ]) {
    const refused = await post(email, { intent: "confirm", uploadId: id });
    expect(refused.status).toBe(400);
    expect((await refused.json()).errors[0]).toMatch(/^Der hochgeladene Plan liegt nicht mehr vor/);
  }
  expect(await snapshotDatabase(testDb.db)).toEqual(before);

  const confirmed = await post(COORDINATOR, { intent: "confirm", uploadId: data.uploadId });
  expect(confirmed.status).toBe(200);
  const imported = await confirmed.json();
  expect(imported.step).toBe("imported");
  expect(imported.summary).toMatchObject({
    partners: plan.partners.length,
    tenders: plan.tenders!.length,
  });
  expect(await exportPlan(testDb.db)).toEqual(normalizePlan(plan));
  expect(pendingFiles()).toEqual([]);
  const audit = await listAudit(testDb.db, { action: "plan.import" });
  expect(audit[0].userEmail).toBe(COORDINATOR);

  const again = await post(COORDINATOR, { intent: "confirm", uploadId: data.uploadId });
  expect(again.status).toBe(400);
});

it("drops the pending file on cancel", async () => {
  const data = await (
    await run(action, uploadRequest(COORDINATOR, JSON.stringify(readExamplePlan("02-edge-cases"))))
  ).json();
  expect(pendingFiles()).toHaveLength(1);
  const cancelled = await post(COORDINATOR, { intent: "cancel", uploadId: data.uploadId });
  expect((await cancelled.json()).errors).toEqual([
    "Der Import wurde abgebrochen; die Daten sind unverändert.",
  ]);
  expect(pendingFiles()).toEqual([]);
});
