// vitest globalSetup: builds the app once per run when the browser tests will need it
// and build/ is missing or older than the sources, so `npm test` works on a fresh clone.
// A failed build does not stop the other tests: the browser tests report it.
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
  const browserTests = path.join(PROJECT_ROOT, "tests", "browser") + path.sep;
  if (!testFiles.some((file) => file.startsWith(browserTests))) return;
  try {
    if (buildIfStale()) console.log("[global-setup] remix build done");
  } catch (error) {
    project.provide("appBuildError", error instanceof Error ? error.message : String(error));
  }
}
