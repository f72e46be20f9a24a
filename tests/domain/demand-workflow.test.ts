import {
  canEditDemand,
  canReadDemand,
  canReopenDemand,
  canSetDeadline,
  canSubmitDemand,
  deadlinePassed,
  formatTimeLeft,
  type DemandActor,
  type DemandState,
} from "../../domain/demand-workflow";
import {
  defaultRound,
  gridsInRound,
  lockedCells,
  noteLocked,
  pickRound,
  roundOfCell,
  type DemandRound,
} from "../../domain/demand-rounds";

const coordinator: DemandActor = { role: "coordinator", partnerCode: null };
const officerCoe: DemandActor = { role: "officer", partnerCode: "COE" };
const officerDue: DemandActor = { role: "officer", partnerCode: "DUE" };
const finance: DemandActor = { role: "finance", partnerCode: null };
const committee: DemandActor = { role: "committee", partnerCode: null };

const now = new Date("2027-03-01T12:00:00Z");
const later = new Date("2027-03-10T12:00:00Z");
const earlier = new Date("2027-02-01T12:00:00Z");
const state = (status: DemandState["status"], deadline: Date | null = null): DemandState => ({
  status,
  deadline,
});

test("read: everyone except an officer of another partner", () => {
  expect(canReadDemand(coordinator, "COE")).toBe(true);
  expect(canReadDemand(finance, "COE")).toBe(true);
  expect(canReadDemand(committee, "COE")).toBe(true);
  expect(canReadDemand(officerCoe, "COE")).toBe(true);
  expect(canReadDemand(officerDue, "COE")).toBe(false);
});

describe("edit", () => {
  test("officer edits its own draft or reopened demand before the deadline", () => {
    expect(canEditDemand(officerCoe, "COE", state("draft", later), now).allowed).toBe(true);
    expect(canEditDemand(officerCoe, "COE", state("reopened"), now).allowed).toBe(true);
  });
  test("never another partner's", () => {
    const d = canEditDemand(officerDue, "COE", state("draft"), now);
    expect(d).toEqual({ allowed: false, reason: expect.stringContaining("nicht ändern") });
  });
  test("submitted demand is locked for the officer", () => {
    const d = canEditDemand(officerCoe, "COE", state("submitted"), now);
    expect(d).toEqual({ allowed: false, reason: expect.stringContaining("eingereicht") });
  });
  test("after the deadline only the coordinator edits", () => {
    expect(canEditDemand(officerCoe, "COE", state("draft", earlier), now)).toEqual({
      allowed: false,
      reason: expect.stringContaining("Frist"),
    });
    expect(canEditDemand(officerCoe, "COE", state("reopened", now), now).allowed).toBe(false); // at the very minute
    expect(canEditDemand(coordinator, "COE", state("submitted", earlier), now).allowed).toBe(true);
  });
  test("finance and committee only read", () => {
    expect(canEditDemand(finance, "COE", state("draft"), now).allowed).toBe(false);
    expect(canEditDemand(committee, "COE", state("draft"), now).allowed).toBe(false);
  });
});

describe("submit and reopen", () => {
  test("submit from draft or reopened, not twice", () => {
    expect(canSubmitDemand(officerCoe, "COE", state("draft"), now).allowed).toBe(true);
    expect(canSubmitDemand(officerCoe, "COE", state("reopened"), now).allowed).toBe(true);
    expect(canSubmitDemand(officerCoe, "COE", state("submitted"), now).allowed).toBe(false);
    expect(canSubmitDemand(coordinator, "COE", state("submitted"), now).allowed).toBe(false);
    expect(canSubmitDemand(officerCoe, "COE", state("draft", earlier), now).allowed).toBe(false);
    expect(canSubmitDemand(officerDue, "COE", state("draft"), now).allowed).toBe(false);
    expect(canSubmitDemand(coordinator, "COE", state("draft", earlier), now).allowed).toBe(true);
  });
  test("only the coordinator reopens, only submitted demand", () => {
    expect(canReopenDemand(coordinator, state("submitted")).allowed).toBe(true);
    expect(canReopenDemand(coordinator, state("draft")).allowed).toBe(false);
    expect(canReopenDemand(officerCoe, state("submitted")).allowed).toBe(false);
    expect(canReopenDemand(finance, state("submitted")).allowed).toBe(false);
  });
  test("only the coordinator sets the deadline", () => {
    expect(canSetDeadline(coordinator).allowed).toBe(true);
    expect(canSetDeadline(officerCoe).allowed).toBe(false);
    expect(canSetDeadline(committee).allowed).toBe(false);
  });
});

describe("time left", () => {
  const at = (iso: string) => new Date(iso);
  test.each([
    ["2027-03-04T16:00:00Z", "noch 3 Tage 4 Stunden"],
    ["2027-03-02T13:30:00Z", "noch 1 Tag 1 Stunde"],
    ["2027-03-01T17:12:00Z", "noch 5 Stunden 12 Minuten"],
    ["2027-03-01T13:01:00Z", "noch 1 Stunde 1 Minute"],
    ["2027-03-01T12:07:30Z", "noch 7 Minuten"],
    ["2027-03-01T12:00:30Z", "noch weniger als 1 Minute"],
    ["2027-03-01T12:00:00Z", "Frist abgelaufen"],
    ["2027-02-01T12:00:00Z", "Frist abgelaufen"],
  ])("deadline %s", (deadline, text) => {
    expect(formatTimeLeft(at(deadline), now)).toBe(text);
  });
  test("deadlinePassed", () => {
    expect(deadlinePassed(null, now)).toBe(false);
    expect(deadlinePassed(now, now)).toBe(true);
    expect(deadlinePassed(later, now)).toBe(false);
  });
});

describe("rounds: status and deadline per tender round", () => {
  const round = (
    tenderCode: string,
    years: number[],
    categoryCodes: string[],
    deadline: Date | null = null,
  ): DemandRound => ({
    tenderCode,
    tenderName: tenderCode,
    years,
    categoryCodes,
    deadline,
    deadlineLocal: null,
  });
  const a = round("RV-2027", [2027, 2028], ["NB", "TAB"]);
  const b = round("RV-2031", [2031, 2032], ["TAB"]);

  test("a cell belongs to the round whose term and lots cover it, or to none", () => {
    expect(roundOfCell([a, b], "TAB", 2028)?.tenderCode).toBe("RV-2027");
    expect(roundOfCell([a, b], "TAB", 2031)?.tenderCode).toBe("RV-2031");
    expect(roundOfCell([a, b], "NB", 2031)).toBeUndefined();
    expect(roundOfCell([a, b], "TAB", 2029)).toBeUndefined();
  });

  test("submitting one round locks only its cells, for the officer only", () => {
    const statuses = new Map([["RV-2027", { status: "submitted" as const, changedAt: null }]]);
    const input = {
      partnerCode: "COE",
      rounds: [a, b],
      statuses,
      years: [2027, 2028, 2029, 2030, 2031, 2032],
      categoryCodes: ["NB", "TAB"],
      now,
    };
    const locks = lockedCells({ ...input, actor: officerCoe });
    expect([...locks.keys()].sort()).toEqual(["NB|2027", "NB|2028", "TAB|2027", "TAB|2028"]);
    expect(locks.get("TAB|2027")).toMatch(/^Bedarfsrunde RV-2027: .*eingereicht/);
    expect(lockedCells({ ...input, actor: coordinator }).size).toBe(0);
    // Finance and other partners' officers edit nothing, in or out of a round.
    expect(lockedCells({ ...input, actor: finance }).size).toBe(12);
    expect(lockedCells({ ...input, actor: officerDue }).size).toBe(12);
  });

  test("a round's deadline locks only its cells", () => {
    const late = round("RV-2031", [2031, 2032], ["TAB"], earlier);
    const locks = lockedCells({
      actor: officerCoe,
      partnerCode: "COE",
      rounds: [a, late],
      statuses: new Map(),
      years: [2028, 2031],
      categoryCodes: ["TAB"],
      now,
    });
    expect([...locks.entries()]).toEqual([["TAB|2031", expect.stringMatching(/RV-2031.*Frist/)]]);
  });

  test("a justification locks only when every cell of its line is locked", () => {
    const locks = new Map([
      ["TAB|2027", "x"],
      ["TAB|2028", "x"],
    ]);
    expect(noteLocked(locks, "TAB", [2027, 2028])).toBe("x");
    expect(noteLocked(locks, "TAB", [2027, 2028, 2029])).toBeNull();
    expect(noteLocked(locks, "NB", [2027])).toBeNull();
  });

  test("default round: nearest open deadline, else the first without one, else the latest", () => {
    const soon = round("S", [2027], ["NB"], later);
    const far = round("F", [2028], ["NB"], new Date("2027-06-01T00:00:00Z"));
    const past = round("P", [2029], ["NB"], earlier);
    const none = round("N", [2030], ["NB"]);
    expect(defaultRound([far, past, none, soon], now)?.tenderCode).toBe("S");
    expect(defaultRound([past, none], now)?.tenderCode).toBe("N");
    const lastPast = round("P2", [2030], ["NB"], new Date("2027-02-15T00:00:00Z"));
    expect(defaultRound([past, lastPast], now)?.tenderCode).toBe("P2");
    expect(defaultRound([], now)).toBeUndefined();
    expect(pickRound([a, b], "rv-2031", now)).toEqual({ round: b, unknown: false });
    expect(pickRound([a, b], "RV-1999", now)).toEqual({ round: undefined, unknown: true });
    expect(pickRound([a, b], null, now).round).toBe(a);
  });

  test("totals of a round take only its years and categories", () => {
    const grids = [
      {
        years: [2027, 2028, 2031],
        rows: [
          { category: { code: "NB" }, quantities: [1, 2, 4] },
          { category: { code: "TAB" }, quantities: [8, 16, 32] },
        ],
      },
    ];
    expect(gridsInRound(grids, b)).toEqual([
      { years: [2031], rows: [{ category: { code: "TAB" }, quantities: [32] }] },
    ]);
    expect(gridsInRound(grids, undefined)).toEqual(grids);
  });
});
