// Links that depend on the role: the loaders say which downloads and pages a user may
// open, and each flag agrees with what the linked route itself answers (200 or 403).
import { loader as startLoader } from "../../app/routes/_index";
import { loader as demandOverviewLoader } from "../../app/routes/demand._index";
import { loader as demandCsvLoader } from "../../app/routes/demand.export[.]csv";
import { loader as demandXlsxLoader } from "../../app/routes/demand.export[.]xlsx";
import { loader as tenderLoader } from "../../app/routes/tenders.$code._index";
import { loader as awardLoader } from "../../app/routes/tenders.$code.award";
import { loader as costSplitLoader } from "../../app/routes/tenders.$code.cost-split[.]xlsx";
import { loader as summaryLoader } from "../../app/routes/tenders.$code.summary";
import { freezeTender } from "../../db/snapshots";
import { findUserByEmail } from "../../db/users";
import { costSplitHref } from "~/components/download-links";
import type { TestDatabase } from "../helpers/test-database";
import {
  COMMITTEE,
  COORDINATOR,
  FINANCE,
  OFFICER_DUE,
  makeRequest,
  run,
  setUpAppDatabase,
  signIn,
  tearDownAppDatabase,
} from "./support";

const TENDER = "RV-2027";
const PARAMS = { code: TENDER };
const EVERYONE = [COORDINATOR, FINANCE, COMMITTEE, OFFICER_DUE];

let testDb: TestDatabase;
const cookies: Record<string, string> = {};
beforeAll(async () => {
  testDb = await setUpAppDatabase();
  for (const email of EVERYONE) cookies[email] = await signIn(email);
});
afterAll(() => tearDownAppDatabase(testDb));

async function data(
  loader: Parameters<typeof run>[0],
  path: string,
  email: string,
  params: Record<string, string> = {},
) {
  const response = await run(loader, makeRequest(path, { cookie: cookies[email] }), params);
  expect(response.status, `${email} ${path}`).toBe(200);
  return response.json();
}

/** What the linked route answers to this user (the body is drained: downloads stream). */
async function statusOf(
  loader: Parameters<typeof run>[0],
  path: string,
  email: string,
  params: Record<string, string> = {},
) {
  const response = await run(loader, makeRequest(path, { cookie: cookies[email] }), params);
  await response.arrayBuffer();
  return response.status;
}

describe("tender page", () => {
  it.each([
    [COORDINATOR, true],
    [FINANCE, true],
    [COMMITTEE, true],
    [OFFICER_DUE, false],
  ])(
    "%s: cost-split and award links exactly when the routes answer 200 (%s)",
    async (email, allowed) => {
      const page = await data(tenderLoader, `/tenders/${TENDER}`, email, PARAMS);
      expect(page.canDownloadCostSplit).toBe(allowed);
      expect(page.canReadAward).toBe(allowed);
      expect(await statusOf(costSplitLoader, costSplitHref(TENDER), email, PARAMS)).toBe(
        allowed ? 200 : 403,
      );
      expect(await statusOf(awardLoader, `/tenders/${TENDER}/award`, email, PARAMS)).toBe(
        allowed ? 200 : 403,
      );
    },
  );
});

describe("summary", () => {
  it.each([
    [COORDINATOR, true],
    [FINANCE, true],
    [COMMITTEE, true],
    [OFFICER_DUE, false],
  ])("%s may download the cost split: %s", async (email, allowed) => {
    const summary = await data(summaryLoader, `/tenders/${TENDER}/summary`, email, PARAMS);
    expect(summary.canDownloadCostSplit).toBe(allowed);
  });

  it("links the snapshot's own workbook, and the tender page offers the comparison once a snapshot exists", async () => {
    expect((await data(tenderLoader, `/tenders/${TENDER}`, FINANCE, PARAMS)).hasSnapshots).toBe(
      false,
    );
    const coordinator = await findUserByEmail(testDb.db, COORDINATOR);
    const frozen = await freezeTender(testDb.db, {
      tenderCode: TENDER,
      comment: "Beschluss",
      userId: coordinator!.id,
    });
    if (!frozen.ok) throw new Error("freeze failed");
    const version = frozen.snapshot.version;
    expect((await data(tenderLoader, `/tenders/${TENDER}`, FINANCE, PARAMS)).hasSnapshots).toBe(
      true,
    );
    const summary = await data(
      summaryLoader,
      `/tenders/${TENDER}/summary?version=${version}`,
      COMMITTEE,
      PARAMS,
    );
    expect(summary.snapshot.version).toBe(version);
    expect(costSplitHref(TENDER, version)).toBe(
      `/tenders/${TENDER}/cost-split.xlsx?version=${version}`,
    );
    expect(await statusOf(costSplitLoader, costSplitHref(TENDER, version), COMMITTEE, PARAMS)).toBe(
      200,
    );
  });
});

describe("demand exports", () => {
  it.each([
    [COORDINATOR, true],
    [FINANCE, true],
    [COMMITTEE, false],
  ])(
    "%s: the overview links the exports exactly when they answer 200 (%s)",
    async (email, allowed) => {
      expect((await data(demandOverviewLoader, "/demand", email)).canExportDemand).toBe(allowed);
      expect(await statusOf(demandXlsxLoader, "/demand/export.xlsx", email)).toBe(
        allowed ? 200 : 403,
      );
      expect(await statusOf(demandCsvLoader, "/demand/export.csv", email)).toBe(
        allowed ? 200 : 403,
      );
    },
  );

  it("finance, without the demand page in its navigation, gets the exports on its start page; the committee does not", async () => {
    const finance = await data(startLoader, "/", FINANCE);
    expect(finance).toMatchObject({ view: "reader", canExportDemand: true });
    const committee = await data(startLoader, "/", COMMITTEE);
    expect(committee).toMatchObject({ view: "reader", canExportDemand: false });
  });
});
