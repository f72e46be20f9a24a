// Debian's Chromium through playwright-core (never a downloaded browser), with the
// flags from shared/STACK.md and a fresh profile per launch.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type BrowserContext, type BrowserContextOptions } from "playwright-core";

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

export async function launchBrowser(options: BrowserContextOptions = {}): Promise<LaunchedBrowser> {
  if (!fs.existsSync(CHROMIUM_PATH)) throw new Error(INSTALL_HINT);
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "verbundkauf-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    locale: "de-DE",
    timezoneId: "Europe/Berlin",
    viewport: { width: 1280, height: 900 },
    ...options,
  });
  return {
    context,
    close: async () => {
      await context.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
