import {
  berlinLocalToInstant,
  deadlineInputSchema,
  formatBerlinDateTime,
  instantToBerlinLocal,
} from "../../domain/demand-deadline";

test("Berlin wall time to instant in winter (CET) and summer (CEST)", () => {
  expect(berlinLocalToInstant("2027-01-15T18:00")?.toISOString()).toBe("2027-01-15T17:00:00.000Z");
  expect(berlinLocalToInstant("2027-07-15T18:00")?.toISOString()).toBe("2027-07-15T16:00:00.000Z");
});

test("around the DST switches", () => {
  // 28 March 2027: clocks jump from 02:00 to 03:00; 31 October 2027: back from 03:00 to 02:00.
  expect(berlinLocalToInstant("2027-03-28T01:30")?.toISOString()).toBe("2027-03-28T00:30:00.000Z");
  expect(berlinLocalToInstant("2027-03-28T03:30")?.toISOString()).toBe("2027-03-28T01:30:00.000Z");
  expect(berlinLocalToInstant("2027-10-31T04:00")?.toISOString()).toBe("2027-10-31T03:00:00.000Z");
});

test("malformed or impossible dates give null", () => {
  expect(berlinLocalToInstant("2027-02-31T10:00")).toBeNull();
  expect(berlinLocalToInstant("31.03.2027 18:00")).toBeNull();
  expect(berlinLocalToInstant("2027-13-01T10:00")).toBeNull();
});

test("round trip instant → wall time → instant", () => {
  for (const local of ["2027-03-31T18:00", "2027-12-31T23:59", "2028-06-01T00:00"]) {
    const instant = berlinLocalToInstant(local);
    expect(instant).not.toBeNull();
    expect(instantToBerlinLocal(instant!)).toBe(local);
  }
});

test("German display and input validation", () => {
  expect(formatBerlinDateTime(new Date("2027-03-31T16:00:00Z"))).toBe("31.03.2027, 18:00 Uhr");
  expect(deadlineInputSchema.safeParse("2027-03-31T18:00:00").data).toBe("2027-03-31T18:00");
  expect(deadlineInputSchema.safeParse("morgen").success).toBe(false);
});
