// `npm start`: build when stale, open the installation (DATABASE_URL: PostgreSQL, registry
// and consortia as schemas; else the SQLite registry at DATABASE_PATH, where an installation
// from before consortia becomes consortium KC), migrate every consortium's database, load the
// demo into consortium KC ("Kreis Coesfeld") when it is empty (unless DEMO=0), make sure a
// session secret exists, then serve.
process.env.NODE_ENV ??= "production";

import { databasePathFromEnv, installationLocationFromEnv } from "../db/database";
import { consortiumSchema, isPostgresUrl } from "../db/engine";
import {
  consortiumFileFor,
  FIRST_CONSORTIUM,
  openInstallation,
  registerConsortium,
} from "../db/registry";
import { DEMO_PASSWORD, DEMO_USERS, isDemo, loadDemo } from "../db/demo";
import { countUsers } from "../db/users";
import { ensureSessionSecret, sessionSecretFile } from "../app/utils/session-secret.server";
import { ROLE_LABELS } from "../app/utils/roles";
import { buildIfStale } from "./build-if-stale";
import { forkServers, startServer, webConcurrency } from "./server";

if (buildIfStale()) console.log("Build erstellt.");

const location = installationLocationFromEnv();
const postgres = isPostgresUrl(location);
// The session secret file (without SESSION_SECRET) stays beside DATABASE_PATH on both engines.
const databasePath = databasePathFromEnv();
const stores = await openInstallation(location);
if (process.env.DEMO !== "0" && (await stores.consortia()).length === 0)
  await registerConsortium(stores.registry, FIRST_CONSORTIUM.code, FIRST_CONSORTIUM.name);
let needsSetup = true;
for (const consortium of await stores.consortia()) {
  const where = postgres
    ? `Schema ${consortiumSchema(consortium.code)}`
    : `Datenbank ${consortiumFileFor(location, consortium.code)}`;
  // Opening the store migrates it (ConsortiumStores.database).
  const db = await stores.database(consortium.code);
  try {
    const applied = stores.migrationsApplied(consortium.code);
    if (applied.length) console.log(`${where}: Migrationen ${applied.join(", ")}`);
    if (
      consortium.code === FIRST_CONSORTIUM.code &&
      process.env.DEMO !== "0" &&
      (await loadDemo(db))
    ) {
      await stores.syncUserDirectory([consortium.code]);
      console.log(`Demodaten (Kreis Coesfeld) geladen: Verbund ${FIRST_CONSORTIUM.code}.`);
    }
    if (await isDemo(db)) {
      console.log(
        `\nDemo-Anmeldungen im Verbund ${consortium.code} (Passwort für alle: ${DEMO_PASSWORD}):`,
      );
      for (const user of DEMO_USERS) {
        console.log(
          `  ${user.email.padEnd(40)} ${ROLE_LABELS[user.role]}${user.partner ? ` (${user.partner})` : ""}`,
        );
      }
      console.log("");
    }
    if ((await countUsers(db)) > 0) needsSetup = false;
  } finally {
    // One consortium at a time: hundreds of consortia must not hold hundreds of pools.
    await stores.release(consortium.code);
  }
}
await stores.destroy();

const hadSecret = Boolean(process.env.SESSION_SECRET);
ensureSessionSecret(databasePath);
if (!hadSecret) console.log(`Sitzungsschlüssel: ${sessionSecretFile(databasePath)}`);

// WEB_CONCURRENCY > 1: several server processes on the same port (scripts/server.ts).
if (webConcurrency() > 1) forkServers(webConcurrency());
else {
  const server = await startServer();
  console.log(
    `Verbundkauf läuft auf ${server.url}${needsSetup ? `  (zuerst ${server.url}/setup: Koordinationskonto anlegen)` : ""}`,
  );
  let stopping: Promise<void> | null = null;
  const stop = () => (stopping ??= server.close().then(() => process.exit(0)));
  process.on("SIGTERM", stop); // on, not once: a library's signal-exit handler re-raises when it is the only listener left
  process.on("SIGINT", stop);
}
