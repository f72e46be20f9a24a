// The sign-in page of a signed-out visitor is kept per data version and address
// (scripts/page-cache.ts) and served with the new request's CSP nonce; answers to
// POST (error states), answers that set a cookie, `_data` requests and visitors with
// a session cookie always go to Remix.
import type { AddressInfo } from "node:net";
import express from "express";
import { pageCache } from "../../scripts/page-cache";
import { PageStore, pageRuleFor } from "../../app/utils/page-cache.server";
import { SESSION_COOKIE_NAME } from "../../app/utils/session.server";

let server: import("node:http").Server;
let url = "";
let renders = 0;
let version = "1:0";
let setCookie = false;
let nonceCounter = 0;

beforeAll(async () => {
  const app = express();
  app.use((_req, res, next) => {
    res.locals.cspNonce = `nonce${++nonceCounter}x`;
    next();
  });
  app.use(pageCache(new PageStore(), new PageStore(), async () => version));
  app.all("*", (req, res) => {
    renders += 1;
    if (setCookie) res.setHeader("Set-Cookie", "flash=1");
    const nonce = res.locals.cspNonce as string;
    const status = req.method === "POST" ? 400 : 200;
    res
      .status(status)
      .type("text/html")
      .send(
        `<html><script nonce="${nonce}">${req.method} ${req.originalUrl} render ${renders}</script></html>`,
      );
  });
  server = await new Promise((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

beforeEach(() => {
  version = `${Math.random()}`; // a fresh data version: nothing kept from other tests
  setCookie = false;
});

async function get(path: string, headers: Record<string, string> = {}) {
  const response = await fetch(url + path, { headers });
  return { status: response.status, body: await response.text() };
}

describe("sign-in page from memory", () => {
  it("renders once per data version and address, with each response's own nonce", async () => {
    const before = renders;
    const first = await get("/login");
    const second = await get("/login");
    expect(renders).toBe(before + 1);
    expect(second.status).toBe(200);
    const firstNonce = /nonce="([^"]+)"/.exec(first.body)![1];
    const secondNonce = /nonce="([^"]+)"/.exec(second.body)![1];
    expect(secondNonce).not.toBe(firstNonce);
    expect(second.body.split(secondNonce).join("N")).toBe(first.body.split(firstNonce).join("N"));

    // Another redirectTo is another page; a write (new data version) renders again.
    const other = await get("/login?redirectTo=%2Ftenders");
    expect(other.body).toContain("redirectTo=%2Ftenders");
    expect(renders).toBe(before + 2);
    version = "after a write";
    await get("/login");
    expect(renders).toBe(before + 3);
  });

  it("never keeps error states, cookies, data requests or signed-in visitors", async () => {
    const before = renders;
    // POST answers (the form with its errors) are not stored and never served to GET.
    await fetch(`${url}/login`, { method: "POST", body: new URLSearchParams({ email: "x" }) });
    const afterPost = await get("/login");
    expect(afterPost.body).toContain("GET /login");
    expect(renders).toBe(before + 2);

    version = "cookie";
    setCookie = true;
    await get("/login");
    await get("/login");
    expect(renders).toBe(before + 4);
    setCookie = false;

    await get("/login?_data=routes%2Flogin");
    await get("/login?_data=routes%2Flogin");
    expect(renders).toBe(before + 6);

    const session = { Cookie: `${SESSION_COOKIE_NAME}=abc` };
    await get("/login", session);
    await get("/login", session);
    expect(renders).toBe(before + 8);
  });
});

describe("pages every role opens", () => {
  it("are kept like the other pages; support changes with the clock", () => {
    expect(pageRuleFor("/funding")?.store).toBe(true);
    expect(pageRuleFor("/inventory/SCHULTRAEGER-A")?.store).toBe(true);
    expect(pageRuleFor("/support")?.timeBucketMs).toBe(60_000);
    // Sub-pages with their own rules (forms with one-time tokens, uploads) are not.
    expect(pageRuleFor("/funding/new")).toBeUndefined();
    expect(pageRuleFor("/inventory/SCHULTRAEGER-A/import")).toBeUndefined();
  });
});
