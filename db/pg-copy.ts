// Bulk inserts on PostgreSQL: `COPY table (columns) FROM STDIN` in the text format, through
// pg-copy-streams on the connection of the caller's transaction (a failed COPY aborts that
// transaction like any failed statement). See docs/decisions/029-plan-import-copy.md.
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { CompiledQuery, type Kysely } from "kysely";
import { from as copyFrom, type CopyStreamQuery } from "pg-copy-streams";
import { engineOf } from "./engine";

/** Rows encoded per chunk written to the COPY stream. */
const ROWS_PER_CHUNK = 2_000;

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/**
 * One value in COPY's text format: NULL as `\N`; in text a backslash, tab, newline and
 * carriage return are escaped (so a text `\N` stays text); integers (cents) as written;
 * booleans as t/f. Anything else (a non-finite or unsafe number, an object) is an error,
 * never a silently changed value.
 */
export function copyTextValue(value: unknown): string {
  if (value === null || value === undefined) return "\\N";
  switch (typeof value) {
    case "string":
      return value.replace(/[\\\t\n\r]/g, (c) =>
        c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r",
      );
    case "number":
      if (!Number.isFinite(value) || (Number.isInteger(value) && !Number.isSafeInteger(value)))
        throw new RangeError(`Zahl ${value} kann nicht exakt gespeichert werden`);
      return String(value);
    case "bigint":
      return value.toString();
    case "boolean":
      return value ? "t" : "f";
    default:
      throw new TypeError(`Wert vom Typ ${typeof value} kann nicht kopiert werden`);
  }
}

/** The rows as COPY text lines, ROWS_PER_CHUNK rows per string. */
function* copyTextChunks(
  columns: readonly string[],
  rows: readonly Record<string, unknown>[],
): Generator<string> {
  for (let start = 0; start < rows.length; start += ROWS_PER_CHUNK) {
    let chunk = "";
    const end = Math.min(rows.length, start + ROWS_PER_CHUNK);
    for (let i = start; i < end; i++) {
      const row = rows[i];
      chunk += columns.map((column) => copyTextValue(row[column])).join("\t") + "\n";
    }
    yield chunk;
  }
}

/**
 * Inserts `rows` into `table` with one `COPY … FROM STDIN` on the connection `trx` runs on
 * (PostgreSQL only; `trx` must be a transaction, so a failure leaves nothing behind).
 * Every row must have the keys of the first one (missing values are NULL).
 */
export async function copyRows(
  trx: Pick<Kysely<unknown>, "executeQuery" | "getExecutor"> & { isTransaction: boolean },
  table: string,
  rows: readonly Record<string, unknown>[],
): Promise<void> {
  if (rows.length === 0) return;
  if (engineOf(trx) !== "postgres") throw new Error("copyRows needs PostgreSQL");
  if (!trx.isTransaction) throw new Error("copyRows needs a transaction");
  const columns = Object.keys(rows[0]);
  for (const name of [table, ...columns])
    if (!IDENTIFIER.test(name)) throw new Error(`Ungültiger Bezeichner „${name}“`);
  const stream: CopyStreamQuery = copyFrom(
    `COPY ${table} (${columns.map((c) => `"${c}"`).join(", ")}) FROM STDIN`,
  );
  // Kysely's PostgreSQL connection hands the "query" to pg's client.query, which submits a
  // stream query (an object with submit()) as it is: the COPY runs on the transaction's own
  // client, queued behind its earlier statements. Kysely sees a query without rows.
  await trx.executeQuery(CompiledQuery.raw(stream as unknown as string));
  await pipeline(Readable.from(copyTextChunks(columns, rows)), stream);
  if (stream.rowCount !== rows.length)
    throw new Error(`COPY ${table}: ${stream.rowCount} von ${rows.length} Zeilen geschrieben`);
}
