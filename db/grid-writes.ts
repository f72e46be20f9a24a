// Writing the changes of one partner's grid — demand or installed base, the same shape
// of table — value by value, each with an audit entry. Shared by db/demand.ts and
// db/inventory.ts (their saves and confirmed imports).
import type { ExpressionBuilder, Kysely } from "kysely";
import { writeAudit } from "./audit";
import type { DB } from "./schema";
import { cellKey, diffValues, lineKey, type GridValues } from "../domain/demand-grid";

/** Which tables a grid lives in, and how its audit entries are named. */
export interface GridTables {
  lines: "demand_lines" | "inventory_lines";
  notes: "demand_notes" | "inventory_notes";
  /** The audit action is `<action>.import` or `<action>.update`. */
  action: "demand" | "inventory";
  entity: { line: string; note: string };
}

interface GridLineRow {
  partner_code: string;
  school_code: string | null;
  category_code: string;
  year: number;
  quantity: number;
  position: number;
  updated_at: string;
  updated_by: number | null;
}

interface GridNoteRow {
  partner_code: string;
  school_code: string | null;
  category_code: string;
  text: string;
  updated_at: string;
  updated_by: number | null;
}

type GridDB = Record<GridTables["lines"], GridLineRow> & Record<GridTables["notes"], GridNoteRow>;

/**
 * One value of the grid: partner, school (or none), category and, for lines, the year.
 * Typed against demand_lines; the inventory tables have the same columns.
 */
function sameKey(
  eb: ExpressionBuilder<GridDB, GridTables["lines"] | GridTables["notes"]>,
  partnerCode: string,
  c: { schoolCode: string | null; categoryCode: string; year?: number },
) {
  const e = eb as unknown as ExpressionBuilder<GridDB, "demand_lines">;
  return e.and([
    e("partner_code", "=", partnerCode),
    e("category_code", "=", c.categoryCode),
    ...(c.year === undefined ? [] : [e("year", "=", c.year)]),
    c.schoolCode === null ? e("school_code", "is", null) : e("school_code", "=", c.schoolCode),
  ]);
}

/** Writes the differences between `current` and `wanted`, each with an audit entry. */
export async function writeGridChanges(
  db: Kysely<DB>,
  tables: GridTables,
  partnerCode: string,
  current: GridValues,
  wanted: GridValues,
  user: { id: number; role: string },
  source: "editor" | "import",
  at: string,
): Promise<{ cells: number; notes: number }> {
  const trx = db as unknown as Kysely<GridDB>;
  const { cells, notes } = diffValues(current, wanted);
  const audit = (entity: string, entityKey: string, oldValue: string, newValue: string) =>
    writeAudit(db, {
      userId: user.id,
      action: `${tables.action}.${source === "import" ? "import" : "update"}`,
      entity,
      entityKey,
      oldValue,
      newValue,
      detail: { source, role: user.role },
      at: new Date(at),
    });
  let position: number | null = null;
  for (const c of cells) {
    if (c.newQuantity === 0) {
      // Quantity 0 carries no demand (CALCULATION.md §2): the line goes, the audit keeps it.
      await trx
        .deleteFrom(tables.lines)
        .where((eb) => sameKey(eb, partnerCode, c))
        .execute();
    } else {
      const updated = await trx
        .updateTable(tables.lines)
        .set({ quantity: c.newQuantity, updated_at: at, updated_by: user.id })
        .where((eb) => sameKey(eb, partnerCode, c))
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) {
        if (position === null) {
          const max = await trx
            .selectFrom(tables.lines)
            .select((eb) => eb.fn.max<number | null>("position").as("p"))
            .executeTakeFirst();
          position = Number(max?.p ?? -1);
        }
        position += 1;
        await trx
          .insertInto(tables.lines)
          .values({
            partner_code: partnerCode,
            school_code: c.schoolCode,
            category_code: c.categoryCode,
            year: c.year,
            quantity: c.newQuantity,
            position,
            updated_at: at,
            updated_by: user.id,
          })
          .execute();
      }
    }
    await audit(
      tables.entity.line,
      `${partnerCode}|${cellKey(c.schoolCode, c.categoryCode, c.year)}`,
      String(c.oldQuantity),
      String(c.newQuantity),
    );
  }
  for (const n of notes) {
    await trx
      .deleteFrom(tables.notes)
      .where((eb) => sameKey(eb, partnerCode, n))
      .execute();
    if (n.newText !== "") {
      await trx
        .insertInto(tables.notes)
        .values({
          partner_code: partnerCode,
          school_code: n.schoolCode,
          category_code: n.categoryCode,
          text: n.newText,
          updated_at: at,
          updated_by: user.id,
        })
        .execute();
    }
    await audit(
      tables.entity.note,
      `${partnerCode}|${lineKey(n.schoolCode, n.categoryCode)}`,
      n.oldText,
      n.newText,
    );
  }
  return { cells: cells.length, notes: notes.length };
}
