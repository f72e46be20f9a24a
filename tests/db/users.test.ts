// User lookups that must behave the same on SQLite and PostgreSQL.
import { sql } from "kysely";
import { countUsers, createUser, findUserByEmail, isEmailTaken, updateUser } from "../../db/users";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t.cleanup());

test("emails are stored lower-case and found however they are written", async () => {
  const user = await createUser(t.db, {
    email: "  Kim.Koordination@Example.TEST ",
    name: "Kim",
    role: "coordinator",
    password: "geheimes-passwort",
  });
  expect(user.email).toBe("kim.koordination@example.test");
  expect((await findUserByEmail(t.db, "KIM.koordination@example.test"))?.id).toBe(user.id);
  expect(await isEmailTaken(t.db, "kim.KOORDINATION@example.test")).toBe(true);
  expect(await isEmailTaken(t.db, "kim.koordination@example.test", user.id)).toBe(false);
  expect(await findUserByEmail(t.db, "jemand@example.test")).toBeUndefined();
});

test("an address stored with capitals (by an older version) is still found", async () => {
  await createUser(t.db, {
    email: "alt@example.test",
    name: "Alt",
    role: "finance",
    password: "geheimes-passwort",
  });
  await sql`update users set email = 'Alt.Konto@Example.test' where email = 'alt@example.test'`.execute(
    t.db,
  );
  const found = await findUserByEmail(t.db, "alt.konto@example.test");
  expect(found?.name).toBe("Alt");
  expect(await isEmailTaken(t.db, "ALT.KONTO@EXAMPLE.TEST")).toBe(true);
});

test("active is a boolean, and the count a number, on both engines", async () => {
  const user = await createUser(t.db, {
    email: "aktiv@example.test",
    name: "Aktiv",
    role: "committee",
    password: "geheimes-passwort",
  });
  expect(user.active).toBe(true);
  const inactive = await updateUser(t.db, user.id, { active: false });
  expect(inactive.active).toBe(false);
  expect((await updateUser(t.db, user.id, { active: true })).active).toBe(true);
  const count = await countUsers(t.db);
  expect(typeof count).toBe("number");
  expect(count).toBe(3);
});
