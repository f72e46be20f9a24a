// Entry of the upload-parsing worker thread (app/utils/parse-worker.server.ts starts
// it). Plain JavaScript, because a worker needs a file it can run both under vitest and
// beside the built server: it loads tsx's hooks for this thread, then the TypeScript
// task that runs the named parser.
import { register } from "tsx/esm/api";

register();
await import("./parse-worker.task.ts");
