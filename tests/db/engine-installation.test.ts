import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { consortiumSchema, REGISTRY_SCHEMA } from "../../db/engine";
import { openInstallation, registerConsortium, type ConsortiumStores } from "../../db/registry";
import { immediateTransaction } from "../../db/transaction";
import { getInstallation, setInstallationForTests } from "../../app/utils/db.server";
import { adminQuery, createTestPostgresDatabase } from "../helpers/test-database";
import { dataVersion } from "../../app/utils/data-version-cache.server";

// The installation on PostgreSQL: the registry in schema verbundkauf_registry, each
// consortium in schema consortium_<code> of one database (a fresh one per test file).
const baseUrl = process.env.TEST_DATABASE_URL;
const root = path.resolve(__dirname, "../..");

function runScript(script: string, env: Record<string, string>) {
  return spawnSync(process.execPath, ["--import", "tsx", path.join(root, script)], {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
}

describe.runIf(baseUrl)("PostgreSQL installation", () => {
  let database: Awaited<ReturnType<typeof createTestPostgresDatabase>>;
  let stores: ConsortiumStores;

  beforeAll(async () => {
    database = await createTestPostgresDatabase(baseUrl);
    stores = await openInstallation(database.url);
    await registerConsortium(stores.registry, "KC", "Kreis Coesfeld");
    await registerConsortium(stores.registry, "MS", "Münster");
  });
  afterAll(async () => {
    await stores?.destroy();
    await database?.drop();
  });

  async function schemasOf(url: string): Promise<string[]> {
    const { rows } = await adminQuery(
      url,
      "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'consortium_%' OR nspname = 'verbundkauf_registry' ORDER BY nspname",
    );
    return rows.map((r: { nspname: string }) => r.nspname);
  }

  test("the registry lives in its own schema and lists the consortia", async () => {
    expect(stores.engine).toBe("postgres");
    expect((await stores.consortia()).map((c) => c.code)).toEqual(["KC", "MS"]);
    expect(await schemasOf(database.url)).toEqual([REGISTRY_SCHEMA]);
  });

  test("two consortia with the same partner code never see each other's rows", async () => {
    const kc = await stores.database("KC");
    const ms = await stores.database("MS");
    expect(kc).toBe(await stores.database("KC")); // one pool per consortium, cached
    expect(await schemasOf(database.url)).toEqual([
      consortiumSchema("KC"),
      consortiumSchema("MS"),
      REGISTRY_SCHEMA,
    ]);
    await kc
      .insertInto("partners")
      .values({ code: "COE", name: "Coesfeld in KC", population: 0, position: 0 })
      .execute();
    await ms
      .insertInto("partners")
      .values({ code: "COE", name: "Coesfeld in MS", population: 0, position: 0 })
      .execute();
    await ms
      .insertInto("partners")
      .values({ code: "MUE", name: "Münster", population: 0, position: 1 })
      .execute();
    expect(await kc.selectFrom("partners").select(["code", "name"]).execute()).toEqual([
      { code: "COE", name: "Coesfeld in KC" },
    ]);
    expect(
      await ms.selectFrom("partners").select(["code", "name"]).orderBy("code").execute(),
    ).toEqual([
      { code: "COE", name: "Coesfeld in MS" },
      { code: "MUE", name: "Münster" },
    ]);
    // Each connection's search_path holds its own schema and nothing else.
    const path = await sql<{ p: string }>`SELECT current_setting('search_path') AS p`.execute(kc);
    expect(path.rows[0].p).toBe(consortiumSchema("KC"));
    await expect(stores.database("XX")).rejects.toThrow("Unbekannter Verbund");
  });

  test("the app's installation uses DATABASE_URL, throttle in the registry", async () => {
    const saved = process.env.DATABASE_URL;
    process.env.DATABASE_URL = database.url;
    setInstallationForTests(undefined);
    const installation = await getInstallation();
    try {
      expect((await installation.consortia()).map((c) => c.code)).toEqual(["KC", "MS"]);
      const kc = await installation.database("KC");
      const partners = await kc.selectFrom("partners").select("name").execute();
      expect(partners).toEqual([{ name: "Coesfeld in KC" }]);
      const throttle = await installation.throttleDatabase();
      await immediateTransaction(throttle, async (conn) => {
        await sql`INSERT INTO login_throttle (key, failures, last_failure_at) VALUES ('account:x', 1, 'now')`.execute(
          conn,
        );
      });
      const rows = await sql<{ key: string }>`SELECT key FROM login_throttle`.execute(
        stores.registry,
      );
      expect(rows.rows).toEqual([{ key: "account:x" }]);
      await installation.ping();
    } finally {
      await installation.close?.();
      setInstallationForTests(undefined);
      if (saved === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = saved;
    }
  });

  test("db:migrate migrates every consortium schema", async () => {
    await registerConsortium(stores.registry, "BOR", "Kreis Borken");
    const run = runScript("scripts/db-migrate.ts", { DATABASE_URL: database.url });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/Migrated schema consortium_bor: 001-initial, .*012-data-version/);
    expect(run.stdout).toContain("schema consortium_kc is up to date.");
    const again = runScript("scripts/db-migrate.ts", { DATABASE_URL: database.url });
    expect(again.stdout).toContain("schema consortium_bor is up to date.");
  });

  test("the documented pg_dump / pg_restore round trip keeps rows and guards", async () => {
    // The client programs of the newest installed PostgreSQL (as scripts/pg-cluster.mjs finds it).
    const versions = fs.readdirSync("/usr/lib/postgresql").sort((a, b) => Number(b) - Number(a));
    const bin = path.join("/usr/lib/postgresql", versions[0], "bin");
    const dump = path.join(os.tmpdir(), `verbundkauf-${database.name}.dump`);
    const copy = await createTestPostgresDatabase(baseUrl);
    const restored = { stores: undefined as ConsortiumStores | undefined };
    try {
      const dumped = spawnSync(
        path.join(bin, "pg_dump"),
        ["--format=custom", `--file=${dump}`, database.url],
        { encoding: "utf8" },
      );
      expect(dumped.stderr).toBe("");
      const back = spawnSync(
        path.join(bin, "pg_restore"),
        ["--clean", "--if-exists", "--no-owner", `--dbname=${copy.url}`, dump],
        { encoding: "utf8" },
      );
      expect(back.stderr).toBe("");
      restored.stores = await openInstallation(copy.url);
      expect((await restored.stores.consortia()).map((c) => c.code)).toEqual(
        (await stores.consortia()).map((c) => c.code),
      );
      const kc = await restored.stores.database("KC");
      expect(await kc.selectFrom("partners").select("name").execute()).toEqual([
        { name: "Coesfeld in KC" },
      ]);
      const version = await dataVersion(kc);
      await kc.insertInto("settings").values({ key: "restored", value: "1" }).execute();
      expect(await dataVersion(kc)).not.toBe(version);
      // Every trigger came back (they are restored after the data, so loading fired none).
      const triggers = async (url: string) =>
        Number(
          (
            await adminQuery(
              url,
              `SELECT count(*) AS n FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
               JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE n.nspname = 'consortium_kc' AND NOT t.tgisinternal`,
            )
          ).rows[0].n,
        );
      expect(await triggers(database.url)).toBeGreaterThan(50);
      expect(await triggers(copy.url)).toBe(await triggers(database.url));
    } finally {
      await restored.stores?.destroy();
      await copy.drop();
      fs.rmSync(dump, { force: true });
    }
  });

  test("destroy() ends every pool of the installation", async () => {
    const other = await openInstallation(database.url);
    await other.database("KC");
    await other.database("MS");
    const connections = async () =>
      Number(
        (
          await adminQuery(
            baseUrl!,
            `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = '${database.name}'`,
          )
        ).rows[0].n,
      );
    const before = await connections();
    await other.destroy();
    expect(await connections()).toBeLessThan(before);
    await expect(other.registry.selectFrom("consortia").selectAll().execute()).rejects.toThrow();
  });
});

test("db:backup and db:restore on PostgreSQL point to pg_dump / pg_restore and fail", () => {
  const env = { DATABASE_URL: "postgres://verbund:geheim@db.example:5432/verbundkauf" };
  const backup = runScript("scripts/backup.ts", env);
  expect(backup.status).toBe(1);
  expect(backup.stderr).toContain("pg_dump --format=custom");
  expect(backup.stderr).toContain('"$DATABASE_URL"');
  expect(backup.stderr).toContain("db.example:5432/verbundkauf");
  expect(backup.stderr).not.toContain("geheim");
  const restore = runScript("scripts/restore.ts", env);
  expect(restore.status).toBe(1);
  expect(restore.stderr).toContain("pg_restore");
});
