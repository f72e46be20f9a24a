// `npm run db:migrate`: migrates the registry and every consortium's database. SQLite:
// the registry at DATABASE_PATH (adopting a single-file installation as consortium KC)
// and the consortium files beside it. PostgreSQL (DATABASE_URL): the registry schema
// verbundkauf_registry and every consortium's schema consortium_<code>.
import {
  installationLocationFromEnv,
  migrateToLatest,
  openDatabase,
  openPostgres,
  type OpenedDatabase,
} from "../db/database";
import { consortiumSchema, isPostgresUrl } from "../db/engine";
import { consortiumFileFor, openInstallation } from "../db/registry";

const location = installationLocationFromEnv();
const postgres = isPostgresUrl(location);
const stores = await openInstallation(location);
try {
  for (const consortium of await stores.consortia()) {
    let opened: OpenedDatabase;
    let name: string;
    if (postgres) {
      name = `schema ${consortiumSchema(consortium.code)}`;
      opened = openPostgres(location, consortiumSchema(consortium.code));
    } else {
      name = consortiumFileFor(location, consortium.code);
      opened = openDatabase(name);
    }
    try {
      const applied = await migrateToLatest(opened.db);
      console.log(
        applied.length ? `Migrated ${name}: ${applied.join(", ")}` : `${name} is up to date.`,
      );
    } finally {
      await opened.close();
    }
  }
} finally {
  await stores.destroy();
}
