import { openDatabase, migrateToLatest, databasePathFromEnv } from "../db/database";

const { db } = openDatabase();
const applied = await migrateToLatest(db);
console.log(
  applied.length
    ? `Migrated ${databasePathFromEnv()}: ${applied.join(", ")}`
    : `${databasePathFromEnv()} is up to date.`,
);
await db.destroy();
