// Backups: the online backup (also through the command line while another connection
// writes), the daily schedule with rotation to the last 14, and restoring.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import SQLite from "better-sqlite3";
import { loadDemo } from "../../db/demo";
import {
  BACKUPS_KEPT,
  backupDatabase,
  backupDirFor,
  backupFileName,
  backupIfDue,
  listBackups,
  rotateBackups,
  scheduleDailyBackups,
} from "../../scripts/backup";
import { PROJECT_ROOT } from "../../scripts/build-if-stale";
import { restoreDatabase } from "../../scripts/restore";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

let testDb: TestDatabase;
let scratch: string;
beforeAll(async () => {
  testDb = await createTestDatabase();
  await loadDemo(testDb.db);
});
beforeEach(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "verbundkauf-backup-"));
});
afterEach(() => fs.rmSync(scratch, { recursive: true, force: true }));
afterAll(() => testDb.cleanup());

const demandCount = (file: string) => {
  const db = new SQLite(file, { readonly: true });
  try {
    return Number(db.prepare("SELECT count(*) FROM demand_lines").pluck().get());
  } finally {
    db.close();
  }
};

function integrityAndMode(file: string) {
  const db = new SQLite(file, { readonly: true });
  try {
    return {
      check: db.pragma("integrity_check", { simple: true }),
      journal: db.pragma("journal_mode", { simple: true }),
    };
  } finally {
    db.close();
  }
}

const tsx = path.join(PROJECT_ROOT, "node_modules", ".bin", "tsx");

describe("online backup", () => {
  it("copies committed data still in the WAL, not an open transaction, while the database is in use", () => {
    const live = demandCount(testDb.file);
    // A write transaction stays open during the backup, like a server in the middle of a save.
    testDb.sqlite.exec("BEGIN IMMEDIATE");
    testDb.sqlite.exec("DELETE FROM demand_lines");
    try {
      const target = path.join(scratch, "sicherung.db");
      const cli = spawnSync(tsx, ["scripts/backup.ts", target], {
        cwd: PROJECT_ROOT,
        env: { ...process.env, DATABASE_PATH: testDb.file },
        encoding: "utf8",
        timeout: 60_000,
      });
      expect(cli.stderr).toBe("");
      expect(cli.status).toBe(0);
      expect(cli.stdout).toContain("Datensicherung von");
      expect(integrityAndMode(target)).toEqual({ check: "ok", journal: "delete" });
      expect(demandCount(target)).toBe(live);
      expect(fs.existsSync(`${target}-wal`)).toBe(false);
      expect(fs.existsSync(`${target}.partial`)).toBe(false);
    } finally {
      testDb.sqlite.exec("ROLLBACK");
    }
  });

  it("refuses to overwrite an existing file", () => {
    const target = path.join(scratch, "schon-da.db");
    fs.writeFileSync(target, "x");
    const cli = spawnSync(tsx, ["scripts/backup.ts", target], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, DATABASE_PATH: testDb.file },
      encoding: "utf8",
    });
    expect(cli.status).toBe(1);
    expect(cli.stderr).toContain("gibt es schon");
    expect(fs.readFileSync(target, "utf8")).toBe("x");
  });
});

describe("daily backups", () => {
  const day = 24 * 60 * 60 * 1000;

  it("names backups so that they sort by time", () => {
    expect(backupFileName(new Date("2027-01-15T02:03:04.567Z"))).toBe(
      "verbundkauf-20270115T020304Z.db",
    );
    expect(backupDirFor("/srv/verbundkauf/data/app.db")).toBe("/srv/verbundkauf/data/backups");
  });

  it("keeps the newest 14 and leaves other files alone", () => {
    const start = Date.parse("2027-03-01T02:00:00Z");
    for (let i = 0; i < 17; i++)
      fs.writeFileSync(path.join(scratch, backupFileName(new Date(start + i * day))), "");
    fs.writeFileSync(path.join(scratch, "meine-eigene-sicherung.db"), "");
    const deleted = rotateBackups(scratch);
    expect(deleted.map((f) => path.basename(f))).toEqual(
      [2, 1, 0].map((i) => backupFileName(new Date(start + i * day))),
    );
    const kept = listBackups(scratch);
    expect(kept).toHaveLength(BACKUPS_KEPT);
    expect(path.basename(kept[0])).toBe(backupFileName(new Date(start + 16 * day)));
    expect(fs.existsSync(path.join(scratch, "meine-eigene-sicherung.db"))).toBe(true);
  });

  it("backs up when the newest backup is a day old, not before, and rotates", async () => {
    const databasePath = path.join(scratch, "app.db");
    await backupDatabase(testDb.file, databasePath); // a database of its own beside a fresh backups folder
    const dir = backupDirFor(databasePath);
    const t0 = new Date("2027-03-20T02:00:00Z");
    for (let i = 1; i <= 14; i++) {
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, backupFileName(new Date(t0.getTime() - i * day))), "");
    }
    expect(path.basename((await backupIfDue(databasePath, t0))!)).toBe(backupFileName(t0));
    expect(await backupIfDue(databasePath, new Date(t0.getTime() + day - 1000))).toBeNull();
    expect(await backupIfDue(databasePath, new Date(t0.getTime() + day))).not.toBeNull();
    const kept = listBackups(dir);
    expect(kept).toHaveLength(BACKUPS_KEPT);
    expect(integrityAndMode(kept[0]).check).toBe("ok");
    expect(demandCount(kept[0])).toBe(demandCount(testDb.file));
  });

  it("the server's schedule backs up at start and can be stopped", async () => {
    const databasePath = path.join(scratch, "app.db");
    await backupDatabase(testDb.file, databasePath);
    const messages: string[] = [];
    const stop = scheduleDailyBackups(databasePath, (m) => messages.push(m));
    try {
      await vi.waitFor(() => expect(listBackups(backupDirFor(databasePath))).toHaveLength(1), {
        timeout: 10_000,
      });
      expect(messages[0]).toMatch(/^Datensicherung erstellt: /);
    } finally {
      stop();
    }
  });
});

describe("restore", () => {
  it("puts a backup in place, drops the old WAL and keeps the old database aside", async () => {
    const databasePath = path.join(scratch, "app.db");
    await backupDatabase(testDb.file, databasePath);
    const backup = path.join(scratch, "sicherung.db");
    await backupDatabase(databasePath, backup);
    const expected = demandCount(backup);

    // After the backup the data changes, and a WAL is left behind.
    const live = new SQLite(databasePath);
    live.pragma("journal_mode = WAL");
    live.exec("DELETE FROM demand_lines");
    fs.copyFileSync(`${databasePath}-wal`, path.join(scratch, "wal-copy"));
    live.close();
    fs.copyFileSync(path.join(scratch, "wal-copy"), `${databasePath}-wal`); // a stale WAL must not be replayed
    expect(demandCount(databasePath)).toBe(0);

    const cli = spawnSync(tsx, ["scripts/restore.ts", backup], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, DATABASE_PATH: databasePath },
      encoding: "utf8",
    });
    expect(cli.status).toBe(0);
    expect(cli.stdout).toContain("zurückgespielt");
    expect(fs.existsSync(`${databasePath}-wal`)).toBe(false);
    expect(integrityAndMode(databasePath).check).toBe("ok");
    expect(demandCount(databasePath)).toBe(expected);
    const keptAside = fs
      .readdirSync(scratch)
      .filter((name) => name.startsWith("app.db.before-restore-"));
    expect(keptAside).toHaveLength(1);
    expect(demandCount(path.join(scratch, keptAside[0]))).toBe(0);
  });

  it("refuses a damaged backup and leaves the database as it is", async () => {
    const databasePath = path.join(scratch, "app.db");
    await backupDatabase(testDb.file, databasePath);
    const damaged = path.join(scratch, "kaputt.db");
    const bytes = fs.readFileSync(databasePath);
    bytes.fill(0xff, 4096, 12288); // overwrite pages of the b-trees
    fs.writeFileSync(damaged, bytes);
    const before = fs.readFileSync(databasePath);
    expect(() => restoreDatabase(damaged, databasePath)).toThrow();
    expect(fs.readFileSync(databasePath).equals(before)).toBe(true);
  });
});
