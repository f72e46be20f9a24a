import { action as createAction, loader as usersLoader } from "../../app/routes/admin.users._index";
import { action as userAction, loader as userLoader } from "../../app/routes/admin.users.$id";
import { getUser } from "../../app/utils/auth.server";
import { listAudit } from "../../db/audit";
import { findUserByEmail, getUserById } from "../../db/users";
import type { TestDatabase } from "../helpers/test-database";
import {
  COMMITTEE,
  COORDINATOR,
  FINANCE,
  OFFICER_DUE,
  makeRequest,
  run,
  setUpAppDatabase,
  signIn,
  tearDownAppDatabase,
} from "./support";

let testDb: TestDatabase;
let coordinator: string;
beforeAll(async () => {
  testDb = await setUpAppDatabase();
  coordinator = await signIn(COORDINATOR);
});
afterAll(() => tearDownAppDatabase(testDb));

const newOfficer = {
  intent: "create",
  name: "Beschaffung Dülmen 2",
  email: "Zweite.Beschaffung@Duelmen.example",
  role: "officer",
  partner: "DUE",
  password: "ein-sicheres-passwort",
};

function create(form: Record<string, string>, cookie = coordinator) {
  return run(createAction, makeRequest("/admin/users", { cookie, form }));
}

function change(id: number, form: Record<string, string>, cookie = coordinator) {
  return run(userAction, makeRequest(`/admin/users/${id}`, { cookie, form }), { id: String(id) });
}

describe("access", () => {
  it("is for the coordinator only: 403 for every other role, loader and actions alike", async () => {
    expect(
      (await run(usersLoader, makeRequest("/admin/users", { cookie: coordinator }))).status,
    ).toBe(200);
    const target = await findUserByEmail(testDb.db, COMMITTEE);
    for (const email of [FINANCE, COMMITTEE, OFFICER_DUE]) {
      const cookie = await signIn(email);
      expect((await run(usersLoader, makeRequest("/admin/users", { cookie }))).status).toBe(403);
      expect((await create({ ...newOfficer, email: "x@example.org" }, cookie)).status).toBe(403);
      expect(
        (
          await run(userLoader, makeRequest(`/admin/users/${target!.id}`, { cookie }), {
            id: String(target!.id),
          })
        ).status,
      ).toBe(403);
      expect((await change(target!.id, { intent: "deactivate" }, cookie)).status).toBe(403);
    }
    expect(await findUserByEmail(testDb.db, "x@example.org")).toBeUndefined();
    expect((await getUserById(testDb.db, target!.id))?.active).toBe(true);
  });

  it("sends signed-out visitors to the sign-in page", async () => {
    const response = await run(usersLoader, makeRequest("/admin/users"));
    expect(response.headers.get("Location")).toBe(
      `/login?redirectTo=${encodeURIComponent("/admin/users")}`,
    );
  });
});

describe("create", () => {
  it("creates an officer that can sign in, and writes the audit log", async () => {
    const response = await create(newOfficer);
    expect(response.status).toBe(302);
    const user = await findUserByEmail(testDb.db, newOfficer.email);
    expect(user).toMatchObject({
      email: "zweite.beschaffung@duelmen.example",
      role: "officer",
      partnerCode: "DUE",
      active: true,
    });
    expect(response.headers.get("Location")).toBe(`/admin/users?created=${user!.id}`);
    expect(await signIn(newOfficer.email, newOfficer.password)).toMatch(/^vk_session=/);
    const [entry] = await listAudit(testDb.db, { entity: "user", entityKey: user!.email });
    expect(entry.action).toBe("create");
    expect(entry.userEmail).toBe(COORDINATOR);
    expect(entry.newValue).not.toContain(newOfficer.password);
  });

  it("explains what is wrong, in German", async () => {
    const cases: [Record<string, string>, string, string][] = [
      [
        { ...newOfficer, email: "neu@example.org", password: "zu-kurz" },
        "password",
        "Das Passwort muss mindestens 12 Zeichen lang sein.",
      ],
      [
        { ...newOfficer, email: "neu@example.org", partner: "" },
        "partner",
        "Bitte wählen Sie den Schulträger, für den diese Person beschafft.",
      ],
      [
        { ...newOfficer, email: "neu@example.org", partner: "XYZ" },
        "partner",
        "Diesen Schulträger gibt es nicht.",
      ],
      [
        { ...newOfficer, email: "neu@example.org", role: "admin" },
        "role",
        "Bitte wählen Sie eine Rolle.",
      ],
      [
        { ...newOfficer, email: "neu@example.org", name: " " },
        "name",
        "Bitte geben Sie einen Namen ein.",
      ],
      [
        { ...newOfficer, email: "kein-at-zeichen" },
        "email",
        "Bitte geben Sie eine gültige E-Mail-Adresse ein, zum Beispiel name@beispiel.de.",
      ],
      [
        { ...newOfficer, email: OFFICER_DUE.toUpperCase() },
        "email",
        "Diese E-Mail-Adresse ist bereits vergeben.",
      ],
    ];
    for (const [form, field, message] of cases) {
      const response = await create(form);
      expect(response.status, `${field}: ${message}`).toBe(400);
      const body = await response.json();
      expect(body.error[field]).toEqual([message]);
      expect(body.initialValue.password).toBeUndefined();
    }
    expect(await findUserByEmail(testDb.db, "neu@example.org")).toBeUndefined();
  });

  it("drops the partner for roles other than officer", async () => {
    const response = await create({
      ...newOfficer,
      email: "finanzen2@example.org",
      role: "finance",
      partner: "DUE",
    });
    expect(response.status).toBe(302);
    expect(await findUserByEmail(testDb.db, "finanzen2@example.org")).toMatchObject({
      role: "finance",
      partnerCode: null,
    });
  });
});

describe("change", () => {
  it("changes role and partner, and logs old and new value", async () => {
    const user = await findUserByEmail(testDb.db, "beschaffung@havixbeck.example");
    const response = await change(user!.id, {
      intent: "update",
      name: "Havixbeck Finanzen",
      role: "finance",
      partner: "",
    });
    expect(response.status).toBe(302);
    expect(await getUserById(testDb.db, user!.id)).toMatchObject({
      name: "Havixbeck Finanzen",
      role: "finance",
      partnerCode: null,
    });
    const [entry] = await listAudit(testDb.db, {
      entity: "user",
      entityKey: user!.email,
      action: "update",
    });
    expect(JSON.parse(entry.oldValue!)).toMatchObject({ role: "officer", partner: "HAV" });
    expect(JSON.parse(entry.newValue!)).toMatchObject({ role: "finance", partner: null });

    const back = await change(user!.id, {
      intent: "update",
      name: "Havixbeck",
      role: "officer",
      partner: "",
    });
    expect(back.status).toBe(400);
    expect((await back.json()).result.error.partner).toEqual([
      "Bitte wählen Sie den Schulträger, für den diese Person beschafft.",
    ]);
  });

  it("does not let the coordinator change its own role or deactivate itself", async () => {
    const self = await findUserByEmail(testDb.db, COORDINATOR);
    const response = await change(self!.id, {
      intent: "update",
      name: self!.name,
      role: "finance",
    });
    expect(response.status).toBe(400);
    expect((await response.json()).result.error[""]).toHaveLength(1);
    expect((await change(self!.id, { intent: "deactivate" })).status).toBe(403);
    expect(await getUserById(testDb.db, self!.id)).toMatchObject({
      role: "coordinator",
      active: true,
    });
  });

  it("resets a password: the old one stops working, sessions end", async () => {
    const user = await findUserByEmail(testDb.db, "beschaffung@nottuln.example");
    const session = await signIn(user!.email);
    const mismatch = await change(user!.id, {
      intent: "reset-password",
      password: "neues-passwort-123",
      confirmPassword: "anderes-passwort",
    });
    expect(mismatch.status).toBe(400);
    const response = await change(user!.id, {
      intent: "reset-password",
      password: "neues-passwort-123",
      confirmPassword: "neues-passwort-123",
    });
    expect(response.status).toBe(302);
    expect(await getUser(makeRequest("/", { cookie: session }))).toBeNull();
    await expect(signIn(user!.email)).rejects.toThrow(/failed with 400/);
    expect(await signIn(user!.email, "neues-passwort-123")).toMatch(/^vk_session=/);
    expect((await listAudit(testDb.db, { entityKey: user!.email }))[0].action).toBe(
      "reset-password",
    );
  });

  it("deactivating ends all the user's sessions and blocks sign-in; reactivating allows it again", async () => {
    const user = await findUserByEmail(testDb.db, "beschaffung@rosendahl.example");
    const sessions = [await signIn(user!.email), await signIn(user!.email)];
    const countSessions = async () =>
      (
        await testDb.db
          .selectFrom("sessions")
          .select("id")
          .where("user_id", "=", user!.id)
          .execute()
      ).length;
    expect(await countSessions()).toBe(2);

    expect((await change(user!.id, { intent: "deactivate" })).status).toBe(302);
    expect(await countSessions()).toBe(0);
    for (const cookie of sessions) expect(await getUser(makeRequest("/", { cookie }))).toBeNull();
    await expect(signIn(user!.email)).rejects.toThrow(/failed with 400/);

    expect((await change(user!.id, { intent: "reactivate" })).status).toBe(302);
    expect(await signIn(user!.email)).toMatch(/^vk_session=/);
    const actions = (await listAudit(testDb.db, { entityKey: user!.email })).map((e) => e.action);
    expect(actions).toEqual(["reactivate", "deactivate"]);
  });

  it("answers 404 for an unknown user", async () => {
    expect(
      (
        await run(userLoader, makeRequest("/admin/users/9999", { cookie: coordinator }), {
          id: "9999",
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await run(userLoader, makeRequest("/admin/users/abc", { cookie: coordinator }), {
          id: "abc",
        })
      ).status,
    ).toBe(404);
  });
});
