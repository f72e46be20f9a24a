import { DEMO_PASSWORD } from "../../db/demo";
import {
  SESSION_ABSOLUTE_TIMEOUT_MS,
  SESSION_IDLE_TIMEOUT_MS,
  createSession,
  deleteExpiredSessions,
} from "../../db/sessions";
import { updateUser, findUserByEmail } from "../../db/users";
import { action as loginAction, loader as loginLoader } from "../../app/routes/login";
import { action as logoutAction } from "../../app/routes/logout";
import { loader as startLoader } from "../../app/routes/_index";
import { getUser, requireUser } from "../../app/utils/auth.server";
import type { TestDatabase } from "../helpers/test-database";
import {
  COORDINATOR,
  OFFICER_DUE,
  cookieFrom,
  makeRequest,
  run,
  setUpAppDatabase,
  signIn,
  tearDownAppDatabase,
} from "./support";

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await setUpAppDatabase();
});
afterAll(async () => {
  delete process.env.TRUST_PROXY;
  await tearDownAppDatabase(testDb);
});

async function sessionRows() {
  return testDb.db.selectFrom("sessions").selectAll().execute();
}

async function postLogin(
  form: Record<string, string>,
  url?: string,
  headers?: Record<string, string>,
) {
  return run(loginAction, makeRequest("/login", { form, url, headers }));
}

describe("sign-in", () => {
  it("signs in with the right password, stores a session and redirects to /", async () => {
    const before = (await sessionRows()).length;
    const response = await postLogin({ email: OFFICER_DUE, password: DEMO_PASSWORD });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/");
    expect((await sessionRows()).length).toBe(before + 1);
    const user = await getUser(makeRequest("/", { cookie: cookieFrom(response) }));
    expect(user?.email).toBe(OFFICER_DUE);
    expect(user?.partnerCode).toBe("DUE");
  });

  it("accepts the email in any case and with spaces around it", async () => {
    const response = await postLogin({
      email: `  ${OFFICER_DUE.toUpperCase()} `,
      password: DEMO_PASSWORD,
    });
    expect(response.status).toBe(302);
  });

  it("sets an HttpOnly, SameSite=Lax, Path=/ cookie holding only a signed id; Secure only on HTTPS", async () => {
    const response = await postLogin({ email: OFFICER_DUE, password: DEMO_PASSWORD });
    const header = response.headers.get("Set-Cookie") ?? "";
    expect(header).toMatch(/^vk_session=/);
    expect(header).toMatch(/HttpOnly/i);
    expect(header).toMatch(/SameSite=Lax/i);
    expect(header).toMatch(/Path=\//);
    expect(header).not.toMatch(/Secure/i);
    expect(header).not.toContain(OFFICER_DUE);
    // The value is the session id plus a signature, not the bare id.
    const value = decodeURIComponent(cookieFrom(response).slice("vk_session=".length));
    const ids = (await sessionRows()).map((row) => row.id);
    expect(ids.some((id) => value.includes(id))).toBe(false);

    const https = await postLogin(
      { email: OFFICER_DUE, password: DEMO_PASSWORD },
      "https://verbundkauf.test/login",
    );
    expect(https.headers.get("Set-Cookie")).toMatch(/;\s*Secure/i);
  });

  it("trusts X-Forwarded-Proto only with TRUST_PROXY=1", async () => {
    const headers = { "X-Forwarded-Proto": "https" };
    delete process.env.TRUST_PROXY;
    const untrusted = await postLogin(
      { email: OFFICER_DUE, password: DEMO_PASSWORD },
      undefined,
      headers,
    );
    expect(untrusted.headers.get("Set-Cookie")).not.toMatch(/Secure/i);
    process.env.TRUST_PROXY = "1";
    const trusted = await postLogin(
      { email: OFFICER_DUE, password: DEMO_PASSWORD },
      undefined,
      headers,
    );
    expect(trusted.headers.get("Set-Cookie")).toMatch(/;\s*Secure/i);
    delete process.env.TRUST_PROXY;
  });

  it("gives a new session id on every sign-in and drops the previous session", async () => {
    const first = await signIn(OFFICER_DUE);
    const second = cookieFrom(
      await run(
        loginAction,
        makeRequest("/login", {
          form: { email: OFFICER_DUE, password: DEMO_PASSWORD },
          cookie: first,
        }),
      ),
    );
    expect(second).not.toBe(first);
    expect(await getUser(makeRequest("/", { cookie: first }))).toBeNull();
    expect((await getUser(makeRequest("/", { cookie: second })))?.email).toBe(OFFICER_DUE);
  });

  it("redirects to a safe redirectTo only", async () => {
    const safe = await postLogin({
      email: OFFICER_DUE,
      password: DEMO_PASSWORD,
      redirectTo: "/demand/DUE",
    });
    expect(safe.headers.get("Location")).toBe("/demand/DUE");
    for (const unsafe of [
      "https://evil.example/",
      "//evil.example/x",
      "/\\evil.example",
      "javascript:alert(1)",
    ]) {
      const response = await postLogin({
        email: OFFICER_DUE,
        password: DEMO_PASSWORD,
        redirectTo: unsafe,
      });
      expect(response.headers.get("Location")).toBe("/");
    }
  });

  it("answers unknown email, wrong password and inactive account with the same message and status 400", async () => {
    const inactive = await findUserByEmail(testDb.db, "beschaffung@olfen.example");
    await updateUser(testDb.db, inactive!.id, { active: false });
    const attempts = [
      { email: "niemand@example.org", password: DEMO_PASSWORD },
      { email: OFFICER_DUE, password: "falsches-passwort" },
      { email: "beschaffung@olfen.example", password: DEMO_PASSWORD },
    ];
    const bodies = [];
    for (const attempt of attempts) {
      const response = await postLogin(attempt);
      expect(response.status).toBe(400);
      expect(response.headers.get("Set-Cookie")).toBeNull();
      const body = await response.json();
      expect(body.error[""]).toEqual(["E-Mail oder Passwort ist falsch."]);
      // The email stays in the form, the password does not come back.
      expect(body.initialValue.email).toBe(attempt.email);
      expect(body.initialValue.password).toBeUndefined();
      bodies.push({ error: body.error, status: response.status });
    }
    expect(bodies[1]).toEqual(bodies[0]);
    expect(bodies[2]).toEqual(bodies[0]);
  });

  it("asks for missing fields in German", async () => {
    const response = await postLogin({ email: "", password: "" });
    expect(response.status).toBe(400);
    const body = await response.json();
    expect(body.error.email).toEqual(["Bitte geben Sie Ihre E-Mail-Adresse ein."]);
    expect(body.error.password).toEqual(["Bitte geben Sie Ihr Passwort ein."]);
  });

  it("sends a signed-in user away from /login", async () => {
    const cookie = await signIn(COORDINATOR);
    const response = await run(loginLoader, makeRequest("/login?redirectTo=/tenders", { cookie }));
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/tenders");
  });
});

describe("sessions", () => {
  it("rejects a cookie with a forged signature", async () => {
    const cookie = await signIn(OFFICER_DUE);
    const forged = cookie.slice(0, -3) + (cookie.endsWith("A") ? "BBB" : "AAA");
    expect(await getUser(makeRequest("/", { cookie: forged }))).toBeNull();
  });

  it("ends a session after 8 hours without a request", async () => {
    const cookie = await signIn(OFFICER_DUE);
    const row = (await sessionRows()).at(-1)!;
    const longAgo = new Date(Date.now() - SESSION_IDLE_TIMEOUT_MS - 1000).toISOString();
    await testDb.db
      .updateTable("sessions")
      .set({ last_seen_at: longAgo })
      .where("id", "=", row.id)
      .execute();
    expect(await getUser(makeRequest("/", { cookie }))).toBeNull();
    expect((await sessionRows()).some((s) => s.id === row.id)).toBe(false);
  });

  it("ends a session at its absolute expiry even when used", async () => {
    const cookie = await signIn(OFFICER_DUE);
    const row = (await sessionRows()).at(-1)!;
    await testDb.db
      .updateTable("sessions")
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .where("id", "=", row.id)
      .execute();
    expect(await getUser(makeRequest("/", { cookie }))).toBeNull();
  });

  it("housekeeping drops idle and expired sessions, keeps live ones", async () => {
    const user = await findUserByEmail(testDb.db, OFFICER_DUE);
    const now = new Date("2030-01-01T12:00:00.000Z");
    const live = await createSession(testDb.db, user!.id, new Date(now.getTime() - 60_000));
    const idle = await createSession(
      testDb.db,
      user!.id,
      new Date(now.getTime() - SESSION_IDLE_TIMEOUT_MS - 1),
    );
    const old = await createSession(
      testDb.db,
      user!.id,
      new Date(now.getTime() - SESSION_ABSOLUTE_TIMEOUT_MS),
    );
    await testDb.db
      .updateTable("sessions")
      .set({ last_seen_at: now.toISOString() })
      .where("id", "=", old.id)
      .execute();
    await deleteExpiredSessions(testDb.db, now);
    const left = new Set((await sessionRows()).map((row) => row.id));
    expect(left.has(live.id)).toBe(true);
    expect(left.has(idle.id)).toBe(false);
    expect(left.has(old.id)).toBe(false);
    expect(live.id).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 random bytes, base64url
  });

  it("ignores the session of a deactivated user", async () => {
    const cookie = await signIn("beschaffung@senden.example");
    const user = await findUserByEmail(testDb.db, "beschaffung@senden.example");
    await updateUser(testDb.db, user!.id, { active: false });
    expect(await getUser(makeRequest("/", { cookie }))).toBeNull();
    await updateUser(testDb.db, user!.id, { active: true });
  });
});

describe("sign-out", () => {
  it("deletes the server-side session and clears the cookie", async () => {
    const cookie = await signIn(OFFICER_DUE);
    const countBefore = (await sessionRows()).length;
    const response = await run(logoutAction, makeRequest("/logout", { cookie, form: {} }));
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/login");
    expect(response.headers.get("Set-Cookie")).toMatch(/Max-Age=0|Expires=Thu, 01 Jan 1970/i);
    expect((await sessionRows()).length).toBe(countBefore - 1);
    // Replaying the old cookie no longer works.
    expect(await getUser(makeRequest("/", { cookie }))).toBeNull();
  });
});

describe("requireUser", () => {
  it("redirects a signed-out visitor to /login with the page to come back to", async () => {
    const response = await run(startLoader, makeRequest("/demand/DUE?view=all"));
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe(
      `/login?redirectTo=${encodeURIComponent("/demand/DUE?view=all")}`,
    );
  });

  it("returns the user when signed in", async () => {
    const cookie = await signIn(COORDINATOR);
    const user = await requireUser(makeRequest("/", { cookie }));
    expect(user.role).toBe("coordinator");
  });
});
