// `npm run db:migrate`: migrates the registry at DATABASE_PATH (adopting a single-file
// installation as consortium KC) and every consortium's database.
import { databasePathFromEnv, migrateToLatest, openDatabase } from "../db/database";
import { consortiumFileFor, openInstallation } from "../db/registry";

const registryPath = databasePathFromEnv();
const stores = await openInstallation(registryPath);
try {
  for (const consortium of await stores.consortia()) {
    const file = consortiumFileFor(registryPath, consortium.code);
    const { db } = openDatabase(file);
    try {
      const applied = await migrateToLatest(db);
      console.log(
        applied.length ? `Migrated ${file}: ${applied.join(", ")}` : `${file} is up to date.`,
      );
    } finally {
      await db.destroy();
    }
  }
} finally {
  await stores.destroy();
}
