import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

// The Remix build is stale when it is missing or any source it bundles is newer.
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const SERVER_BUILD = path.join(PROJECT_ROOT, "build", "index.js");
const SOURCE_DIRS = ["app", "domain", "db", "exports"];
const SOURCE_FILES = ["remix.config.js", "postcss.config.js", "package.json"];

function newestMtime(entry: string): number {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(entry);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const child of fs.readdirSync(entry))
    newest = Math.max(newest, newestMtime(path.join(entry, child)));
  return newest;
}

export function buildIsStale(root: string = PROJECT_ROOT): boolean {
  const build = path.join(root, "build", "index.js");
  if (!fs.existsSync(build)) return true;
  const builtAt = fs.statSync(build).mtimeMs;
  const sources = [...SOURCE_DIRS, ...SOURCE_FILES].map((entry) =>
    newestMtime(path.join(root, entry)),
  );
  return Math.max(...sources) > builtAt;
}

/** Runs `remix build` when the build is stale; returns whether it built. Throws if the build fails. */
export function buildIfStale(root: string = PROJECT_ROOT): boolean {
  if (!buildIsStale(root)) return false;
  const remix = path.join(root, "node_modules", ".bin", "remix");
  const result = spawnSync(remix, ["build"], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, NODE_ENV: "production" },
  });
  if (result.status !== 0)
    throw new Error(`remix build failed (exit ${result.status ?? result.signal})`);
  return true;
}
