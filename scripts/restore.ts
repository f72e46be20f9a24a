// `npm run db:restore -- FILE`: puts a backup in place of DATABASE_PATH. Stop the
// server first — a running server keeps its open connection to the old file.
// The current database is kept beside it as `<name>.before-restore-<time>`.
import fs from "node:fs";
import path from "node:path";
import SQLite from "better-sqlite3";
import { databasePathFromEnv } from "../db/database";
import { consortiaBackupDirFor, postgresBackupMessage } from "./backup";
import { backupFileName } from "./backup";

/** Checks the backup, keeps the current database aside, and copies the backup over it. */
export function restoreDatabase(
  backupFile: string,
  databasePath: string,
  now: Date = new Date(),
): { keptAs: string | null } {
  const check = new SQLite(backupFile, { readonly: true, fileMustExist: true });
  try {
    const result = check.pragma("integrity_check", { simple: true });
    if (result !== "ok")
      throw new Error(`${backupFile} ist beschädigt (integrity_check: ${String(result)}).`);
  } finally {
    check.close();
  }

  let keptAs: string | null = null;
  if (fs.existsSync(databasePath)) {
    // Checkpoint first, so that the kept copy is one complete file.
    const current = new SQLite(databasePath);
    current.pragma("wal_checkpoint(TRUNCATE)");
    current.close();
    keptAs = `${databasePath}.before-restore-${backupFileName(now).replace(/^verbundkauf-|\.db$/g, "")}`;
    fs.renameSync(databasePath, keptAs);
  }
  // A -wal or -shm of the old database must never be applied to the restored one.
  for (const suffix of ["-wal", "-shm", "-journal"])
    fs.rmSync(databasePath + suffix, { force: true });
  const partial = `${databasePath}.restoring`;
  fs.copyFileSync(backupFile, partial);
  fs.chmodSync(partial, 0o600);
  fs.renameSync(partial, databasePath);
  return { keptAs };
}

function isMainModule(): boolean {
  return (
    Boolean(process.argv[1]) &&
    path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)
  );
}

if (isMainModule() && process.env.DATABASE_URL) {
  console.error(postgresBackupMessage(process.env.DATABASE_URL, "restore"));
  process.exit(1);
}

if (isMainModule()) {
  const file = process.argv[2];
  if (!file) {
    console.error("Aufruf: npm run db:restore -- SICHERUNGSDATEI   (vorher den Server anhalten)");
    process.exit(2);
  }
  const databasePath = databasePathFromEnv();
  // The consortia's copies beside the backup (scripts/backup.ts) go back to consortia/.
  const consortiaBackup = consortiaBackupDirFor(path.resolve(file));
  if (fs.existsSync(consortiaBackup)) {
    for (const name of fs.readdirSync(consortiaBackup).filter((n) => n.endsWith(".db"))) {
      const target = path.join(path.dirname(path.resolve(databasePath)), "consortia", name);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      const { keptAs } = restoreDatabase(path.join(consortiaBackup, name), target);
      console.log(`Verbund ${name.replace(/\.db$/, "")} nach ${target} zurückgespielt.`);
      if (keptAs) console.log(`Die bisherige Datenbank liegt unter ${keptAs}.`);
    }
  }
  const { keptAs } = restoreDatabase(path.resolve(file), databasePath);
  console.log(`Datensicherung ${file} nach ${databasePath} zurückgespielt.`);
  if (keptAs) console.log(`Die bisherige Datenbank liegt unter ${keptAs}.`);
}
