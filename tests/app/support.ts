// Helpers for the route integration tests: a fresh demo database per test file, and
// requests that carry a signed-in user's session cookie.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { DEMO_PASSWORD, loadDemo } from "../../db/demo";
import { setDbForTests } from "../../app/utils/db.server";
import { runInRequestConsortium } from "../../app/utils/auth.server";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

export const BASE_URL = "http://verbundkauf.test";

export async function setUpAppDatabase({
  demo = true,
}: { demo?: boolean } = {}): Promise<TestDatabase> {
  process.env.SESSION_SECRET = "test-session-secret-0123456789abcdef";
  const testDb = await createTestDatabase();
  if (demo) await loadDemo(testDb.db);
  setDbForTests(testDb.db);
  return testDb;
}

export async function tearDownAppDatabase(testDb: TestDatabase): Promise<void> {
  setDbForTests(undefined);
  await testDb.cleanup();
}

export interface RequestOptions {
  cookie?: string | null;
  form?: Record<string, string>;
  headers?: Record<string, string>;
  url?: string;
}

export function makeRequest(
  path: string,
  { cookie, form, headers = {}, url }: RequestOptions = {},
): Request {
  const allHeaders = new Headers(headers);
  if (cookie) allHeaders.set("Cookie", cookie);
  return new Request(url ?? BASE_URL + path, {
    method: form ? "POST" : "GET",
    headers: allHeaders,
    body: form ? new URLSearchParams(form) : undefined,
  });
}

type Handler = (args: LoaderFunctionArgs & ActionFunctionArgs) => Promise<unknown>;

/** Runs a loader or action; a thrown Response (redirect, 403, 404) is returned instead. */
export async function run(
  handler: Handler,
  request: Request,
  params: Record<string, string> = {},
): Promise<Response> {
  try {
    // As the server does: the session cookie decides the consortium for the whole request.
    const result = await runInRequestConsortium(request.headers.get("Cookie") ?? undefined, () =>
      handler({ request, params, context: {} }),
    );
    if (result instanceof Response) return result;
    throw new Error(`Expected a Response, got ${JSON.stringify(result)}`);
  } catch (error) {
    if (error instanceof Response) return error;
    throw error;
  }
}

/** "name=value" of the Set-Cookie header, as a browser would send it back. */
export function cookieFrom(response: Response): string {
  const header = response.headers.get("Set-Cookie");
  if (!header) throw new Error(`No Set-Cookie header (status ${response.status})`);
  return header.split(";")[0];
}

/** Signs in through the real login action and returns the session cookie. */
export async function signIn(email: string, password: string = DEMO_PASSWORD): Promise<string> {
  const { action } = await import("../../app/routes/login");
  const response = await run(action, makeRequest("/login", { form: { email, password } }));
  if (response.status !== 302)
    throw new Error(`Sign-in of ${email} failed with ${response.status}`);
  return cookieFrom(response);
}

export const COORDINATOR = "koordination@kreis-coesfeld.example";
export const FINANCE = "finanzen@kreis-coesfeld.example";
export const COMMITTEE = "ausschuss@kreis-coesfeld.example";
export const OFFICER_DUE = "beschaffung@duelmen.example";
export const OFFICER_COE = "beschaffung@coesfeld.example";
