// Route integration tests for tender editing: authorization of every action, German
// validation messages at the field, the coverage and zero-weight errors, and the live
// figures against the engine.
import {
  action as tenderAction,
  loader as tenderLoader,
} from "../../app/routes/tenders.$code._index";
import { loader as tendersLoader } from "../../app/routes/tenders._index";
import { action as newTenderAction, loader as newTenderLoader } from "../../app/routes/tenders.new";
import { CONFIRM_FIRST } from "../../app/components/tender-forms";
import { listAudit } from "../../db/audit";
import { exportPlan, importPlan } from "../../db/plan-io";
import { getTenderForEditing } from "../../db/tender-inputs";
import { calculatePlan } from "../../domain/calculate";
import { formatEuro } from "../../domain/money";
import { snapshotDatabase } from "../db/plan-fixtures";
import { editingPlan } from "../db/tenders-fixtures";
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
  await importPlan(testDb.db, editingPlan(), { replace: true });
  for (const email of [COORDINATOR, FINANCE, COMMITTEE, OFFICER_DUE])
    cookies[email] = await signIn(email);
});
afterAll(() => tearDownAppDatabase(testDb));

const NEW_TENDER = {
  code: "RV-2031",
  name: "Präsentation 2031",
  startYear: "2031",
  termYears: "2",
  reservePercent: "10",
  soloProcessCostGross: "7.500,00",
};

async function post(
  handler: typeof tenderAction,
  path: string,
  form: Record<string, string>,
  email = COORDINATOR,
  params = {},
) {
  return run(handler, makeRequest(path, { cookie: cookies[email], form }), params);
}

function postTender(form: Record<string, string>, email = COORDINATOR, code = "RV-2031") {
  return post(tenderAction, `/tenders/${code}`, form, email, { code });
}

/** The conform reply of a refused form: { formId, result: { error: { field: [messages] } } }. */
async function fieldErrors(
  response: Response,
): Promise<{ formId: string; errors: Record<string, string[] | null> }> {
  expect(response.status).toBe(400);
  const body = await response.json();
  return { formId: body.formId, errors: body.result.error ?? {} };
}

async function lotId(code: string): Promise<number> {
  const tender = await getTenderForEditing(testDb.db, "RV-2031");
  const lot = tender?.lots.find((l) => l.code === code);
  if (!lot) throw new Error(`no lot ${code}`);
  return lot.id;
}

describe("creating a tender", () => {
  it("is for the coordinator only: the others get 403 and nothing changes", async () => {
    const before = await snapshotDatabase(testDb.db);
    for (const email of [FINANCE, COMMITTEE, OFFICER_DUE]) {
      expect(
        (await run(newTenderLoader, makeRequest("/tenders/new", { cookie: cookies[email] })))
          .status,
      ).toBe(403);
      expect((await post(newTenderAction, "/tenders/new", NEW_TENDER, email)).status).toBe(403);
    }
    expect(await snapshotDatabase(testDb.db)).toEqual(before);
    const signedOut = await run(newTenderAction, makeRequest("/tenders/new", { form: NEW_TENDER }));
    expect(signedOut.status).toBe(302);
    expect(signedOut.headers.get("Location")).toMatch(/^\/login/);
  });

  it("shows German messages at the fields", async () => {
    const response = await post(newTenderAction, "/tenders/new", {
      ...NEW_TENDER,
      code: "",
      termYears: "5",
      reservePercent: "abc",
      soloProcessCostGross: "7.50",
    });
    const { formId, errors } = await fieldErrors(response);
    expect(formId).toBe("tender");
    expect(errors.code).toEqual(["Bitte ein Kürzel eingeben."]);
    expect(errors.termYears).toEqual(["Die Laufzeit beträgt 1 bis 4 Jahre (§ 21 VgV)."]);
    expect(errors.reservePercent?.[0]).toMatch(/^Bitte eine Zahl wie 12,5/);
    expect(errors.soloProcessCostGross?.[0]).toMatch(/7\.500,00/);
  });

  it("creates the tender with exact cents and redirects to it", async () => {
    const response = await post(newTenderAction, "/tenders/new", NEW_TENDER);
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/tenders/RV-2031?notice=created");
    const tender = await getTenderForEditing(testDb.db, "RV-2031");
    expect(tender).toMatchObject({
      startYear: 2031,
      termYears: 2,
      reserve: "0.1",
      soloProcessCostGrossCents: 750000,
    });
    const coordinatorId = (
      await testDb.db
        .selectFrom("users")
        .select("id")
        .where("email", "=", COORDINATOR)
        .executeTakeFirstOrThrow()
    ).id;
    expect((await listAudit(testDb.db, { entity: "tender" }))[0]).toMatchObject({
      action: "create",
      entityKey: "RV-2031",
      userId: coordinatorId,
    });
  });

  it("refuses a taken code at the field", async () => {
    const { errors } = await fieldErrors(await post(newTenderAction, "/tenders/new", NEW_TENDER));
    expect(errors.code).toEqual(["Das Kürzel RV-2031 ist bereits vergeben."]);
  });
});

describe("editing a tender", () => {
  it("adds two lots and refuses a category covered twice, with the lot and the tender named", async () => {
    expect(
      (await postTender({ intent: "add-lot", code: "L1", name: "Beamer", categories: "BEAM" }))
        .status,
    ).toBe(302);
    const sibling = await fieldErrors(
      await run(
        tenderAction,
        new Request("http://verbundkauf.test/tenders/RV-2031", {
          method: "POST",
          headers: { Cookie: cookies[COORDINATOR] },
          body: new URLSearchParams([
            ["intent", "add-lot"],
            ["code", "L2"],
            ["name", "Audio"],
            ["categories", "HEAD"],
            ["categories", "BEAM"],
          ]),
        }),
        { code: "RV-2031" },
      ),
    );
    expect(sibling.formId).toBe("new-lot");
    expect(sibling.errors.categories).toEqual([
      "Produktgruppe Beamer (BEAM) ist bereits Los L1 zugeordnet.",
    ]);

    expect(
      (await postTender({ intent: "add-lot", code: "L2", name: "Audio", categories: "HEAD" }))
        .status,
    ).toBe(302);
    const plan = await exportPlan(testDb.db);
    expect(plan.tenders?.[1].lots).toEqual([
      { code: "L1", name: "Beamer", categories: ["BEAM"] },
      { code: "L2", name: "Audio", categories: ["HEAD"] },
    ]);
  });

  it("refuses a category another tender covers in the same years, naming tender and years", async () => {
    const created = await post(newTenderAction, "/tenders/new", {
      ...NEW_TENDER,
      code: "RV-2030",
      startYear: "2030",
      termYears: "1",
    });
    expect(created.status).toBe(302);
    const before = await snapshotDatabase(testDb.db);
    const { formId, errors } = await fieldErrors(
      await postTender(
        { intent: "add-lot", code: "T1", name: "Tablets", categories: "TAB" },
        COORDINATOR,
        "RV-2030",
      ),
    );
    expect(formId).toBe("new-lot");
    expect(errors.categories).toEqual([
      "Produktgruppe Tablet mit Hülle (TAB) ist 2030 bereits in Ausschreibung RV-2027 („Rahmenvertrag Schul-IT 2027–2030“).",
    ]);
    expect(await snapshotDatabase(testDb.db)).toEqual(before);
    expect(
      (await postTender({ intent: "delete-tender", confirm: "yes" }, COORDINATOR, "RV-2030"))
        .status,
    ).toBe(302);
  });

  it("refuses moving the tender into years where its categories are covered", async () => {
    // Put TAB into a new lot (fine in 2031–2032), then try to start the tender in 2029.
    expect(
      (await postTender({ intent: "add-lot", code: "L3", name: "Tablets", categories: "TAB" }))
        .status,
    ).toBe(302);
    const { errors } = await fieldErrors(
      await postTender({ intent: "tender", ...NEW_TENDER, startYear: "2029" }),
    );
    expect(errors.startYear).toEqual([
      "Produktgruppe Tablet mit Hülle (TAB) ist 2029–2030 bereits in Ausschreibung RV-2027 („Rahmenvertrag Schul-IT 2027–2030“).",
    ]);
    // Without the confirmation: a second step asks first, nothing deleted.
    const unconfirmed = await postTender({
      intent: "delete-lot",
      lotId: String(await lotId("L3")),
    });
    expect(unconfirmed.status).toBe(400);
    expect((await unconfirmed.json()).result.error).toEqual({ "": [CONFIRM_FIRST] });
    expect(await lotId("L3")).toBeDefined();
    expect(
      (
        await postTender({
          intent: "delete-lot",
          lotId: String(await lotId("L3")),
          confirm: "yes",
        })
      ).status,
    ).toBe(302);
  });

  it("adds a custom-weight cost, refusing weights that sum to zero at the field", async () => {
    const zero = await fieldErrors(
      await postTender({
        intent: "add-cost",
        label: "Projektleitung",
        amountGross: "12.000,00",
        key: "custom",
        "weights[0].partner": "ASC",
        "weights[0].weight": "0",
        "weights[1].partner": "COE",
        "weights[1].weight": "",
      }),
    );
    expect(zero.formId).toBe("new-cost");
    expect(zero.errors.weights?.[0]).toMatch(/Summe ist 0/);

    const saved = await postTender({
      intent: "add-cost",
      label: "Projektleitung",
      amountGross: "12.000,00",
      key: "custom",
      "weights[0].partner": "ASC",
      "weights[0].weight": "1",
      "weights[1].partner": "COE",
      "weights[1].weight": "2,5",
      "weights[2].partner": "DUE",
      "weights[2].weight": "",
      "weights[3].partner": "KRS",
      "weights[3].weight": "0,5",
    });
    expect(saved.status).toBe(302);
    const plan = await exportPlan(testDb.db);
    expect(plan.tenders?.[1].commonCosts).toEqual([
      {
        label: "Projektleitung",
        amountGross: "12000.00",
        key: "custom",
        weights: { ASC: "1", COE: "2.5", KRS: "0.5" },
      },
    ]);
  });

  it("rolls back a weight for a partner outside the tender and shows the plan problem", async () => {
    const tender = await getTenderForEditing(testDb.db, "RV-2031");
    const costId = tender!.commonCosts[0].id;
    const before = await snapshotDatabase(testDb.db);
    const { formId, errors } = await fieldErrors(
      await postTender({
        intent: "update-cost",
        costId: String(costId),
        label: "Projektleitung",
        amountGross: "12.000,00",
        key: "custom",
        "weights[0].partner": "NOK",
        "weights[0].weight": "1",
      }),
    );
    expect(formId).toBe(`cost-${costId}`);
    expect(errors[""]?.[0]).toBe(
      "Die Änderung wurde nicht gespeichert, weil der Plan danach ungültig wäre:",
    );
    expect(errors[""]?.slice(1).some((m) => m.includes("NOK"))).toBe(true);
    expect(await snapshotDatabase(testDb.db)).toEqual(before);
  });

  it("refuses every action to finance, committee and officers with 403, changing nothing", async () => {
    const tender = await getTenderForEditing(testDb.db, "RV-2031");
    const forms: Record<string, string>[] = [
      { intent: "tender", ...NEW_TENDER, name: "Gekapert" },
      { intent: "delete-tender", confirm: "yes" },
      { intent: "add-lot", code: "L9", name: "X" },
      { intent: "update-lot", lotId: String(tender!.lots[0].id), code: "L1", name: "X" },
      { intent: "delete-lot", lotId: String(tender!.lots[0].id) },
      { intent: "add-cost", label: "X", amountGross: "1", key: "equal" },
      {
        intent: "update-cost",
        costId: String(tender!.commonCosts[0].id),
        label: "X",
        amountGross: "1",
        key: "equal",
      },
      { intent: "delete-cost", costId: String(tender!.commonCosts[0].id) },
    ];
    const before = await snapshotDatabase(testDb.db);
    for (const email of [FINANCE, COMMITTEE, OFFICER_DUE]) {
      for (const form of forms)
        expect((await postTender(form, email)).status, `${email} ${form.intent}`).toBe(403);
    }
    expect(await snapshotDatabase(testDb.db)).toEqual(before);
  });

  it("lets finance, committee and officers read the page without edit rights", async () => {
    for (const email of [FINANCE, COMMITTEE, OFFICER_DUE]) {
      const response = await run(
        tenderLoader,
        makeRequest("/tenders/RV-2031", { cookie: cookies[email] }),
        { code: "RV-2031" },
      );
      expect(response.status).toBe(200);
      expect((await response.json()).canEdit).toBe(false);
    }
  });

  it("shows the engine's figures for the stored data", async () => {
    const response = await run(
      tenderLoader,
      makeRequest("/tenders/RV-2031", { cookie: cookies[COORDINATOR] }),
      { code: "RV-2031" },
    );
    const data = await response.json();
    const calc = calculatePlan(await exportPlan(testDb.db)).tenders.find(
      (t) => t.code === "RV-2031",
    )!;
    expect(data.canEdit).toBe(true);
    expect(data.participants.map((p: { code: string }) => p.code)).toEqual([
      "ASC",
      "COE",
      "DUE",
      "KRS",
    ]);
    expect(data.result.estimatedValue).toBe(formatEuro(calc.estimatedValueNet));
    expect(data.result.lots.map((l: { estimatedValue: string }) => l.estimatedValue)).toEqual(
      calc.lots.map((l) => formatEuro(l.estimatedValueNet)),
    );
    const coe = calc.partners.find((p) => p.code === "COE")!;
    expect(data.result.partners.find((p: { code: string }) => p.code === "COE")).toMatchObject({
      directNet: formatEuro(coe.directNet),
      commonCostShare: formatEuro(coe.commonCostShare),
      savingsGross: formatEuro(coe.savingsGross),
    });
    expect(data.result.totals.totalGross).toBe(formatEuro(calc.totals.totalGross));
    // The edit form shows the stored weights in German notation, one input per participant.
    expect(data.costs[0].defaults.weights).toEqual([
      { partner: "ASC", weight: "1" },
      { partner: "COE", weight: "2,5" },
      { partner: "DUE", weight: "" },
      { partner: "KRS", weight: "0,5" },
    ]);
  });

  it("lists tenders with value and EU verdict from the engine", async () => {
    const response = await run(
      tendersLoader,
      makeRequest("/tenders", { cookie: cookies[FINANCE] }),
    );
    const data = await response.json();
    const calc = calculatePlan(await exportPlan(testDb.db));
    expect(data.canCreate).toBe(false);
    expect(data.tenders).toEqual(
      calc.tenders.map((t) =>
        expect.objectContaining({
          code: t.code,
          estimatedValue: formatEuro(t.estimatedValueNet),
          euProcedureRequired: t.euProcedureRequired,
        }),
      ),
    );
    expect(data.tenders[0].euProcedureRequired).toBe(true);
  });

  it("renames lots, edits and deletes costs, and writes the audit log", async () => {
    const tender = await getTenderForEditing(testDb.db, "RV-2031");
    const l2 = tender!.lots.find((l) => l.code === "L2")!;
    expect(
      (
        await postTender({
          intent: "update-lot",
          lotId: String(l2.id),
          code: "A1",
          name: "Audio neu",
          categories: "HEAD",
        })
      ).status,
    ).toBe(302);
    const costId = tender!.commonCosts[0].id;
    expect(
      (
        await postTender({
          intent: "update-cost",
          costId: String(costId),
          label: "Projektleitung",
          amountGross: "9000",
          key: "equal",
        })
      ).status,
    ).toBe(302);
    let plan = await exportPlan(testDb.db);
    expect(plan.tenders?.[1].lots.map((l) => l.code)).toEqual(["L1", "A1"]);
    expect(plan.tenders?.[1].commonCosts).toEqual([
      { label: "Projektleitung", amountGross: "9000.00", key: "equal" },
    ]);
    expect((await postTender({ intent: "delete-cost", costId: String(costId) })).status).toBe(400);
    expect(
      (await postTender({ intent: "delete-cost", costId: String(costId), confirm: "yes" })).status,
    ).toBe(302);
    plan = await exportPlan(testDb.db);
    expect(plan.tenders?.[1].commonCosts).toEqual([]);
    const actions = (await listAudit(testDb.db))
      .filter((a) => a.entity === "lot" || a.entity === "common_cost")
      .map((a) => `${a.action} ${a.entity}`);
    expect(actions.slice(0, 3)).toEqual(["delete common_cost", "update common_cost", "update lot"]);
  });

  it("renames the tender and redirects to its new address; deleting needs the confirmation", async () => {
    const renamed = await postTender({
      intent: "tender",
      ...NEW_TENDER,
      code: "RV-31",
      name: "Neu",
    });
    expect(renamed.headers.get("Location")).toBe("/tenders/RV-31?notice=saved");
    const unconfirmed = await fieldErrors(
      await postTender({ intent: "delete-tender" }, COORDINATOR, "RV-31"),
    );
    expect(unconfirmed.errors[""]).toEqual(["Bitte bestätigen Sie das Löschen mit dem Häkchen."]);
    expect(await getTenderForEditing(testDb.db, "RV-31")).toBeDefined();
    const deleted = await postTender(
      { intent: "delete-tender", confirm: "yes" },
      COORDINATOR,
      "RV-31",
    );
    expect(deleted.headers.get("Location")).toBe("/tenders?notice=deleted");
    expect(await getTenderForEditing(testDb.db, "RV-31")).toBeUndefined();
  });
});
