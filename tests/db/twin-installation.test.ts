// Two consortia of one installation on the engine of this run (SQLite files, or schemas
// of one PostgreSQL database): the same codes in both, and a write to one leaves every
// row of the other as it was.
import { sql } from "kysely";
import {
  changeTwin,
  checksumOfDatabase,
  MS_ONLY_PARTNER,
  setUpTwinInstallation,
  type TwinInstallation,
} from "../helpers/twin-installation";
import { findUserByEmail } from "../../db/users";

let twin: TwinInstallation;
beforeAll(async () => {
  twin = await setUpTwinInstallation();
}, 120_000);
afterAll(async () => twin?.cleanup());

test("the same partner codes, other names; the MS-only partner is in MS only", async () => {
  const codes = async (db: typeof twin.kc) =>
    (await db.selectFrom("partners").select("code").orderBy("code").execute()).map((p) => p.code);
  const kc = await codes(twin.kc);
  const ms = await codes(twin.ms);
  expect(ms).toEqual([...kc, MS_ONLY_PARTNER].sort());
  expect(await findUserByEmail(twin.kc, "nur-ms@ms.example")).toBeUndefined();
  expect((await findUserByEmail(twin.ms, "nur-ms@ms.example"))?.role).toBe("finance");
});

test("writing to MS changes MS's checksum and leaves KC's untouched", async () => {
  const kcBefore = await checksumOfDatabase(twin.kc);
  const msBefore = await checksumOfDatabase(twin.ms);
  expect(await checksumOfDatabase(twin.kc)).toBe(kcBefore); // stable when nothing changes
  await changeTwin(twin.ms, 2);
  await sql`DELETE FROM sessions`.execute(twin.ms);
  expect(await checksumOfDatabase(twin.ms)).not.toBe(msBefore);
  expect(await checksumOfDatabase(twin.kc)).toBe(kcBefore);
});
