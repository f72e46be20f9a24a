// `npm start`: build when stale, open the registry at DATABASE_PATH (an installation from
// before consortia becomes consortium KC), migrate every consortium's database, load the
// demo into consortium KC ("Kreis Coesfeld") when it is empty (unless DEMO=0), make sure a
// session secret exists, then serve.
process.env.NODE_ENV ??= "production";

import { migrateToLatest, openDatabase, databasePathFromEnv } from "../db/database";
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

const databasePath = databasePathFromEnv();
const stores = await openInstallation(databasePath);
if (process.env.DEMO !== "0" && (await stores.consortia()).length === 0)
  await registerConsortium(stores.registry, FIRST_CONSORTIUM.code, FIRST_CONSORTIUM.name);
let needsSetup = true;
for (const consortium of await stores.consortia()) {
  const file = consortiumFileFor(databasePath, consortium.code);
  const { db } = openDatabase(file);
  try {
    const applied = await migrateToLatest(db);
    if (applied.length) console.log(`Datenbank ${file}: Migrationen ${applied.join(", ")}`);
    if (
      consortium.code === FIRST_CONSORTIUM.code &&
      process.env.DEMO !== "0" &&
      (await loadDemo(db))
    )
      console.log(`Demodaten (Kreis Coesfeld) geladen: Verbund ${FIRST_CONSORTIUM.code}.`);
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
    await db.destroy();
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
