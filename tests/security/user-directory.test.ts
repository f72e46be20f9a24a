// The registry's user directory (r002): sign-in opens only the store of the consortium
// holding the email, never every consortium's (on PostgreSQL each opened store is a pool).
// Runs on SQLite, and on PostgreSQL with TEST_DATABASE_URL (an installation in a fresh
// database of the test cluster).
import fs from "node:fs";
import { sql } from "kysely";
import os from "node:os";
import path from "node:path";
import { emailTakenInInstallation, verifyLoginInInstallation } from "../../app/utils/auth.server";
import {
  installationHasNoUsers,
  setInstallationForTests,
  storesInstallation,
  type Installation,
} from "../../app/utils/db.server";
import { openInstallation, registerConsortium, type ConsortiumStores } from "../../db/registry";
import { createUser } from "../../db/users";
import { TEST_DATABASE_URL, createTestPostgresDatabase } from "../helpers/test-database";

const PASSWORD = "ein-langes-passwort-123";
const CODES = ["AA", "BB", "CC"] as const;
const emailOf = (code: string) => `koord@${code.toLowerCase()}.example`;

let stores: ConsortiumStores;
let location: string;
let cleanup: () => Promise<void>;
/** The consortium codes whose store the app asked for, in order. */
let opened: string[] = [];

beforeAll(async () => {
  if (TEST_DATABASE_URL) {
    const database = await createTestPostgresDatabase();
    location = database.url;
    cleanup = () => database.drop();
  } else {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "user-directory-"));
    location = path.join(dir, "verbundkauf.db");
    cleanup = async () => fs.rmSync(dir, { recursive: true, force: true });
  }
  stores = await openInstallation(location);
  for (const code of CODES) {
    await registerConsortium(stores.registry, code, `Verbund ${code}`);
    const db = await stores.database(code);
    await createUser(db, {
      name: "K",
      email: emailOf(code),
      password: PASSWORD,
      role: "coordinator",
    });
    expect(await stores.claimEmail(code, emailOf(code))).toBe(true);
  }
  const real = storesInstallation(stores);
  const counting: Installation = {
    ...real,
    database: (code) => {
      opened.push(code);
      return real.database(code);
    },
  };
  setInstallationForTests(counting);
}, 120_000);

afterAll(async () => {
  setInstallationForTests(undefined);
  await stores?.destroy();
  await cleanup?.();
}, 60_000);

beforeEach(() => {
  opened = [];
});

describe(`user directory (${TEST_DATABASE_URL ? "PostgreSQL" : "SQLite"})`, () => {
  it("sign-in with three consortia opens only the signed-in consortium's store", async () => {
    const found = await verifyLoginInInstallation(emailOf("BB").toUpperCase(), PASSWORD);
    expect(found?.consortium).toBe("BB");
    expect(found?.user.email).toBe(emailOf("BB"));
    expect(opened).toEqual(["BB"]);
  });

  it("an unknown email and the sign-in page's checks open no store at all", async () => {
    expect(await verifyLoginInInstallation("niemand@x.example", PASSWORD)).toBeNull();
    expect(await emailTakenInInstallation(emailOf("CC"))).toBe(true);
    expect(await emailTakenInInstallation("niemand@x.example")).toBe(false);
    expect(await installationHasNoUsers()).toBe(false);
    expect(opened).toEqual([]);
  });

  it("a wrong password opens only the holder's store and signs nobody in", async () => {
    expect(await verifyLoginInInstallation(emailOf("AA"), "falsch-falsch-falsch")).toBeNull();
    expect(opened).toEqual(["AA"]);
  });

  it("refuses to claim an email another consortium holds", async () => {
    expect(await stores.claimEmail("CC", emailOf("AA"))).toBe(false);
    expect(await stores.consortiumOfEmail(emailOf("AA"))).toBe("AA");
  });

  it("is filled again from the consortia; an email in two consortia signs nobody in", async () => {
    await stores.registry.deleteFrom("user_directory").execute();
    expect(await verifyLoginInInstallation(emailOf("AA"), PASSWORD)).toBeNull();
    await stores.syncUserDirectory();
    expect((await verifyLoginInInstallation(emailOf("AA"), PASSWORD))?.consortium).toBe("AA");
    // The same email written straight into a second consortium (as before the directory).
    await createUser(await stores.database("CC"), {
      name: "Doppelt",
      email: emailOf("AA"),
      password: PASSWORD,
      role: "finance",
    });
    await stores.syncUserDirectory(["CC"]);
    expect(await stores.consortiumOfEmail(emailOf("AA"))).toBeNull();
    opened = [];
    expect(await verifyLoginInInstallation(emailOf("AA"), PASSWORD)).toBeNull();
    expect(opened).toEqual([]);
  }, 60_000);

  it("migration r002 fills the directory from the consortia an installation already has", async () => {
    // The installation as it was before r002: no directory, r002 not applied.
    await sql`DROP TABLE user_directory`.execute(stores.registry);
    await sql`DELETE FROM kysely_migration WHERE name = 'r002-user-directory'`.execute(
      stores.registry,
    );
    const again = await openInstallation(location);
    try {
      expect(await again.consortiumOfEmail(emailOf("BB"))).toBe("BB");
      expect(await again.consortiumOfEmail(emailOf("CC"))).toBe("CC");
      expect(await again.consortiumOfEmail("niemand@x.example")).toBeUndefined();
    } finally {
      await again.destroy();
    }
  }, 60_000);
});
