// Entry of the compute pool's worker threads (app/utils/compute-pool.server.ts): a
// plain ES module, so that it runs as it is from the built server, under tsx and under
// vitest alike; it registers tsx and loads the TypeScript tasks.
import { register } from "tsx/esm/api";

register();
await import("./compute-worker.ts");
