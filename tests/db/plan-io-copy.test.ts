// The plan import's bulk path: on PostgreSQL one COPY … FROM STDIN per table in the text
// format (db/pg-copy.ts), on SQLite multi-row INSERTs. Texts that COPY must escape, the
// largest exact amount, empty optional values and a failing row in the middle of a bulk
// insert behave the same on both engines.
import { sql } from "kysely";
import { describe, expect, test } from "vitest";
import type { Plan } from "../../domain/plan";
import { isCheckViolation, isForeignKeyViolation } from "../../db/errors";
import { copyTextValue } from "../../db/pg-copy";
import { exportPlan, importPlan } from "../../db/plan-io";
import { freshDatabases } from "../helpers/test-database";
import { normalizePlan, readExamplePlan, snapshotDatabase } from "./plan-fixtures";

const freshDatabase = freshDatabases();

/** Texts COPY's text format must escape or could misread, and ones it must leave alone. */
const AWKWARD = [
  "Tab\tmitten",
  "Zeile 1\nZeile 2",
  "Windows\r\nZeile",
  "nur\rCR",
  "back\\slash",
  "\\N",
  "\\\\N",
  "\\t kein Tab",
  "NULL",
  'Schule "Am Berg"',
  "O'Brien’s „Gymnasium“",
  "Größe ÄÖÜ äöü ß € ½",
  "",
  " führend und folgend ",
  "\\",
  "Ende\\",
];

/** 2^53 − 1 cents: the largest amount a JS number holds exactly. */
const MAX_MONEY = "90071992547409.91";

function awkwardPlan(): Plan {
  const base = readExamplePlan("04-funding-support");
  const partner = base.partners[0].code;
  const category = base.categories[0].code;
  const schools = Array.from({ length: 40 }, (_, i) => ({
    code: `AW-${String(i).padStart(2, "0")}`,
    partner,
    name: `${AWKWARD[i % AWKWARD.length]}${i}`,
    ...(i % 2 === 0 ? { type: "gymnasium" as const } : {}),
    pupils: i,
  }));
  return {
    ...base,
    partners: base.partners.map((p, i) => ({ ...p, name: `${AWKWARD[i]} ${p.name}` })),
    schools: [...(base.schools ?? []), ...schools],
    categories: [
      ...base.categories.map((c, i) => ({
        ...c,
        name: AWKWARD[(i + 3) % AWKWARD.length] + c.name,
      })),
      // No unit (NULL), the largest exact price.
      { code: "GROSS", name: "Tab\tund\\N", basePriceNet: MAX_MONEY, vatRate: "0.07", tiers: [] },
    ],
    demand: [
      ...(base.demand ?? []),
      ...schools.map((s, i) => ({ partner, school: s.code, category, year: 2027, quantity: i })),
      { partner, category: "GROSS", year: 2028, quantity: 1 },
    ],
    fundingProgrammes: [
      ...(base.fundingProgrammes ?? []),
      {
        code: "AWK",
        name: AWKWARD.slice(0, 6).join("|"),
        rate: "0.5",
        categories: [category],
        fromYear: 2027,
        toYear: 2030,
        maxPerUnitGross: MAX_MONEY,
        budgets: { [partner]: MAX_MONEY },
      },
    ],
  };
}

describe("awkward values round-trip through the bulk import", () => {
  test("names with tabs, newlines, backslashes, \\N, quotes and umlauts, the largest amount and empty values come back exactly", async () => {
    const t = await freshDatabase();
    const plan = awkwardPlan();
    await importPlan(t.db, plan, { replace: false });
    const exported = await exportPlan(t.db);
    expect(exported).toEqual(normalizePlan(plan));
    // Stored as written: NULL stays NULL, "\N" and "" stay text.
    const schools = await t.db
      .selectFrom("schools")
      .select(["code", "name", "type"])
      .where("code", "like", "AW-%")
      .orderBy("code")
      .execute();
    expect(schools.map((s) => s.name)).toEqual(
      plan.schools!.filter((s) => s.code.startsWith("AW-")).map((s) => s.name),
    );
    expect(schools.filter((s) => s.type === null)).toHaveLength(20);
    const gross = await t.db
      .selectFrom("categories")
      .select(["unit", "base_price_cents"])
      .where("code", "=", "GROSS")
      .executeTakeFirstOrThrow();
    expect(gross).toEqual({ unit: null, base_price_cents: Number.MAX_SAFE_INTEGER });
    const budget = await t.db
      .selectFrom("funding_budgets")
      .select("amount_cents")
      .where("programme_code", "=", "AWK")
      .executeTakeFirstOrThrow();
    expect(budget.amount_cents).toBe(Number.MAX_SAFE_INTEGER);
  });

  test("a replace keeps demand and inventory notes with awkward texts byte for byte", async () => {
    const t = await freshDatabase();
    const plan = awkwardPlan();
    await importPlan(t.db, plan, { replace: false });
    const partner = plan.partners[0].code;
    const category = plan.categories[0].code;
    const now = new Date().toISOString();
    const notes = AWKWARD.slice(0, 10).map((text, i) => ({
      partner_code: partner,
      school_code: i === 0 ? null : `AW-${String(i).padStart(2, "0")}`,
      category_code: category,
      text,
      updated_at: now,
      updated_by: null,
    }));
    for (const n of notes) {
      await sql`insert into demand_notes (partner_code, school_code, category_code, text, updated_at, updated_by)
        values (${n.partner_code}, ${n.school_code}, ${n.category_code}, ${n.text}, ${n.updated_at}, ${n.updated_by})`.execute(
        t.db,
      );
      await t.db.insertInto("inventory_notes").values(n).execute();
    }
    const summary = await importPlan(t.db, plan, { replace: true });
    expect(summary.demandNotesKept).toBe(notes.length);
    expect(summary.inventoryNotesKept).toBe(notes.length);
    const order = (rows: { school_code: string | null; text: string }[]) =>
      [...rows].sort((a, b) => (a.school_code ?? "").localeCompare(b.school_code ?? ""));
    const demandNotes = (
      await sql<{
        school_code: string | null;
        text: string;
      }>`select school_code, text from demand_notes`.execute(t.db)
    ).rows;
    const inventoryNotes = await t.db
      .selectFrom("inventory_notes")
      .select(["school_code", "text"])
      .execute();
    const expected = order(notes.map((n) => ({ school_code: n.school_code, text: n.text })));
    expect(order(demandNotes)).toEqual(expected);
    expect(order(inventoryNotes)).toEqual(expected);
  });
});

describe("a row that fails in the middle of the bulk insert leaves the old plan completely", () => {
  /** A plan with 1,200 demand lines (well past one chunk), line `at` changed by `bad`. */
  function planWithBadLine(at: number, bad: Record<string, unknown>): Plan {
    const base = readExamplePlan("01-three-partners");
    const places = [
      ...base.schools!.map((s) => ({ partner: s.partner, school: s.code as string | undefined })),
      ...base.partners.map((p) => ({ partner: p.code, school: undefined })),
    ];
    const demand = [];
    for (let year = 2000; year <= 2100; year++)
      for (const { code: category } of base.categories)
        for (const { partner, school } of places)
          demand.push({ partner, ...(school && { school }), category, year, quantity: year % 7 });
    demand.length = 1_200;
    demand[at] = { ...demand[at], ...bad } as (typeof demand)[number];
    return { ...base, demand };
  }

  test.each([
    ["an unknown category (foreign key)", { category: "GIBT-ES-NICHT" }, isForeignKeyViolation],
    ["an unknown school (foreign key)", { school: "GIBT-ES-NICHT" }, isForeignKeyViolation],
    ["a negative quantity (check)", { quantity: -1 }, isCheckViolation],
    ["a year out of range (check)", { year: 2101 }, isCheckViolation],
  ])("%s", async (_name, bad, isExpected) => {
    const t = await freshDatabase();
    await importPlan(t.db, readExamplePlan("02-edge-cases"), { replace: false });
    const before = await snapshotDatabase(t.db);

    await expect(importPlan(t.db, planWithBadLine(700, bad), { replace: true })).rejects.toSatisfy(
      isExpected,
    );
    expect(await snapshotDatabase(t.db)).toEqual(before);

    // The connection is usable afterwards, and a good plan imports.
    await importPlan(t.db, planWithBadLine(700, {}), { replace: true });
    expect((await exportPlan(t.db)).demand).toHaveLength(1_200);
  });

  test("a value that cannot be written exactly stops the import before anything changes", async () => {
    const t = await freshDatabase();
    await importPlan(t.db, readExamplePlan("02-edge-cases"), { replace: false });
    const before = await snapshotDatabase(t.db);
    await expect(
      importPlan(t.db, planWithBadLine(900, { quantity: Number.NaN }), { replace: true }),
    ).rejects.toThrow();
    expect(await snapshotDatabase(t.db)).toEqual(before);
    await importPlan(t.db, planWithBadLine(900, {}), { replace: true });
    expect((await exportPlan(t.db)).demand).toHaveLength(1_200);
  });
});

describe("copyTextValue (COPY text format)", () => {
  test("NULL is \\N; backslash, tab, newline and carriage return are escaped; the rest stays", () => {
    expect(copyTextValue(null)).toBe("\\N");
    expect(copyTextValue(undefined)).toBe("\\N");
    expect(copyTextValue("\\N")).toBe("\\\\N");
    expect(copyTextValue("a\tb\nc\rd\\e")).toBe("a\\tb\\nc\\rd\\\\e");
    expect(copyTextValue("„Größe“ \"x\" 'y' €")).toBe("„Größe“ \"x\" 'y' €");
    expect(copyTextValue("")).toBe("");
  });

  test("integers as written up to 2^53 − 1, decimals as their text, booleans as t/f", () => {
    expect(copyTextValue(Number.MAX_SAFE_INTEGER)).toBe("9007199254740991");
    expect(copyTextValue(0)).toBe("0");
    expect(copyTextValue("0.085")).toBe("0.085");
    expect(copyTextValue(12345678901234567890n)).toBe("12345678901234567890");
    expect(copyTextValue(true)).toBe("t");
    expect(copyTextValue(false)).toBe("f");
  });

  test("values that would be stored changed are refused", () => {
    expect(() => copyTextValue(Number.NaN)).toThrow(RangeError);
    expect(() => copyTextValue(Infinity)).toThrow(RangeError);
    expect(() => copyTextValue(Number.MAX_SAFE_INTEGER + 1)).toThrow(RangeError);
    expect(() => copyTextValue(new Date())).toThrow(TypeError);
    expect(() => copyTextValue({})).toThrow(TypeError);
  });
});
