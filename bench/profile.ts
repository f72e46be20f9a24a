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

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount: number;
  children?: number[];
}

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
const profile = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")) as {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
};
// Self samples per node after the warm-up, then inclusive time up the tree.
const self = new Map<number, number>();
let at = 0;
profile.samples.forEach((id, i) => {
  at += profile.timeDeltas[i];
  if (at >= skipMicros) self.set(id, (self.get(id) ?? 0) + 1);
});
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const inclusive = new Map<number, number>();
const visit = (node: ProfileNode): number => {
  let sum = self.get(node.id) ?? 0;
  for (const c of node.children ?? []) sum += visit(nodes.get(c)!);
  inclusive.set(node.id, sum);
  return sum;
};
visit(profile.nodes[0]);
const total = [...self.values()].reduce((a, b) => a + b, 0);
const byFunction = new Map<string, number>();
const byInclusive = new Map<string, number>();
const byFile = new Map<string, number>();
const onStack = new Set<string>();
const keyOf = (node: ProfileNode) => {
  const { functionName, url: source, lineNumber } = node.callFrame;
  const shortFile = source
    .replace(/^.*node_modules\//, "")
    .replace(/^file:\/\/.*?\/(wt-[^/]+\/)?/, "");
  return { key: `${functionName || "(anonymous)"} ${shortFile}:${lineNumber + 1}`, shortFile };
};
const walk = (node: ProfileNode) => {
  const { key, shortFile } = keyOf(node);
  const own = self.get(node.id) ?? 0;
  byFunction.set(key, (byFunction.get(key) ?? 0) + own);
  const fileKey = shortFile.split("/").slice(0, 3).join("/") || node.callFrame.functionName;
  byFile.set(fileKey, (byFile.get(fileKey) ?? 0) + own);
  const outer = !onStack.has(key);
  if (outer) {
    byInclusive.set(key, (byInclusive.get(key) ?? 0) + (inclusive.get(node.id) ?? 0));
    onStack.add(key);
  }
  for (const c of node.children ?? []) walk(nodes.get(c)!);
  if (outer) onStack.delete(key);
};
walk(profile.nodes[0]);
const top = (map: Map<string, number>, n: number, filter = (_k: string) => true) =>
  [...map.entries()]
    .filter(([k]) => filter(k))
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, v]) => `${((v / total) * 100).toFixed(1).padStart(5)} %  ${k}`)
    .join("\n");
console.log(`\nself time by function:\n${top(byFunction, 25)}\n\nby file:\n${top(byFile, 20)}`);
console.log(`\ninclusive, app code:\n${top(byInclusive, 40, (k) => k.includes("build/index.js"))}`);
fs.renameSync(path.join(dir, file), path.join(os.tmpdir(), `server-${Date.now()}.cpuprofile`));
fs.rmSync(dir, { recursive: true, force: true });
