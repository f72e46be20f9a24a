// The database, its -wal and -shm files, the generated session secret and the backups
// hold password hashes and every partner's figures: only the server's user may read
// them (0600), whatever the umask, and an older world-readable file is narrowed.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { migrateToLatest, openDatabase } from "../../db/database";
import { ensureSessionSecret } from "../../app/utils/session-secret.server";
import { backupDatabase } from "../../scripts/backup";
import { restoreDatabase } from "../../scripts/restore";

let dir: string;
let umask: number;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "verbundkauf-perm-"));
  umask = process.umask(0o022); // the usual default: new files would be 0644
});
afterEach(() => {
  process.umask(umask);
  fs.rmSync(dir, { recursive: true, force: true });
});

const modeOf = (file: string) => fs.statSync(file).mode & 0o777;

test("a new database and its -wal and -shm files are 0600", async () => {
  const file = path.join(dir, "data", "app.db");
  const { db, sqlite } = openDatabase(file);
  try {
    await migrateToLatest(db);
    sqlite.prepare("CREATE TABLE probe (x)").run();
    expect(fs.existsSync(`${file}-wal`)).toBe(true);
    expect(fs.existsSync(`${file}-shm`)).toBe(true);
    for (const name of [file, `${file}-wal`, `${file}-shm`]) expect(modeOf(name), name).toBe(0o600);
  } finally {
    await db.destroy();
  }
});

test("an existing world-readable database is narrowed to 0600 when opened", async () => {
  const file = path.join(dir, "old.db");
  fs.writeFileSync(file, "", { mode: 0o644 });
  fs.chmodSync(file, 0o644);
  const { db, sqlite } = openDatabase(file);
  try {
    sqlite.prepare("CREATE TABLE probe (x)").run();
    for (const name of [file, `${file}-wal`, `${file}-shm`]) expect(modeOf(name), name).toBe(0o600);
  } finally {
    await db.destroy();
  }
});

test("the generated session secret, a backup and a restored database are 0600", async () => {
  const file = path.join(dir, "app.db");
  const { db } = openDatabase(file);
  await migrateToLatest(db);
  await db.destroy();

  const saved = process.env.SESSION_SECRET;
  delete process.env.SESSION_SECRET;
  try {
    ensureSessionSecret(file);
  } finally {
    if (saved === undefined) delete process.env.SESSION_SECRET;
    else process.env.SESSION_SECRET = saved;
  }
  expect(modeOf(path.join(dir, "session-secret"))).toBe(0o600);

  const backup = path.join(dir, "backups", "copy.db");
  await backupDatabase(file, backup);
  expect(modeOf(backup)).toBe(0o600);
  expect(modeOf(path.dirname(backup)) & 0o077).toBe(0);

  fs.chmodSync(backup, 0o644); // copied by hand with a careless mode
  await restoreDatabase(backup, file);
  expect(modeOf(file)).toBe(0o600);
});
