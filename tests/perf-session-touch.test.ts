// Session touches keep cached pages (app/utils/session-cache.server.ts, decision 027):
// the once-a-minute touch of last_seen_at is made and counted by the server before
// Remix runs, and the page data version (ETags, cached pages) leaves it out. A real
// write still changes it, and a session nobody touched for a minute is still touched.
import { readSession } from "../db/sessions";
import { getUser, sessionIdOfCookieValue } from "~/utils/auth.server";
import { dataVersion } from "~/utils/data-version-cache.server";
import {
  clearSessionCache,
  pageDataVersion,
  signedInUser,
  touchSessionIfDue,
} from "~/utils/session-cache.server";
import { readSessionId } from "~/utils/session.server";
import type { TestDatabase } from "./helpers/test-database";
import {
  COMMITTEE,
  makeRequest,
  setUpAppDatabase,
  signIn,
  tearDownAppDatabase,
} from "./app/support";

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await setUpAppDatabase();
});
afterAll(() => tearDownAppDatabase(testDb));
beforeEach(() => clearSessionCache());

const request = (cookie: string) => makeRequest("/", { cookie });

async function sessionIdOf(cookie: string): Promise<string> {
  return sessionIdOfCookieValue((await readSessionId(request(cookie)))!);
}

/** Pretends the session was last seen two minutes ago (a write, before the measurement). */
async function ageSession(cookie: string): Promise<void> {
  const twoMinutesAgo = new Date(Date.now() - 120_000).toISOString();
  await testDb.db
    .updateTable("sessions")
    .set({ last_seen_at: twoMinutesAgo })
    .where("id", "=", await sessionIdOf(cookie))
    .execute();
}

test("a due touch updates last_seen_at but keeps the page data version", async () => {
  const cookie = await signIn(COMMITTEE);
  await ageSession(cookie);
  const rawBefore = await dataVersion(testDb.db);
  const before = await pageDataVersion(testDb.db);

  const now = new Date();
  await touchSessionIfDue(request(cookie), now);

  const session = await readSession(testDb.db, await sessionIdOf(cookie), now);
  expect(session?.lastSeenAt.getTime()).toBe(now.getTime());
  // The database did change (the touch is a write) …
  expect(await dataVersion(testDb.db)).not.toBe(rawBefore);
  // … but not anything a page shows.
  expect(await pageDataVersion(testDb.db)).toBe(before);
  // getUser, right after, finds nothing due and writes nothing.
  expect((await getUser(request(cookie)))?.email).toBe(COMMITTEE);
  expect(await pageDataVersion(testDb.db)).toBe(before);
  // The session cache answers with the same version as before the touch.
  expect((await signedInUser(request(cookie)))?.version).toBe(before);
});

test("a real write still changes the page data version", async () => {
  const cookie = await signIn(COMMITTEE);
  await touchSessionIfDue(request(cookie));
  const before = await pageDataVersion(testDb.db);
  await testDb.db
    .updateTable("users")
    .set({ name: "Gremium Neu" })
    .where("email", "=", COMMITTEE)
    .execute();
  expect(await pageDataVersion(testDb.db)).not.toBe(before);
});

test("a session seen less than a minute ago is neither read nor touched again", async () => {
  const cookie = await signIn(COMMITTEE);
  await ageSession(cookie);
  const now = new Date();
  await touchSessionIfDue(request(cookie), now);
  const raw = await dataVersion(testDb.db);
  await touchSessionIfDue(request(cookie), new Date(now.getTime() + 30_000));
  expect(await dataVersion(testDb.db)).toBe(raw);
  // A minute later it is due again, and touched.
  const later = new Date(now.getTime() + 61_000);
  await touchSessionIfDue(request(cookie), later);
  const session = await readSession(testDb.db, await sessionIdOf(cookie), later);
  expect(session?.lastSeenAt.getTime()).toBe(later.getTime());
});

test("an unknown or forged session is left alone", async () => {
  const raw = await dataVersion(testDb.db);
  await touchSessionIfDue(request("vk_session=forged"));
  await touchSessionIfDue(makeRequest("/"));
  expect(await dataVersion(testDb.db)).toBe(raw);
});
