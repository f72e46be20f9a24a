// Two app processes on one PostgreSQL database, as a load balancer in front of two
// machines would run them: a session made through one is valid in the other (sessions
// live in the consortium's schema, the cookie is signed with the shared SESSION_SECRET),
// a sign-out through one ends it in both, and call-offs recorded through both at once
// never exceed the framework maximum (the advisory write lock of immediateTransaction
// serializes the check and the insert across processes).
import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import { awardLot } from "../../db/awards";
import { awardOfL1, SEED_PASSWORD, seedCallOffPlan } from "../helpers/call-offs-seed";
import {
  createPostgresDatabase,
  openConsortiumAt,
  openTestInstallation,
  startAppServer,
  testPostgresUrl,
  type AppServer,
  type PostgresDatabase,
} from "../helpers/app-server";
import { registerConsortium } from "../../db/registry";

const POSTGRES = testPostgresUrl();
if (!POSTGRES)
  console.warn(
    "\n*** tests/app/two-processes-postgres.test.ts SKIPPED: TEST_DATABASE_URL is not set. " +
      "Two app processes on one PostgreSQL database are NOT tested in this run. " +
      "Start a cluster with `node scripts/pg-cluster.mjs start` and set TEST_DATABASE_URL. ***\n",
  );

const SECRET = randomBytes(32).toString("hex");
const START_DATA = `/?_data=${encodeURIComponent("routes/_index")}`;

describe.skipIf(!POSTGRES)("two app processes on one PostgreSQL database", () => {
  let database: PostgresDatabase;
  let a: AppServer;
  let b: AppServer;

  beforeAll(async () => {
    database = await createPostgresDatabase();
    const stores = await openTestInstallation(database.url);
    try {
      await registerConsortium(stores.registry, "KC", "Kreis Coesfeld");
      const db = await stores.database("KC");
      const users = await seedCallOffPlan(db);
      expect((await awardLot(db, awardOfL1(users))).ok).toBe(true);
    } finally {
      await stores.destroy();
    }
    [a, b] = await Promise.all([
      startAppServer({ databaseUrl: database.url, env: { SESSION_SECRET: SECRET } }),
      startAppServer({ databaseUrl: database.url, env: { SESSION_SECRET: SECRET } }),
    ]);
  }, 240_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await database?.drop();
  });

  async function signIn(server: AppServer, email: string): Promise<string> {
    const response = await fetch(`${server.url}/login`, {
      method: "POST",
      body: new URLSearchParams({ email, password: SEED_PASSWORD }),
      headers: { Origin: new URL(server.url).origin },
      redirect: "manual",
    });
    expect(response.status).toBe(302);
    return (response.headers.get("Set-Cookie") ?? "").split(";")[0];
  }

  const get = (server: AppServer, url: string, cookie: string) =>
    fetch(server.url + url, { headers: { Cookie: cookie }, redirect: "manual" });

  const post = (server: AppServer, url: string, cookie: string, form: Record<string, string>) =>
    fetch(server.url + url, {
      method: "POST",
      body: new URLSearchParams(form),
      headers: { Cookie: cookie, Origin: new URL(server.url).origin },
      redirect: "manual",
    });

  test("both servers really use PostgreSQL, the same database", () => {
    expect(a.databaseUrl).toBe(database.url);
    expect(b.databaseUrl).toBe(database.url);
  });

  test("a session made through one process is valid in the other; a sign-out ends it in both", async () => {
    const cookie = await signIn(a, "koordination@test.example");
    expect((await get(a, START_DATA, cookie)).status).toBe(200);
    expect((await get(b, START_DATA, cookie)).status).toBe(200);
    // A forged session id is refused by both.
    const forged = cookie.replace(/=.*/, "=nicht-echt");
    for (const server of [a, b]) expect((await get(server, "/", forged)).status).toBe(302);

    expect((await post(b, "/logout", cookie, {})).status).toBe(302);
    for (const server of [a, b]) {
      const after = await get(server, "/", cookie);
      expect(after.status).toBe(302);
      expect(after.headers.get("Location")).toMatch(/^\/login/);
    }
  }, 60_000);

  test("call-offs through both processes at once never exceed the framework maximum", async () => {
    const officers = {
      COE: await signIn(a, "coesfeld@test.example"),
      DUE: await signIn(b, "duelmen@test.example"),
    };
    // NB: maximum 44 (Q = 40 plus 10 % reserve). Twelve call-offs of 4 units, half
    // through each process, all at once: exactly eleven fit (44 units), one is refused.
    const attempts = Array.from({ length: 12 }, (_, i) => {
      const partner = i % 2 === 0 ? "COE" : "DUE";
      return post(i % 2 === 0 ? a : b, "/tenders/RV-2027/call-offs", officers[partner], {
        intent: "call-off",
        partner,
        category: "NB",
        school: "",
        date: "2027-02-01",
        quantity: "4",
        orderNumber: `PG-${i}`,
        token: `two-processes-pg-${i}`.padEnd(22, "x"),
        confirmOverdraw: "1",
      });
    });
    const statuses = (await Promise.all(attempts)).map((r) => r.status);
    expect(statuses.filter((s) => s === 302)).toHaveLength(11);
    expect(statuses.filter((s) => s === 400)).toHaveLength(1);

    const kc = openConsortiumAt(database.url);
    try {
      const { rows } = await sql<{
        total: number;
        count: number;
      }>`select coalesce(sum(quantity), 0) as total, count(*) as count from call_offs`.execute(
        kc.db,
      );
      expect(rows[0]).toEqual({ total: 44, count: 11 });
    } finally {
      await kc.close();
    }
  }, 120_000);
});
