// Repeat views of unchanged data (scripts/page-cache.ts) on the real server: an ETag per
// data version and user, 304 for If-None-Match, a rendered copy with the new request's
// CSP nonce, and nothing from the cache for another user, a signed-out visitor or
// after a write.
import { DEMO_PASSWORD } from "../../db/demo";
import { buildIfStale } from "../../scripts/build-if-stale";
import { setupAppServer } from "../helpers/app-server";
import { COMMITTEE, COORDINATOR, FINANCE, OFFICER_DUE } from "../app/support";

beforeAll(() => {
  buildIfStale();
}, 240_000);
const app = setupAppServer();

const SUMMARY = "/tenders/RV-2027/summary";

async function signIn(email: string): Promise<string> {
  const response = await fetch(`${app.url}/login`, {
    method: "POST",
    body: new URLSearchParams({ email, password: DEMO_PASSWORD }),
    headers: { Origin: new URL(app.url).origin },
    redirect: "manual",
  });
  expect(response.status).toBe(302);
  return (response.headers.get("Set-Cookie") ?? "").split(";")[0];
}

function get(path: string, cookie: string | null, etag?: string): Promise<Response> {
  const headers: Record<string, string> = {};
  if (cookie) headers.Cookie = cookie;
  if (etag) headers["If-None-Match"] = etag;
  return fetch(app.url + path, { headers, redirect: "manual" });
}

const nonceOf = (response: Response) =>
  /'nonce-([^']+)'/.exec(response.headers.get("Content-Security-Policy") ?? "")?.[1];

describe("ETag and 304 for repeat views", () => {
  it("answers 304 to the same user while nothing changed, and a fresh page after a write", async () => {
    // Warm-up by someone else (worker threads, the summary's model): the steps below must
    // stay within a minute, after which a session touch is a write that changes the tag.
    expect((await get(SUMMARY, await signIn(FINANCE))).status).toBe(200);
    const committee = await signIn(COMMITTEE);
    const first = await get(SUMMARY, committee);
    expect(first.status).toBe(200);
    const etag = first.headers.get("ETag");
    expect(etag).toMatch(/^W\/"[A-Za-z0-9_-]+"$/);
    // HTML of a signed-in user is never kept by the browser (issue 16, shared computers);
    // the ETag still lets the server answer a revalidation, and data requests and
    // downloads carry "private, no-cache" (next test).
    expect(first.headers.get("Cache-Control")).toBe("no-store");
    expect(first.headers.get("Vary")).toMatch(/Cookie/);
    const firstBody = await first.text();

    const repeat = await get(SUMMARY, committee, etag!);
    expect(repeat.status).toBe(304);
    expect(repeat.headers.get("ETag")).toBe(etag);
    expect(await repeat.text()).toBe("");

    // Served from memory: the same page, but with this response's own CSP nonce.
    const copy = await get(SUMMARY, committee);
    expect(copy.status).toBe(200);
    expect(copy.headers.get("ETag")).toBe(etag);
    const copyBody = await copy.text();
    const [firstNonce, copyNonce] = [nonceOf(first)!, nonceOf(copy)!];
    expect(copyNonce).not.toBe(firstNonce);
    expect(copyBody).toContain(`nonce="${copyNonce}"`);
    expect(copyBody).not.toContain(firstNonce);
    expect(copyBody.split(copyNonce).join("N")).toBe(firstBody.split(firstNonce).join("N"));

    // Another user with the same tag: the page differs per user, so no 304.
    const coordinator = await signIn(COORDINATOR);
    const other = await get(SUMMARY, coordinator, etag!);
    expect(other.status).toBe(200);
    expect(other.headers.get("ETag")).not.toBe(etag);

    // Signed out: the tag is worth nothing, the sign-in comes first.
    const anonymous = await get(SUMMARY, null, etag!);
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get("Location")).toMatch(/^\/login/);

    // Any write (here an officer signs out, deleting the session) makes a new data
    // version: the old tag no longer matches.
    const officer = await signIn(OFFICER_DUE);
    const signOut = await fetch(`${app.url}/logout`, {
      method: "POST",
      headers: { Cookie: officer, Origin: new URL(app.url).origin },
      redirect: "manual",
    });
    expect(signOut.status).toBe(302);
    const afterWrite = await get(SUMMARY, committee, etag!);
    expect(afterWrite.status).toBe(200);
    expect(afterWrite.headers.get("ETag")).not.toBe(etag);
  });

  it("answers 304 for _data requests and the cost-split workbook", async () => {
    const finance = await signIn(FINANCE);
    for (const path of [
      `${SUMMARY}?_data=${encodeURIComponent("routes/tenders.$code.summary")}`,
      "/tenders/RV-2027/cost-split.xlsx",
    ]) {
      const first = await get(path, finance);
      expect(first.status, path).toBe(200);
      await first.arrayBuffer();
      const etag = first.headers.get("ETag");
      expect(etag, path).toBeTruthy();
      expect(first.headers.get("Cache-Control"), path).toBe("private, no-cache");
      const repeat = await get(path, finance, etag!);
      expect(repeat.status, path).toBe(304);
    }
  });

  it("gives no ETag to pages outside the list or answers other than 200", async () => {
    const officer = await signIn(OFFICER_DUE);
    const forbidden = await get("/demand/COE", officer);
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers.get("ETag")).toBeNull();
    const users = await get("/admin/users", await signIn(COORDINATOR));
    expect(users.status).toBe(200);
    expect(users.headers.get("ETag")).toBeNull();
  });

  it("serves nothing from memory to a cookie whose session ended (sign-out, password change)", async () => {
    // Found on PostgreSQL: ended sessions did not change its data version (migration 015).
    const origin = new URL(app.url).origin;
    const committee = await signIn(COMMITTEE);
    expect((await get(SUMMARY, committee)).status).toBe(200);
    expect((await get(SUMMARY, committee)).status).toBe(200); // now a stored page
    const signOut = await fetch(`${app.url}/logout`, {
      method: "POST",
      headers: { Cookie: committee, Origin: origin },
      redirect: "manual",
    });
    expect(signOut.status).toBe(302);
    const afterSignOut = await get(SUMMARY, committee);
    expect(afterSignOut.status).toBe(302);
    expect(afterSignOut.headers.get("Location")).toMatch(/^\/login/);

    // Another device of the same user: a new password set here ends the session there.
    // (Last in this file: the coordinator's password is not the demo one afterwards.)
    const elsewhere = await signIn(COORDINATOR);
    const here = await signIn(COORDINATOR);
    expect((await get(SUMMARY, elsewhere)).status).toBe(200);
    expect((await get(SUMMARY, elsewhere)).status).toBe(200);
    const opened = app.openConsortium();
    const coordinator = await opened.db
      .selectFrom("users")
      .select("id")
      .where("email", "=", COORDINATOR)
      .executeTakeFirstOrThrow();
    await opened.close();
    const newPassword = "ein-neues-Passwort-2027";
    const change = await fetch(`${app.url}/admin/users/${coordinator.id}`, {
      method: "POST",
      body: new URLSearchParams({
        intent: "reset-password",
        password: newPassword,
        confirmPassword: newPassword,
      }),
      headers: { Cookie: here, Origin: origin },
      redirect: "manual",
    });
    expect(change.status).toBe(302);
    const afterChange = await get(SUMMARY, elsewhere);
    expect(afterChange.status).toBe(302);
    expect((await get(SUMMARY, here)).status).toBe(200);
  });
});
