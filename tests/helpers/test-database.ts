import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDatabase, migrateToLatest, type OpenedDatabase } from "../../db/database";

export interface TestDatabase extends OpenedDatabase {
  file: string;
  cleanup: () => Promise<void>;
}

/** A freshly migrated SQLite file of its own, for one test file (or one test). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "verbundkauf-test-"));
  const file = path.join(dir, "test.db");
  const opened = openDatabase(file);
  await migrateToLatest(opened.db);
  return {
    ...opened,
    file,
    cleanup: async () => {
      await opened.db.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
