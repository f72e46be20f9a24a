// Backups of an installation with several consortia: the registry and every consortium's
// file, by hand and in the daily rotation, and restored together.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import SQLite from "better-sqlite3";
import { consortiumFileFor, openInstallation, registerConsortium } from "../../db/registry";
import {
  backupFileName,
  backupIfDue,
  consortiaBackupDirFor,
  listBackups,
  rotateBackups,
} from "../../scripts/backup";
import { PROJECT_ROOT } from "../../scripts/build-if-stale";

let dir: string;
let registryPath: string;
beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "verbundkauf-tenancy-backup-"));
  registryPath = path.join(dir, "verbundkauf.db");
  const stores = await openInstallation(registryPath);
  try {
    for (const code of ["KC", "MS"]) {
      await registerConsortium(stores.registry, code, `Verbund ${code}`);
      const db = await stores.database(code);
      await db
        .insertInto("partners")
        .values({ code: "COE", name: `Coesfeld in ${code}`, population: 1, position: 1 })
        .execute();
    }
  } finally {
    await stores.destroy();
  }
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const partnerName = (file: string) => {
  const db = new SQLite(file, { readonly: true });
  try {
    return db.prepare("SELECT name FROM partners WHERE code = 'COE'").pluck().get();
  } finally {
    db.close();
  }
};
const consortiaIn = (file: string) => {
  const db = new SQLite(file, { readonly: true });
  try {
    return db.prepare("SELECT code FROM consortia ORDER BY code").pluck().all();
  } finally {
    db.close();
  }
};
const tsx = path.join(PROJECT_ROOT, "node_modules", ".bin", "tsx");
const run = (script: string, args: string[]) =>
  spawnSync(tsx, [script, ...args], {
    cwd: PROJECT_ROOT,
    encoding: "utf8",
    env: { ...process.env, DATABASE_PATH: registryPath },
  });

test("db:backup copies the registry and every consortium; db:restore puts them all back", () => {
  const target = path.join(dir, "sicherung.db");
  const backup = run("scripts/backup.ts", [target]);
  expect(backup.status).toBe(0);
  expect(backup.stdout).toContain("2 Verbund-Datenbanken");
  expect(consortiaIn(target)).toEqual(["KC", "MS"]);
  const copies = consortiaBackupDirFor(target);
  expect(partnerName(path.join(copies, "KC.db"))).toBe("Coesfeld in KC");
  expect(partnerName(path.join(copies, "MS.db"))).toBe("Coesfeld in MS");

  // Data lost after the backup comes back with the restore, for each consortium.
  for (const code of ["KC", "MS"]) {
    const db = new SQLite(consortiumFileFor(registryPath, code));
    db.prepare("UPDATE partners SET name = 'verloren'").run();
    db.close();
  }
  const restore = run("scripts/restore.ts", [target]);
  expect(restore.status).toBe(0);
  expect(partnerName(consortiumFileFor(registryPath, "KC"))).toBe("Coesfeld in KC");
  expect(partnerName(consortiumFileFor(registryPath, "MS"))).toBe("Coesfeld in MS");
  expect(consortiaIn(registryPath)).toEqual(["KC", "MS"]);
}, 60_000);

test("the daily backup includes the consortia and rotation removes their folder too", async () => {
  const t0 = new Date("2030-01-01T02:00:00Z");
  const day = 24 * 60 * 60 * 1000;
  for (let i = 0; i < 3; i++) await backupIfDue(registryPath, new Date(t0.getTime() + i * day));
  const backups = listBackups(path.join(dir, "backups"));
  expect(backups.map((f) => path.basename(f))).toEqual(
    [2, 1, 0].map((i) => backupFileName(new Date(t0.getTime() + i * day))),
  );
  for (const file of backups)
    expect(fs.readdirSync(consortiaBackupDirFor(file)).sort()).toEqual(["KC.db", "MS.db"]);
  const oldest = backups[2];
  rotateBackups(path.join(dir, "backups"), 2);
  expect(fs.existsSync(oldest)).toBe(false);
  expect(fs.existsSync(consortiaBackupDirFor(oldest))).toBe(false);
  expect(fs.existsSync(consortiaBackupDirFor(backups[0]))).toBe(true);
});
