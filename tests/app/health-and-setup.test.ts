import { loader as rootLoader } from "../../app/root";
import { loader as healthLoader } from "../../app/routes/healthz";
import { action as setupAction, loader as setupLoader } from "../../app/routes/setup";
import { getUser } from "../../app/utils/auth.server";
import { setDbForTests } from "../../app/utils/db.server";
import { listAudit } from "../../db/audit";
import { countUsers } from "../../db/users";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";
import { cookieFrom, makeRequest, run, setUpAppDatabase, tearDownAppDatabase } from "./support";

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await setUpAppDatabase({ demo: false });
});
afterAll(() => tearDownAppDatabase(testDb));

describe("/healthz", () => {
  it("answers 200 {status: ok} without a session", async () => {
    const response = await run(healthLoader, makeRequest("/healthz"));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
  });

  it("answers 503 when the database does not answer", async () => {
    const broken = await createTestDatabase();
    await broken.db.destroy();
    setDbForTests(broken.db);
    try {
      const response = await run(healthLoader, makeRequest("/healthz"));
      expect(response.status).toBe(503);
    } finally {
      setDbForTests(testDb.db);
    }
  });
});

describe("first start without demo data", () => {
  const form = {
    name: "Erste Koordination",
    email: "Koordination@Example.org",
    password: "ein-langes-passwort",
    confirmPassword: "ein-langes-passwort",
  };

  it("sends every page to /setup while no user exists", async () => {
    for (const path of ["/", "/login", "/tenders"]) {
      const response = await run(rootLoader, makeRequest(path));
      expect(response.status).toBe(302);
      expect(response.headers.get("Location")).toBe("/setup");
    }
    expect((await run(setupLoader, makeRequest("/setup"))).status).toBe(200);
  });

  it("checks the form in German: password length and confirmation", async () => {
    const short = await run(
      setupAction,
      makeRequest("/setup", { form: { ...form, password: "kurz", confirmPassword: "kurz" } }),
    );
    expect(short.status).toBe(400);
    expect((await short.json()).error.password).toEqual([
      "Das Passwort muss mindestens 12 Zeichen lang sein.",
    ]);
    const differ = await run(
      setupAction,
      makeRequest("/setup", { form: { ...form, confirmPassword: "ein-anderes-passwort" } }),
    );
    expect((await differ.json()).error.confirmPassword).toEqual([
      "Die Passwörter stimmen nicht überein.",
    ]);
    const noEmail = await run(
      setupAction,
      makeRequest("/setup", { form: { ...form, email: "keine-adresse" } }),
    );
    expect((await noEmail.json()).error.email?.[0]).toMatch(/gültige E-Mail-Adresse/);
    expect(await countUsers(testDb.db)).toBe(0);
  });

  it("creates the coordinator, signs in and closes /setup", async () => {
    const response = await run(setupAction, makeRequest("/setup", { form }));
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/");
    const user = await getUser(makeRequest("/", { cookie: cookieFrom(response) }));
    expect(user).toMatchObject({
      email: "koordination@example.org",
      role: "coordinator",
      active: true,
    });
    expect((await listAudit(testDb.db, { entity: "user" }))[0]).toMatchObject({
      action: "create",
      entityKey: "koordination@example.org",
    });

    const again = await run(
      setupAction,
      makeRequest("/setup", { form: { ...form, email: "zweite@example.org" } }),
    );
    expect(again.status).toBe(302);
    expect(again.headers.get("Location")).toBe("/login");
    expect(await countUsers(testDb.db)).toBe(1);
    expect((await run(setupLoader, makeRequest("/setup"))).headers.get("Location")).toBe("/login");
    expect((await run(rootLoader, makeRequest("/login"))).status).toBe(200);
  });
});
