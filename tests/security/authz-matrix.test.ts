// The authorization matrix: every route module under app/routes, for every role and
// signed out, for GET (loader) and POST (action), against the demo database. A route
// module without an entry here fails the test, so a new route cannot ship unreviewed.
//
// Outcomes are status classes: "ok" (2xx), "login" (redirect to the sign-in page),
// "redirect" (any other 3xx), "invalid" (a validation answer: 400/409/410/415/422),
// "401", "403", "404", "405" (no loader/action: Remix answers 405 for the method).
// A POST that is allowed sends an empty (or deliberately invalid) form: it must be
// answered as invalid, never with a 500 (an exception that is not a Response).
//
// Across consortia (docs/decisions/022-tenancy-per-consortium-database.md): the matrix runs
// as consortium KC's users in an installation that also holds MS, KC's twin with the same
// codes, other figures and names carrying MS_MARKER. Every answer's body (or loader data)
// is searched for the marker ("leak" when found), ids and codes that exist only in MS
// answer 404, and no request of the whole matrix changes MS's file.
import fs from "node:fs";
import path from "node:path";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { serializeSessionCookie } from "../../app/utils/session.server";
import { createFundingProgramme, getFundingProgramme } from "../../db/funding";
import { createSession } from "../../db/sessions";
import { findUserByEmail } from "../../db/users";
import { runInRequestConsortium } from "../../app/utils/auth.server";
import {
  checksumOfDatabase,
  MS_MARKER,
  MS_ONLY_PARTNER,
  setUpTwinInstallation,
  type TwinInstallation,
} from "../helpers/twin-installation";
import { BASE_URL, COMMITTEE, COORDINATOR, FINANCE, OFFICER_DUE } from "../app/support";

type Outcome = "ok" | "login" | "redirect" | "invalid" | "401" | "403" | "404" | "405";
type Who = "coordinator" | "finance" | "committee" | "officer" | "officerOther" | "anonymous";
type Row = Record<Exclude<Who, "officerOther">, Outcome> & { officerOther?: Outcome };

interface Entry {
  /** The URL path; `partner` is the officer's own (DUE) or another partner (COE). */
  path: (partner: string) => string;
  params?: (partner: string) => Record<string, string>;
  /** Whether the route has a :partner parameter (then officers are tried on DUE and on COE). */
  partnerParam?: boolean;
  get: Row;
  post: Row;
  /** Form fields for the POST (default: none), per role if needed. */
  form?: Partial<Record<Who, Record<string, string>>>;
  /** A parameter value that does not exist: the coordinator gets 404 (GET). */
  unknown?: { path: string; params: Record<string, string> };
}

const ROUTES_DIR = path.resolve(__dirname, "../../app/routes");
const TENDER = "RV-2027";

/** The same outcome for every signed-in role, another for signed-out visitors. */
function signedIn(
  outcome: Outcome,
  anonymous: Outcome = "login",
  overrides: Partial<Row> = {},
): Row {
  return {
    coordinator: outcome,
    finance: outcome,
    committee: outcome,
    officer: outcome,
    anonymous,
    ...overrides,
  };
}
/**
 * Only `allowed` roles get `outcome`; the other signed-in roles 403. An officer is
 * allowed only for its own partner: on another partner's page it is refused too.
 */
function only(allowed: Who[], outcome: Outcome, anonymous: Outcome = "login"): Row {
  const row: Row = { ...signedIn("403", anonymous), officerOther: "403" };
  for (const who of allowed) row[who as keyof Row] = outcome;
  return row;
}
const NO_ACTION = signedIn("405", "405");
const tender = (suffix = "") => ({
  path: () => `/tenders/${TENDER}${suffix}`,
  params: () => ({ code: TENDER }),
  unknown: { path: `/tenders/NOPE${suffix}`, params: { code: "NOPE" } },
});
const partnerRoute = (suffix = "") => ({
  path: (p: string) => `/demand/${p}${suffix}`,
  params: (p: string) => ({ partner: p }),
  partnerParam: true,
  unknown: { path: `/demand/XYZ${suffix}`, params: { partner: "XYZ" } },
});

const inventoryRoute = (suffix = "") => ({
  path: (p: string) => `/inventory/${p}${suffix}`,
  params: (p: string) => ({ partner: p }),
  partnerParam: true,
  unknown: { path: `/inventory/XYZ${suffix}`, params: { partner: "XYZ" } },
});

const MATRIX: Record<string, Entry> = {
  "_index.tsx": { path: () => "/", get: signedIn("ok"), post: NO_ACTION },
  "login.tsx": {
    path: () => "/login",
    get: signedIn("redirect", "ok"),
    post: signedIn("invalid", "invalid"),
  },
  // Signing out ends in the sign-in page, for the signed-out too.
  "logout.tsx": { path: () => "/logout", get: signedIn("ok"), post: signedIn("login", "login") },
  // Users exist (the demo), so the first-start page sends everyone to the sign-in.
  "setup.tsx": {
    path: () => "/setup",
    get: signedIn("login", "login"),
    post: signedIn("login", "login"),
  },
  "healthz.ts": { path: () => "/healthz", get: signedIn("ok", "ok"), post: NO_ACTION },
  // The load benchmark's floor: only with BENCH=1, never in the tests.
  "bench.bare.tsx": { path: () => "/bench/bare", get: signedIn("404", "404"), post: NO_ACTION },

  "admin.users._index.tsx": {
    path: () => "/admin/users",
    get: only(["coordinator"], "ok"),
    post: only(["coordinator"], "invalid"),
  },
  "admin.users.$id.tsx": {
    path: () => "/admin/users/ID",
    params: () => ({ id: "ID" }), // replaced by the Coesfeld officer's id
    get: only(["coordinator"], "ok"),
    post: only(["coordinator"], "invalid"),
    unknown: { path: "/admin/users/999999", params: { id: "999999" } },
  },
  "admin.plan.tsx": {
    path: () => "/admin/plan",
    get: only(["coordinator"], "ok"),
    post: only(["coordinator"], "invalid"),
  },
  "api.plan.tsx": {
    path: () => "/api/plan",
    get: only(["coordinator", "finance"], "ok", "401"),
    post: NO_ACTION,
  },
  "api.result.tsx": { path: () => "/api/result", get: signedIn("ok", "401"), post: NO_ACTION },
  "categories.tsx": {
    path: () => "/categories",
    get: only(["coordinator", "finance", "committee"], "ok"),
    post: only(["coordinator"], "invalid"),
  },
  // Everyone reads the funding overview (an officer only its own row: tests/app/funding.test.ts).
  "funding._index.tsx": { path: () => "/funding", get: signedIn("ok"), post: NO_ACTION },
  "funding.new.tsx": {
    path: () => "/funding/new",
    get: only(["coordinator"], "ok"),
    post: only(["coordinator"], "invalid"),
  },
  "funding.$code.tsx": {
    path: () => "/funding/DP2",
    params: () => ({ code: "DP2" }),
    get: only(["coordinator"], "ok"),
    post: only(["coordinator"], "invalid"),
    form: { coordinator: { intent: "save" } },
    unknown: { path: "/funding/NOPE", params: { code: "NOPE" } },
  },

  "demand._index.tsx": {
    path: () => "/demand",
    // Officers are sent on to their own partner's page.
    get: signedIn("ok", "login", { officer: "redirect" }),
    post: only(["coordinator"], "invalid"),
  },
  "demand.$partner.tsx": {
    ...partnerRoute(),
    get: signedIn("ok", "login", { officerOther: "403" }),
    post: only(["coordinator", "officer"], "invalid"),
  },
  "demand.$partner_.history.tsx": {
    ...partnerRoute("/history"),
    get: signedIn("ok", "login", { officerOther: "403" }),
    post: NO_ACTION,
  },
  "demand.$partner_.import.tsx": {
    ...partnerRoute("/import"),
    get: only(["coordinator", "officer"], "ok"),
    post: only(["coordinator", "officer"], "invalid"),
  },
  "demand.$partner_.template[.]xlsx.tsx": {
    ...partnerRoute("/template.xlsx"),
    get: signedIn("ok", "login", { officerOther: "403" }),
    post: NO_ACTION,
  },
  "demand.export[.]csv.tsx": {
    path: () => "/demand/export.csv",
    get: only(["coordinator", "finance"], "ok"),
    post: NO_ACTION,
  },
  "demand.export[.]xlsx.tsx": {
    path: () => "/demand/export.xlsx",
    get: only(["coordinator", "finance"], "ok"),
    post: NO_ACTION,
  },

  "inventory._index.tsx": {
    path: () => "/inventory",
    // Officers are sent on to their own partner's inventory.
    get: signedIn("ok", "login", { officer: "redirect" }),
    post: NO_ACTION,
  },
  "inventory.$partner.tsx": {
    ...inventoryRoute(),
    get: signedIn("ok", "login", { officerOther: "403" }),
    post: only(["coordinator", "officer"], "invalid"),
  },
  "inventory.$partner_.import.tsx": {
    ...inventoryRoute("/import"),
    get: only(["coordinator", "officer"], "ok"),
    post: only(["coordinator", "officer"], "invalid"),
  },
  "inventory.$partner_.template[.]xlsx.tsx": {
    ...inventoryRoute("/template.xlsx"),
    get: only(["coordinator", "officer"], "ok"),
    post: NO_ACTION,
  },

  // Every role reads the support comparison (officers only their own row: tests/app/support.test.ts).
  "support._index.tsx": {
    path: () => "/support",
    get: signedIn("ok"),
    post: only(["coordinator"], "invalid"),
  },
  "support.export[.]xlsx.tsx": {
    path: () => "/support/export.xlsx",
    get: signedIn("ok"),
    post: NO_ACTION,
  },

  "tenders._index.tsx": { path: () => "/tenders", get: signedIn("ok"), post: NO_ACTION },
  "tenders.new.tsx": {
    path: () => "/tenders/new",
    get: only(["coordinator"], "ok"),
    post: only(["coordinator"], "invalid"),
  },
  "tenders.$code._index.tsx": {
    ...tender(),
    get: signedIn("ok"),
    post: only(["coordinator"], "invalid"),
  },
  "tenders.$code.summary.tsx": { ...tender("/summary"), get: signedIn("ok"), post: NO_ACTION },
  "tenders.$code.compare.tsx": { ...tender("/compare"), get: signedIn("ok"), post: NO_ACTION },
  "tenders.$code.snapshots.tsx": {
    ...tender("/snapshots"),
    get: signedIn("ok"),
    post: only(["coordinator"], "invalid"),
  },
  "tenders.$code.cost-split[.]xlsx.tsx": {
    ...tender("/cost-split.xlsx"),
    get: only(["coordinator", "finance", "committee"], "ok"),
    post: NO_ACTION,
  },
  "tenders.$code.award.tsx": {
    ...tender("/award"),
    get: only(["coordinator", "finance", "committee"], "ok"),
    post: only(["coordinator"], "invalid"),
  },
  "tenders.$code.call-offs.tsx": {
    ...tender("/call-offs"),
    get: signedIn("ok"),
    post: only(["coordinator", "officer"], "invalid"),
    // An officer records call-offs for its own partner only; the empty rest is invalid.
    form: { officer: { partner: "DUE" }, coordinator: { partner: "DUE" } },
  },
  "tenders.$code.plan-vs-actual.tsx": {
    ...tender("/plan-vs-actual"),
    get: signedIn("ok"),
    post: NO_ACTION,
  },
};

// ---------------------------------------------------------------------------------

type Handler = (args: LoaderFunctionArgs & ActionFunctionArgs) => Promise<unknown>;
interface RouteModule {
  loader?: Handler;
  action?: Handler;
}

let twin: TwinInstallation;
let msChecksum: string;
const userIds: Partial<Record<Who, number>> = {};
let coeOfficerId: number;

beforeAll(async () => {
  twin = await setUpTwinInstallation();
  const emails: [Who, string][] = [
    ["coordinator", COORDINATOR],
    ["finance", FINANCE],
    ["committee", COMMITTEE],
    ["officer", OFFICER_DUE],
  ];
  for (const [who, email] of emails) userIds[who] = (await findUserByEmail(twin.kc, email))!.id;
  coeOfficerId = (await findUserByEmail(twin.kc, "beschaffung@coesfeld.example"))!.id;
  // A funding programme for /funding/DP2 (the demo plan may have none), in both consortia.
  for (const [db, name] of [
    [twin.kc, "DigitalPakt"],
    [twin.ms, `DigitalPakt ${MS_MARKER}`],
  ] as const) {
    if (!(await getFundingProgramme(db, "DP2"))) {
      await createFundingProgramme(
        db,
        {
          ...{ code: "DP2", name, rate: "0.9", fromYear: 2027, toYear: 2027 },
          ...{ maxPerUnitCents: null, categories: ["NB-SUS"], budgets: null },
        },
        null,
      );
    }
  }
  msChecksum = await checksumOfDatabase(twin.ms);
});
afterAll(() => twin.cleanup());

/** A fresh server-side session per request, so that a sign-out cannot spoil the next check. */
async function cookieFor(who: Who): Promise<string | null> {
  const role = who === "officerOther" ? "officer" : who;
  if (role === "anonymous") return null;
  const session = await createSession(twin.kc, userIds[role]!);
  const probe = new Request(BASE_URL);
  return (await serializeSessionCookie(probe, `KC:${session.id}`)).split(";")[0];
}

function classify(response: Response): Outcome | `unexpected ${number}` {
  const { status } = response;
  if (status >= 200 && status < 300) return "ok";
  if (status >= 300 && status < 400) {
    return (response.headers.get("Location") ?? "").startsWith("/login") ? "login" : "redirect";
  }
  if ([400, 409, 410, 415, 422].includes(status)) return "invalid";
  if ([401, 403, 404, 405].includes(status)) return String(status) as Outcome;
  return `unexpected ${status}`;
}

async function call(
  module: RouteModule,
  method: "GET" | "POST",
  url: string,
  params: Record<string, string>,
  cookie: string | null,
  form: Record<string, string> = {},
) {
  const handler = method === "GET" ? module.loader : module.action;
  if (!handler) return "405" as const;
  const headers = new Headers();
  if (cookie) headers.set("Cookie", cookie);
  const request = new Request(BASE_URL + url, {
    method,
    headers,
    body: method === "POST" ? new URLSearchParams(form) : undefined,
  });
  try {
    // As the server does: the session cookie decides the consortium of the whole request.
    const result = await runInRequestConsortium(cookie ?? undefined, () =>
      handler({ request, params, context: {} }),
    );
    if (result instanceof Response) return (await leak(result)) ?? classify(result);
    // A loader may return plain data; Remix sends it as 200.
    if (JSON.stringify(result ?? null).includes(MS_MARKER)) return "leak of MS data" as const;
    return "ok" as const;
  } catch (error) {
    if (error instanceof Response) return (await leak(error)) ?? classify(error);
    // Anything else would reach the user as a 500.
    return `500 ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** "leak of MS data" when the body shows the other consortium's marker. */
async function leak(response: Response): Promise<string | undefined> {
  if (!response.body) return undefined;
  const bytes = Buffer.from(await response.clone().arrayBuffer());
  // Workbooks are zip files: their XML is compressed, so look inside them as well.
  const text =
    bytes.subarray(0, 2).toString("latin1") === "PK"
      ? await unzipText(bytes)
      : bytes.toString("utf8");
  return text.includes(MS_MARKER) ? "leak of MS data" : undefined;
}

async function unzipText(bytes: Buffer): Promise<string> {
  const ExcelJS = (await import("exceljs")).default;
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch {
    return "";
  }
  const cells: string[] = [];
  workbook.eachSheet((sheet) =>
    sheet.eachRow((row) => row.eachCell((cell) => cells.push(String(cell.text)))),
  );
  return cells.join("\n");
}

const routeFiles = fs
  .readdirSync(ROUTES_DIR)
  .filter((name) => /\.(tsx?|jsx?)$/.test(name) && !name.startsWith("."));

test("finds the route modules", () => {
  expect(routeFiles.length).toBeGreaterThanOrEqual(20);
});

function missingEntries(files: string[], matrix: Record<string, Entry>): string[] {
  return files
    .filter((file) => !(file in matrix))
    .map((file) => `route ${file} has no entry in the authorization matrix`);
}

test("a route module without an entry is reported by name", () => {
  expect(missingEntries([...routeFiles, "reports.$year.tsx"], MATRIX)).toEqual([
    "route reports.$year.tsx has no entry in the authorization matrix",
  ]);
});

test("every route module has an entry in the authorization matrix", () => {
  expect(missingEntries(routeFiles, MATRIX)).toEqual([]);
  const stale = Object.keys(MATRIX).filter((file) => !routeFiles.includes(file));
  expect(stale, "matrix entries for route files that no longer exist").toEqual([]);
});

describe.each(routeFiles.filter((file) => file in MATRIX))("%s", (file) => {
  const entry = MATRIX[file];
  const whos: Who[] = [
    "coordinator",
    "finance",
    "committee",
    "officer",
    ...(entry.partnerParam ? (["officerOther"] as Who[]) : []),
    "anonymous",
  ];

  for (const method of ["GET", "POST"] as const) {
    test(`${method} for every role`, async () => {
      const module = (await import(path.join(ROUTES_DIR, file))) as RouteModule;
      const row = method === "GET" ? entry.get : entry.post;
      const observed: Partial<Record<Who, string>> = {};
      const expected: Partial<Record<Who, string>> = {};
      for (const who of whos) {
        const partner = who === "officerOther" ? "COE" : "DUE";
        const resolve = (text: string) => text.replace("ID", String(coeOfficerId));
        const url = resolve(entry.path(partner));
        const params = Object.fromEntries(
          Object.entries(entry.params?.(partner) ?? {}).map(([k, v]) => [k, resolve(v)]),
        );
        observed[who] = await call(
          module,
          method,
          url,
          params,
          await cookieFor(who),
          entry.form?.[who],
        );
        expected[who] =
          who === "officerOther" ? (row.officerOther ?? row.officer) : row[who as keyof Row];
      }
      expect(observed).toEqual(expected);
    });
  }

  if (entry.unknown) {
    test("GET of something that does not exist is 404 for the coordinator", async () => {
      const module = (await import(path.join(ROUTES_DIR, file))) as RouteModule;
      const { path: url, params } = entry.unknown!;
      expect(await call(module, "GET", url, params, await cookieFor("coordinator"))).toBe("404");
    });
  }
});

describe("across consortia", () => {
  test("ids and codes that exist only in the other consortium answer 404 for KC's coordinator", async () => {
    const user = (await import(path.join(ROUTES_DIR, "admin.users.$id.tsx"))) as RouteModule;
    const id = String(twin.msOnlyUserId);
    const cookie = await cookieFor("coordinator");
    expect(await call(user, "GET", `/admin/users/${id}`, { id }, cookie)).toBe("404");
    const demand = (await import(path.join(ROUTES_DIR, "demand.$partner.tsx"))) as RouteModule;
    const partner = { partner: MS_ONLY_PARTNER };
    expect(await call(demand, "GET", `/demand/${MS_ONLY_PARTNER}`, partner, cookie)).toBe("404");
  });

  test("no request of the whole matrix changed the other consortium's data", async () => {
    expect(await checksumOfDatabase(twin.ms)).toBe(msChecksum);
  });

  test("the marker check finds a leak (the check can fail)", async () => {
    expect(await leak(new Response(`<td>Stadt ${MS_MARKER}1</td>`))).toBe("leak of MS data");
    expect(await leak(new Response("<td>Stadt Coesfeld</td>"))).toBeUndefined();
  });
});
