// Call-offs that never get lost or doubled: a one-time token per form (double posts,
// parallel posts), cancellation (Storno) and correction in one step with who may do
// them, the warning beyond a partner's own share, and the default date.
import { sql } from "kysely";
import {
  action as callOffAction,
  loader as callOffLoader,
} from "../../app/routes/tenders.$code.call-offs";
import { listAudit } from "../../db/audit";
import { awardLot } from "../../db/awards";
import { ALREADY_CANCELLED_MESSAGE } from "../../db/call-offs";
import { berlinToday } from "../../domain/call-offs";
import {
  awardOfL1,
  seedCallOffPlan,
  SEED_PASSWORD,
  type SeededUsers,
} from "../helpers/call-offs-seed";
import type { TestDatabase } from "../helpers/test-database";
import { makeRequest, run, setUpAppDatabase, signIn, tearDownAppDatabase } from "./support";

let testDb: TestDatabase;
let users: SeededUsers;
const cookies: Record<keyof SeededUsers, string> = {
  coordinator: "",
  officerCoe: "",
  officerDue: "",
  finance: "",
};

beforeAll(async () => {
  testDb = await setUpAppDatabase({ demo: false });
  users = await seedCallOffPlan(testDb.db);
  for (const key of Object.keys(cookies) as (keyof SeededUsers)[])
    cookies[key] = await signIn(users[key].email, SEED_PASSWORD);
  expect((await awardLot(testDb.db, awardOfL1(users))).ok).toBe(true);
});
afterAll(() => tearDownAppDatabase(testDb));

const PATH = "/tenders/RV-2027/call-offs";
const PARAMS = { code: "RV-2027" };

let tokens = 0;
function freshToken(): string {
  return `entry-token-${String(++tokens).padStart(6, "0")}`;
}

function post(who: keyof SeededUsers, form: Record<string, string>) {
  return run(
    callOffAction,
    makeRequest(PATH, { cookie: cookies[who], form: { intent: "call-off", ...form } }),
    PARAMS,
  );
}

function callOffForm(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    token: freshToken(),
    partner: "COE",
    category: "NB",
    school: "",
    date: "2027-02-01",
    quantity: "1",
    orderNumber: "B-1",
    ...overrides,
  };
}

async function load(who: keyof SeededUsers, query = "") {
  const response = await run(
    callOffLoader,
    makeRequest(`${PATH}${query}`, { cookie: cookies[who] }),
    PARAMS,
  );
  return response;
}

async function active(): Promise<{ count: number; total: number }> {
  const { rows } = await sql<{ count: number; total: number | null }>`
    select count(*) as count, sum(quantity) as total from call_offs c
    where not exists (select 1 from call_off_cancellations x where x.call_off_id = c.id)`.execute(
    testDb.db,
  );
  return { count: Number(rows[0].count), total: Number(rows[0].total ?? 0) };
}

function idFrom(response: Response): number {
  expect(response.status).toBe(302);
  const id = /[?&]id=(\d+)/.exec(response.headers.get("Location") ?? "")?.[1];
  expect(id).toBeDefined();
  return Number(id);
}

describe("one-time form token", () => {
  test("the same form posted twice stores one call-off; the second answer shows the saved one", async () => {
    const before = await active();
    const form = callOffForm({ quantity: "2", orderNumber: "T-1" });
    const first = await post("officerCoe", form);
    const second = await post("officerCoe", form);
    const id = idFrom(first);
    expect(first.headers.get("Location")).toContain("notice=recorded");
    expect(second.headers.get("Location")).toContain("notice=duplicate");
    expect(idFrom(second)).toBe(id);
    expect(await active()).toEqual({ count: before.count + 1, total: before.total + 2 });
  });

  test("two parallel posts with the same token store one call-off", async () => {
    const before = await active();
    const form = callOffForm({ quantity: "1", orderNumber: "T-2" });
    const responses = await Promise.all([
      post("officerCoe", form),
      post("officerCoe", form),
      post("coordinator", form),
    ]);
    const ids = responses.map(idFrom);
    expect(new Set(ids).size).toBe(1);
    expect(await active()).toEqual({ count: before.count + 1, total: before.total + 1 });
  });

  test("a post without a token is refused with a German message; the loader renders a fresh token each time", async () => {
    const before = await active();
    const { token: _unused, ...withoutToken } = callOffForm();
    const response = await post("officerCoe", withoutToken);
    expect(response.status).toBe(400);
    const body = await response.json();
    expect(body.result.error.token).toEqual([
      "Das Formular ist veraltet. Bitte die Seite neu laden.",
    ]);
    expect(await active()).toEqual(before);
    const a = await (await load("officerCoe")).json();
    const b = await (await load("officerCoe")).json();
    expect(a.token).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(a.token).not.toBe(b.token);
  });
});

describe("cancellation (Storno) and correction", () => {
  let coeId: number;
  beforeAll(async () => {
    coeId = idFrom(await post("officerCoe", callOffForm({ quantity: "5", orderNumber: "S-1" })));
  });

  const cancelForm = (id: number, reason = "Falsche Menge erfasst") => ({
    intent: "cancel",
    callOffId: String(id),
    reason,
    token: freshToken(),
  });

  test("another partner's officer and finance may not cancel (403); nothing stored", async () => {
    const auditBefore = (await listAudit(testDb.db)).length;
    expect((await post("officerDue", cancelForm(coeId))).status).toBe(403);
    expect((await post("finance", cancelForm(coeId))).status).toBe(403);
    expect((await load("officerDue", `?storno=${coeId}`)).status).toBe(403);
    expect((await post("officerCoe", cancelForm(999_999))).status).toBe(404);
    expect((await listAudit(testDb.db)).length).toBe(auditBefore);
  });

  test("a reason is required", async () => {
    const response = await post("officerCoe", cancelForm(coeId, "  "));
    expect(response.status).toBe(400);
    expect((await response.json()).result.error.reason).toEqual([
      "Bitte den Grund der Stornierung angeben.",
    ]);
  });

  test("the partner's own officer cancels: the quantity returns, the row stays with its reason, audited; never twice", async () => {
    const remainingBefore = (await (await load("officerCoe")).json()).overview.categories[0]
      .remaining;
    const form = cancelForm(coeId);
    const response = await post("officerCoe", form);
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toContain("notice=cancelled");
    // The same cancellation form posted again: the same answer, nothing new.
    expect((await post("officerCoe", form)).status).toBe(302);
    const page = await (await load("officerCoe")).json();
    expect(page.overview.categories[0].remaining).toBe(remainingBefore + 5);
    const row = page.callOffs.find((c: { id: number }) => c.id === coeId);
    expect(row.cancellation).toMatchObject({
      reason: "Falsche Menge erfasst",
      cancelledBy: "Beschaffung Coesfeld",
    });
    expect(row.quantity).toBe(5);
    const audit = await listAudit(testDb.db, { action: "call-off.cancel" });
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0].newValue!)).toEqual({ reason: "Falsche Menge erfasst" });

    const again = await post("coordinator", cancelForm(coeId, "Noch einmal"));
    expect(again.status).toBe(400);
    expect((await again.json()).result.error[""]).toEqual([ALREADY_CANCELLED_MESSAGE]);
    expect(await listAudit(testDb.db, { action: "call-off.cancel" })).toHaveLength(1);
  });

  test("the coordinator cancels an officer's call-off", async () => {
    const id = idFrom(
      await post("officerDue", callOffForm({ partner: "DUE", orderNumber: "S-2" })),
    );
    expect((await post("coordinator", cancelForm(id, "Doppelt bestellt"))).status).toBe(302);
    const {
      rows: [row],
    } = await sql<{ reason: string; created_by: number }>`
      select reason, created_by from call_off_cancellations where call_off_id = ${id}`.execute(
      testDb.db,
    );
    expect(row).toEqual({ reason: "Doppelt bestellt", created_by: users.coordinator.id });
  });

  test("a correction cancels and records in one step; refused as a whole when the new call-off is refused", async () => {
    const id = idFrom(await post("officerCoe", callOffForm({ quantity: "3", orderNumber: "K-1" })));
    const correction = (overrides: Record<string, string>) => ({
      intent: "correct",
      callOffId: String(id),
      reason: "Menge korrigiert",
      ...callOffForm({ quantity: "4", orderNumber: "K-1" }),
      ...overrides,
    });
    const before = await active();
    // Beyond the maximum: nothing is cancelled either.
    const refused = await post("officerCoe", correction({ quantity: "999" }));
    expect(refused.status).toBe(400);
    expect((await refused.json()).result.error.quantity?.[0]).toMatch(/Höchstmenge/);
    expect(await active()).toEqual(before);
    const page0 = await (await load("officerCoe")).json();
    expect(page0.callOffs.find((c: { id: number }) => c.id === id).cancellation).toBeNull();

    const response = await post("officerCoe", correction({}));
    expect(response.headers.get("Location")).toContain("notice=corrected");
    const newId = idFrom(response);
    expect(newId).not.toBe(id);
    expect(await active()).toEqual({ count: before.count, total: before.total + 1 });
    const page = await (await load("officerCoe")).json();
    expect(page.callOffs.find((c: { id: number }) => c.id === id).cancellation.reason).toBe(
      "Menge korrigiert",
    );
    expect(page.callOffs.find((c: { id: number }) => c.id === newId)).toMatchObject({
      quantity: 4,
      correctsId: id,
      cancellation: null,
    });
  });

  test("another partner's officer may not correct (403)", async () => {
    const id = idFrom(await post("officerCoe", callOffForm({ orderNumber: "K-2" })));
    const response = await post("officerDue", {
      intent: "correct",
      callOffId: String(id),
      reason: "x",
      ...callOffForm({ partner: "DUE" }),
    });
    expect(response.status).toBe(403);
  });

  test("the loader offers the cancellation form for one's own call-off", async () => {
    const id = idFrom(await post("officerCoe", callOffForm({ orderNumber: "K-3" })));
    const data = await (await load("officerCoe", `?storno=${id}`)).json();
    expect(data.correcting).toMatchObject({ id, orderNumber: "K-3", cancellation: null });
    expect(data.correctionToken).not.toBe(data.token);
  });
});

describe("beyond the partner's own share", () => {
  test("the officer is warned first (nothing stored), then confirms; the coordinator sees the overdraw", async () => {
    const page = await (await load("officerDue")).json();
    const share = page.overview.categories[0].share;
    expect(share).toMatchObject({ partnerCode: "DUE", planned: 10, limit: 11 });
    const over = String(share.limit - share.calledOff + 1);
    const before = await active();
    const form = callOffForm({ partner: "DUE", quantity: over, orderNumber: "U-1" });
    const warned = await post("officerDue", form);
    expect(warned.status).toBe(200);
    const body = await warned.json();
    expect(body.overdraw).toContain(
      "mehr als der eigene geplante Anteil (10 Stück, mit Reserve 11 Stück)",
    );
    expect(body.result.initialValue).toMatchObject({ quantity: over, orderNumber: "U-1" });
    expect(await active()).toEqual(before);
    expect((await (await load("coordinator")).json()).overview.overdraws).toEqual([]);

    expect((await post("officerDue", { ...form, confirmOverdraw: "1" })).status).toBe(302);
    const coordinator = await (await load("coordinator")).json();
    expect(coordinator.overview.overdraws).toEqual([
      expect.objectContaining({ partnerCode: "DUE", categoryCode: "NB", planned: 10, limit: 11 }),
    ]);
    const [audit] = await listAudit(testDb.db, { action: "call-off.create" });
    expect(JSON.parse(audit.newValue!)).toMatchObject({ overdrawConfirmed: true });
  });
});

describe("the date a new call-off starts with", () => {
  test("a valid date of the term: today inside it, else its first or last day", async () => {
    const data = await (await load("officerCoe")).json();
    const today = berlinToday();
    // Term 2027–2028, awarded 2026-11-02.
    const expected =
      today < "2027-01-01" ? "2027-01-01" : today > "2028-12-31" ? "2028-12-31" : today;
    expect(data.defaultDate).toBe(expected);
  });
});
