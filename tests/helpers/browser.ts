// Debian's Chromium through playwright-core (never a downloaded browser), with the
// flags from shared/STACK.md. One Chromium per test process, launched on first use and
// shared by every suite (and file) the process runs; each launchBrowser() gets a browser
// context of its own (cookies, storage, cache and downloads isolated, as a fresh profile
// was). setupBrowserApp() gives a browser test suite the app server, a context, demo
// sign-in and database access.
import fs from "node:fs";
import path from "node:path";
import { sql } from "kysely";
import {
  chromium,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type Page,
} from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import type { Database } from "../../db/database";
import { DEMO_PASSWORD } from "../../db/demo";
import { setupAppServer, type AppServer } from "./app-server";

export const CHROMIUM_PATH = "/usr/bin/chromium";

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];

const INSTALL_HINT = `Chromium is missing at ${CHROMIUM_PATH}: install it with "apt-get install -y chromium".`;

/**
 * Whether browser tests should run. Without Chromium they are skipped with a loud
 * warning, except on CI (CI=true), where they run and fail with the install hint.
 */
export function browserTestsEnabled(): boolean {
  if (fs.existsSync(CHROMIUM_PATH)) return true;
  if (process.env.CI === "true") return true;
  const line = "!".repeat(78);
  console.warn(`\n${line}\n!! BROWSER TESTS SKIPPED. ${INSTALL_HINT}\n${line}\n`);
  return false;
}

export interface LaunchedBrowser {
  context: BrowserContext;
  close: () => Promise<void>;
}

/** The defaults every context gets (the options of launchBrowser() override them). */
const CONTEXT_DEFAULTS: BrowserContextOptions = {
  locale: "de-DE",
  timezoneId: "Europe/Berlin",
  viewport: { width: 1280, height: 900 },
};

let shared: Promise<Browser> | undefined;

/**
 * This process's Chromium, launched on first use. Starting Chromium costs 1–2 s of CPU;
 * `npm test` runs the browser files one after another in one worker process
 * (--no-isolate), so they all share one. It closes when no context has been open for
 * IDLE_CLOSE_MS; else Playwright kills its process group when this process exits (an
 * `exit` handler), and a SIGTERM (how vitest ends its workers), SIGINT or SIGHUP makes
 * this process exit, so no Chromium outlives the tests. If Chromium dies, the next call
 * launches a new one.
 */
function sharedBrowser(): Promise<Browser> {
  if (!shared) {
    exitOnSignals();
    const launching = chromium.launch({
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
      // Playwright's own handlers would close the browser on a signal but keep the
      // process running; exitOnSignals() ends it, and the exit handler kills Chromium.
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
    shared = launching;
    launching.then(
      (browser) =>
        browser.on("disconnected", () => {
          if (shared === launching) shared = undefined;
        }),
      () => {
        if (shared === launching) shared = undefined;
      },
    );
  }
  return shared;
}

let signalsHandled = false;
function exitOnSignals(): void {
  if (signalsHandled) return;
  signalsHandled = true;
  const codes = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 } as const;
  for (const [signal, code] of Object.entries(codes))
    process.once(signal, () => process.exit(code));
}

/**
 * A new browser context (with `options`) in this process's shared Chromium; close()
 * closes the context (its pages, cookies and downloads), not the browser.
 */
export async function launchBrowser(options: BrowserContextOptions = {}): Promise<LaunchedBrowser> {
  if (!fs.existsSync(CHROMIUM_PATH)) throw new Error(INSTALL_HINT);
  clearTimeout(idleTimer); // before the await: the idle browser must not close meanwhile
  const browser = await sharedBrowser();
  const context = await browser.newContext({ ...CONTEXT_DEFAULTS, ...options });
  openContexts++;
  context.once("close", () => {
    if (--openContexts === 0) idleTimer = setTimeout(closeIdleBrowser, IDLE_CLOSE_MS).unref();
  });
  return { context, close: () => context.close() };
}

/**
 * A Chromium without contexts for this long is closed: the next browser file starts
 * its context within seconds (after its app server), while a worker that ran one
 * browser test among other files (tests/security/server.test.ts) does not keep it.
 */
const IDLE_CLOSE_MS = 30_000;
let openContexts = 0;
let idleTimer: NodeJS.Timeout | undefined;

function closeIdleBrowser(): void {
  const closing = shared;
  shared = undefined;
  void closing?.then((browser) => browser.close()).catch(() => {});
}

/** Screenshots and PDFs for a visual check go to test-results/ (git-ignored). */
export function resultPath(file: string): string {
  const dir = path.resolve("test-results");
  fs.mkdirSync(dir, { recursive: true });
  return path.join(dir, file);
}

/** Fills the sign-in form the page shows and submits it, without waiting for the answer. */
export async function submitSignInForm(
  page: Page,
  email: string,
  password: string = DEMO_PASSWORD,
): Promise<void> {
  await page.getByLabel("E-Mail").fill(email);
  await page.getByLabel("Passwort").fill(password);
  await page.getByRole("button", { name: "Anmelden" }).click();
}

export interface BrowserAppOptions {
  /** Context options for the suite's browser (e.g. acceptDownloads). */
  launch?: BrowserContextOptions;
  /** Default timeout of the pages newPage() and signIn() open. */
  pageTimeout?: number;
  /** Changes to the demo database once the server runs, before the browser starts. */
  prepare?: (db: Database) => Promise<void>;
}

export interface BrowserApp {
  app: AppServer;
  browser: LaunchedBrowser;
  /** A new page in `target` (the suite's browser by default) with its cookies cleared. */
  newPage: (target?: LaunchedBrowser) => Promise<Page>;
  /** A new page signed in as the demo user `email`, on the start page. */
  signIn: (email: string, target?: LaunchedBrowser) => Promise<Page>;
  withDatabase: <T>(work: (db: Database) => Promise<T>) => Promise<T>;
  query: <T>(text: string) => Promise<T[]>;
}

/**
 * Registers beforeAll/afterAll that start the app server with the demo and one Chromium
 * for the enclosing suite. `app` and `browser` read what beforeAll started, so the
 * result can be destructured at definition time.
 */
export function setupBrowserApp({
  launch = {},
  pageTimeout = 15_000,
  prepare,
}: BrowserAppOptions = {}): BrowserApp {
  const app = setupAppServer();
  let launched: LaunchedBrowser | undefined;

  const withDatabase = async <T>(work: (db: Database) => Promise<T>): Promise<T> => {
    // KC's data on the server's engine (its SQLite file, or its PostgreSQL schema).
    const { db, close } = app.openConsortium();
    try {
      return await work(db);
    } finally {
      await close();
    }
  };

  beforeAll(async () => {
    if (prepare) await withDatabase(prepare);
    launched = await launchBrowser(launch);
  }, 120_000);
  afterAll(async () => {
    await launched?.close();
  });

  const running = (): LaunchedBrowser => {
    if (!launched) throw new Error("The browser runs only inside tests (it starts in beforeAll).");
    return launched;
  };
  const browser: LaunchedBrowser = {
    get context() {
      return running().context;
    },
    close: async () => launched?.close(),
  };

  const newPage = async (target: LaunchedBrowser = browser): Promise<Page> => {
    await target.context.clearCookies();
    const page = await target.context.newPage();
    page.setDefaultTimeout(pageTimeout);
    return page;
  };

  const signIn = async (email: string, target?: LaunchedBrowser): Promise<Page> => {
    const page = await newPage(target);
    await page.goto(`${app.url}/login`);
    await submitSignInForm(page, email);
    await page.waitForURL(`${app.url}/`);
    return page;
  };

  const query = <T>(text: string): Promise<T[]> =>
    withDatabase(async (db) => (await sql<T>`${sql.raw(text)}`.execute(db)).rows);

  return { app, browser, newPage, signIn, withDatabase, query };
}
