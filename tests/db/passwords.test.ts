import { hashPassword, verifyPassword, DUMMY_PASSWORD_HASH, scryptN } from "../../db/passwords";

test("hash and verify a password, salt per hash", async () => {
  const a = await hashPassword("demo-passwort");
  const b = await hashPassword("demo-passwort");
  expect(a).not.toBe(b);
  expect(await verifyPassword("demo-passwort", a)).toBe(true);
  expect(await verifyPassword("falsch", a)).toBe(false);
  expect(await verifyPassword("demo-passwort", DUMMY_PASSWORD_HASH)).toBe(false);
  expect(await verifyPassword("x", "garbage")).toBe(false);
});

test("production hashes use N = 2^15; only the test runner may lower it", async () => {
  expect(scryptN({})).toBe(32768);
  expect(scryptN({ TEST_SCRYPT_N: "1024" })).toBe(32768);
  expect(scryptN({ VITEST: "true", TEST_SCRYPT_N: "1024" })).toBe(1024);
  expect(scryptN({ VITEST: "true", TEST_SCRYPT_N: "1000" })).toBe(32768);
  expect(scryptN({ VITEST: "true", TEST_SCRYPT_N: "16" })).toBe(32768);
  // Under this runner the hash names the N it used, and a full-cost hash still verifies.
  expect((await hashPassword("x")).split("$")[1]).toBe(String(scryptN()));
  const fullCost = await new Promise<string>((resolve, reject) => {
    import("node:crypto").then(({ scrypt }) =>
      scrypt(
        "x",
        Buffer.alloc(16),
        64,
        { N: 32768, r: 8, p: 1, maxmem: 128 * 1024 * 1024 },
        (e, key) =>
          e
            ? reject(e)
            : resolve(
                `scrypt$32768$8$1$${Buffer.alloc(16).toString("base64")}$${key.toString("base64")}`,
              ),
      ),
    );
  });
  expect(await verifyPassword("x", fullCost)).toBe(true);
});
