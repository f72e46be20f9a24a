// Backups of the SQLite database: `npm run db:backup -- [FILE]` (an online backup
// while the server keeps serving) and the daily automatic backup that the server
// process schedules into `<dir of DATABASE_PATH>/backups`, keeping the last 14.
// Restoring: scripts/restore.ts and the "Backups" section of README.md.
// With several consortia (docs/decisions/022-tenancy-per-consortium-database.md) a backup
// is the registry file plus, beside it, a folder `<name>.consortia/` with one copy per
// consortium file; the registry copy is written last, so its presence marks a full backup.
import fs from "node:fs";
import path from "node:path";
import SQLite from "better-sqlite3";
import { databasePathFromEnv } from "../db/database";

/**
 * On PostgreSQL (DATABASE_URL) backups are the database's own business: this script and
 * the server's daily backup copy SQLite files only. The message names the commands; they
 * read the URL from the environment, so no password is printed.
 */
export function postgresBackupMessage(url: string, action: "backup" | "restore"): string {
  let target = "";
  try {
    const parsed = new URL(url);
    target = ` (${parsed.host}${parsed.pathname})`;
  } catch {
    // An unparsable URL: pg_dump will say what is wrong with it.
  }
  return action === "backup"
    ? [
        `Die Datenbank ist PostgreSQL${target}: npm run db:backup sichert nur SQLite. Bitte mit pg_dump sichern:`,
        `  pg_dump --format=custom --file="verbundkauf-$(date -u +%Y%m%dT%H%M%SZ).dump" "$DATABASE_URL"`,
        `The database is PostgreSQL${target}: back it up with pg_dump (command above).`,
      ].join("\n")
    : [
        `Die Datenbank ist PostgreSQL${target}: npm run db:restore spielt nur SQLite zurück. Server anhalten, dann mit pg_restore:`,
        `  pg_restore --clean --if-exists --no-owner --dbname="$DATABASE_URL" SICHERUNG.dump`,
        `The database is PostgreSQL${target}: stop the server, then restore with pg_restore (command above).`,
      ].join("\n");
}

export const BACKUPS_KEPT = 14;
export const BACKUP_INTERVAL_MS = 24 * 60 * 60 * 1000;
/** How often the server looks whether the newest backup is a day old. */
const CHECK_INTERVAL_MS = 60 * 60 * 1000;
const BACKUP_NAME = /^verbundkauf-\d{8}T\d{6}Z\.db$/;

export function backupDirFor(databasePath: string = databasePathFromEnv()): string {
  return path.join(path.dirname(path.resolve(databasePath)), "backups");
}

/** "verbundkauf-20270115T020000Z.db": sorts by time as text. */
export function backupFileName(now: Date = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}Z$/, "Z");
  return `verbundkauf-${stamp}.db`;
}

/**
 * SQLite's online backup API through better-sqlite3: a consistent copy while other
 * connections read and write. Written to a temporary name and renamed, so a crash
 * never leaves a half backup under the final name.
 */
export async function backupDatabase(databasePath: string, target: string): Promise<void> {
  fs.mkdirSync(path.dirname(path.resolve(target)), { recursive: true, mode: 0o700 });
  const partial = `${target}.partial`;
  fs.rmSync(partial, { force: true });
  // Created 0600 before SQLite writes into it: a backup is as secret as the database.
  fs.closeSync(fs.openSync(partial, "wx", 0o600));
  const source = new SQLite(databasePath, { fileMustExist: true });
  try {
    // All remaining pages per step: a writer in between would restart a page-wise copy.
    await source.backup(partial, { progress: () => 1_000_000 });
  } finally {
    source.close();
  }
  const copy = new SQLite(partial);
  try {
    const check = copy.pragma("integrity_check", { simple: true });
    if (check !== "ok")
      throw new Error(`Backup ${partial} failed the integrity check: ${String(check)}`);
    copy.pragma("journal_mode = DELETE"); // one self-contained file, no -wal beside it
  } finally {
    copy.close();
  }
  fs.renameSync(partial, target);
}

/** The folder beside a backup file that holds its consortia's copies. */
export function consortiaBackupDirFor(backupFile: string): string {
  return backupFile.replace(/\.db$/, "") + ".consortia";
}

/** The consortium files of the installation whose registry is `registryPath`. */
export function consortiumFilesOf(registryPath: string): string[] {
  const dir = path.join(path.dirname(path.resolve(registryPath)), "consortia");
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((name) => /^[A-Z][A-Z0-9]{1,9}\.db$/.test(name))
    .sort()
    .map((name) => path.join(dir, name));
}

/** Backs up the registry and every consortium file (consortia first, registry last). */
export async function backupInstallation(registryPath: string, target: string): Promise<void> {
  const consortiaDir = consortiaBackupDirFor(target);
  for (const file of consortiumFilesOf(registryPath))
    await backupDatabase(file, path.join(consortiaDir, path.basename(file)));
  await backupDatabase(registryPath, target);
}

/** The automatic backups in `dir`, newest first. */
export function listBackups(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((name) => BACKUP_NAME.test(name))
    .sort()
    .reverse()
    .map((name) => path.join(dir, name));
}

/** Deletes all but the newest `keep` automatic backups; returns the deleted files. */
export function rotateBackups(dir: string, keep: number = BACKUPS_KEPT): string[] {
  const stale = listBackups(dir).slice(keep);
  for (const file of stale) {
    fs.rmSync(file, { force: true });
    fs.rmSync(consortiaBackupDirFor(file), { recursive: true, force: true });
  }
  return stale;
}

/** When the newest automatic backup was taken (from its name), or null. */
export function newestBackupTime(dir: string): Date | null {
  const newest = listBackups(dir)[0];
  if (!newest) return null;
  const m = /(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z/.exec(path.basename(newest));
  return m ? new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`) : null;
}

/** Takes an automatic backup if the newest is older than a day; returns its path or null. */
export async function backupIfDue(
  databasePath: string,
  now: Date = new Date(),
): Promise<string | null> {
  const dir = backupDirFor(databasePath);
  const newest = newestBackupTime(dir);
  if (newest && now.getTime() - newest.getTime() < BACKUP_INTERVAL_MS) return null;
  const target = path.join(dir, backupFileName(now));
  await backupInstallation(databasePath, target);
  rotateBackups(dir);
  return target;
}

/**
 * The server's daily backup: checked at start and then every hour, taken when the
 * newest is a day old. The timer is unref'd so it never keeps the process alive.
 */
export function scheduleDailyBackups(
  databasePath: string,
  log: (message: string) => void = console.log,
): () => void {
  if (process.env.DATABASE_URL) {
    log(
      "Automatische Datensicherung aus: PostgreSQL wird mit pg_dump gesichert (npm run db:backup).",
    );
    return () => {};
  }
  let running = false;
  const check = async () => {
    if (running || !fs.existsSync(databasePath)) return;
    running = true;
    try {
      const file = await backupIfDue(databasePath);
      if (file) log(`Datensicherung erstellt: ${file}`);
    } catch (error) {
      console.error("Automatische Datensicherung fehlgeschlagen:", error);
    } finally {
      running = false;
    }
  };
  void check();
  const timer = setInterval(() => void check(), CHECK_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}

function isMainModule(): boolean {
  return (
    Boolean(process.argv[1]) &&
    path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)
  );
}

if (isMainModule() && process.env.DATABASE_URL) {
  console.error(postgresBackupMessage(process.env.DATABASE_URL, "backup"));
  process.exit(1);
}

if (isMainModule()) {
  const databasePath = databasePathFromEnv();
  const target = process.argv[2]
    ? path.resolve(process.argv[2])
    : path.join(backupDirFor(databasePath), backupFileName());
  if (!fs.existsSync(databasePath)) {
    console.error(`Datenbank ${databasePath} gibt es nicht.`);
    process.exit(1);
  }
  if (fs.existsSync(target)) {
    console.error(`${target} gibt es schon; bitte einen anderen Dateinamen angeben.`);
    process.exit(1);
  }
  await backupInstallation(databasePath, target);
  const consortia = consortiumFilesOf(databasePath).length;
  console.log(
    `Datensicherung von ${databasePath} nach ${target} geschrieben` +
      (consortia
        ? ` (mit ${consortia} Verbund-Datenbanken in ${consortiaBackupDirFor(target)}).`
        : "."),
  );
}
