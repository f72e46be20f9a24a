// Sessions and passwords end to end on an empty installation: at least 12 characters
// wherever a password is set (setup, user creation, reset), server-side sessions that
// sign-out, a password reset and deactivation end at once, a new id on every sign-in,
// idle and absolute timeouts.
import { action as createAction } from "../../app/routes/admin.users._index";
import { action as userAction, loader as userLoader } from "../../app/routes/admin.users.$id";
import { action as logoutAction } from "../../app/routes/logout";
import { action as setupAction } from "../../app/routes/setup";
import { getUser } from "../../app/utils/auth.server";
import { SESSION_ABSOLUTE_TIMEOUT_MS, SESSION_IDLE_TIMEOUT_MS } from "../../db/sessions";
import { findUserByEmail } from "../../db/users";
import type { TestDatabase } from "../helpers/test-database";
import {
  cookieFrom,
  makeRequest,
  run,
  setUpAppDatabase,
  signIn,
  tearDownAppDatabase,
} from "../app/support";

let testDb: TestDatabase;
let coordinator: string;
beforeAll(async () => {
  testDb = await setUpAppDatabase({ demo: false });
});
afterAll(() => tearDownAppDatabase(testDb));

const ELEVEN = "elf-zeichen"; // 11 characters
const TWELVE = "zwoelf-zeich"; // 12 characters
const TOO_SHORT = "Das Passwort muss mindestens 12 Zeichen lang sein.";

// Through Kysely, so that the file runs on SQLite and on PostgreSQL alike.
const sessionIds = async (userId: number) =>
  (await testDb.db.selectFrom("sessions").select("id").where("user_id", "=", userId).execute()).map(
    (row) => row.id,
  );
const sessionCount = async (userId: number) => (await sessionIds(userId)).length;

/** conform's reply, at the top or (the user page, with several forms) under `result`. */
async function fieldErrors(response: Response): Promise<Record<string, string[]>> {
  const body = (await response.json()) as {
    error?: Record<string, string[]>;
    result?: { error: Record<string, string[]> };
  };
  return body.error ?? body.result!.error;
}

test("setup wants 12 characters, then creates the coordinator and signs in", async () => {
  const form = {
    name: "Koordination",
    email: "koordination@example.org",
    confirmPassword: ELEVEN,
    password: ELEVEN,
  };
  const short = await run(setupAction, makeRequest("/setup", { form }));
  expect(short.status).toBe(400);
  expect((await fieldErrors(short)).password).toEqual([TOO_SHORT]);

  const ok = await run(
    setupAction,
    makeRequest("/setup", { form: { ...form, password: TWELVE, confirmPassword: TWELVE } }),
  );
  expect(ok.status).toBe(302);
  coordinator = cookieFrom(ok);
  expect((await getUser(makeRequest("/", { cookie: coordinator })))?.role).toBe("coordinator");
});

test("creating a user and resetting a password want 12 characters as well", async () => {
  const newUser = {
    intent: "create",
    name: "Finanzen",
    email: "finanzen@example.org",
    role: "finance",
    password: ELEVEN,
  };
  const short = await run(
    createAction,
    makeRequest("/admin/users", { cookie: coordinator, form: newUser }),
  );
  expect(short.status).toBe(400);
  expect((await fieldErrors(short)).password).toEqual([TOO_SHORT]);
  expect(await findUserByEmail(testDb.db, newUser.email)).toBeUndefined();
  expect(
    (
      await run(
        createAction,
        makeRequest("/admin/users", {
          cookie: coordinator,
          form: { ...newUser, password: TWELVE },
        }),
      )
    ).status,
  ).toBe(302);

  const user = (await findUserByEmail(testDb.db, newUser.email))!;
  const reset = (password: string) =>
    run(
      userAction,
      makeRequest(`/admin/users/${user.id}`, {
        cookie: coordinator,
        form: { intent: "reset-password", password, confirmPassword: password },
      }),
      {
        id: String(user.id),
      },
    );
  const shortReset = await reset(ELEVEN);
  expect(shortReset.status).toBe(400);
  expect((await fieldErrors(shortReset)).password).toEqual([TOO_SHORT]);

  // A reset ends the user's sessions on the server.
  const finance = await signIn(newUser.email, TWELVE);
  expect(await sessionCount(user.id)).toBe(1);
  expect((await reset("ein-neues-passwort")).status).toBe(302);
  expect(await sessionCount(user.id)).toBe(0);
  expect(await getUser(makeRequest("/", { cookie: finance }))).toBeNull();
});

test("a new session id on every sign-in; sign-out and deactivation delete the session", async () => {
  const user = (await findUserByEmail(testDb.db, "finanzen@example.org"))!;
  const first = await signIn(user.email, "ein-neues-passwort");
  const second = await signIn(user.email, "ein-neues-passwort");
  expect(second).not.toBe(first);

  const out = await run(logoutAction, makeRequest("/logout", { cookie: second, form: {} }));
  expect(out.headers.get("Set-Cookie")).toMatch(/Max-Age=0|Expires=Thu, 01 Jan 1970/);
  expect(await getUser(makeRequest("/", { cookie: second }))).toBeNull();
  expect(await getUser(makeRequest("/", { cookie: first }))).not.toBeNull(); // another browser stays signed in

  const deactivate = await run(
    userAction,
    makeRequest(`/admin/users/${user.id}`, { cookie: coordinator, form: { intent: "deactivate" } }),
    {
      id: String(user.id),
    },
  );
  expect(deactivate.status).toBe(302);
  expect(await sessionCount(user.id)).toBe(0);
  expect(await getUser(makeRequest("/", { cookie: first }))).toBeNull();
});

test("idle and absolute timeouts end a session", async () => {
  const coordinatorId = (await findUserByEmail(testDb.db, "koordination@example.org"))!.id;
  const fresh = async () => {
    const before = new Set(await sessionIds(coordinatorId));
    const cookie = await signIn("koordination@example.org", TWELVE);
    const [id] = (await sessionIds(coordinatorId)).filter((known) => !before.has(known));
    return { cookie, id };
  };
  const idle = await fresh();
  const longAgo = new Date(Date.now() - SESSION_IDLE_TIMEOUT_MS - 1000).toISOString();
  await testDb.db
    .updateTable("sessions")
    .set({ last_seen_at: longAgo })
    .where("id", "=", idle.id)
    .execute();
  expect(await getUser(makeRequest("/", { cookie: idle.cookie }))).toBeNull();

  const old = await fresh();
  await testDb.db
    .updateTable("sessions")
    .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
    .where("id", "=", old.id)
    .execute();
  expect(await getUser(makeRequest("/", { cookie: old.cookie }))).toBeNull();
  expect(SESSION_ABSOLUTE_TIMEOUT_MS).toBeLessThanOrEqual(7 * 24 * 60 * 60 * 1000);

  const live = await fresh();
  expect(await getUser(makeRequest("/", { cookie: live.cookie }))).not.toBeNull();
});

test("changing one's own password ends one's other sessions and keeps the current one", async () => {
  const me = (await findUserByEmail(testDb.db, "koordination@example.org"))!;
  const here = await signIn(me.email, TWELVE);
  const elsewhere = await signIn(me.email, TWELVE);
  expect(await sessionCount(me.id)).toBeGreaterThanOrEqual(2);
  const changed = await run(
    userAction,
    makeRequest(`/admin/users/${me.id}`, {
      cookie: here,
      form: {
        intent: "reset-password",
        password: "mein-neues-passwort",
        confirmPassword: "mein-neues-passwort",
      },
    }),
    { id: String(me.id) },
  );
  expect(changed.status).toBe(302);
  expect(await getUser(makeRequest("/", { cookie: elsewhere }))).toBeNull();
  expect((await getUser(makeRequest("/", { cookie: here })))?.id).toBe(me.id);
  expect(await sessionCount(me.id)).toBe(1);
  coordinator = here;
});

test("user pages accept only canonical positive ids", async () => {
  const me = (await findUserByEmail(testDb.db, "koordination@example.org"))!;
  expect(me.id).toBe(1);
  const status = async (id: string) =>
    (
      await run(
        userLoader,
        makeRequest(`/admin/users/${encodeURIComponent(id)}`, { cookie: coordinator }),
        {
          id,
        },
      )
    ).status;
  expect(await status("1")).toBe(200);
  for (const id of [
    "1e0",
    "0x1",
    "1.0",
    "01",
    " 1",
    "1 ",
    "+1",
    "0",
    "-1",
    "1_0",
    "0b1",
    "99999999999999999999",
  ]) {
    expect(await status(id), id).toBe(404);
  }
});
