// The real server (scripts/server.ts on the built app): security headers with a
// per-request CSP nonce, CSRF refusal that changes nothing, body limits, error pages
// without details, a hydrated page without CSP violations in Chromium, and sign-in
// throttling by the client address the server passes to Remix.
import { DEMO_PASSWORD } from "../../db/demo";
import { buildIfStale } from "../../scripts/build-if-stale";
import { setupAppServer } from "../helpers/app-server";
import { rowCount } from "../helpers/test-database";
import { browserTestsEnabled, launchBrowser, submitSignInForm } from "../helpers/browser";
import { COMMITTEE, COORDINATOR } from "../app/support";

// Global setup builds only for tests/browser; this file needs the build as well.
beforeAll(() => {
  buildIfStale();
}, 240_000);
const app = setupAppServer();

const origin = () => new URL(app.url).origin;

function post(
  path: string,
  form: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(app.url + path, {
    method: "POST",
    body: new URLSearchParams(form),
    headers,
    redirect: "manual",
  });
}

async function signIn(email: string): Promise<string> {
  const response = await post("/login", { email, password: DEMO_PASSWORD }, { Origin: origin() });
  expect(response.status).toBe(302);
  const setCookie = response.headers.get("Set-Cookie") ?? "";
  expect(setCookie).toMatch(/;\s*HttpOnly/i);
  expect(setCookie).toMatch(/;\s*SameSite=Lax/i);
  return setCookie.split(";")[0];
}

async function countUsers(): Promise<number> {
  const opened = app.openConsortium();
  try {
    return await rowCount(opened.db, "users");
  } finally {
    await opened.close();
  }
}

describe("security headers", () => {
  it("sends a nonce CSP and the other headers on pages, data and files", async () => {
    for (const path of ["/login", "/healthz", "/favicon.svg", "/login?_data=root"]) {
      const response = await fetch(app.url + path);
      const csp = response.headers.get("Content-Security-Policy") ?? "";
      for (const directive of [
        "default-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
      ]) {
        expect(csp, path).toContain(directive);
      }
      const scriptSrc = csp.split(";").find((d) => d.trim().startsWith("script-src")) ?? "";
      expect(scriptSrc).toMatch(/'nonce-[A-Za-z0-9+/=]{20,}'/);
      expect(scriptSrc).not.toContain("unsafe-inline");
      expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
      expect(response.headers.get("X-Frame-Options")).toBe("DENY");
      expect(response.headers.get("Referrer-Policy")).toBe("same-origin");
      expect(response.headers.get("X-Powered-By")).toBeNull();
    }
  });

  it("puts this response's nonce on every inline script, and a new one on the next response", async () => {
    const nonces: string[] = [];
    for (let i = 0; i < 2; i++) {
      const response = await fetch(`${app.url}/login`);
      const nonce = /'nonce-([^']+)'/.exec(
        response.headers.get("Content-Security-Policy") ?? "",
      )![1];
      const html = await response.text();
      const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
      expect(scripts.length).toBeGreaterThanOrEqual(3);
      for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
      nonces.push(nonce);
    }
    expect(nonces[0]).not.toBe(nonces[1]);
  });

  it("answers broken requests without stack traces or error names", async () => {
    for (const path of ["/demand/%E0%A4%A", "/tenders/%FF/summary", "/?_data=routes%2Fnope"]) {
      const response = await fetch(app.url + path);
      expect(response.status).toBeGreaterThanOrEqual(400);
      const body = await response.text();
      expect(body, path).not.toMatch(/\bat .+:\d+:\d+|URIError|node_modules|Error:/);
    }
    const page = await fetch(`${app.url}/gibt-es-nicht`);
    expect(page.status).toBe(404);
    expect(await page.text()).toContain("Nicht gefunden");
  });
});

describe("CSRF", () => {
  const newUser = (email: string) => ({
    intent: "create",
    name: "Neue Person",
    email,
    role: "finance",
    password: "ein-langes-passwort",
  });

  it("refuses writes from another origin, or without proof of the origin, and changes nothing", async () => {
    const cookie = await signIn(COORDINATOR);
    const before = await countUsers();
    const refused: Record<string, string>[] = [
      { Origin: "https://evil.example" },
      { Origin: "null" },
      { Origin: origin(), "Sec-Fetch-Site": "cross-site" },
      { "Sec-Fetch-Site": "same-site" },
      {}, // neither Origin nor Sec-Fetch-Site
    ];
    for (const [i, headers] of refused.entries()) {
      const response = await post("/admin/users", newUser(`csrf-${i}@example.org`), {
        Cookie: cookie,
        ...headers,
      });
      expect(response.status, JSON.stringify(headers)).toBe(403);
      expect(await response.text()).toContain("fremder Seite");
    }
    expect(await countUsers()).toBe(before);

    // The same request from our own pages goes through: the refusals above were not an accident.
    const allowed = await post("/admin/users", newUser("csrf-ok@example.org"), {
      Cookie: cookie,
      Origin: origin(),
    });
    expect(allowed.status).toBe(302);
    const bySecFetch = await post("/admin/users", newUser("csrf-ok2@example.org"), {
      Cookie: cookie,
      "Sec-Fetch-Site": "same-origin",
    });
    expect(bySecFetch.status).toBe(302);
    expect(await countUsers()).toBe(before + 2);
  });

  it("refuses a cross-site sign-in and sign-out as well", async () => {
    expect(
      (
        await post(
          "/login",
          { email: COMMITTEE, password: DEMO_PASSWORD },
          { Origin: "https://evil.example" },
        )
      ).status,
    ).toBe(403);
    const cookie = await signIn(COMMITTEE);
    expect(
      (await post("/logout", {}, { Cookie: cookie, Origin: "https://evil.example" })).status,
    ).toBe(403);
    // Still signed in: the forged sign-out did nothing.
    expect(
      (await fetch(`${app.url}/tenders`, { headers: { Cookie: cookie }, redirect: "manual" }))
        .status,
    ).toBe(200);
  });
});

describe("request bodies", () => {
  it("refuses a body above the server's limit before reading it, and one without a declared length", async () => {
    const tooLarge = await fetch(`${app.url}/login`, {
      method: "POST",
      headers: {
        Origin: origin(),
        "Content-Type": "application/x-www-form-urlencoded",
        "Content-Length": String(200 * 1024 * 1024),
      },
      body: "email=x",
      redirect: "manual",
    }).catch((error: unknown) => error);
    // Node's fetch may refuse to send a lying Content-Length itself; the server test is the raw one below.
    if (tooLarge instanceof Response) expect(tooLarge.status).toBe(413);

    const chunked = await rawRequest(
      `POST /login HTTP/1.1\r\nHost: ${new URL(app.url).host}\r\nOrigin: ${origin()}\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n7\r\nemail=x\r\n0\r\n\r\n`,
    );
    expect(chunked).toMatch(/^HTTP\/1\.1 411/);
    const declared = await rawRequest(
      `POST /login HTTP/1.1\r\nHost: ${new URL(app.url).host}\r\nOrigin: ${origin()}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${200 * 1024 * 1024}\r\nConnection: close\r\n\r\nemail=x`,
    );
    expect(declared).toMatch(/^HTTP\/1\.1 413/);
  });
});

async function rawRequest(text: string): Promise<string> {
  const net = await import("node:net");
  const { hostname, port } = new URL(app.url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => socket.write(text));
    let answer = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => (answer += chunk));
    socket.on("end", () => resolve(answer));
    socket.on("close", () => resolve(answer));
    socket.on("error", reject);
  });
}

describe.skipIf(!browserTestsEnabled())("Content-Security-Policy in Chromium", () => {
  it("hydrates the pages (client-side navigation works) without any CSP violation", async () => {
    const browser = await launchBrowser();
    try {
      // Collected before any page script runs; init scripts are not subject to the page's CSP.
      await browser.context.addInitScript(() => {
        const w = window as unknown as { __cspViolations: string[] };
        w.__cspViolations = [];
        document.addEventListener("securitypolicyviolation", (event) => {
          w.__cspViolations.push(
            `${event.violatedDirective} ${event.blockedURI} at ${event.sourceFile}:${event.lineNumber}`,
          );
        });
      });
      const page = await browser.context.newPage();
      page.setDefaultTimeout(20_000);
      const consoleErrors: string[] = [];
      page.on("console", (message) => {
        if (message.type() === "error") consoleErrors.push(message.text());
      });
      page.on("pageerror", (error) => consoleErrors.push(error.message));
      const violations = () =>
        page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations);
      const hydrated = () => page.waitForFunction(() => "__remixRouter" in window);

      await page.goto(`${app.url}/login`);
      await hydrated();
      await submitSignInForm(page, COMMITTEE);
      await page.waitForURL(`${app.url}/`);
      expect(await violations()).toEqual([]);

      // The summary draws charts (inline style attributes) and tables.
      await page.goto(`${app.url}/tenders/RV-2027/summary`);
      await hydrated();
      await page.getByRole("heading", { level: 1 }).waitFor();
      expect(await violations()).toEqual([]);

      // A marker on window survives only a client-side navigation: proof that the scripts run.
      await page.evaluate(() => ((window as unknown as { __marker: number }).__marker = 42));
      await page.getByRole("link", { name: "Ausschreibungen", exact: true }).click();
      await page.waitForURL(`${app.url}/tenders`);
      expect(await page.evaluate(() => (window as unknown as { __marker?: number }).__marker)).toBe(
        42,
      );
      // Back to the summary, rendered in the browser this time: its print <style> needs the nonce too.
      await page.goBack();
      await page.waitForURL(`${app.url}/tenders/RV-2027/summary`);
      await page.locator(".print-footer").waitFor();
      expect(await page.evaluate(() => (window as unknown as { __marker?: number }).__marker)).toBe(
        42,
      );
      expect(await page.locator("style").count()).toBeGreaterThan(0);

      expect(await violations()).toEqual([]);
      expect(
        consoleErrors.filter((text) => /Content.Security.Policy|nonce|Refused to/i.test(text)),
      ).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});

// Last in this file: it locks 127.0.0.1 out of signing in for a minute.
describe("sign-in throttling through the server", () => {
  it("locks the client address after five failures with a German 429 page", async () => {
    for (let i = 0; i < 5; i++) {
      const response = await post(
        "/login",
        { email: `niemand-${i}@example.org`, password: "falsch-falsch-falsch" },
        { Origin: origin() },
      );
      expect(response.status).toBe(400);
    }
    const locked = await post(
      "/login",
      { email: COMMITTEE, password: DEMO_PASSWORD },
      { Origin: origin() },
    );
    expect(locked.status).toBe(429);
    expect(locked.headers.get("Set-Cookie")).toBeNull();
    expect(await locked.text()).toContain("Zu viele Anmeldeversuche. Bitte warten Sie 1 Minute.");
  });
});
