// The in-memory session cache (app/utils/session-cache.server.ts): a repeat request
// within the same data version does not read the session again, and any write — a
// sign-out, a deactivated account, the session's own touch — makes it read afresh.
import { vi } from "vitest";
import { clearSessionCache, signedInUser } from "~/utils/session-cache.server";
import * as auth from "~/utils/auth.server";
import { deleteSession } from "../../db/sessions";
import { readSessionId } from "~/utils/session.server";
import type { TestDatabase } from "../helpers/test-database";
import {
  COMMITTEE,
  FINANCE,
  makeRequest,
  setUpAppDatabase,
  signIn,
  tearDownAppDatabase,
} from "../app/support";

vi.mock("~/utils/auth.server", async (importOriginal) => {
  const original = await importOriginal<typeof import("~/utils/auth.server")>();
  return { ...original, getUser: vi.fn(original.getUser) };
});

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await setUpAppDatabase();
});
afterAll(() => tearDownAppDatabase(testDb));
beforeEach(() => {
  clearSessionCache();
  vi.mocked(auth.getUser).mockClear();
});

const request = (cookie: string) => makeRequest("/", { cookie });

test("a repeat within the same data version is answered from memory", async () => {
  const cookie = await signIn(COMMITTEE);
  const first = await signedInUser(request(cookie));
  expect(first?.user.email).toBe(COMMITTEE);
  const second = await signedInUser(request(cookie));
  expect(second).toEqual(first);
  expect(auth.getUser).toHaveBeenCalledTimes(1);
});

test("a sign-out (any write) ends the cached session at once", async () => {
  const cookie = await signIn(COMMITTEE);
  expect(await signedInUser(request(cookie))).not.toBeNull();
  // The cookie holds `<consortium>:<session id>`.
  await deleteSession(
    testDb.db,
    auth.sessionIdOfCookieValue((await readSessionId(request(cookie)))!),
  );
  expect(await signedInUser(request(cookie))).toBeNull();
});

test("a deactivated account is refused on the next request", async () => {
  const cookie = await signIn(FINANCE);
  expect(await signedInUser(request(cookie))).not.toBeNull();
  await testDb.db.updateTable("users").set({ active: 0 }).where("email", "=", FINANCE).execute();
  expect(await signedInUser(request(cookie))).toBeNull();
  await testDb.db.updateTable("users").set({ active: 1 }).where("email", "=", FINANCE).execute();
});

test("a session due for its touch goes through getUser again (which touches it)", async () => {
  const cookie = await signIn(COMMITTEE);
  const now = new Date();
  expect(await signedInUser(request(cookie), now)).not.toBeNull();
  const later = new Date(now.getTime() + 61_000);
  expect(await signedInUser(request(cookie), later)).not.toBeNull();
  expect(auth.getUser).toHaveBeenCalledTimes(2);
});

test("no cookie, a forged cookie: nobody", async () => {
  expect(await signedInUser(makeRequest("/"))).toBeNull();
  expect(await signedInUser(request("vk_session=forged"))).toBeNull();
});
