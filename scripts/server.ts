import cluster from "node:cluster";
import fs from "node:fs";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createRequestHandler } from "@remix-run/express";
import { broadcastDevReady, type ServerBuild } from "@remix-run/node";
import express, { type ErrorRequestHandler, type RequestHandler } from "express";
import { installationLocationFromEnv } from "../db/database";
import { turnBudgetMs, turnBudgetSpent, waitForTurn } from "../db/turns";
import { clientAddress } from "../app/utils/load-context";
import { isDocumentRequest } from "../app/utils/server-markup.server";
import { ensureSessionSecret } from "../app/utils/session-secret.server";
import { isProvenSameOriginWrite } from "../app/utils/same-origin";
import { runInRequestConsortium } from "../app/utils/auth.server";
import { SESSION_COOKIE_NAME } from "../app/utils/session.server";
import {
  newCspNonce,
  securityHeaders as securityHeadersFor,
} from "../app/utils/security-headers.server";
import { scheduleDailyBackups } from "./backup";
import { eventLoopProbe, longTurnLog, slowCallbackLog } from "./event-loop-probe";
import { pageCache } from "./page-cache";
import { touchSessionIfDue } from "../app/utils/session-cache.server";
import { computePool } from "../app/utils/compute-pool.server";
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

/** The largest request body any route accepts: the 20 MB plan upload plus multipart overhead. */
export const MAX_REQUEST_BODY_BYTES = 21 * 1024 * 1024;

// Every response gets the security headers; the CSP nonce is fresh per request and
// reaches Remix's inline scripts through the load context (app/entry.server.tsx).
const securityHeaders: RequestHandler = (_req, res, next) => {
  const nonce = newCspNonce();
  res.locals.cspNonce = nonce;
  const headers = securityHeadersFor(nonce, {
    development: process.env.NODE_ENV === "development",
  });
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  next();
};

// CSRF: a state-changing request must show that it comes from our own pages
// (app/utils/same-origin.ts); SameSite=Lax on the session cookie is the other half.
// Our host is APP_ORIGIN when set, else the Host header. X-Forwarded-Host is never
// trusted, not even behind TRUST_PROXY=1: a client can send it through most proxies,
// while Host is what the proxy itself sets (README, "Behind a proxy").
const rejectCrossSiteWrites: RequestHandler = (req, res, next) => {
  const sameOrigin = isProvenSameOriginWrite({
    method: req.method,
    host: configuredHost() ?? req.get("Host"),
    origin: req.get("Origin"),
    secFetchSite: req.get("Sec-Fetch-Site"),
  });
  if (sameOrigin) next();
  else res.status(403).type("text/plain").send("Kein Zugriff: Anfrage von fremder Seite.");
};

function configuredHost(): string | undefined {
  const origin = process.env.APP_ORIGIN;
  if (!origin) return undefined;
  try {
    return new URL(origin).host;
  } catch {
    throw new Error(`APP_ORIGIN is not a URL: ${origin}`);
  }
}

// X-Forwarded-Host is dropped before anything reads it: express's "trust proxy" would
// take it as the request's host (and Remix refuses an action whose Origin differs with
// a stack trace), yet a client can send it through most proxies.
const dropForwardedHost: RequestHandler = (req, _res, next) => {
  delete req.headers["x-forwarded-host"];
  next();
};

// HSTS once the site is reached over HTTPS through our proxy (TRUST_PROXY=1 and
// X-Forwarded-Proto: https, the same rule that makes the session cookie Secure).
const strictTransportSecurity: RequestHandler = (req, res, next) => {
  if (process.env.TRUST_PROXY === "1") {
    const proto = req.get("X-Forwarded-Proto")?.split(",")[0]?.trim().toLowerCase();
    if (proto === "https")
      res.setHeader("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
  }
  next();
};

const FORM_TYPES = new Set(["application/x-www-form-urlencoded", "multipart/form-data"]);
/** The routes that read file uploads (receiveUpload); every other action reads a plain form. */
const UPLOAD_PATHS = [
  /^\/admin\/plan\/?$/,
  /^\/demand\/[^/]+\/import\/?$/,
  /^\/inventory\/[^/]+\/import\/?$/,
];

// Actions read forms only (request.formData()). Any other body — JSON, text, XML, a
// multipart body without boundary or where no upload is expected — would make the
// parser throw inside an action (a 500 with a logged stack), so it is refused here.
// Broken multipart bodies on the upload routes are answered by receiveUpload (400).
const refuseUnsupportedBodies: RequestHandler = (req, res, next) => {
  if (req.method === "GET" || req.method === "HEAD" || req.method === "OPTIONS") return next();
  const contentType = req.get("Content-Type") ?? "";
  // A post without any body (a bare sign-out button) has nothing to misread.
  if (contentType === "" && req.get("Content-Length") === "0") return next();
  const [type = "", ...params] = contentType.split(";").map((part) => part.trim());
  const mediaType = type.toLowerCase();
  if (!FORM_TYPES.has(mediaType)) {
    res
      .status(415)
      .type("text/plain")
      .send(
        "Nicht unterstütztes Format: Formulare werden als application/x-www-form-urlencoded oder multipart/form-data gesendet.",
      );
    return;
  }
  if (mediaType === "multipart/form-data") {
    const hasBoundary = params.some((p) => /^boundary=("?)[^"]{1,70}\1$/i.test(p));
    if (!hasBoundary || !UPLOAD_PATHS.some((pattern) => pattern.test(req.path))) {
      res
        .status(hasBoundary ? 415 : 400)
        .type("text/plain")
        .send(
          hasBoundary
            ? "Nicht unterstütztes Format: hier wird keine Datei erwartet."
            : "Die Anfrage ist ungültig: multipart/form-data ohne boundary.",
        );
      return;
    }
  }
  next();
};

// Pages of signed-in users hold personal and partner data: no browser or proxy may
// keep them (the back button after sign-out on a shared computer). Only HTML documents
// of requests with a session cookie; downloads and data requests keep their own rules.
const noStoreForSignedInPages: RequestHandler = (req, res, next) => {
  if (!hasSessionCookie(req.get("Cookie"))) return next();
  const writeHead = res.writeHead;
  res.writeHead = function (this: typeof res, ...args: Parameters<typeof res.writeHead>) {
    const type = String(res.getHeader("Content-Type") ?? "");
    if (type.toLowerCase().startsWith("text/html")) res.setHeader("Cache-Control", "no-store");
    return writeHead.apply(this, args);
  } as typeof res.writeHead;
  next();
};

function hasSessionCookie(cookieHeader: string | undefined): boolean {
  return (cookieHeader ?? "")
    .split(";")
    .some((pair) => pair.trim().startsWith(`${SESSION_COOKIE_NAME}=`));
}

// A body without a declared length (chunked) could grow without bound before any
// route sees it; browsers always declare it. Routes enforce their own, smaller limits.
const limitRequestBodies: RequestHandler = (req, res, next) => {
  const declared = req.get("Content-Length");
  if (req.get("Transfer-Encoding") && declared === undefined) {
    res
      .status(411)
      .type("text/plain")
      .send("Bitte die Länge der Anfrage angeben (Content-Length).");
  } else if (declared !== undefined && Number(declared) > MAX_REQUEST_BODY_BYTES) {
    res.status(413).type("text/plain").send("Die Anfrage ist zu groß.");
  } else next();
};

// The session cookie decides the consortium; getDb() (app/utils/db.server.ts) answers
// with that consortium's database for the rest of the request, and with none when signed out.
const bindRequestToConsortium: RequestHandler = (req, _res, next) => {
  runInRequestConsortium(req.get("Cookie"), next).catch(next);
};

// Errors express itself catches (a malformed URL, a broken body) get a short German
// answer; express's own handler would show the stack trace unless NODE_ENV=production.
/**
 * The session's once-a-minute touch, made and counted here before Remix runs, so that
 * it does not count as a change of the data: cached pages stay valid across it
 * (app/utils/session-cache.server.ts, docs/decisions/027-event-loop-under-load.md).
 * Should it fail, getUser touches the session as before.
 */
const touchSessions: RequestHandler = (req, _res, next) => {
  const cookie = req.get("Cookie");
  if (!hasSessionCookie(cookie)) return next();
  touchSessionIfDue(new Request("http://localhost/", { headers: { Cookie: cookie! } })).then(
    () => next(),
    () => next(),
  );
};

/**
 * Requests start within the turn's budget (db/turns.ts, decision 030). A request's work
 * up to its first real wait is one unbroken run of code, and requests that arrive
 * together all start in the same turn (the poll phase hands over every ready socket).
 * Once the turn has run its budget, a new request waits for a later turn, in arrival
 * order, behind the work already waiting, without using the CPU. Mounted before the other
 * middleware; /healthz does not wait. TURN_BUDGET_MS=-1 turns it off.
 */
export function startWithinTurnBudget(budgetMs: number = turnBudgetMs()): RequestHandler {
  return (req, _res, next) => {
    if (req.path === "/healthz" || !turnBudgetSpent(budgetMs)) return next();
    waitForTurn(budgetMs).then(() => next());
  };
}

const answerErrorsWithoutDetails: ErrorRequestHandler = (
  error: { status?: number; statusCode?: number },
  _req,
  res,
  next,
) => {
  if (res.headersSent) return next(error);
  const status = error.status ?? error.statusCode ?? 500;
  if (status >= 500) console.error(error);
  res
    .status(status)
    .type("text/plain")
    .send(
      status < 500
        ? "Die Anfrage ist ungültig."
        : "Es ist ein Fehler aufgetreten. Bitte versuchen Sie es später noch einmal.",
    );
};

export interface StartServerOptions {
  port?: number;
  host?: string;
  /** The daily automatic backup beside the database (default: on, unless AUTO_BACKUP=0). */
  backups?: boolean;
}

export interface StartedServer {
  port: number;
  url: string;
  close: () => Promise<void>;
}

export async function startServer({
  port = Number(process.env.PORT ?? 3000),
  host = process.env.HOST || "0.0.0.0",
  backups = process.env.AUTO_BACKUP !== "0",
}: StartServerOptions = {}): Promise<StartedServer> {
  const development = process.env.NODE_ENV === "development";
  configuredHost(); // a malformed APP_ORIGIN stops the start, not every request
  let build = await importBuild();

  const app = express();
  app.disable("x-powered-by");
  // Debug: SLOW_SYNC_MS=50 logs each callback that blocks longer, with its request.
  const slowSyncMs = Number(process.env.SLOW_SYNC_MS ?? 0);
  if (slowSyncMs > 0) app.use(slowCallbackLog(slowSyncMs));
  // Debug: TURN_LOG_MS=25 logs what ran in each stretch of more own CPU time between ticks.
  const turnLogMs = Number(process.env.TURN_LOG_MS ?? 0);
  if (turnLogMs > 0) app.use(longTurnLog(turnLogMs));
  if (process.env.TRUST_PROXY === "1") app.set("trust proxy", true);
  app.use(dropForwardedHost);
  app.use(securityHeaders);
  app.use(strictTransportSecurity);
  // The load benchmark reads the server's event-loop delay here (never in production).
  if (process.env.BENCH === "1") app.get("/__bench/event-loop", eventLoopProbe());
  // A request that arrives when the turn has run its budget starts in a later turn: before
  // any other middleware, because the poll phase hands over every ready socket at once and
  // even answers from the page cache add up (decision 030).
  app.use(startWithinTurnBudget());
  // Fingerprinted assets never change under the same name.
  app.use(
    "/build",
    express.static(path.join(PROJECT_ROOT, "public", "build"), { immutable: true, maxAge: "1y" }),
  );
  // The other public files (favicon, robots.txt) all have an extension: pages never
  // reach the file system (a stat per page request cost 2 % of the main thread).
  const publicFiles = express.static(path.join(PROJECT_ROOT, "public"), {
    maxAge: "1h",
    index: false,
  });
  app.use((req, res, next) => (/\.\w+$/.test(req.path) ? publicFiles(req, res, next) : next()));
  app.use(rejectCrossSiteWrites);
  app.use(limitRequestBodies);
  app.use(bindRequestToConsortium);
  app.use(touchSessions);
  app.use(refuseUnsupportedBodies);
  app.use(noStoreForSignedInPages);
  // Repeat views of unchanged data: 304 or a rendered copy (scripts/page-cache.ts).
  // Not in development: a rebuild changes the pages without changing the data.
  if (!development) app.use(pageCache());
  const getLoadContext = (req: express.Request, res: express.Response) => ({
    cspNonce: res.locals.cspNonce as string,
    clientAddress: clientAddress({
      socketAddress: req.socket.remoteAddress,
      forwardedFor: req.get("X-Forwarded-For"),
      trustProxy: process.env.TRUST_PROXY === "1",
    }),
    documentMarkup: isDocumentRequest(req.method, req.originalUrl) ? new Map() : undefined,
  });
  app.all(
    "*",
    development
      ? (req, res, next) =>
          createRequestHandler({ build, mode: "development", getLoadContext })(req, res, next)
      : createRequestHandler({ build, mode: build.mode, getLoadContext }),
  );
  app.use(answerErrorsWithoutDetails);

  const server = await new Promise<import("node:http").Server>((resolve, reject) => {
    const listening = app.listen(port, host, () => resolve(listening));
    listening.once("error", reject);
  });
  const actualPort = (server.address() as AddressInfo).port;
  // The worker threads for heavy calculations and exports load their code in the background.
  computePool()
    ?.warm()
    .catch((error: unknown) => console.error("compute pool:", error));
  // PostgreSQL (DATABASE_URL) has no file to copy: scheduleDailyBackups says to use pg_dump.
  const databasePath = installationLocationFromEnv();
  const stopBackups =
    backups && databasePath !== ":memory:" ? scheduleDailyBackups(databasePath) : () => {};
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
        stopBackups();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function isMainModule(): boolean {
  return (
    Boolean(process.argv[1]) &&
    path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)
  );
}

/** WEB_CONCURRENCY: how many server processes share the port (default 1; "auto": one per core). */
export function webConcurrency(): number {
  const value = process.env.WEB_CONCURRENCY?.trim();
  if (value === "auto") return os.availableParallelism();
  return Math.max(1, Math.floor(Number(value) || 1));
}

/**
 * Several processes (Node's cluster): the primary forks `count` workers that each run
 * this file's server on the same port (the primary hands out the connections) and on
 * the same SQLite file (WAL; every write is a transaction). A worker that dies is
 * replaced. Only the first worker runs the daily backup. The session secret must be
 * settled before (ensureSessionSecret), so that every worker signs alike.
 */
export function forkServers(count: number): void {
  cluster.setupPrimary({ exec: fileURLToPath(import.meta.url), args: [] });
  let stopping = false;
  const backupWorkers = new Set<number>();
  const fork = (backups: boolean) => {
    const worker = cluster.fork({ AUTO_BACKUP: backups ? (process.env.AUTO_BACKUP ?? "1") : "0" });
    if (backups) backupWorkers.add(worker.id);
  };
  for (let i = 0; i < count; i++) fork(i === 0);
  cluster.on("exit", (worker, code, signal) => {
    const hadBackups = backupWorkers.delete(worker.id);
    if (stopping) return;
    console.error(`Serverprozess ${worker.process.pid} beendet (${signal ?? code}); starte neu.`);
    fork(hadBackups);
  });
  const stop = () => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill("SIGTERM");
    cluster.disconnect(() => process.exit(0));
  };
  process.on("SIGTERM", stop); // on, not once: a library's signal-exit handler re-raises when it is the only listener left
  process.on("SIGINT", stop);
}

if (isMainModule()) {
  ensureSessionSecret();
  const processes = webConcurrency();
  if (cluster.isPrimary && processes > 1) forkServers(processes);
  else {
    const started = await startServer();
    const which = cluster.isWorker ? ` (Prozess ${process.pid})` : "";
    console.log(`Verbundkauf läuft auf ${started.url}${which}`);
    let stopping: Promise<void> | null = null;
    const stop = () => (stopping ??= started.close().then(() => process.exit(0)));
    process.on("SIGTERM", stop); // on, not once: a library's signal-exit handler re-raises when it is the only listener left
    process.on("SIGINT", stop);
  }
}
