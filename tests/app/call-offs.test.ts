// Route integration tests for call-offs and plan against actual: who may record for
// whom, refusals with German messages (nothing stored), parallel requests at the
// limit, and what each role sees.
import { sql } from "kysely";
import { loader as startLoader } from "../../app/routes/_index";
import {
  action as callOffAction,
  loader as callOffLoader,
} from "../../app/routes/tenders.$code.call-offs";
import { loader as tendersLoader } from "../../app/routes/tenders._index";
import { loader as planVsActualLoader } from "../../app/routes/tenders.$code.plan-vs-actual";
import { listAudit } from "../../db/audit";
import { awardLot } from "../../db/awards";
import { NOT_AWARDED_MESSAGE } from "../../db/call-offs";
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
});
afterAll(() => tearDownAppDatabase(testDb));

const PATH = "/tenders/RV-2027/call-offs";
const PARAMS = { code: "RV-2027" };

function post(who: keyof SeededUsers, form: Record<string, string>) {
  return run(
    callOffAction,
    makeRequest(PATH, { cookie: cookies[who], form: { intent: "call-off", ...form } }),
    PARAMS,
  );
}

let tokens = 0;
/** A fresh one-time form token, as the loader renders one per form. */
function freshToken(): string {
  return `test-token-${String(++tokens).padStart(6, "0")}`;
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

async function storedCallOffs(): Promise<{ count: number; total: number }> {
  const { rows } = await sql<{
    count: number;
    total: number | null;
  }>`select count(*) as count, sum(quantity) as total from call_offs`.execute(testDb.db);
  return { count: Number(rows[0].count), total: Number(rows[0].total ?? 0) };
}

async function errorsOf(response: Response): Promise<Record<string, string[] | null>> {
  expect(response.status).toBe(400);
  const body = (await response.json()) as {
    formId: string;
    result: { error?: Record<string, string[] | null> };
  };
  expect(body.formId).toBe("call-off");
  return body.result.error ?? {};
}

describe("before the award", () => {
  test("a call-off is refused with a German message; nothing stored", async () => {
    const errors = await errorsOf(await post("officerCoe", callOffForm()));
    expect(errors.category).toEqual([NOT_AWARDED_MESSAGE]);
    expect(await storedCallOffs()).toEqual({ count: 0, total: 0 });
  });

  test("the page says that nothing is awarded yet", async () => {
    const response = await run(
      callOffLoader,
      makeRequest(PATH, { cookie: cookies.officerCoe }),
      PARAMS,
    );
    expect(response.status).toBe(200);
    const data = await response.json();
    expect(data.overview.awards).toEqual([]);
    expect(data.canRecord).toBe(false);
    const plan = await run(
      planVsActualLoader,
      makeRequest("/tenders/RV-2027/plan-vs-actual", { cookie: cookies.finance }),
      PARAMS,
    );
    expect((await plan.json()).comparison).toBeNull();
  });
});

describe("after the award", () => {
  beforeAll(async () => {
    const outcome = await awardLot(testDb.db, awardOfL1(users));
    expect(outcome.ok).toBe(true);
  });

  test("an officer of DUE recording for COE gets 403; finance and committee may not record at all; nothing stored", async () => {
    const auditBefore = (await listAudit(testDb.db)).length;
    expect((await post("officerDue", callOffForm({ partner: "COE" }))).status).toBe(403);
    expect((await post("officerDue", callOffForm({ partner: "" }))).status).toBe(403);
    expect((await post("finance", callOffForm())).status).toBe(403);
    const signedOut = await run(callOffAction, makeRequest(PATH, { form: callOffForm() }), PARAMS);
    expect(signedOut.status).toBe(302);
    expect(await storedCallOffs()).toEqual({ count: 0, total: 0 });
    expect((await listAudit(testDb.db)).length).toBe(auditBefore);
  });

  test("an officer records for the own partner; audited with the user", async () => {
    const response = await post(
      "officerCoe",
      callOffForm({ quantity: "20", school: "COE-GY", orderNumber: "B-2027-001" }),
    );
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toMatch(
      /^\/tenders\/RV-2027\/call-offs\?notice=recorded/,
    );
    const [entry] = await listAudit(testDb.db, { action: "call-off.create" });
    expect(entry.userId).toBe(users.officerCoe.id);
    expect(JSON.parse(entry.newValue!)).toMatchObject({
      partner: "COE",
      school: "COE-GY",
      quantity: 20,
      orderNumber: "B-2027-001",
    });
  });

  test("German field messages: school of another partner, quantity 0, date outside the term", async () => {
    expect(
      (await errorsOf(await post("officerCoe", callOffForm({ school: "DUE-GS" })))).school,
    ).toEqual(["Diese Schule gehört nicht zum gewählten Schulträger."]);
    expect(
      (await errorsOf(await post("officerCoe", callOffForm({ quantity: "0" })))).quantity,
    ).toEqual(["Bitte eine ganze Zahl ab 1 eingeben."]);
    expect(
      (await errorsOf(await post("officerCoe", callOffForm({ date: "2030-01-01" })))).date?.[0],
    ).toMatch(/Laufzeit/);
    expect(await storedCallOffs()).toEqual({ count: 1, total: 20 });
  });

  test("the coordinator records for any partner; beyond the maximum refused with what is left", async () => {
    // 12 is beyond DUE's own share (10 planned + 10 % = 11): the first post only warns.
    const warned = await post("coordinator", callOffForm({ partner: "DUE", quantity: "12" }));
    expect(warned.status).toBe(200);
    expect((await warned.json()).overdraw).toMatch(
      /^Mit diesem Abruf hätte Stadt Dülmen 12 Stück Notebook abgerufen – mehr als der eigene geplante Anteil \(10 Stück, mit Reserve 11 Stück\)/,
    );
    expect(await storedCallOffs()).toEqual({ count: 1, total: 20 });
    expect(
      (
        await post(
          "coordinator",
          callOffForm({ partner: "DUE", quantity: "12", confirmOverdraw: "1" }),
        )
      ).status,
    ).toBe(302);
    // 44 − 32 = 12 left
    const errors = await errorsOf(
      await post("coordinator", callOffForm({ partner: "DUE", quantity: "13" })),
    );
    expect(errors.quantity).toEqual([
      "Abruf überschreitet die Höchstmenge: noch 12 Stück verfügbar.",
    ]);
    expect(await storedCallOffs()).toEqual({ count: 2, total: 32 });
  });

  test("the coordinator sees warnings; the officer sees the own share and own call-offs only", async () => {
    expect(
      (
        await post(
          "officerDue",
          callOffForm({ partner: "DUE", quantity: "4", orderNumber: "D-1", confirmOverdraw: "1" }),
        )
      ).status,
    ).toBe(302);
    // 36 of 44 = 81.8 %: warning
    const coordinator = await (
      await run(callOffLoader, makeRequest(PATH, { cookie: cookies.coordinator }), PARAMS)
    ).json();
    expect(coordinator.overview.categories[0]).toMatchObject({
      calledOff: 36,
      remaining: 8,
      level: "warning",
      share: null,
    });
    expect(coordinator.callOffs).toHaveLength(3);
    expect(coordinator.partners.map((p: { code: string }) => p.code)).toEqual(["COE", "DUE"]);

    const officer = await (
      await run(callOffLoader, makeRequest(PATH, { cookie: cookies.officerDue }), PARAMS)
    ).json();
    expect(officer.overview.categories[0]).toMatchObject({
      maxQuantity: 44,
      calledOff: 36,
      remaining: 8,
      share: { partnerCode: "DUE", calledOff: 16, planned: 10, limit: 11 },
    });
    expect(officer.callOffs.map((c: { partnerCode: string }) => c.partnerCode)).toEqual([
      "DUE",
      "DUE",
    ]);
    expect(officer.partners.map((p: { code: string }) => p.code)).toEqual(["DUE"]);
    expect(officer.fixedPartner).toBe("DUE");
  });

  test("20 parallel requests at the limit: exactly the units left succeed, the rest get the German refusal", async () => {
    const before = await storedCallOffs();
    const left = 44 - before.total;
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        post(
          i % 2 ? "officerCoe" : "coordinator",
          callOffForm({ quantity: "1", orderNumber: `P-${i}`, confirmOverdraw: "1" }),
        ),
      ),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 302)).toHaveLength(left);
    expect(statuses.filter((s) => s === 400)).toHaveLength(20 - left);
    const refused = responses.find((r) => r.status === 400)!;
    expect((await errorsOf(refused)).quantity).toEqual([
      "Abruf überschreitet die Höchstmenge: noch 0 Stück verfügbar.",
    ]);
    expect((await storedCallOffs()).total).toBe(44);
  });

  test("the tenders list shows the worst use as a badge; officers find the call-offs from their start page", async () => {
    const list = await (
      await run(tendersLoader, makeRequest("/tenders", { cookie: cookies.coordinator }))
    ).json();
    expect(list.usage).toEqual({ "RV-2027": "exhausted" });
    const start = await (
      await run(startLoader, makeRequest("/", { cookie: cookies.officerDue }))
    ).json();
    expect(start.frameworks).toEqual([{ code: "RV-2027", name: "Rahmenvertrag Endgeräte" }]);
  });

  test("plan against actual: officers see their own partner only, finance sees all", async () => {
    const request = (who: keyof SeededUsers) =>
      makeRequest("/tenders/RV-2027/plan-vs-actual", { cookie: cookies[who] });
    const finance = await (await run(planVsActualLoader, request("finance"), PARAMS)).json();
    expect(finance.partners.map((p: { code: string }) => p.code)).toEqual(["COE", "DUE"]);
    const due = finance.partners.find((p: { code: string }) => p.code === "DUE");
    // DUE called off 16 at 479,50 € = 7.672,00 € net
    expect(due.actual).toMatchObject({ quantity: 16, directNet: "767200" });
    expect(due.planned).toMatchObject({ quantity: 10, directNet: "479500" });
    expect(finance.pendingLots).toEqual([{ code: "L2", name: "Tablets" }]);

    const officer = await (await run(planVsActualLoader, request("officerCoe"), PARAMS)).json();
    expect(officer.partners.map((p: { code: string }) => p.code)).toEqual(["COE"]);
  });
});
