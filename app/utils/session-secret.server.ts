import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { databasePathFromEnv } from "../../db/database";

// The cookie signing secret comes from SESSION_SECRET; without it, one is generated
// once and kept beside the database file (mode 0600), so sessions survive restarts.

export function sessionSecretFile(databasePath: string = databasePathFromEnv()): string {
  return path.join(path.dirname(path.resolve(databasePath)), "session-secret");
}

function readSecretFile(file: string): string | undefined {
  try {
    const secret = fs.readFileSync(file, "utf8").trim();
    return secret || undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** Returns the secret(s) as configured, creating the file when needed; sets SESSION_SECRET. */
export function ensureSessionSecret(databasePath: string = databasePathFromEnv()): string {
  const configured = process.env.SESSION_SECRET?.trim();
  if (configured) return configured;
  const file = sessionSecretFile(databasePath);
  let secret = readSecretFile(file);
  if (!secret) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    try {
      // "wx": never overwrite a secret another process wrote in the meantime.
      fs.writeFileSync(file, randomBytes(32).toString("hex") + "\n", { mode: 0o600, flag: "wx" });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    secret = readSecretFile(file);
    if (!secret) throw new Error(`Session secret file ${file} is empty`);
  }
  process.env.SESSION_SECRET = secret;
  return secret;
}

/** SESSION_SECRET may list several secrets, comma-separated: the first signs, all verify (rotation). */
export function sessionSecrets(): string[] {
  return ensureSessionSecret()
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}
