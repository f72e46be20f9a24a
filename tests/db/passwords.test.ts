import { hashPassword, verifyPassword, DUMMY_PASSWORD_HASH } from "../../db/passwords";

test("hash and verify a password, salt per hash", async () => {
  const a = await hashPassword("demo-passwort");
  const b = await hashPassword("demo-passwort");
  expect(a).not.toBe(b);
  expect(await verifyPassword("demo-passwort", a)).toBe(true);
  expect(await verifyPassword("falsch", a)).toBe(false);
  expect(await verifyPassword("demo-passwort", DUMMY_PASSWORD_HASH)).toBe(false);
  expect(await verifyPassword("x", "garbage")).toBe(false);
});
