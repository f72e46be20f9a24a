// While writes come faster than a page renders, views of one page share renders
// (scripts/page-cache.ts, decision 027): a view that finds its page being rendered from
// older data waits for the next render, which starts after it arrived. So the page is
// rendered about once per render time instead of once per view, and no view gets a
// page from data older than at its arrival.
import type { AddressInfo } from "node:net";
import express from "express";
import type { User } from "../db/users";
import { pageCache } from "../scripts/page-cache";
import { PageStore } from "~/utils/page-cache.server";
import type { SignedIn } from "~/utils/session-cache.server";

const SUMMARY = "/tenders/T-1/summary";
let server: import("node:http").Server;
let url = "";
let dataVersion = 0;
let renders = 0;
let nonceCounter = 0;

const user = (id: number) =>
  ({ id, role: "committee", partnerCode: null, name: `U${id}`, email: `u${id}@x.de` }) as User;

beforeAll(async () => {
  const app = express();
  app.use((_req, res, next) => {
    res.locals.cspNonce = `nonce${++nonceCounter}x`;
    next();
  });
  // The cookie names the user; the data version is the counter the test's "writes" bump.
  const identify = async (cookie: string): Promise<SignedIn | null> =>
    cookie.startsWith("u=")
      ? { user: user(Number(cookie.slice(2))), version: `${dataVersion}` }
      : null;
  app.use(pageCache(new PageStore(), new PageStore(), async () => "v", identify));
  app.get("*", (req, res) => {
    renders += 1;
    const seen = dataVersion; // the loader reads the data when the render starts
    const nonce = res.locals.cspNonce as string;
    setTimeout(() => {
      res.type("text/html").send(`<p nonce="${nonce}">${req.get("Cookie")} v=${seen}</p>`);
    }, 40);
  });
  server = await new Promise((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

interface View {
  sentAt: number;
  seen: number;
  cookie: string;
  body: string;
  nonce: string | undefined;
}

async function view(cookie: string): Promise<View> {
  const sentAt = dataVersion;
  const response = await fetch(url + SUMMARY, { headers: { Cookie: cookie } });
  expect(response.status).toBe(200);
  const body = await response.text();
  return {
    sentAt,
    seen: Number(/v=(\d+)/.exec(body)![1]),
    cookie,
    body,
    nonce: /nonce="([^"]+)"/.exec(body)?.[1],
  };
}

test("views during a stream of writes share renders and never show older data", async () => {
  renders = 0;
  const writes = setInterval(() => (dataVersion += 1), 2);
  const views: View[] = [];
  const started = Date.now();
  const until = started + 1_500;
  try {
    // Eight viewers of the same user, and two of another user, one view after another.
    const clients = [1, 1, 1, 1, 1, 1, 1, 1, 2, 2].map(async (id) => {
      while (Date.now() < until) {
        // Viewers out of step with each other, as real ones are.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 15));
        views.push(await view(`u=${id}`));
      }
    });
    await Promise.all(clients);
  } finally {
    clearInterval(writes);
  }
  const elapsed = Date.now() - started;
  console.log({ views: views.length, renders, elapsed });
  expect(views.length).toBeGreaterThan(40);
  for (const v of views) {
    // Never a page from before the view was sent …
    expect(v.seen).toBeGreaterThanOrEqual(v.sentAt);
    // … never another user's page, and always with this response's own nonce.
    expect(v.body).toContain(v.cookie);
  }
  expect(new Set(views.map((v) => v.nonce)).size).toBe(views.length);
  // Every view would be a render of its own (the data changed since the last one).
  // Shared: at most one render of a page at a time, i.e. per user at most one per
  // render time (40 ms), however many views and writes.
  expect(renders).toBeLessThanOrEqual(2 * (elapsed / 38 + 2));
  expect(renders).toBeLessThan(views.length / 2);
}, 30_000);

test("without writes, repeat views are served from memory (one render)", async () => {
  renders = 0;
  const views = await Promise.all(Array.from({ length: 6 }, () => view("u=3")));
  views.push(await view("u=3"));
  expect(renders).toBe(1);
  expect(new Set(views.map((v) => v.seen)).size).toBe(1);
});
