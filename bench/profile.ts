// CPU profile of the server under load, one route at a time:
//   tsx bench/profile.ts /tenders/RV-2027/summary committee [seconds]
// Starts the built app (like bench/load.ts) under `node --cpu-prof`, drives the route
// with autocannon (8 connections), stops the server and prints the functions with the
// most self time and the files with the most time (self, grouped by source file).
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { migrateToLatest, openDatabase } from "../db/database";
import { DEMO_PASSWORD, DEMO_USERS, loadDemo } from "../db/demo";
import { PROJECT_ROOT, buildIfStale } from "../scripts/build-if-stale";
import { summarizeProfile, type CpuProfile } from "./cpu-profile";

const [route = "/login", role = "", seconds = "5"] = process.argv.slice(2);

buildIfStale();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "verbundkauf-profile-"));
const databasePath = path.join(dir, "profile.db");
const { db } = openDatabase(databasePath);
await migrateToLatest(db);
await loadDemo(db);
await db.destroy();

const spawnedAt = performance.now();
const child = spawn(
  process.execPath,
  ["--cpu-prof", `--cpu-prof-dir=${dir}`, "--import", "tsx", "scripts/server.ts"],
  {
    cwd: PROJECT_ROOT,
    env: {
      ...process.env,
      NODE_ENV: "production",
      BENCH: "1",
      HOST: "127.0.0.1",
      PORT: "0",
      DATABASE_PATH: databasePath,
      SESSION_SECRET: randomBytes(32).toString("hex"),
      AUTO_BACKUP: "0",
    },
    stdio: ["ignore", "pipe", "inherit"],
  },
);
const url = await new Promise<string>((resolve) => {
  let output = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk;
    const match = /läuft auf (http:\/\/\S+)/.exec(output);
    if (match) resolve(match[1]);
  });
});
let cookie = "";
const user = role.includes("@") ? role : DEMO_USERS.find((u) => u.role === role)?.email;
if (user) {
  const response = await fetch(`${url}/login`, {
    method: "POST",
    body: new URLSearchParams({ email: user, password: DEMO_PASSWORD }),
    headers: { Origin: url },
    redirect: "manual",
  });
  cookie = response.headers.get("Set-Cookie")!.split(";")[0];
}
// Warm-up (module loading, JIT, caches) is left out of the profile's figures.
await autocannon({
  url: url + route,
  connections: 4,
  duration: 2,
  headers: cookie ? { Cookie: cookie } : {},
});
const skipMicros = (performance.now() - spawnedAt) * 1000;
const result = await autocannon({
  url: url + route,
  connections: 8,
  duration: Number(seconds),
  headers: cookie ? { Cookie: cookie } : {},
});
console.log(
  `${route}: ${result.requests.average} req/s, p99 ${result.latency.p99} ms, non2xx ${result.non2xx}`,
);
const exited = new Promise((resolve) => child.once("exit", resolve));
child.kill("SIGINT");
await exited;

const file = fs.readdirSync(dir).find((f) => f.endsWith(".cpuprofile"))!;
const profile = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")) as CpuProfile;
const { byFunction, byInclusive, byFile, top } = summarizeProfile(profile, skipMicros);
console.log(`\nself time by function:\n${top(byFunction, 25)}\n\nby file:\n${top(byFile, 20)}`);
console.log(`\ninclusive, app code:\n${top(byInclusive, 40, (k) => k.includes("build/index.js"))}`);
fs.renameSync(path.join(dir, file), path.join(os.tmpdir(), `server-${Date.now()}.cpuprofile`));
fs.rmSync(dir, { recursive: true, force: true });
