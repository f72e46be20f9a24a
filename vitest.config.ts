import { defineConfig } from "vitest/config";
import path from "node:path";

export default defineConfig({
  resolve: { alias: { "~": path.resolve(__dirname, "app") } },
  test: {
    globals: true,
    include: ["tests/**/*.test.{ts,tsx}"],
    environment: "node",
    testTimeout: 20_000,
    hookTimeout: 120_000,
    // expect.poll (the browser tests' wait for a page to change) gives up after 1 s by
    // default: too short for a server round trip on a busy machine (a flake under load).
    expect: { poll: { timeout: 15_000 } },
    // Ending a fork that ran app servers or worker threads takes a while on a busy machine.
    teardownTimeout: 60_000,
    pool: "forks",
    // Builds the app for the browser tests when stale (tests/global-setup.ts).
    globalSetup: ["tests/global-setup.ts"],
    // Undoes a file's changes to process.env and the timers when it ends: `npm test` runs
    // files one after another in a shared worker process (--no-isolate).
    setupFiles: ["tests/restore-process-state.ts"],
    // A cheaper scrypt for the hashes tests make (db/passwords.ts scryptN: honoured only
    // under vitest; production hashes keep N = 2^15, checked in tests/db/passwords.test.ts).
    env: { TEST_SCRYPT_N: "1024" },
  },
});
