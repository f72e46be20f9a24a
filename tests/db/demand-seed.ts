// Seeds a test database with the demo plan (Kreis Coesfeld) and a few users for the
// demand tests. Password hashes are dummies: these users never sign in.
import type { Kysely } from "kysely";
import type { DB, Role } from "../../db/schema";
import { DUMMY_PASSWORD_HASH } from "../../db/passwords";
import { importPlan } from "../../db/plan-io";
import { DEMO_PLAN } from "../../db/demo";
import type { DemandUser } from "../../db/demand";

export async function seedDemandUsers(
  db: Kysely<DB>,
): Promise<Record<"coordinator" | "coe" | "coe2" | "due" | "finance" | "committee", DemandUser>> {
  const now = new Date().toISOString();
  const make = async (
    email: string,
    role: Role,
    partnerCode: string | null,
  ): Promise<DemandUser> => {
    const row = await db
      .insertInto("users")
      .values({
        email,
        name: email.split("@")[0],
        password_hash: DUMMY_PASSWORD_HASH,
        role,
        partner_code: partnerCode,
        active: 1,
        created_at: now,
        updated_at: now,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    return { id: row.id, role, partnerCode };
  };
  return {
    coordinator: await make("koordination@test.example", "coordinator", null),
    coe: await make("coe@test.example", "officer", "COE"),
    coe2: await make("coe2@test.example", "officer", "COE"),
    due: await make("due@test.example", "officer", "DUE"),
    finance: await make("finanzen@test.example", "finance", null),
    committee: await make("ausschuss@test.example", "committee", null),
  };
}

export async function seedDemoPlan(db: Kysely<DB>): Promise<void> {
  await importPlan(db, DEMO_PLAN, { replace: false, userId: null });
}
