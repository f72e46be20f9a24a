// Nothing escapes a consortium (docs/decisions/022-tenancy-per-consortium-database.md).
// 1. Twin: every GET route × role of KC answers the same before and after MS (KC's twin
//    with the same codes) is changed and read, so no cache or handle serves MS's data to
//    KC; and MS's own pages show MS's figures, not KC's.
// 2. Static: no module of the app or the exports opens a database except the seam
//    (app/utils/db.server.ts).
import fs from "node:fs";
import path from "node:path";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { runInRequestConsortium } from "../../app/utils/auth.server";
import { getDb, NoConsortiumError, runInConsortium } from "../../app/utils/db.server";
import { readPendingUpload, savePendingUpload } from "../../app/utils/plan-upload.server";
import { serializeSessionCookie } from "../../app/utils/session.server";
import {
  cachedByDataVersion,
  cachedImmutable,
  clearDataVersionCache,
  dataVersion,
} from "../../app/utils/data-version-cache.server";
import { createTestDatabase } from "../helpers/test-database";
import { EMAIL_TAKEN_MESSAGE } from "../../app/utils/form-schemas";
import { createFundingProgramme, getFundingProgramme } from "../../db/funding";
import { createSession } from "../../db/sessions";
import { findUserByEmail } from "../../db/users";
import type { Database } from "../../db/database";
import { BASE_URL, COMMITTEE, COORDINATOR, FINANCE, OFFICER_DUE } from "../app/support";
import {
  changeTwin,
  checksumOfDatabase,
  MS_MARKER,
  MS_ONLY_EMAIL,
  setUpTwinInstallation,
  type TwinInstallation,
} from "../helpers/twin-installation";

const ROOT = path.resolve(__dirname, "../..");
const ROUTES_DIR = path.join(ROOT, "app/routes");

type Loader = (args: LoaderFunctionArgs & ActionFunctionArgs) => Promise<unknown>;

let twin: TwinInstallation;
beforeAll(async () => {
  clearDataVersionCache();
  twin = await setUpTwinInstallation();
  for (const db of [twin.kc, twin.ms]) {
    if (await getFundingProgramme(db, "DP2")) continue;
    await createFundingProgramme(
      db,
      {
        ...{ code: "DP2", name: "DigitalPakt", rate: "0.9", fromYear: 2027, toYear: 2027 },
        ...{ maxPerUnitCents: null, categories: ["NB-SUS"], budgets: null },
      },
      null,
    );
  }
}, 120_000);
afterAll(() => twin.cleanup());

/** "tenders.$code.summary.tsx" → "/tenders/RV-2027/summary" with its params. */
function urlOf(file: string): { url: string; params: Record<string, string> } {
  const params: Record<string, string> = {};
  const segments = file
    .replace(/\.tsx?$/, "")
    .split(/\.(?![^[]*\])/)
    .filter((s) => s !== "_index")
    .map((segment) => {
      const name = segment.replace(/_$/, "").replace(/\[\.\]/g, ".");
      if (!name.startsWith("$")) return name;
      const key = name.slice(1);
      const value =
        key === "partner"
          ? "DUE"
          : key === "id"
            ? "1"
            : file.startsWith("funding")
              ? "DP2"
              : "RV-2027";
      params[key] = value;
      return value;
    });
  return { url: "/" + segments.join("/"), params };
}

async function cookieOf(db: Database, code: string, email: string): Promise<string> {
  const user = (await findUserByEmail(db, email))!;
  const session = await createSession(db, user.id);
  return (await serializeSessionCookie(new Request(BASE_URL), `${code}:${session.id}`)).split(
    ";",
  )[0];
}

async function bodyOf(response: Response): Promise<string> {
  const bytes = Buffer.from(await response.arrayBuffer());
  if (bytes.subarray(0, 2).toString("latin1") !== "PK") return bytes.toString("utf8");
  // A workbook: its cells (the zip carries creation times).
  const ExcelJS = (await import("exceljs")).default;
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  const cells: string[] = [];
  workbook.eachSheet((sheet) =>
    sheet.eachRow((row) => row.eachCell((cell) => cells.push(`${cell.address}=${cell.text}`))),
  );
  return cells.join("\n");
}

/** Every loader's answer (status and body) for the cookie, route by route. */
async function answers(cookie: string): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  const files = fs
    .readdirSync(ROUTES_DIR)
    .filter((f) => /\.tsx?$/.test(f))
    .sort();
  for (const file of files) {
    const module = (await import(path.join(ROUTES_DIR, file))) as { loader?: Loader };
    if (!module.loader) continue;
    const { url, params } = urlOf(file);
    const request = new Request(BASE_URL + url, { headers: { Cookie: cookie } });
    let answer: unknown;
    try {
      answer = await runInRequestConsortium(cookie, () =>
        module.loader!({ request, params, context: {} }),
      );
    } catch (error) {
      answer = error;
    }
    const text =
      answer instanceof Response
        ? `${answer.status} ${await bodyOf(answer)}`
        : answer instanceof Error
          ? `error ${answer.message}`
          : `data ${JSON.stringify(answer)}`;
    // Times of day and CSRF tokens differ between calls, whoever else changed something.
    result[url] = text
      .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g, "<time>")
      .replace(/\d{2}\.\d{2}\.\d{4}, \d{2}:\d{2}/g, "<Zeit>")
      .replace(/\w{3} \w{3} \d{2} \d{4} \d{2}:\d{2}:\d{2} GMT[^)\n]*\)/g, "<Datum>")
      .replace(/"(\w*token|csrf)":"[^"]*"/gi, '"$1":"<token>"');
  }
  return result;
}

describe("twin consortia", () => {
  test("every GET route × role of KC answers the same before and after MS is changed and read", async () => {
    const roles = [COORDINATOR, FINANCE, COMMITTEE, OFFICER_DUE];
    const kcCookies = await Promise.all(roles.map((email) => cookieOf(twin.kc, "KC", email)));
    const msCoordinator = await cookieOf(twin.ms, "MS", COORDINATOR.replace("@", ".ms@"));
    const kcChecksum = await checksumOfDatabase(twin.kc);

    const before = await Promise.all(kcCookies.map(answers));
    expect(Object.keys(before[0]).length).toBeGreaterThanOrEqual(20);
    for (const answer of before) expect(JSON.stringify(answer)).not.toContain(MS_MARKER);

    // MS reads (filling any cache), changes its figures, reads again.
    const msFirst = await answers(msCoordinator);
    await changeTwin(twin.ms, 2);
    const msSecond = await answers(msCoordinator);
    expect(JSON.stringify(msSecond)).toContain(`${MS_MARKER}2`);
    // MS's pages are MS's own: they differ from KC's where the data differs.
    expect(msFirst["/demand/DUE"]).not.toEqual(before[0]["/demand/DUE"]);
    expect(msSecond["/demand/DUE"]).not.toEqual(msFirst["/demand/DUE"]);

    const after = await Promise.all(kcCookies.map(answers));
    for (let i = 0; i < roles.length; i++) expect(after[i], roles[i]).toEqual(before[i]);
    expect(await checksumOfDatabase(twin.kc)).toBe(kcChecksum);
  }, 300_000);

  test("getDb() has no consortium outside a signed-in request", async () => {
    await expect(getDb()).rejects.toBeInstanceOf(NoConsortiumError);
    await expect(runInRequestConsortium(undefined, () => getDb())).rejects.toBeInstanceOf(
      NoConsortiumError,
    );
    // A cookie of MS gives MS's database, and only that.
    const msCookie = await cookieOf(twin.ms, "MS", COORDINATOR.replace("@", ".ms@"));
    expect(await runInRequestConsortium(msCookie, () => getDb())).toBe(twin.ms);
  });
});

describe("sign-in and accounts across consortia", () => {
  test("an MS user signs in to MS; the cookie names MS and the pages show MS's data", async () => {
    const { action } = await import("../../app/routes/login");
    const response = await runInRequestConsortium(undefined, () =>
      action({
        request: new Request(BASE_URL + "/login", {
          method: "POST",
          body: new URLSearchParams({ email: MS_ONLY_EMAIL, password: "ms-passwort-123456" }),
        }),
        params: {},
        context: {},
      } as never),
    );
    expect(response.status).toBe(302);
    const cookie = response.headers.get("Set-Cookie")!.split(";")[0];
    expect(await runInRequestConsortium(cookie, () => getDb())).toBe(twin.ms);
    const root = await import("../../app/root");
    const shell = await runInRequestConsortium(cookie, () =>
      root.loader({
        request: new Request(BASE_URL + "/", { headers: { Cookie: cookie } }),
        params: {},
        context: {},
      } as never),
    );
    expect(JSON.stringify(await (shell as Response).json())).toContain(MS_MARKER);
  });

  test("KC's coordinator cannot create an account with an email of MS", async () => {
    const { action } = await import("../../app/routes/admin.users._index");
    const cookie = await cookieOf(twin.kc, "KC", COORDINATOR);
    const form = {
      intent: "create",
      name: "Doppelt",
      email: MS_ONLY_EMAIL,
      role: "finance",
      partner: "",
      password: "ein-langes-passwort-123",
    };
    const response = (await runInRequestConsortium(cookie, () =>
      action({
        request: new Request(BASE_URL + "/admin/users", {
          method: "POST",
          headers: { Cookie: cookie },
          body: new URLSearchParams(form),
        }),
        params: {},
        context: {},
      } as never),
    )) as Response;
    expect(response.status).toBe(400);
    expect(await response.text()).toContain(EMAIL_TAKEN_MESSAGE);
    expect(await findUserByEmail(twin.kc, MS_ONLY_EMAIL)).toBeUndefined();
  });
});

test("a pending plan upload belongs to the consortium it was made in (user ids repeat)", async () => {
  const previous = process.env.DATABASE_PATH;
  process.env.DATABASE_PATH = twin.registryPath; // uploads wait beside the installation
  try {
    const id = await runInConsortium("KC", () => savePendingUpload(1, "plan.json", "{}"));
    expect(await runInConsortium("MS", () => readPendingUpload(id, 1))).toBeUndefined();
    expect(await runInConsortium("KC", () => readPendingUpload(id, 1))).toMatchObject({
      fileName: "plan.json",
    });
  } finally {
    if (previous === undefined) delete process.env.DATABASE_PATH;
    else process.env.DATABASE_PATH = previous;
  }
});

describe("caches keyed by data version", () => {
  test("two consortia at the same data version never share an entry", async () => {
    const [a, b] = [await createTestDatabase(), await createTestDatabase()];
    try {
      // Migrated alike: the same data version on both connections, the case to guard.
      expect(await dataVersion(a.db)).toBe(await dataVersion(b.db));
      expect(await cachedByDataVersion(a.db, "current-summary:RV-2027", async () => "A")).toBe("A");
      expect(await cachedByDataVersion(b.db, "current-summary:RV-2027", async () => "B")).toBe("B");
      expect(await cachedImmutable(a.db, "snapshot:1", async () => "A")).toBe("A");
      expect(await cachedImmutable(b.db, "snapshot:1", async () => "B")).toBe("B");
    } finally {
      await a.cleanup();
      await b.cleanup();
    }
  });
});

// ---- static: only the seam opens databases ----

const SEAM = "app/utils/db.server.ts";
const FORBIDDEN: [RegExp, string][] = [
  [/\bopenDatabase\s*\(/, "opens a database file (openDatabase)"],
  [/\b(openInstallation|openRegistry)\s*\(/, "opens the registry"],
  [/new\s+ConsortiumStores\b/, "creates consortium stores"],
  [/new\s+Kysely\b/, "creates a Kysely handle"],
  [/from\s+["']better-sqlite3["']/, "imports better-sqlite3"],
  [/\bopenPostgres\s*\(/, "opens a PostgreSQL schema (openPostgres)"],
  [/from\s+["']pg["']/, "imports pg"],
  [/\.database\(\s*["'`]/, "opens a consortium by a literal code"],
];

/** The ways `text` (the file `file`) opens a database outside the seam. */
function databaseOpenings(file: string, text: string): string[] {
  if (file === SEAM) return [];
  return FORBIDDEN.filter(([pattern]) => pattern.test(text)).map(([, what]) => `${file} ${what}`);
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(relative);
    return /\.(tsx?|mjs)$/.test(entry.name) ? [relative] : [];
  });
}

describe("only the seam opens a database", () => {
  test("no route, component, utility or export module opens one", () => {
    const files = [...sourceFiles("app"), ...sourceFiles("exports")];
    expect(files.length).toBeGreaterThan(40);
    const found = files.flatMap((file) =>
      databaseOpenings(file, fs.readFileSync(path.join(ROOT, file), "utf8")),
    );
    expect(found).toEqual([]);
  });

  test("the check names a module that opens a database itself", () => {
    expect(
      databaseOpenings(
        "app/routes/reports.tsx",
        'import SQLite from "better-sqlite3";\nconst { db } = openDatabase("x.db");',
      ),
    ).toEqual([
      "app/routes/reports.tsx opens a database file (openDatabase)",
      "app/routes/reports.tsx imports better-sqlite3",
    ]);
    expect(databaseOpenings(SEAM, "openDatabase(file)")).toEqual([]);
  });
});
