// Several app processes on one SQLite database file (WAL), as WEB_CONCURRENCY or a
// process manager runs them: two servers started on the same file share sign-ins and
// sign-outs, see each other's writes at once (no stale page from memory), and keep the
// framework maximum of a call-off even when both record call-offs at the same time.
// Then the built-in cluster: WEB_CONCURRENCY=2 serves from two processes on one port.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import SQLite from "better-sqlite3";
import { awardLot } from "../../db/awards";
import { DEMO_PASSWORD } from "../../db/demo";
import { buildIfStale } from "../../scripts/build-if-stale";
import { awardOfL1, SEED_PASSWORD, seedCallOffPlan } from "../helpers/call-offs-seed";
import { consortiumDataFile, startAppServer, type AppServer } from "../helpers/app-server";
import { openInstallation, registerConsortium } from "../../db/registry";
import { COORDINATOR } from "../app/support";

const SECRET = randomBytes(32).toString("hex");
const START_DATA = `/?_data=${encodeURIComponent("routes/_index")}`;
let dir: string;
let databasePath: string;
let a: AppServer;
let b: AppServer;

beforeAll(async () => {
  buildIfStale();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "verbundkauf-processes-"));
  // One installation (registry shared.db) with consortium KC; the tests read KC's file.
  const registryPath = path.join(dir, "shared.db");
  databasePath = consortiumDataFile(registryPath);
  const stores = await openInstallation(registryPath);
  await registerConsortium(stores.registry, "KC", "Kreis Coesfeld");
  const db = await stores.database("KC");
  const users = await seedCallOffPlan(db);
  const award = await awardLot(db, awardOfL1(users));
  expect(award.ok).toBe(true);
  await stores.destroy();
  [a, b] = await Promise.all([
    startAppServer({ databasePath: registryPath, env: { SESSION_SECRET: SECRET } }),
    startAppServer({ databasePath: registryPath, env: { SESSION_SECRET: SECRET } }),
  ]);
}, 240_000);
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  fs.rmSync(dir, { recursive: true, force: true });
});

async function signIn(server: AppServer, email: string, password: string): Promise<string> {
  const response = await fetch(`${server.url}/login`, {
    method: "POST",
    body: new URLSearchParams({ email, password }),
    headers: { Origin: new URL(server.url).origin },
    redirect: "manual",
  });
  expect(response.status).toBe(302);
  return (response.headers.get("Set-Cookie") ?? "").split(";")[0];
}

const get = (server: AppServer, url: string, cookie: string) =>
  fetch(server.url + url, { headers: { Cookie: cookie }, redirect: "manual" });

function post(server: AppServer, url: string, cookie: string, form: Record<string, string>) {
  return fetch(server.url + url, {
    method: "POST",
    body: new URLSearchParams(form),
    headers: { Cookie: cookie, Origin: new URL(server.url).origin },
    redirect: "manual",
  });
}

test("a session made by one process works in the other; a sign-out in one ends it in both", async () => {
  const cookie = await signIn(a, "koordination@test.example", SEED_PASSWORD);
  expect((await get(a, START_DATA, cookie)).status).toBe(200);
  expect((await get(b, START_DATA, cookie)).status).toBe(200);
  expect((await post(b, "/logout", cookie, {})).status).toBe(302);
  for (const server of [a, b]) {
    const after = await get(server, "/", cookie);
    expect(after.status).toBe(302);
    expect(after.headers.get("Location")).toMatch(/^\/login/);
  }
}, 60_000);

test("call-offs recorded through both processes at once never exceed the framework maximum", async () => {
  const coordinator = await signIn(a, "koordination@test.example", SEED_PASSWORD);
  const highUsage = async () =>
    ((await (await get(a, START_DATA, coordinator)).json()) as { highUsage: unknown[] }).highUsage;
  expect(await highUsage()).toEqual([]); // and process A keeps this page in memory now

  const officers = {
    COE: await signIn(a, "coesfeld@test.example", SEED_PASSWORD),
    DUE: await signIn(b, "duelmen@test.example", SEED_PASSWORD),
  };
  // NB: maximum 44 (Q = 40 plus 10 % reserve); eight call-offs of 10, half through each process.
  const attempts = Array.from({ length: 8 }, (_, i) => {
    const partner = i % 2 === 0 ? "COE" : "DUE";
    return post(i % 2 === 0 ? a : b, "/tenders/RV-2027/call-offs", officers[partner], {
      intent: "call-off",
      partner,
      category: "NB",
      school: "",
      date: "2027-02-01",
      quantity: "10",
      orderNumber: `P-${i}`,
      // Each post is its own rendered form (one-time token), past the own-share warning.
      token: `several-processes-${i}`.padEnd(22, "x"),
      confirmOverdraw: "1",
    });
  });
  const statuses = (await Promise.all(attempts)).map((r) => r.status);
  expect(statuses.filter((s) => s === 302)).toHaveLength(4);
  expect(statuses.filter((s) => s === 400)).toHaveLength(4);

  const sqlite = new SQLite(databasePath, { readonly: true });
  try {
    const total = Number(
      sqlite.prepare("SELECT coalesce(sum(quantity), 0) FROM call_offs").pluck().get(),
    );
    expect(total).toBe(40);
  } finally {
    sqlite.close();
  }
  // Process A sees B's writes at once: its page from memory is not reused.
  expect((await highUsage()).length).toBe(1);
}, 120_000);

/** A GET on a fresh connection (no keep-alive), so the cluster may hand it to any worker. */
function getOnNewConnection(url: string, cookie: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false, headers: { Cookie: cookie } }, (response) => {
        response.resume();
        response.on("end", () => resolve(response.statusCode ?? 0));
      })
      .on("error", reject);
  });
}

test("WEB_CONCURRENCY=2: the cluster serves sign-in and sessions from both workers", async () => {
  const cluster = await startAppServer({
    env: { SESSION_SECRET: SECRET, WEB_CONCURRENCY: "2" },
  });
  try {
    const cookie = await signIn(cluster, COORDINATOR, DEMO_PASSWORD);
    const statuses = await Promise.all(
      Array.from({ length: 12 }, () => getOnNewConnection(cluster.url + START_DATA, cookie)),
    );
    // The primary hands fresh connections to the workers in turn: both answered, alike.
    expect(statuses).toEqual(Array(12).fill(200));
  } finally {
    await cluster.stop();
  }
}, 180_000);
