// Operating an installation with several consortia: `npm run --silent admin -- <command>`.
//   consortium create CODE "NAME" --coordinator EMAIL [--password-file FILE]
//       registers the consortium, creates its database and its first coordinator; prints a
//       one-time password unless --password-file gives one (first line of the file)
//   consortium list
//       one line per consortium: code, name, created at (tab-separated)
// Wrong arguments exit 2, refused requests (code taken, email in use) exit 1.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import { installationLocationFromEnv } from "../db/database";
import { writeAudit } from "../db/audit";
import { getConsortium, openInstallation, registerConsortium } from "../db/registry";
import { createUser, normalizeEmail } from "../db/users";

const USAGE = `Aufruf / usage:
  npm run --silent admin -- consortium create CODE "NAME" --coordinator EMAIL [--password-file DATEI]
  npm run --silent admin -- consortium list`;

const MIN_PASSWORD_LENGTH = 12;

class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

const usage = (reason: string) => new CliError(`${reason}\n${USAGE}`, 2);

const emailTaken = (email: string, holder: string | null | undefined) =>
  new CliError(
    `Die E-Mail-Adresse ${normalizeEmail(email)} gehört schon zu einem Konto${holder ? ` im Verbund ${holder}` : ""}.`,
    1,
  );

/** A one-time password: 18 random bytes as 24 URL-safe characters. */
function oneTimePassword(): string {
  return randomBytes(18).toString("base64url");
}

function readPasswordFile(file: string): string {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    throw new CliError(`Passwortdatei „${file}“ nicht lesbar.`, 2);
  }
  const password = text.split(/\r?\n/)[0] ?? "";
  if (password.length < MIN_PASSWORD_LENGTH)
    throw new CliError(
      `Das Passwort in „${file}“ ist zu kurz: mindestens ${MIN_PASSWORD_LENGTH} Zeichen.`,
      1,
    );
  return password;
}

async function createConsortium(args: readonly string[]): Promise<void> {
  const positional: string[] = [];
  let coordinator: string | undefined;
  let passwordFile: string | undefined;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--coordinator") coordinator = args[++i];
    else if (args[i] === "--password-file") passwordFile = args[++i];
    else if (args[i].startsWith("--")) throw usage(`Unbekannte Option ${args[i]}.`);
    else positional.push(args[i]);
  }
  if (positional.length !== 2) throw usage("consortium create erwartet CODE und NAME.");
  if (!coordinator || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(coordinator.trim()))
    throw usage("--coordinator E-MAIL fehlt oder ist keine E-Mail-Adresse.");
  const [code, name] = positional;
  const password = passwordFile === undefined ? oneTimePassword() : readPasswordFile(passwordFile);

  const stores = await openInstallation(installationLocationFromEnv());
  try {
    if (await getConsortium(stores.registry, code))
      throw new CliError(`Den Verbund ${code} gibt es schon.`, 1);
    // Emails are unique across the installation: sign-in finds the consortium by the email
    // in the registry's user directory (no other consortium's store is opened).
    const holder = await stores.consortiumOfEmail(coordinator);
    if (holder !== undefined) throw emailTaken(coordinator, holder);
    try {
      await registerConsortium(stores.registry, code, name);
    } catch (error) {
      throw new CliError((error as Error).message, 1);
    }
    const db = await stores.database(code);
    await db.transaction().execute(async (trx) => {
      const user = await createUser(trx, {
        name: "Koordination",
        email: coordinator,
        password,
        role: "coordinator",
      });
      // Refused (and the user rolled back) when another process claimed the email first.
      if (!(await stores.claimEmail(code, user.email)))
        throw emailTaken(coordinator, await stores.consortiumOfEmail(coordinator));
      await writeAudit(trx, {
        userId: null,
        action: "create",
        entity: "user",
        entityKey: user.email,
        newValue: { name: user.name, email: user.email, role: user.role },
        detail: `Verbund ${code} angelegt (Kommandozeile): erstes Koordinationskonto`,
      });
    });
    process.stderr.write(
      `Verbund ${code} („${name.trim()}“) angelegt; Koordination: ${normalizeEmail(coordinator)}.\n`,
    );
    if (passwordFile === undefined) {
      process.stderr.write("Einmalpasswort (bitte nach der ersten Anmeldung ändern):\n");
      process.stdout.write(password + "\n");
    }
  } finally {
    await stores.destroy();
  }
}

async function listCommand(args: readonly string[]): Promise<void> {
  if (args.length !== 0) throw usage("consortium list erwartet keine Argumente.");
  const stores = await openInstallation(installationLocationFromEnv());
  try {
    for (const c of await stores.consortia())
      process.stdout.write(`${c.code}\t${c.name}\t${c.createdAt}\n`);
  } finally {
    await stores.destroy();
  }
}

async function main(argv: readonly string[]): Promise<void> {
  const [group, command, ...args] = argv;
  if (group !== "consortium") throw usage(group ? `Unbekannter Befehl ${group}.` : "Befehl fehlt.");
  if (command === "create") return createConsortium(args);
  if (command === "list") return listCommand(args);
  throw usage(
    command ? `Unbekannter Befehl consortium ${command}.` : "consortium: create oder list?",
  );
}

try {
  await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof CliError) {
    process.stderr.write(error.message + "\n");
    process.exitCode = error.exitCode;
  } else throw error;
}
