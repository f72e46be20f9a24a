// A small plan with two lots and the users the call-off tests need (db, app and browser).
import type { Kysely } from "kysely";
import type { AwardInput } from "../../db/awards";
import type { Plan } from "../../domain/plan";
import { importPlan } from "../../db/plan-io";
import type { DB } from "../../db/schema";
import { hashPassword } from "../../db/passwords";
import { getUserById, type User } from "../../db/users";

export const SEED_PASSWORD = "test-passwort-123";

/** NB: Q = 40 (COE 30, DUE 10), reserve 10 % → maximum 44. TAB (lot L2) stays unawarded. */
export const CALL_OFF_PLAN: Plan = {
  format: "verbundkauf/plan@1",
  partners: [
    { code: "COE", name: "Stadt Coesfeld", population: 36500 },
    { code: "DUE", name: "Stadt Dülmen", population: 47700 },
  ],
  schools: [
    {
      code: "COE-GY",
      partner: "COE",
      name: "Gymnasium Coesfeld (Demo)",
      type: "gymnasium",
      pupils: 900,
    },
    {
      code: "DUE-GS",
      partner: "DUE",
      name: "Grundschule Dülmen-Mitte (Demo)",
      type: "grundschule",
      pupils: 250,
    },
  ],
  categories: [
    {
      code: "NB",
      name: "Notebook",
      unit: "Stück",
      basePriceNet: "520.00",
      vatRate: "0.19",
      tiers: [{ minQuantity: 40, discount: "0.05" }],
    },
    { code: "TAB", name: "Tablet", unit: "Stück", basePriceNet: "389.00", vatRate: "0.19" },
  ],
  demand: [
    { partner: "COE", school: "COE-GY", category: "NB", year: 2027, quantity: 20 },
    { partner: "COE", school: "COE-GY", category: "NB", year: 2028, quantity: 10 },
    { partner: "DUE", school: "DUE-GS", category: "NB", year: 2027, quantity: 10 },
    { partner: "DUE", category: "TAB", year: 2027, quantity: 15 },
  ],
  tenders: [
    {
      code: "RV-2027",
      name: "Rahmenvertrag Endgeräte",
      startYear: 2027,
      termYears: 2,
      reserve: "0.10",
      soloProcessCostGross: "7500.00",
      lots: [
        { code: "L1", name: "Notebooks", categories: ["NB"] },
        { code: "L2", name: "Tablets", categories: ["TAB"] },
      ],
      commonCosts: [{ label: "Vergabeberatung", amountGross: "3000.00", key: "volume" }],
    },
  ],
};

export interface SeededUsers {
  coordinator: User;
  officerCoe: User;
  officerDue: User;
  finance: User;
}

// scrypt is slow on purpose: hash the one test password once per test file.
let passwordHash: Promise<string> | undefined;

export async function seedCallOffPlan(db: Kysely<DB>): Promise<SeededUsers> {
  await importPlan(db, CALL_OFF_PLAN, { replace: false });
  passwordHash ??= hashPassword(SEED_PASSWORD);
  const hash = await passwordHash;
  const now = new Date().toISOString();
  const user = async (
    email: string,
    name: string,
    role: User["role"],
    partnerCode: string | null = null,
  ) => {
    const { id } = await db
      .insertInto("users")
      .values({
        email,
        name,
        role,
        partner_code: partnerCode,
        password_hash: hash,
        active: 1,
        created_at: now,
        updated_at: now,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    return (await getUserById(db, id))!;
  };
  return {
    coordinator: await user("koordination@test.example", "Koordination", "coordinator"),
    officerCoe: await user("coesfeld@test.example", "Beschaffung Coesfeld", "officer", "COE"),
    officerDue: await user("duelmen@test.example", "Beschaffung Dülmen", "officer", "DUE"),
    finance: await user("finanzen@test.example", "Finanzen", "finance"),
  };
}

/** The award of lot L1 (NB at 479,50 € net) the call-off tests start from; `overrides` vary it. */
export function awardOfL1(users: SeededUsers, overrides: Partial<AwardInput> = {}): AwardInput {
  return {
    tenderCode: "RV-2027",
    lotCode: "L1",
    supplier: "Muster IT GmbH",
    awardDate: "2026-11-02",
    pricesCents: { NB: 47_950n },
    userId: users.coordinator.id,
    today: "2026-11-28",
    ...overrides,
  };
}
