import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";

// scrypt from node:crypto with a random 16-byte salt per user. Parameters:
// N=2^15, r=8, p=1 (32 MiB of memory, about 250 ms per hash on the 2-core CI machine), 64-byte key.
// Stored as "scrypt$N$r$p$saltB64$hashB64" so parameters can be raised later.
const PRODUCTION_N = 32768;
const R = 8;
const P = 1;
const KEY_LENGTH = 64;

/**
 * scrypt's N for new hashes: always 2^15, except inside the test runner (VITEST set),
 * where TEST_SCRYPT_N (a power of two ≥ 1024, set in vitest.config.ts) may lower it —
 * the suite hashes hundreds of passwords (every demo load hashes one per account), and at
 * full cost that was about a minute of CPU per run. Verification always uses the N stored
 * in the hash, so a lowered N never weakens a production hash.
 */
export function scryptN(env: Record<string, string | undefined> = process.env): number {
  const lowered = Number(env.TEST_SCRYPT_N);
  const valid = Number.isInteger(lowered) && lowered >= 1024 && (lowered & (lowered - 1)) === 0;
  return env.VITEST && valid ? lowered : PRODUCTION_N;
}

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(
      password.normalize("NFC"),
      salt,
      KEY_LENGTH,
      { ...options, maxmem: 128 * 1024 * 1024 },
      (err, key) => (err ? reject(err) : resolve(key)),
    ),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const N = scryptN();
  const key = await derive(password, salt, { N, r: R, p: P });
  return ["scrypt", N, R, P, salt.toString("base64"), key.toString("base64")].join("$");
}

/** Constant-time comparison; false for malformed hashes. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, saltB64, keyB64] = stored.split("$");
  if (scheme !== "scrypt" || !saltB64 || !keyB64) return false;
  const expected = Buffer.from(keyB64, "base64");
  const actual = await derive(password, Buffer.from(saltB64, "base64"), {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A hash that never matches, to spend the same time when an email is unknown. */
export const DUMMY_PASSWORD_HASH = `scrypt$${scryptN()}$${R}$${P}$AAAAAAAAAAAAAAAAAAAAAA==$${Buffer.alloc(KEY_LENGTH).toString("base64")}`;
