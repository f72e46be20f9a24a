import { sql } from "kysely";
import { engineOf, isPostgresUrl, parseInt8 } from "../../db/engine";
import { installationLocationFromEnv } from "../../db/database";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

// How values cross the engine boundary (docs/decisions/025-engine-differences.md).

test("int8 text becomes a number, and only when a number holds it exactly", () => {
  expect(parseInt8("0")).toBe(0);
  expect(parseInt8("-42")).toBe(-42);
  expect(parseInt8("9007199254740991")).toBe(Number.MAX_SAFE_INTEGER);
  expect(() => parseInt8("9007199254740992")).toThrow(RangeError);
  expect(() => parseInt8("-9007199254740993")).toThrow(RangeError);
});

test("DATABASE_URL selects PostgreSQL, and only with a PostgreSQL URL", () => {
  const saved = { url: process.env.DATABASE_URL, path: process.env.DATABASE_PATH };
  try {
    process.env.DATABASE_PATH = "/tmp/x/verbundkauf.db";
    delete process.env.DATABASE_URL;
    expect(installationLocationFromEnv()).toBe("/tmp/x/verbundkauf.db");
    process.env.DATABASE_URL = "postgresql://u@h/db";
    expect(installationLocationFromEnv()).toBe("postgresql://u@h/db");
    expect(isPostgresUrl(installationLocationFromEnv())).toBe(true);
    process.env.DATABASE_URL = "mysql://u@h/db";
    expect(() => installationLocationFromEnv()).toThrow("DATABASE_URL");
  } finally {
    for (const [key, value] of [
      ["DATABASE_URL", saved.url],
      ["DATABASE_PATH", saved.path],
    ] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
});

describe("on the engine under test", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => t.cleanup());

  test("engineOf sees the engine through a transaction too", async () => {
    await t.db.transaction().execute(async (trx) => {
      expect(engineOf(trx)).toBe(t.engine);
    });
  });

  test("counts and bigint values arrive as numbers; too large ones are an error", async () => {
    const { rows } = await sql<{ n: unknown; big: unknown }>`
      SELECT count(*) AS n, CAST(9007199254740991 AS BIGINT) AS big`.execute(t.db);
    expect(rows[0]).toEqual({ n: 1, big: Number.MAX_SAFE_INTEGER });
    if (t.engine === "postgres")
      await expect(
        sql`SELECT CAST(9007199254740993 AS BIGINT) AS big`.execute(t.db),
      ).rejects.toThrow(RangeError);
  });
});
