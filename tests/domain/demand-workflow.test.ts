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
