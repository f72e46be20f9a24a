// Authorization of the data, not only of the status: what a loader returns travels to
// the browser whole (the page's JSON and `?_data=` requests), whatever the page then
// shows. An officer's loader data on the pages that show only the officer's own
// partner must not hold another partner's codes, names, schools or figures.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { loader as startLoader } from "../../app/routes/_index";
import { loader as callOffsLoader } from "../../app/routes/tenders.$code.call-offs";
import { loader as planVsActualLoader } from "../../app/routes/tenders.$code.plan-vs-actual";
import { loader as demandLoader } from "../../app/routes/demand.$partner";
import { loader as historyLoader } from "../../app/routes/demand.$partner_.history";
import { loader as importLoader } from "../../app/routes/demand.$partner_.import";
import { awardLot } from "../../db/awards";
import { recordCallOff } from "../../db/call-offs";
import {
  awardOfL1,
  seedCallOffPlan,
  SEED_PASSWORD,
  type SeededUsers,
} from "../helpers/call-offs-seed";
import type { TestDatabase } from "../helpers/test-database";
import { makeRequest, run, setUpAppDatabase, signIn, tearDownAppDatabase } from "../app/support";

let testDb: TestDatabase;
let users: SeededUsers;
let officerDue: string;
let coordinator: string;
beforeAll(async () => {
  testDb = await setUpAppDatabase({ demo: false });
  users = await seedCallOffPlan(testDb.db);
  const award = await awardLot(testDb.db, awardOfL1(users));
  expect(award.ok).toBe(true);
  // Coesfeld calls off an odd quantity, so its figures are recognisable.
  for (const partnerCode of ["COE", "DUE"]) {
    const callOff = await recordCallOff(testDb.db, {
      tenderCode: "RV-2027",
      partnerCode,
      categoryCode: "NB",
      schoolCode: null,
      date: "2027-03-01",
      quantity: partnerCode === "COE" ? 17 : 3,
      orderNumber: `B-${partnerCode}-4711`,
      userId: users.coordinator.id,
    });
    expect(callOff.ok).toBe(true);
  }
  officerDue = await signIn(users.officerDue.email, SEED_PASSWORD);
  coordinator = await signIn(users.coordinator.email, SEED_PASSWORD);
});
afterAll(() => tearDownAppDatabase(testDb));

type Loader = (args: LoaderFunctionArgs) => Promise<unknown>;

/** The pages that show an officer only the own partner (the others show every partner to everyone). */
const OWN_PARTNER_PAGES: [string, Loader, Record<string, string>][] = [
  ["/tenders/RV-2027/plan-vs-actual", planVsActualLoader, { code: "RV-2027" }],
  ["/tenders/RV-2027/call-offs", callOffsLoader, { code: "RV-2027" }],
  ["/", startLoader, {}],
  ["/demand/DUE", demandLoader, { partner: "DUE" }],
  ["/demand/DUE/history", historyLoader, { partner: "DUE" }],
  ["/demand/DUE/import", importLoader, { partner: "DUE" }],
];

/** What gives Coesfeld away: its code, name, school, order numbers. */
const COESFELD_TRACES = [/"COE"/, /Coesfeld/, /COE-GY/, /B-COE-/];

async function loaderJson(
  loader: Loader,
  path: string,
  params: Record<string, string>,
  cookie: string,
) {
  const response = await run(loader as never, makeRequest(path, { cookie }), params);
  expect(response.status, path).toBe(200);
  return response.text();
}

test.each(OWN_PARTNER_PAGES)(
  "an officer's loader data of %s holds no other partner",
  async (path, loader, params) => {
    const text = await loaderJson(loader, path, params, officerDue);
    expect(text).toMatch(/DUE|Dülmen/); // the own partner is there: the check looks at real data
    for (const trace of COESFELD_TRACES) expect(text, `${path} ${trace}`).not.toMatch(trace);
  },
);

test("the coordinator's plan-against-actual data holds both partners (the filter is by role)", async () => {
  const text = await loaderJson(
    planVsActualLoader,
    "/tenders/RV-2027/plan-vs-actual",
    { code: "RV-2027" },
    coordinator,
  );
  const data = JSON.parse(text) as { comparison: { partners: { code: string }[] } };
  expect(data.comparison.partners.map((p) => p.code)).toEqual(["COE", "DUE"]);
});
