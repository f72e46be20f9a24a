// `npm run db:migrate`: migrates the registry and every consortium's database. SQLite:
// the registry at DATABASE_PATH (adopting a single-file installation as consortium KC)
// and the consortium files beside it. PostgreSQL (DATABASE_URL): the registry schema
// verbundkauf_registry and every consortium's schema consortium_<code>. Each consortium is
// opened (and so migrated) through the stores, one at a time.
import { installationLocationFromEnv } from "../db/database";
import { consortiumSchema, isPostgresUrl } from "../db/engine";
import { consortiumFileFor, openInstallation } from "../db/registry";

const location = installationLocationFromEnv();
const postgres = isPostgresUrl(location);
const stores = await openInstallation(location);
try {
  for (const consortium of await stores.consortia()) {
    const name = postgres
      ? `schema ${consortiumSchema(consortium.code)}`
      : consortiumFileFor(location, consortium.code);
    try {
      await stores.database(consortium.code);
      const applied = stores.migrationsApplied(consortium.code);
      console.log(
        applied.length ? `Migrated ${name}: ${applied.join(", ")}` : `${name} is up to date.`,
      );
    } finally {
      await stores.release(consortium.code);
    }
  }
} finally {
  await stores.destroy();
}
