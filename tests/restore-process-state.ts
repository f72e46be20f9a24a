// vitest setupFiles: runs in the worker before every test file. `npm test` lets most files
// share a worker process one after another (--no-isolate, docs/decisions/026-test-run-time.md),
// so what a file changes in process.env or the timers is undone when it ends, and the next
// file starts as in a fresh process. (Module mocks cannot be undone: such files run isolated.)
import { afterAll, vi } from "vitest";

const savedEnv = { ...process.env };

afterAll(() => {
  vi.useRealTimers();
  for (const name of Object.keys(process.env)) if (!(name in savedEnv)) delete process.env[name];
  Object.assign(process.env, savedEnv);
});
