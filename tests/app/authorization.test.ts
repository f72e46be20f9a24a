import { loader as startLoader } from "../../app/routes/_index";
import { loader as demandLoader } from "../../app/routes/demand.$partner";
import { loader as demandIndexLoader } from "../../app/routes/demand._index";
import { loader as tendersLoader } from "../../app/routes/tenders._index";
import { loader as tenderLoader } from "../../app/routes/tenders.$code._index";
import { requirePartnerRead, requirePartnerWrite } from "../../app/utils/auth.server";
import { loadPartnerDemand } from "../../db/demand";
import { getTenderInputs, listTenders } from "../../db/tender-inputs";
import type { TestDatabase } from "../helpers/test-database";
import {
  COMMITTEE,
  COORDINATOR,
  FINANCE,
  OFFICER_COE,
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
  for (const email of [COORDINATOR, FINANCE, COMMITTEE, OFFICER_DUE, OFFICER_COE])
    cookies[email] = await signIn(email);
});
afterAll(() => tearDownAppDatabase(testDb));

function thrownStatus(fn: () => void): number | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    if (error instanceof Response) return error.status;
    throw error;
  }
}

describe("partner demand pages", () => {
  it("lets the Dülmen officer read Dülmen's demand", async () => {
    const response = await run(
      demandLoader,
      makeRequest("/demand/DUE", { cookie: cookies[OFFICER_DUE] }),
      { partner: "DUE" },
    );
    expect(response.status).toBe(200);
    expect(JSON.stringify(await response.json())).toContain("Stadt Dülmen");
  });

  it("reads a partner's schools, lines and the plan horizon", async () => {
    const demand = await loadPartnerDemand(testDb.db, "DUE");
    expect(demand!.partner.name).toBe("Stadt Dülmen");
    expect(demand!.years).toEqual([2027, 2028, 2029, 2030]);
    const expected = await testDb.db
      .selectFrom("demand_lines")
      .select((eb) => eb.fn.sum<number>("quantity").as("total"))
      .where("partner_code", "=", "DUE")
      .executeTakeFirstOrThrow();
    expect(demand!.cells.reduce((sum, line) => sum + line.quantity, 0)).toBe(
      Number(expected.total),
    );
    expect(demand!.schools.length).toBeGreaterThan(0);
    expect(demand!.schools.every((school) => school.code.startsWith("DUE-"))).toBe(true);
    expect(await loadPartnerDemand(testDb.db, "XYZ")).toBeUndefined();
  });

  it("refuses the Dülmen officer Coesfeld's demand with 403", async () => {
    const response = await run(
      demandLoader,
      makeRequest("/demand/COE", { cookie: cookies[OFFICER_DUE] }),
      { partner: "COE" },
    );
    expect(response.status).toBe(403);
  });

  it("lets coordinator, finance and committee read every partner", async () => {
    for (const email of [COORDINATOR, FINANCE, COMMITTEE]) {
      const response = await run(
        demandLoader,
        makeRequest("/demand/COE", { cookie: cookies[email] }),
        { partner: "COE" },
      );
      expect(response.status).toBe(200);
    }
  });

  it("answers 404 for an unknown partner", async () => {
    const response = await run(
      demandLoader,
      makeRequest("/demand/XYZ", { cookie: cookies[COORDINATOR] }),
      { partner: "XYZ" },
    );
    expect(response.status).toBe(404);
  });

  it("sends an officer from /demand to its own partner", async () => {
    const response = await run(
      demandIndexLoader,
      makeRequest("/demand", { cookie: cookies[OFFICER_COE] }),
    );
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/demand/COE");
  });
});

describe("partner read and write rules", () => {
  const officer = { role: "officer" as const, partnerCode: "DUE" };
  it("officers read and write only their own partner", () => {
    expect(thrownStatus(() => requirePartnerRead(officer, "DUE"))).toBeUndefined();
    expect(thrownStatus(() => requirePartnerWrite(officer, "DUE"))).toBeUndefined();
    expect(thrownStatus(() => requirePartnerRead(officer, "COE"))).toBe(403);
    expect(thrownStatus(() => requirePartnerWrite(officer, "COE"))).toBe(403);
  });
  it("the coordinator reads and writes all; finance and committee read all and write nothing", () => {
    expect(
      thrownStatus(() => requirePartnerWrite({ role: "coordinator", partnerCode: null }, "COE")),
    ).toBeUndefined();
    for (const role of ["finance", "committee"] as const) {
      expect(
        thrownStatus(() => requirePartnerRead({ role, partnerCode: null }, "COE")),
      ).toBeUndefined();
      expect(thrownStatus(() => requirePartnerWrite({ role, partnerCode: null }, "COE"))).toBe(403);
    }
  });
});

describe("tenders", () => {
  it("lists tenders for every signed-in role, officers included (shared results)", async () => {
    for (const email of [COORDINATOR, FINANCE, COMMITTEE, OFFICER_DUE]) {
      const response = await run(
        tendersLoader,
        makeRequest("/tenders", { cookie: cookies[email] }),
      );
      expect(response.status).toBe(200);
      expect(JSON.stringify(await response.json())).toContain("RV-2027");
    }
    expect(await listTenders(testDb.db)).toEqual([
      {
        code: "RV-2027",
        name: "Rahmenvertrag Schul-IT 2027–2030",
        startYear: 2027,
        termYears: 4,
        lotCount: 4,
      },
    ]);
    const signedOut = await run(tendersLoader, makeRequest("/tenders"));
    expect(signedOut.status).toBe(302);
  });

  it("opens a tender for finance and officers (read-only), 404 for an unknown one", async () => {
    const response = await run(
      tenderLoader,
      makeRequest("/tenders/RV-2027", { cookie: cookies[FINANCE] }),
      { code: "RV-2027" },
    );
    expect(response.status).toBe(200);
    const missing = await run(
      tenderLoader,
      makeRequest("/tenders/NOPE", { cookie: cookies[FINANCE] }),
      { code: "NOPE" },
    );
    expect(missing.status).toBe(404);
    const officer = await run(
      tenderLoader,
      makeRequest("/tenders/RV-2027", { cookie: cookies[OFFICER_DUE] }),
      { code: "RV-2027" },
    );
    expect(officer.status).toBe(200);
    expect((await officer.json()).canEdit).toBe(false);
  });

  it("reads a tender's inputs in cents and plan order", async () => {
    const tender = await getTenderInputs(testDb.db, "RV-2027");
    expect(tender!.soloProcessCostGrossCents).toBe(750_000);
    expect(tender!.reserve).toBe("0.10");
    expect(tender!.lots.map((lot) => lot.code)).toEqual(["L1", "L2", "L3", "L4"]);
    expect(tender!.lots[0].categories.map((c) => c.code)).toEqual([
      "NB-SUS",
      "NB-LK",
      "TAB",
      "CONV",
    ]);
    expect(tender!.lots[0].categories[0].basePriceNetCents).toBe(44_900);
    expect(tender!.commonCosts.map((c) => [c.label, c.amountGrossCents, c.key])).toEqual([
      ["Vergaberechtliche Beratung", 3_500_000, "volume"],
      ["Projektleitung (Kreis)", 1_800_000, "pupils"],
      ["Vergabeplattform", 240_000, "equal"],
    ]);
    expect(await getTenderInputs(testDb.db, "NOPE")).toBeUndefined();
  });
});

describe("start page per role", () => {
  it("shows the officer its partner's status and the deadline (or none)", async () => {
    const withoutDeadline = await (
      await run(startLoader, makeRequest("/", { cookie: cookies[OFFICER_DUE] }))
    ).json();
    expect(withoutDeadline.view).toBe("officer");
    expect(withoutDeadline.partner).toEqual({ code: "DUE", name: "Stadt Dülmen" });
    expect(withoutDeadline.rounds.map((r: { code: string }) => r.code)).toEqual(["RV-2027"]);
    expect(withoutDeadline.rounds[0].status).toBe("draft");
    expect(withoutDeadline.rounds[0].deadline).toBeNull();
    await testDb.db
      .insertInto("demand_rounds")
      .values({ tender_code: "RV-2027", deadline: "2026-12-15T12:00", opened_at: "x" })
      .onConflict((oc) => oc.column("tender_code").doUpdateSet({ deadline: "2026-12-15T12:00" }))
      .execute();
    const withDeadline = await (
      await run(startLoader, makeRequest("/", { cookie: cookies[OFFICER_DUE] }))
    ).json();
    expect(withDeadline.rounds[0].deadline.text).toBe("15.12.2026, 12:00 Uhr");
    await testDb.db
      .updateTable("demand_rounds")
      .set({ deadline: null })
      .where("tender_code", "=", "RV-2027")
      .execute();
  });

  it("shows the coordinator every partner's progress", async () => {
    await testDb.db
      .insertInto("demand_round_status")
      .values({
        tender_code: "RV-2027",
        partner_code: "COE",
        status: "submitted",
        changed_at: "2099-01-01T10:00:00.000Z",
        changed_by: null,
      })
      .execute();
    const data = await (
      await run(startLoader, makeRequest("/", { cookie: cookies[COORDINATOR] }))
    ).json();
    expect(data.view).toBe("coordinator");
    expect(data.rounds).toHaveLength(1);
    const progress = data.rounds[0].progress;
    expect(progress).toHaveLength(12);
    const coe = progress.find((row: { partnerCode: string }) => row.partnerCode === "COE");
    const expected = await testDb.db
      .selectFrom("demand_lines")
      .select((eb) => [
        eb.fn.countAll<number>().as("lines"),
        eb.fn.sum<number>("quantity").as("quantity"),
      ])
      .where("partner_code", "=", "COE")
      .where("quantity", ">", 0)
      .executeTakeFirstOrThrow();
    expect(coe.status).toBe("submitted");
    expect(coe.lineCount).toBe(Number(expected.lines));
    expect(coe.totalQuantity).toBe(Number(expected.quantity));
    expect(coe.lastChangedAt).toBe("2099-01-01T10:00:00.000Z");
  });

  it("shows finance and committee the tenders", async () => {
    for (const email of [FINANCE, COMMITTEE]) {
      const data = await (
        await run(startLoader, makeRequest("/", { cookie: cookies[email] }))
      ).json();
      expect(data.view).toBe("reader");
      expect(data.tenders.map((t: { code: string }) => t.code)).toEqual(["RV-2027"]);
    }
  });
});
