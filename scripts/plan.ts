// Command line for plan files: `npm run --silent plan -- <command>`.
//   calc PLAN.json               result JSON on stdout (exit 0): result@1 for a plan@1 file,
//                                result@2 for a plan@2 file; problems on stderr (exit 1)
//   validate PLAN.json           "ok" (exit 0) or one line per problem (exit 1)
//   export [--out FILE] [--consortium CODE]          the consortium's plan as plan@2 JSON
//   import PLAN.json [--replace] [--consortium CODE] replaces the consortium's plan
// Without --consortium: the installation's only consortium, else an error naming them.
// Wrong arguments and unreadable files exit 2. Database modules load lazily so that
// calc and validate start fast.

import fs from "node:fs";
import { calculatePlanText } from "../domain/plan-pipeline";
import { formatProblem, parsePlanText, type PlanProblem } from "../domain/plan-validation";

const USAGE = `Aufruf / usage:
  npm run --silent plan -- calc PLAN.json
  npm run --silent plan -- validate PLAN.json
  npm run --silent plan -- export [--out FILE] [--consortium CODE]
  npm run --silent plan -- import PLAN.json [--replace] [--consortium CODE]`;

/** An error with a German one-line message and the exit code to use. */
class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

function usage(reason: string): CliError {
  return new CliError(`${reason}\n${USAGE}`, 2);
}

function readPlanFile(file: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === "ENOENT" ? "nicht gefunden" : code === "EISDIR" ? "ist ein Ordner" : "nicht lesbar";
    throw new CliError(`Datei „${file}“ ${reason}.`, 2);
  }
}

function reportProblems(problems: readonly PlanProblem[]): void {
  process.stderr.write(problems.map((p) => formatProblem(p) + "\n").join(""));
  process.exitCode = 1;
}

/** Exactly one file argument, no options. */
function singleFile(args: readonly string[], command: string): string {
  if (args.length !== 1 || args[0].startsWith("--"))
    usageFail(`${command} erwartet genau eine Plandatei.`);
  return args[0];
}

function usageFail(reason: string): never {
  throw usage(reason);
}

/** Takes `--consortium CODE` out of the arguments. */
function consortiumOption(args: readonly string[]): { rest: string[]; consortium?: string } {
  const at = args.indexOf("--consortium");
  if (at < 0) return { rest: [...args] };
  const consortium = args[at + 1];
  if (consortium === undefined || consortium.startsWith("--"))
    usageFail("--consortium erwartet ein Verbundkürzel.");
  return { rest: [...args.slice(0, at), ...args.slice(at + 2)], consortium };
}

/** The consortium's database (default: the only one), opened through the registry. */
async function openPlanDatabase(consortium: string | undefined) {
  const { installationLocationFromEnv } = await import("../db/database");
  const { openInstallation } = await import("../db/registry");
  const stores = await openInstallation(installationLocationFromEnv());
  try {
    const known = await stores.consortia();
    const names = known.map((c) => c.code).join(", ") || "keiner";
    let code = consortium;
    if (code === undefined) {
      if (known.length !== 1)
        throw new CliError(
          `Bitte den Verbund mit --consortium CODE angeben (vorhanden: ${names}).`,
          2,
        );
      code = known[0].code;
    } else if (!known.some((c) => c.code === code)) {
      throw new CliError(`Unbekannter Verbund „${code}“ (vorhanden: ${names}).`, 2);
    }
    const db = await stores.database(code);
    return { db, close: () => stores.destroy() };
  } catch (error) {
    await stores.destroy();
    throw error;
  }
}

async function exportCommand(allArgs: readonly string[]): Promise<void> {
  const { rest: args, consortium } = consortiumOption(allArgs);
  let out: string | undefined;
  if (args.length === 2 && args[0] === "--out") out = args[1];
  else if (args.length !== 0) usageFail("export erwartet keine Argumente außer --out DATEI.");
  const { exportPlan } = await import("../db/plan-io");
  const { db, close } = await openPlanDatabase(consortium);
  try {
    const text = JSON.stringify(await exportPlan(db), null, 2) + "\n";
    if (out === undefined) process.stdout.write(text);
    else fs.writeFileSync(out, text);
  } finally {
    await close();
  }
}

async function importCommand(allArgs: readonly string[]): Promise<void> {
  const { rest: args, consortium } = consortiumOption(allArgs);
  const replace = args.includes("--replace");
  const files = args.filter((a) => a !== "--replace");
  if (files.length !== 1 || files[0].startsWith("--") || args.length - files.length > 1) {
    usageFail("import erwartet eine Plandatei und optional --replace.");
  }
  const validation = parsePlanText(readPlanFile(files[0]));
  if (!validation.ok) return reportProblems(validation.problems);
  const { importPlan, PlanImportRefused } = await import("../db/plan-io");
  const { isAwardFrozenError, PLAN_IMPORT_AWARD_FROZEN_MESSAGE } = await import("../db/awards");
  const { db, close } = await openPlanDatabase(consortium);
  try {
    await importPlan(db, validation.plan, { replace });
    process.stderr.write(`Plan aus „${files[0]}“ importiert.\n`);
  } catch (error) {
    if (error instanceof PlanImportRefused) throw new CliError(error.message, 1);
    if (isAwardFrozenError(error)) throw new CliError(PLAN_IMPORT_AWARD_FROZEN_MESSAGE, 1);
    throw error;
  } finally {
    await close();
  }
}

async function main(argv: readonly string[]): Promise<void> {
  const [command, ...args] = argv;
  switch (command) {
    case "calc": {
      const outcome = calculatePlanText(readPlanFile(singleFile(args, "calc")));
      if (!outcome.ok) return reportProblems(outcome.problems);
      process.stdout.write(outcome.json + "\n");
      return;
    }
    case "validate": {
      const validation = parsePlanText(readPlanFile(singleFile(args, "validate")));
      if (!validation.ok) return reportProblems(validation.problems);
      process.stdout.write("ok\n");
      return;
    }
    case "export":
      return exportCommand(args);
    case "import":
      return importCommand(args);
    case undefined:
      return usageFail("Kein Befehl angegeben.");
    default:
      return usageFail(`Unbekannter Befehl „${command}“.`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof CliError) {
    process.stderr.write(error.message + "\n");
    process.exitCode = error.exitCode;
  } else {
    // No stack trace for users; the message still says what went wrong.
    process.stderr.write(
      `Interner Fehler: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exitCode = 3;
  }
});
