// A throwaway PostgreSQL cluster for the tests and benchmarks: initdb in a temporary
// folder, started on a free port on 127.0.0.1, removed again by stop. PostgreSQL refuses
// to run as root, so as root the cluster runs as the `postgres` user (Debian's package
// creates it). Settings favour speed over durability (fsync off): the data is thrown away.
//
//   node scripts/pg-cluster.mjs start    prints DATABASE_URL=… and PG_CLUSTER_DIR=… lines
//   node scripts/pg-cluster.mjs stop DIR stops the cluster in DIR and removes DIR
//
// The functions are also imported by scripts/test.mjs and bench/ (startCluster, stopCluster).
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The newest installed PostgreSQL's bin folder, or undefined when PostgreSQL is missing. */
export function postgresBinDir() {
  const root = "/usr/lib/postgresql";
  if (!fs.existsSync(root)) return undefined;
  const versions = fs
    .readdirSync(root)
    .filter((name) => /^\d+$/.test(name) && fs.existsSync(path.join(root, name, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length > 0 ? path.join(root, versions[0], "bin") : undefined;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const isRoot = typeof process.getuid === "function" && process.getuid() === 0;

/** Runs a PostgreSQL program, as the `postgres` user when we are root. */
function runAsPostgres(program, args) {
  const [command, commandArgs] = isRoot
    ? ["runuser", ["-u", "postgres", "--", program, ...args]]
    : [program, args];
  const run = spawnSync(command, commandArgs, { encoding: "utf8" });
  if (run.status !== 0) {
    throw new Error(
      `${path.basename(program)} failed (${run.status ?? run.signal}): ${run.stderr || run.stdout}`,
    );
  }
  return run.stdout;
}

/**
 * Starts a new cluster. Resolves to { url, dir, port }; `url` connects as the superuser
 * `postgres` (trust authentication, 127.0.0.1 only) to the database `postgres`.
 */
export async function startCluster() {
  const bin = postgresBinDir();
  if (!bin) throw new Error("PostgreSQL is not installed (/usr/lib/postgresql/*/bin/initdb)");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "verbundkauf-pg-"));
  if (isRoot) execFileSync("chown", ["postgres:postgres", dir]);
  const data = path.join(dir, "data");
  // Locale C: text sorts by code point, as in SQLite, so both engines list codes alike.
  runAsPostgres(path.join(bin, "initdb"), [
    "-D",
    data,
    "-U",
    "postgres",
    "-A",
    "trust",
    "--locale=C",
    "--encoding=UTF8",
    "--no-sync",
  ]);
  const port = await freePort();
  const options = [
    `-p ${port}`,
    "-c listen_addresses=127.0.0.1",
    `-c unix_socket_directories=${dir}`,
    "-c fsync=off",
    "-c synchronous_commit=off",
    "-c full_page_writes=off",
    "-c max_connections=300",
    "-c shared_buffers=128MB",
  ].join(" ");
  runAsPostgres(path.join(bin, "pg_ctl"), [
    "-D",
    data,
    "-o",
    options,
    "-l",
    path.join(dir, "postgres.log"),
    "-w",
    "-t",
    "60",
    "start",
  ]);
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, dir, port };
}

/** Stops the cluster in `dir` (immediately: its data is thrown away) and removes `dir`. */
export function stopCluster(dir) {
  const bin = postgresBinDir();
  const data = path.join(dir, "data");
  if (bin && fs.existsSync(path.join(data, "postmaster.pid"))) {
    try {
      runAsPostgres(path.join(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"]);
    } catch (error) {
      console.error(String(error));
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const [command, dir] = process.argv.slice(2);
  if (command === "start") {
    const cluster = await startCluster();
    console.log(`DATABASE_URL=${cluster.url}`);
    console.log(`PG_CLUSTER_DIR=${cluster.dir}`);
  } else if (command === "stop" && dir) {
    stopCluster(dir);
  } else {
    console.error("usage: node scripts/pg-cluster.mjs start | stop DIR");
    process.exit(2);
  }
}
