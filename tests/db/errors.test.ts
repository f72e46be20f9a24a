// The constraint-violation helpers must recognize the errors of the engine the tests run
// on (SQLite by default, PostgreSQL with TEST_DATABASE_URL).
import { isCheckViolation, isForeignKeyViolation, isUniqueViolation } from "../../db/errors";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
  await t.db
    .insertInto("partners")
    .values({ code: "COE", name: "Coesfeld", population: 1, position: 0 })
    .execute();
});
afterAll(async () => t.cleanup());

async function errorOf(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error("expected the statement to fail");
}

test("a duplicate key is a unique violation, and nothing else", async () => {
  const error = await errorOf(() =>
    t.db
      .insertInto("partners")
      .values({ code: "COE", name: "Nochmal", population: 1, position: 1 })
      .execute(),
  );
  expect(isUniqueViolation(error)).toBe(true);
  expect(isForeignKeyViolation(error)).toBe(false);
  expect(isCheckViolation(error)).toBe(false);
});

test("a missing parent row is a foreign key violation", async () => {
  const error = await errorOf(() =>
    t.db
      .insertInto("schools")
      .values({
        code: "S1",
        partner_code: "NIX",
        name: "Schule",
        type: null,
        pupils: 1,
        position: 0,
      })
      .execute(),
  );
  expect(isForeignKeyViolation(error)).toBe(true);
  expect(isUniqueViolation(error)).toBe(false);
});

test("a refused CHECK is a check violation", async () => {
  const error = await errorOf(() =>
    t.db
      .insertInto("partners")
      .values({ code: "NEG", name: "Negativ", population: -1, position: 2 })
      .execute(),
  );
  expect(isCheckViolation(error)).toBe(true);
  expect(isUniqueViolation(error)).toBe(false);
});

test("other errors are none of them", () => {
  for (const error of [new Error("boom"), null, "23505", { code: 23505 }]) {
    expect(isUniqueViolation(error)).toBe(false);
    expect(isForeignKeyViolation(error)).toBe(false);
    expect(isCheckViolation(error)).toBe(false);
  }
});
