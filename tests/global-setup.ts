// vitest globalSetup: builds the app once per run when the browser tests will need it
// and build/ is missing or older than the sources, so `npm test` works on a fresh clone.
// A failed build does not stop the other tests: the browser tests report it.
import fs from "node:fs";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { PROJECT_ROOT, buildIfStale } from "../scripts/build-if-stale";

declare module "vitest" {
  export interface ProvidedContext {
    appBuildError: string | null;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  project.provide("appBuildError", null);
  const { testFiles } = await project.globTestFiles(project.config.filters);
  // Build here, once, before the workers start: test files that start the built app
  // themselves (server, crash and start tests) would otherwise race two `remix build`s.
  if (!testFiles.some(needsBuild)) return;
  try {
    if (buildIfStale()) console.log("[global-setup] remix build done");
  } catch (error) {
    project.provide("appBuildError", error instanceof Error ? error.message : String(error));
  }
}

const BROWSER_TESTS = path.join(PROJECT_ROOT, "tests", "browser") + path.sep;

function needsBuild(file: string): boolean {
  if (file.startsWith(BROWSER_TESTS)) return true;
  return /\b(startAppServer|buildIfStale)\b|scripts\/start\.ts/.test(fs.readFileSync(file, "utf8"));
}
