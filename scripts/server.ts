import fs from "node:fs";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { createRequestHandler } from "@remix-run/express";
import { broadcastDevReady, type ServerBuild } from "@remix-run/node";
import express, { type RequestHandler } from "express";
import { ensureSessionSecret } from "../app/utils/session-secret.server";
import { isCrossSiteWrite } from "../app/utils/same-origin";
import { PROJECT_ROOT, SERVER_BUILD } from "./build-if-stale";

// The HTTP server: express serving the Remix classic build and the static files.
// `tsx scripts/server.ts` starts it (also what `remix dev --manual` runs);
// scripts/start.ts and the tests call startServer().

const BUILD_VERSION_FILE = path.join(PROJECT_ROOT, "build", "version.txt");

async function importBuild(): Promise<ServerBuild> {
  // The query makes ESM load a fresh copy after each dev rebuild.
  const url = `${pathToFileURL(SERVER_BUILD).href}?t=${fs.statSync(SERVER_BUILD).mtimeMs}`;
  return (await import(url)) as ServerBuild;
}

const securityHeaders: RequestHandler = (_req, res, next) => {
  res.setHeader("X-Content-Type-Options", "nosniff");
  res.setHeader("X-Frame-Options", "DENY");
  res.setHeader("Referrer-Policy", "same-origin");
  next();
};

const rejectCrossSiteWrites: RequestHandler = (req, res, next) => {
  const trustProxy = process.env.TRUST_PROXY === "1";
  const forwardedHost = trustProxy ? req.get("X-Forwarded-Host")?.split(",")[0]?.trim() : undefined;
  const crossSite = isCrossSiteWrite({
    method: req.method,
    host: forwardedHost ?? req.get("Host"),
    origin: req.get("Origin"),
    secFetchSite: req.get("Sec-Fetch-Site"),
  });
  if (crossSite) res.status(403).type("text/plain").send("Kein Zugriff: Anfrage von fremder Seite.");
  else next();
};

export interface StartServerOptions {
  port?: number;
  host?: string;
}

export interface StartedServer {
  port: number;
  url: string;
  close: () => Promise<void>;
}

export async function startServer({
  port = Number(process.env.PORT ?? 3000),
  host = process.env.HOST || "0.0.0.0",
}: StartServerOptions = {}): Promise<StartedServer> {
  const development = process.env.NODE_ENV === "development";
  let build = await importBuild();

  const app = express();
  app.disable("x-powered-by");
  if (process.env.TRUST_PROXY === "1") app.set("trust proxy", true);
  app.use(securityHeaders);
  // Fingerprinted assets never change under the same name.
  app.use("/build", express.static(path.join(PROJECT_ROOT, "public", "build"), { immutable: true, maxAge: "1y" }));
  app.use(express.static(path.join(PROJECT_ROOT, "public"), { maxAge: "1h" }));
  app.use(rejectCrossSiteWrites);
  app.all(
    "*",
    development
      ? (req, res, next) => createRequestHandler({ build, mode: "development" })(req, res, next)
      : createRequestHandler({ build, mode: build.mode }),
  );

  const server = await new Promise<import("node:http").Server>((resolve, reject) => {
    const listening = app.listen(port, host, () => resolve(listening));
    listening.once("error", reject);
  });
  const actualPort = (server.address() as AddressInfo).port;
  const shownHost = host === "0.0.0.0" || host === "::" ? "localhost" : host;

  if (development) {
    broadcastDevReady(build);
    // `remix dev --manual` rewrites build/version.txt after each rebuild.
    fs.watchFile(BUILD_VERSION_FILE, { interval: 300 }, async () => {
      build = await importBuild();
      await broadcastDevReady(build);
    });
  }

  return {
    port: actualPort,
    url: `http://${shownHost}:${actualPort}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        fs.unwatchFile(BUILD_VERSION_FILE);
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function isMainModule(): boolean {
  return Boolean(process.argv[1]) && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname);
}

if (isMainModule()) {
  ensureSessionSecret();
  const started = await startServer();
  console.log(`Verbundkauf läuft auf ${started.url}`);
  const stop = () => started.close().then(() => process.exit(0));
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}
