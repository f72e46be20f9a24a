// Sign-in throttling through the real login action: per account and per address,
// a growing wait, persisted in the database, reset by a success, and the same answer
// for unknown emails.
import type { ActionFunctionArgs } from "@remix-run/node";
import { action as loginAction } from "../../app/routes/login";
import { setDbForTests } from "../../app/utils/db.server";
import { clientAddress } from "../../app/utils/load-context";
import { recordSignInFailure } from "../../app/utils/throttle.server";
import { DEMO_PASSWORD } from "../../db/demo";
import {
  BASE_WAIT_MS,
  FREE_FAILURES,
  MAX_WAIT_MS,
  deleteStaleThrottles,
  waitAfterFailures,
} from "../../db/throttle";
import {
  emptyTable,
  reopenTestDatabase,
  rowCount,
  type TestDatabase,
} from "../helpers/test-database";
import {
  COMMITTEE,
  FINANCE,
  OFFICER_COE,
  OFFICER_DUE,
  makeRequest,
  setUpAppDatabase,
  tearDownAppDatabase,
} from "../app/support";

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await setUpAppDatabase();
});
afterAll(() => tearDownAppDatabase(testDb));
afterEach(async () => {
  vi.useRealTimers();
  await emptyTable(testDb.db, "login_throttle");
});

let addressCounter = 0;
/** A fresh client address per test, so tests do not lock each other out. */
const freshAddress = () => `192.0.2.${++addressCounter}`;

async function signIn(
  email: string,
  password: string,
  address: string | undefined,
): Promise<Response> {
  const request = makeRequest("/login", { form: { email, password } });
  try {
    return (await loginAction({
      request,
      params: {},
      context: { clientAddress: address },
    } as ActionFunctionArgs)) as Response;
  } catch (error) {
    if (error instanceof Response) return error;
    throw error;
  }
}

async function formError(response: Response): Promise<string> {
  const body = (await response.json()) as { error: Record<string, string[]> };
  return body.error[""][0];
}

describe("the wait policy", () => {
  it("is free for the first failures, then doubles from one minute up to the cap", () => {
    expect(FREE_FAILURES).toBe(5);
    expect(Array.from({ length: FREE_FAILURES }, (_, i) => waitAfterFailures(i))).toEqual([
      0, 0, 0, 0, 0,
    ]);
    expect([5, 6, 7, 8].map(waitAfterFailures)).toEqual([1, 2, 4, 8].map((m) => m * BASE_WAIT_MS));
    expect(waitAfterFailures(50)).toBe(MAX_WAIT_MS);
    expect(waitAfterFailures(Number.MAX_SAFE_INTEGER)).toBe(MAX_WAIT_MS);
  });
});

describe("the client address", () => {
  it("is the socket's, unless a trusted proxy added the last X-Forwarded-For entry", () => {
    const forwardedFor = "203.0.113.9, 198.51.100.7"; // the client wrote the first one itself
    expect(clientAddress({ socketAddress: "10.0.0.2", forwardedFor, trustProxy: false })).toBe(
      "10.0.0.2",
    );
    expect(clientAddress({ socketAddress: "10.0.0.2", forwardedFor, trustProxy: true })).toBe(
      "198.51.100.7",
    );
    expect(
      clientAddress({ socketAddress: "10.0.0.2", forwardedFor: undefined, trustProxy: true }),
    ).toBe("10.0.0.2");
    expect(
      clientAddress({ socketAddress: "10.0.0.2", forwardedFor: " , ", trustProxy: true }),
    ).toBe("10.0.0.2");
  });
});

describe("per account", () => {
  it("answers 429 in German after five failures to the addresses that failed, even with the right password", async () => {
    const addresses = Array.from({ length: 5 }, freshAddress);
    for (const [i, address] of addresses.entries()) {
      const response = await signIn(OFFICER_DUE, `falsch-${i}-xxxxxxxx`, address);
      expect(response.status).toBe(400);
    }
    // Each address failed once only (no address lock): the account lock refuses them.
    for (const address of addresses) {
      const locked = await signIn(OFFICER_DUE, DEMO_PASSWORD, address);
      expect(locked.status).toBe(429);
      expect(await formError(locked)).toBe("Zu viele Anmeldeversuche. Bitte warten Sie 1 Minute.");
      expect(Number(locked.headers.get("Retry-After"))).toBeGreaterThan(0);
      expect(Number(locked.headers.get("Retry-After"))).toBeLessThanOrEqual(60);
      expect(locked.headers.get("Set-Cookie")).toBeNull();
    }
  });

  it("lets the owner in from an address without failures while the account is locked", async () => {
    const attacker = freshAddress();
    for (let i = 0; i < 5; i++)
      expect((await signIn(OFFICER_DUE, `falsch-${i}-xxxxxxxx`, attacker)).status).toBe(400);
    expect((await signIn(OFFICER_DUE, DEMO_PASSWORD, attacker)).status).toBe(429);
    // The owner, elsewhere, is not held out for an hour by someone else's guessing.
    expect((await signIn(OFFICER_DUE, DEMO_PASSWORD, freshAddress())).status).toBe(302);
  });

  it("cannot be held shut by one failure per expiry: the owner elsewhere stays free", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    let now = new Date("2027-01-10T08:00:00Z").getTime();
    vi.setSystemTime(now);
    const attacker = freshAddress();
    for (let i = 0; i < 7; i++) {
      await signIn(FINANCE, "falsch-falsch-falsch", attacker);
      now += 61 * 60_000; // the lock (at most an hour) has run out: one more guess
      vi.setSystemTime(now);
    }
    await signIn(FINANCE, "falsch-falsch-falsch", attacker);
    expect((await signIn(FINANCE, DEMO_PASSWORD, attacker)).status).toBe(429);
    expect((await signIn(FINANCE, DEMO_PASSWORD, freshAddress())).status).toBe(302);
  });

  it("makes the wait grow with every failure after a lock ran out", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const start = new Date("2027-01-10T08:00:00Z");
    vi.setSystemTime(start);
    // Five addresses fail once each: the account lock grows, no address lock does.
    const addresses = Array.from({ length: 5 }, freshAddress);
    for (const address of addresses)
      expect((await signIn(OFFICER_COE, "falsch-falsch-falsch", address)).status).toBe(400);
    const waits: string[] = [];
    let now = start.getTime();
    for (const [i, minutes] of [1, 2, 4].entries()) {
      waits.push(await formError(await signIn(OFFICER_COE, DEMO_PASSWORD, addresses[i])));
      now += minutes * 60_000 + 1_000; // just after the lock ran out
      vi.setSystemTime(now);
      expect((await signIn(OFFICER_COE, "falsch-falsch-falsch", addresses[i])).status).toBe(400);
    }
    expect(waits).toEqual([
      "Zu viele Anmeldeversuche. Bitte warten Sie 1 Minute.",
      "Zu viele Anmeldeversuche. Bitte warten Sie 2 Minuten.",
      "Zu viele Anmeldeversuche. Bitte warten Sie 4 Minuten.",
    ]);
    // After the lock, the right password works again, from a suspect address too.
    now += 8 * 60_000 + 1_000;
    vi.setSystemTime(now);
    expect((await signIn(OFFICER_COE, DEMO_PASSWORD, addresses[4])).status).toBe(302);
  });

  it("counts parallel attempts before hashing: of 200 at once only the free five are checked", async () => {
    const address = freshAddress();
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) => signIn(COMMITTEE, `falsch-${i}-xxxxxxxx`, address)),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 400)).toHaveLength(FREE_FAILURES);
    expect(statuses.filter((s) => s === 429)).toHaveLength(200 - FREE_FAILURES);
  });

  it("29 wrong and then the right password in parallel do not sign in", async () => {
    const address = freshAddress();
    const attempts = Array.from({ length: 29 }, (_, i) =>
      signIn(OFFICER_COE, `falsch-${i}-xxxxxxxx`, address),
    );
    attempts.push(signIn(OFFICER_COE, DEMO_PASSWORD, address));
    const statuses = (await Promise.all(attempts)).map((r) => r.status);
    expect(statuses).not.toContain(302);
    expect(statuses.at(-1)).toBe(429);
    expect(statuses.filter((s) => s === 400)).toHaveLength(FREE_FAILURES);
  });

  it("gives a right password back its count: an office behind one address is not locked by its own sign-ins", async () => {
    const office = freshAddress();
    for (let i = 0; i < 4; i++)
      expect(
        (await signIn(`tippfehler-${i}@example.org`, "falsch-falsch-falsch", office)).status,
      ).toBe(400);
    for (let i = 0; i < 3; i++)
      expect((await signIn(COMMITTEE, DEMO_PASSWORD, office)).status).toBe(302);
  });

  it("forgets the failures of an account after a successful sign-in", async () => {
    const address = () => freshAddress();
    for (let i = 0; i < 4; i++)
      expect((await signIn(FINANCE, "falsch-falsch-falsch", address())).status).toBe(400);
    expect((await signIn(FINANCE, DEMO_PASSWORD, address())).status).toBe(302);
    for (let i = 0; i < 4; i++)
      expect((await signIn(FINANCE, "falsch-falsch-falsch", address())).status).toBe(400);
    expect((await signIn(FINANCE, DEMO_PASSWORD, address())).status).toBe(302);
  });

  it("treats an unknown email exactly like a known one (no enumeration)", async () => {
    const answers = async (email: string) => {
      const addresses = Array.from({ length: 5 }, freshAddress);
      const out: string[] = [];
      for (const address of [...addresses, addresses[0]]) {
        const response = await signIn(email, "falsch-falsch-falsch", address);
        out.push(`${response.status} ${await formError(response)}`);
      }
      return out;
    };
    const known = await answers(COMMITTEE);
    const unknown = await answers("niemand@kreis-coesfeld.example");
    expect(unknown).toEqual(known);
    expect(known.at(-1)).toMatch(/^429 Zu viele Anmeldeversuche/);
  });

  it("takes about as long for an unknown email as for a wrong password", async () => {
    const time = async (email: string) => {
      const started = performance.now();
      for (let i = 0; i < 3; i++) await signIn(email, "falsch-falsch-falsch", freshAddress());
      return performance.now() - started;
    };
    await time(OFFICER_DUE); // warm-up
    // Alternating rounds, compared by their medians: one round is a few milliseconds, and
    // a single pair flaked on a busy machine (ratio 2.04).
    const knownRounds: number[] = [];
    const unknownRounds: number[] = [];
    for (let round = 0; round < 5; round++) {
      await emptyTable(testDb.db, "login_throttle");
      knownRounds.push(await time(OFFICER_DUE));
      unknownRounds.push(await time("niemand@example.org"));
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[2];
    const known = median(knownRounds);
    const unknown = median(unknownRounds);
    // Both run scrypt once per attempt; without the dummy hash the unknown email would take ~0 ms.
    expect(unknown / known).toBeGreaterThan(0.5);
    expect(unknown / known).toBeLessThan(2);
  });
});

describe("per address", () => {
  it("locks an address after five failures, whatever the emails; other addresses go on", async () => {
    const address = freshAddress();
    for (let i = 0; i < 5; i++)
      expect(
        (await signIn(`unbekannt-${i}@example.org`, "falsch-falsch-falsch", address)).status,
      ).toBe(400);
    const locked = await signIn(OFFICER_COE, DEMO_PASSWORD, address);
    expect(locked.status).toBe(429);
    expect(await formError(locked)).toMatch(
      /^Zu viele Anmeldeversuche\. Bitte warten Sie \d+ Minuten?\.$/,
    );
    expect((await signIn(OFFICER_COE, DEMO_PASSWORD, freshAddress())).status).toBe(302);
  });

  it("keeps the count in the database: a restart (a new connection) does not reset it", async () => {
    const address = freshAddress();
    for (let i = 0; i < 5; i++)
      await signIn(`jemand-${i}@example.org`, "falsch-falsch-falsch", address);
    const reopened = reopenTestDatabase(testDb);
    setDbForTests(reopened.db);
    try {
      expect((await signIn(FINANCE, DEMO_PASSWORD, address)).status).toBe(429);
    } finally {
      setDbForTests(testDb.db);
      await reopened.close();
    }
  });

  it("housekeeping drops day-old rows whose lock ran out, not running locks", async () => {
    const address = freshAddress();
    for (let i = 0; i < 5; i++)
      await signIn(`alt-${i}@example.org`, "falsch-falsch-falsch", address);
    const count = () => rowCount(testDb.db, "login_throttle");
    const rows = await count();
    expect(rows).toBeGreaterThan(0);
    expect(await deleteStaleThrottles(testDb.db, new Date(Date.now() + 60 * 60_000))).toBe(0);
    expect(await deleteStaleThrottles(testDb.db, new Date(Date.now() + 25 * 60 * 60_000))).toBe(
      rows,
    );
    expect(await count()).toBe(0);
  });

  it("a new failure sweeps day-old rows away, so the table does not grow without bound", async () => {
    const count = () => rowCount(testDb.db, "login_throttle");
    await recordSignInFailure(testDb.db, { email: "alt@example.org", address: freshAddress() });
    expect(await count()).toBeGreaterThan(0);
    await recordSignInFailure(
      testDb.db,
      { email: "neu@example.org", address: undefined },
      new Date(Date.now() + 25 * 60 * 60_000),
    );
    expect(await count()).toBe(1);
  });
});
