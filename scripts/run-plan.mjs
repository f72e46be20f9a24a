// Fast start for the plan command line (`npm run plan`): runs scripts/plan.ts from
// an esbuild bundle in .cache/plan-cli/, rebuilt only when a source is newer.
// Through tsx the same command needs about a second to start (tsx's own process
// plus a loader hook for each of zod's many files); the bundle starts in ~0.1 s.
// `tsx scripts/plan.ts ...` still works and runs the same code.
import fs from "node:fs";
import process from "node:process";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const outdir = path.join(root, ".cache", "plan-cli");
const bundle = path.join(outdir, "plan.mjs");
const sources = [
  "scripts/plan.ts",
  "scripts/run-plan.mjs",
  "domain",
  "db",
  "package.json",
  "package-lock.json",
];

function newestMtime(entry) {
  let stat;
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

function isStale() {
  if (!fs.existsSync(bundle)) return true;
  const builtAt = fs.statSync(bundle).mtimeMs;
  return sources.some((entry) => newestMtime(path.join(root, entry)) > builtAt);
}

async function build() {
  const { build: esbuild } = await import("esbuild");
  // Build beside the target, then move in, so parallel runs never see half a bundle.
  const temp = `${outdir}.${process.pid}.tmp`;
  await esbuild({
    entryPoints: [path.join(root, "scripts", "plan.ts")],
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    outdir: temp,
    outExtension: { ".js": ".mjs" },
    // Native and database packages stay in node_modules; zod and our code are bundled.
    external: ["better-sqlite3", "kysely", "pg", "pg-copy-streams"],
    logLevel: "error",
  });
  // Move file by file (each rename is atomic), the entry last: a run that already
  // loaded an older entry still finds its chunks, since old files are not deleted.
  fs.mkdirSync(outdir, { recursive: true });
  const files = fs
    .readdirSync(temp)
    .sort((a, b) => Number(a === "plan.mjs") - Number(b === "plan.mjs"));
  for (const file of files) fs.renameSync(path.join(temp, file), path.join(outdir, file));
  fs.rmSync(temp, { recursive: true, force: true });
}

if (isStale()) await build();
await import(pathToFileURL(bundle).href);
