// The coordinator's start page warns about framework agreements whose maximum quantity
// is used up to 80 % and 95 % (or reached), links to their call-offs and says nothing
// while all is well. Other roles do not get the list.
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import {
  createStaticHandler,
  createStaticRouter,
  StaticRouterProvider,
} from "react-router-dom/server";
import StartPage, { loader as startLoader } from "../../app/routes/_index";
import { awardLot } from "../../db/awards";
import { recordCallOff } from "../../db/call-offs";
import { USAGE_LEVEL_LABELS } from "../../domain/call-offs";
import {
  seedCallOffPlan,
  SEED_PASSWORD,
  CALL_OFF_PLAN,
  type SeededUsers,
} from "../helpers/call-offs-seed";
import type { TestDatabase } from "../helpers/test-database";
import { makeRequest, run, setUpAppDatabase, signIn, tearDownAppDatabase } from "./support";

const TENDER = CALL_OFF_PLAN.tenders![0];
const HEADING = "Rahmenverträge mit hoher Ausschöpfung";

let testDb: TestDatabase;
let users: SeededUsers;
const cookies: Partial<Record<keyof SeededUsers, string>> = {};

beforeAll(async () => {
  testDb = await setUpAppDatabase({ demo: false });
  users = await seedCallOffPlan(testDb.db);
  for (const key of ["coordinator", "officerCoe", "finance"] as const)
    cookies[key] = await signIn(users[key].email, SEED_PASSWORD);
});
afterAll(() => tearDownAppDatabase(testDb));

async function startData(who: keyof SeededUsers) {
  const response = await run(startLoader, makeRequest("/", { cookie: cookies[who] }));
  expect(response.status).toBe(200);
  return response.json();
}

/** The page as the server renders it, from the loader's data (a static data router around the route component). */
async function startPage(who: keyof SeededUsers): Promise<string> {
  const data = await startData(who);
  const handler = createStaticHandler([
    { id: "routes/_index", path: "/", loader: () => data, Component: StartPage },
  ]);
  const context = await handler.query(new Request("http://verbundkauf.test/"));
  if (context instanceof Response) throw new Error(`unexpected response ${context.status}`);
  const router = createStaticRouter(handler.dataRoutes, context);
  return renderToStaticMarkup(
    createElement(StaticRouterProvider, { router, context, hydrate: false }),
  );
}

/** Calls off NB (lot L1, maximum 44 = 40 planned + 10 % reserve) up to `total` units. */
let calledOff = 0;
async function callOffUpTo(total: number) {
  const outcome = await recordCallOff(testDb.db, {
    tenderCode: TENDER.code,
    partnerCode: "COE",
    categoryCode: "NB",
    schoolCode: null,
    date: "2027-03-01",
    quantity: total - calledOff,
    orderNumber: `B-${total}`,
    userId: users.coordinator.id,
    // Beyond COE's own share (30 + 10 %): confirmed, as after the warning.
    confirmOverdraw: true,
  });
  expect(outcome.ok).toBe(true);
  calledOff = total;
}

test("nothing before the award", async () => {
  expect((await startData("coordinator")).highUsage).toEqual([]);
  expect(await startPage("coordinator")).not.toContain(HEADING);
});

describe("after the award of lot L1 (NB, maximum 44)", () => {
  beforeAll(async () => {
    const outcome = await awardLot(testDb.db, {
      tenderCode: TENDER.code,
      lotCode: "L1",
      supplier: "Muster IT GmbH",
      awardDate: "2026-11-02",
      pricesCents: { NB: 47_950n },
      userId: users.coordinator.id,
      today: "2026-11-28",
    });
    expect(outcome.ok).toBe(true);
  });

  test("below 80 % (35 of 44 = 79,5 %): no list", async () => {
    await callOffUpTo(35);
    expect((await startData("coordinator")).highUsage).toEqual([]);
    const html = await startPage("coordinator");
    expect(html).not.toContain(HEADING);
    expect(html).toContain("Stand der Bedarfsmeldungen"); // the rest of the page is there
  });

  test("from 80 % (36 of 44): the framework with a yellow tag, linking to its call-offs", async () => {
    await callOffUpTo(36);
    expect((await startData("coordinator")).highUsage).toEqual([
      { code: TENDER.code, name: TENDER.name, level: "warning" },
    ]);
    const html = await startPage("coordinator");
    expect(html).toContain(HEADING);
    const item = /<li data-tender="RV-2027">(.*?)<\/li>/.exec(html)?.[1] ?? "";
    expect(item).toMatch(
      /<a [^>]*href="\/tenders\/RV-2027\/call-offs"[^>]*>Rahmenvertrag Endgeräte \(RV-2027\)<\/a>/,
    );
    expect(item).toContain(USAGE_LEVEL_LABELS.warning);
    // The list stands before the demand progress: the warning is what needs acting on.
    expect(html.indexOf(HEADING)).toBeLessThan(html.indexOf("Stand der Bedarfsmeldungen"));
  });

  test("still a warning at 41 of 44 (93,2 %), critical from 95 % (42 of 44), then reached", async () => {
    await callOffUpTo(41);
    expect((await startData("coordinator")).highUsage[0].level).toBe("warning");
    await callOffUpTo(42);
    expect((await startData("coordinator")).highUsage[0].level).toBe("critical");
    expect(await startPage("coordinator")).toContain(USAGE_LEVEL_LABELS.critical);
    await callOffUpTo(44);
    expect((await startData("coordinator")).highUsage[0].level).toBe("exhausted");
    expect(await startPage("coordinator")).toContain(USAGE_LEVEL_LABELS.exhausted);
  });

  test("officers and finance do not get the list", async () => {
    expect((await startData("officerCoe")).highUsage).toBeUndefined();
    expect(await startPage("officerCoe")).not.toContain(HEADING);
    expect((await startData("finance")).highUsage).toBeUndefined();
  });
});
