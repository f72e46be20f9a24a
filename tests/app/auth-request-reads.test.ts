// Per-request reads of data that rarely changes (decision 027, second round): the
// registry's consortium list is read once per installation, not on every request, and
// the signed-in user once per Request object (the root loader and the route's loader
// both ask). A new consortium still counts; a new request still reads the session.
import { getInstallation, installationHasNoUsers } from "../../app/utils/db.server";
import { getUser, isKnownConsortium } from "../../app/utils/auth.server";
import { deleteSession } from "../../db/sessions";
import type { TestDatabase } from "../helpers/test-database";
import { COORDINATOR, makeRequest, setUpAppDatabase, signIn, tearDownAppDatabase } from "./support";

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await setUpAppDatabase();
});
afterAll(async () => {
  vi.restoreAllMocks();
  await tearDownAppDatabase(testDb);
});

describe("per-request reads", () => {
  it("lists the consortia once for many signed-in requests", async () => {
    const cookie = await signIn(COORDINATOR);
    const installation = await getInstallation();
    const consortia = vi.spyOn(installation, "consortia");
    for (let i = 0; i < 5; i++) expect(await getUser(makeRequest("/", { cookie }))).not.toBeNull();
    expect(consortia.mock.calls.length).toBeLessThanOrEqual(1);
    consortia.mockRestore();
  });

  it("reads the registry again for a code it has not seen (another process may have added it)", async () => {
    const installation = await getInstallation();
    expect(await isKnownConsortium("KC")).toBe(true);
    const consortia = vi.spyOn(installation, "consortia");
    expect(await isKnownConsortium("ZZ")).toBe(false);
    expect(consortia).toHaveBeenCalledTimes(1);
    consortia.mockResolvedValueOnce([
      { code: "KC", name: "Kreis", createdAt: "" },
      { code: "MS", name: "Münster", createdAt: "" },
    ]);
    expect(await isKnownConsortium("MS")).toBe(true);
    expect(consortia).toHaveBeenCalledTimes(2);
    consortia.mockRestore();
  });

  it("reads the user once per request, and afresh for the next request", async () => {
    const cookie = await signIn(COORDINATOR);
    const request = makeRequest("/", { cookie });
    const first = await getUser(request);
    expect(first?.email).toBe(COORDINATOR);
    // The session ends between two loaders of the same request: that request keeps its
    // answer (as if both had run at once), the next request sees the change.
    const rows = await testDb.db.selectFrom("sessions").select("id").execute();
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) await deleteSession(testDb.db, row.id);
    expect(await getUser(request)).toBe(first);
    expect(await getUser(makeRequest("/", { cookie }))).toBeNull();
  });

  it("asks whether the installation has users only until it has one (users are never deleted)", async () => {
    const installation = await getInstallation();
    const consortia = vi.spyOn(installation, "consortia");
    expect(await installationHasNoUsers()).toBe(false);
    const afterFirst = consortia.mock.calls.length;
    for (let i = 0; i < 5; i++) expect(await installationHasNoUsers()).toBe(false);
    expect(consortia.mock.calls.length).toBe(afterFirst);
    consortia.mockRestore();
  });
});
