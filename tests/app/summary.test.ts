import fs from "node:fs";
import path from "node:path";
import { createSnapshot, getSnapshot } from "../../db/snapshots";
import { findUserByEmail } from "../../db/users";
import { parseMoney } from "../../domain/money";
import { formatCents } from "../../app/utils/format";
import type { Result } from "../../domain/result";
import { action as snapshotAction } from "../../app/routes/tenders.$code.snapshots";
import { loader } from "../../app/routes/tenders.$code.summary";
import type { TestDatabase } from "../helpers/test-database";
import {
  COMMITTEE,
  COORDINATOR,
  FINANCE,
  OFFICER_COE,
  makeRequest,
  run,
  setUpAppDatabase,
  signIn,
  tearDownAppDatabase,
} from "./support";

const TENDER = "RV-2027";
// The demo plan is golden example 03: its expected result is the independent reference.
const golden = JSON.parse(
  fs.readFileSync(
    path.resolve(__dirname, "../fixtures/examples/03-kreis-coesfeld.result.json"),
    "utf8",
  ),
) as Result;
const expected = golden.tenders.find((t) => t.code === TENDER)!;
const cents = (money: string) =>
  parseMoney(money.replace(/^-/, "")) * (money.startsWith("-") ? -1n : 1n);

let testDb: TestDatabase;
const cookies: Record<string, string> = {};
beforeAll(async () => {
  testDb = await setUpAppDatabase();
  for (const email of [COORDINATOR, FINANCE, COMMITTEE, OFFICER_COE])
    cookies[email] = await signIn(email);
});
afterAll(async () => tearDownAppDatabase(testDb));

async function summary(email: string | null, query = "", code = TENDER) {
  return run(
    loader,
    makeRequest(`/tenders/${code}/summary${query}`, { cookie: email ? cookies[email] : null }),
    { code },
  );
}

describe("the committee summary", () => {
  it("is open to every signed-in role, officers included", async () => {
    for (const email of [COORDINATOR, FINANCE, COMMITTEE, OFFICER_COE]) {
      expect((await summary(email)).status).toBe(200);
    }
  });

  it("redirects to sign-in when signed out", async () => {
    const response = await summary(null);
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toMatch(/^\/login\?redirectTo=/);
  });

  it("shows the key figures of the golden result exactly", async () => {
    const data = await (await summary(COMMITTEE)).json();
    const figures = data.view.keyFigures;
    expect(BigInt(figures.directNet)).toBe(cents(expected.totals.directNet));
    expect(BigInt(figures.directGross)).toBe(cents(expected.totals.directGross));
    expect(BigInt(figures.estimatedValueNet)).toBe(cents(expected.estimatedValueNet));
    expect(BigInt(figures.savingsGross)).toBe(cents(expected.totals.savingsGross));
    expect(figures.euProcedureRequired).toBe(expected.euProcedureRequired);
    expect(figures.participants.map((p: { code: string }) => p.code)).toEqual(
      expected.participants,
    );
    // Percent of the solo cost, rounded half away from zero to one decimal.
    const permille =
      (cents(expected.totals.savingsGross) * 10000n) / cents(expected.totals.soloGross);
    expect(BigInt(figures.savingsPermille)).toBe((permille + 5n) / 10n);

    for (const partner of expected.partners) {
      const row = data.view.partners.find((p: { code: string }) => p.code === partner.code);
      expect(BigInt(row.savingsGross)).toBe(cents(partner.savingsGross));
      expect(BigInt(row.totalGross)).toBe(cents(partner.totalGross));
    }
    for (const lot of expected.lots) {
      const row = data.view.lots.find((l: { code: string }) => l.code === lot.code);
      expect(BigInt(row.estimatedValueNet)).toBe(cents(lot.estimatedValueNet));
    }
    const lotVolumes = data.view.lots.reduce(
      (sum: bigint, l: { directNet: string }) => sum + BigInt(l.directNet),
      0n,
    );
    expect(lotVolumes).toBe(cents(expected.totals.directNet));
  });

  it("breaks the savings down into tier prices and procedures, adding up exactly", async () => {
    const { savings, keyFigures, categories } = (await (await summary(COMMITTEE)).json()).view;
    expect(BigInt(savings.tierSavings) + BigInt(savings.procedureSavings)).toBe(
      BigInt(savings.savingsGross),
    );
    expect(BigInt(savings.soloDirectGross) - BigInt(savings.directGross)).toBe(
      BigInt(savings.tierSavings),
    );
    expect(BigInt(savings.soloProcessCostsAvoided) - BigInt(savings.commonCosts)).toBe(
      BigInt(savings.procedureSavings),
    );
    expect(savings.savingsGross).toBe(keyFigures.savingsGross);
    expect(BigInt(savings.commonCosts)).toBe(cents(expected.totals.commonCostShare));
    // Buying alone never beats the joint price: the joint quantity reaches at least every solo tier.
    for (const category of categories) {
      if (category.averageSoloPriceNet !== null) {
        expect(BigInt(category.averageSoloPriceNet)).toBeGreaterThanOrEqual(
          BigInt(category.unitPriceNet),
        );
      }
    }
  });

  it("sends the three charts as SVG drawn on the server, with their text alternatives", async () => {
    const { charts, view } = await (await summary(COMMITTEE)).json();
    const svgs = [charts.savingsPerPartner, charts.volumePerLot, charts.unitPrices] as string[];
    for (const svg of svgs) {
      expect(svg).toMatch(/<svg[^>]*role="img"[^>]*aria-label="[^"]+"/);
      expect(svg).toMatch(/<desc>[^<]*\d,\d\d €/);
      expect(svg).not.toMatch(/<(style|script)\b/i);
    }
    expect(charts.savingsPerPartner.match(/recharts-bar-rectangle"/g)).toHaveLength(
      view.partners.length,
    );
    // Every partner's exact savings (golden result) stand in the drawing's description.
    const desc = /<desc>([^<]*)<\/desc>/.exec(charts.savingsPerPartner)?.[1] ?? "";
    for (const partner of expected.partners) {
      const name = view.partners.find((p: { code: string }) => p.code === partner.code).name;
      expect(desc).toContain(`${name}: ${formatCents(cents(partner.savingsGross))}`);
    }
  });

  it("shows each partner's savings as a share of its solo cost, and a totals row", async () => {
    const { view } = await (await summary(COMMITTEE)).json();
    const share = (savings: string, solo: string) => {
      // Half away from zero, from the golden decimal strings (independent of domain/shares.ts).
      const s = cents(savings);
      const magnitude = ((s < 0n ? -s : s) * 2000n + cents(solo)) / (2n * cents(solo));
      return (s < 0n ? -magnitude : magnitude).toString();
    };
    for (const partner of expected.partners) {
      const row = view.partners.find((p: { code: string }) => p.code === partner.code);
      expect(row.savingsPermille).toBe(share(partner.savingsGross, partner.soloGross));
    }
    expect(BigInt(view.partnerTotals.totalGross)).toBe(cents(expected.totals.totalGross));
    expect(BigInt(view.partnerTotals.savingsGross)).toBe(cents(expected.totals.savingsGross));
    expect(view.partnerTotals.savingsPermille).toBe(
      share(expected.totals.savingsGross, expected.totals.soloGross),
    );
  });

  it("orders the savings chart by share with ?sort=share (drawn on the server)", async () => {
    const data = await (await summary(COMMITTEE, "?sort=share")).json();
    expect(data.sort).toBe("share");
    expect((await (await summary(COMMITTEE, "?sort=bogus")).json()).sort).toBe("savings");
    // The page gets the savings chart in the chosen order only (decision 030).
    expect(Object.keys(data.charts).sort()).toEqual([
      "fundingPerPartner",
      "savingsPerPartner",
      "unitPrices",
      "volumePerLot",
    ]);
    const desc = /<desc>([^<]*)<\/desc>/.exec(data.charts.savingsPerPartner)?.[1] ?? "";
    const byShare = [...data.view.partners].sort(
      (a: { savingsPermille: string }, b: { savingsPermille: string }) =>
        Number(BigInt(b.savingsPermille) - BigInt(a.savingsPermille)),
    );
    const positions = byShare.map((p: { name: string }) => desc.indexOf(`${p.name}:`));
    expect(positions.every((x: number) => x >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it("says how final the working state is: a draft, demand submissions, awards", async () => {
    const { status } = await (await summary(COMMITTEE)).json();
    expect(status.decision).toBeNull();
    const partners = await testDb.db.selectFrom("partners").select("code").execute();
    expect(status.demand.partners).toBe(partners.length);
    expect(status.demand.submitted + status.demand.open.length).toBe(partners.length);
    expect(status.lots.map((l: { code: string }) => l.code)).toEqual(
      expected.lots.map((l) => l.code),
    );
    expect(status.lots.every((l: { awarded: boolean }) => !l.awarded)).toBe(true);
  });

  it("answers 404 for an unknown tender and for unknown or malformed versions", async () => {
    expect((await summary(COMMITTEE, "", "NOPE")).status).toBe(404);
    expect((await summary(COMMITTEE, "?version=1")).status).toBe(404);
    expect((await summary(COMMITTEE, "?version=-1")).status).toBe(404);
    expect((await summary(COMMITTEE, "?version=1e3")).status).toBe(404);
  });

  it("stamps the working state with today's date and the app version", async () => {
    const { stamp, snapshot } = await (await summary(COMMITTEE)).json();
    expect(snapshot).toBeNull();
    expect(stamp.version).toBeNull();
    expect(stamp.appVersion).toBe(JSON.parse(fs.readFileSync("package.json", "utf8")).version);
  });
});

describe("the summary of a snapshot", () => {
  beforeAll(async () => {
    const response = await run(
      snapshotAction,
      makeRequest(`/tenders/${TENDER}/snapshots`, {
        cookie: cookies[COORDINATOR],
        form: { comment: "Vorlage Ausschuss" },
      }),
      { code: TENDER },
    );
    expect(response.status).toBe(302);
  });

  it("shows the frozen figures, not later changes, with a banner and a matching result", async () => {
    const line = await testDb.db
      .selectFrom("demand_lines")
      .select(["id", "quantity"])
      .where("partner_code", "=", "COE")
      .where("quantity", ">", 0)
      .orderBy("id")
      .executeTakeFirstOrThrow();
    await testDb.db
      .updateTable("demand_lines")
      .set({ quantity: line.quantity + 500 })
      .where("id", "=", line.id)
      .execute();

    const frozen = await (await summary(COMMITTEE, "?version=1")).json();
    const current = await (await summary(COMMITTEE)).json();
    expect(frozen.snapshot).toMatchObject({
      version: 1,
      comment: "Vorlage Ausschuss",
      createdBy: "Koordination Kreis Coesfeld",
    });
    expect(frozen.matchesStoredResult).toBe(true);
    expect(frozen.status).toEqual({ decision: { version: 1 }, demand: null, lots: null });
    expect(frozen.stamp.version).toBe(1);
    expect(frozen.stamp.at).toBe(frozen.snapshot.createdAt);
    expect(BigInt(frozen.view.keyFigures.directGross)).toBe(cents(expected.totals.directGross));
    expect(current.view.keyFigures.quantity).toBe(frozen.view.keyFigures.quantity + 500);
    expect(current.versions.map((v: { version: number }) => v.version)).toEqual([1]);
  });

  it("says so when today's engine disagrees with the stored result", async () => {
    const stored = (await getSnapshot(testDb.db, TENDER, 1))!;
    const tampered: Result = structuredClone(stored.result);
    tampered.tenders[0].totals.savingsGross = "0.00";
    const user = (await findUserByEmail(testDb.db, COORDINATOR))!;
    const { version } = await createSnapshot(testDb.db, {
      tenderCode: TENDER,
      comment: "manipuliert",
      plan: stored.plan,
      result: tampered,
      userId: user.id,
    });
    const data = await (await summary(FINANCE, `?version=${version}`)).json();
    expect(data.matchesStoredResult).toBe(false);
  });
});
