// Uploaded plan files waiting for the coordinator's confirmation (/admin/plan).
// Between "upload and check" and "replace the data" the file stays on the server,
// never in the browser: a JSON file in a private folder beside the database, named by
// a random id that only the uploading user's confirmation form carries. Entries
// expire after an hour. See docs/decisions/007-tender-editing.md.
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { databasePathFromEnv } from "../../db/database";
import { currentConsortium } from "./db.server";

export const MAX_PLAN_UPLOAD_BYTES = 20 * 1024 * 1024;
export const PENDING_UPLOAD_TTL_MS = 60 * 60 * 1000;

const ID_PATTERN = /^[A-Za-z0-9_-]{32}$/;

interface PendingUpload {
  /** User ids repeat across consortia: the entry belongs to the user of this consortium. */
  consortium?: string | null;
  userId: number;
  createdAt: string;
  fileName: string;
  text: string;
}

export function pendingUploadDir(databasePath: string = databasePathFromEnv()): string {
  return path.join(path.dirname(path.resolve(databasePath)), "plan-uploads");
}

function fileFor(id: string): string {
  if (!ID_PATTERN.test(id)) throw new Error("invalid upload id");
  return path.join(pendingUploadDir(), `${id}.json`);
}

/** Stores the checked plan text; returns the id for the confirmation form. */
export async function savePendingUpload(
  userId: number,
  fileName: string,
  text: string,
  now = new Date(),
): Promise<string> {
  await fs.mkdir(pendingUploadDir(), { recursive: true, mode: 0o700 });
  await removeExpiredUploads(now);
  const id = randomBytes(24).toString("base64url");
  const entry: PendingUpload = {
    consortium: currentConsortium() ?? null,
    userId,
    createdAt: now.toISOString(),
    fileName,
    text,
  };
  await fs.writeFile(fileFor(id), JSON.stringify(entry), { mode: 0o600, flag: "wx" });
  return id;
}

/** The stored text if the id exists, belongs to this user and has not expired. */
export async function readPendingUpload(
  id: string,
  userId: number,
  now = new Date(),
): Promise<{ fileName: string; text: string } | undefined> {
  if (!ID_PATTERN.test(id)) return undefined;
  let entry: PendingUpload;
  try {
    entry = JSON.parse(await fs.readFile(fileFor(id), "utf8")) as PendingUpload;
  } catch {
    return undefined;
  }
  if (entry.userId !== userId || (entry.consortium ?? null) !== (currentConsortium() ?? null))
    return undefined;
  if (now.getTime() - new Date(entry.createdAt).getTime() > PENDING_UPLOAD_TTL_MS) {
    await deletePendingUpload(id);
    return undefined;
  }
  return { fileName: entry.fileName, text: entry.text };
}

export async function deletePendingUpload(id: string): Promise<void> {
  if (!ID_PATTERN.test(id)) return;
  await fs.rm(fileFor(id), { force: true });
}

async function removeExpiredUploads(now: Date): Promise<void> {
  const dir = pendingUploadDir();
  for (const name of await fs.readdir(dir).catch(() => [] as string[])) {
    const file = path.join(dir, name);
    const stat = await fs.stat(file).catch(() => undefined);
    if (stat && now.getTime() - stat.mtimeMs > PENDING_UPLOAD_TTL_MS)
      await fs.rm(file, { force: true });
  }
}
