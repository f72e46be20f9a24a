// Pending Excel imports of the grid templates (demand and inventory): the uploaded file
// waits, as the values the user changed in it with their download-time values, until
// the user confirms the preview. Demand (db/demand.ts) and inventory (db/inventory.ts)
// keep them in tables of their own with the same columns (migrations 004 and 010) and
// decide the same way per value (domain/template-changes.ts); what differs (loading the
// stored values, locks, the plan check, writing) stays with them. See decision 014.
import { createHash, randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import { z } from "zod";
import type { DB } from "./schema";
import {
  cellKey,
  lineKey,
  splitCellKey,
  splitLineKey,
  type CellChange,
  type GridValues,
  type NoteChange,
} from "../domain/demand-grid";
import { classifyTemplateValues, type TemplateValue } from "../domain/template-changes";

/** How long an uploaded template waits for its confirmation. */
export const PENDING_IMPORT_TTL_MS = 2 * 60 * 60 * 1000;

export interface TemplateImportsTable {
  id: string;
  partner_code: string;
  user_id: number;
  file_name: string;
  payload: string;
  created_at: string;
  expires_at: string;
}

export type ImportTable = "demand_imports" | "inventory_imports";
type ImportsDB = DB & Record<ImportTable, TemplateImportsTable>;
const withImports = (db: Kysely<DB>) => db as unknown as Kysely<ImportsDB>;

export interface ImportCell {
  schoolCode: string | null;
  categoryCode: string;
  year: number;
  /** The value in the uploaded file. */
  quantity: number;
  /** The value the template was downloaded with (carried in the file). */
  downloaded: number;
}

export interface ImportNote {
  schoolCode: string | null;
  categoryCode: string;
  text: string;
  downloaded: string;
}

const payloadSchema = z.object({
  version: z.literal(2),
  generatedAt: z.string(),
  cells: z.array(
    z.object({
      schoolCode: z.string().nullable(),
      categoryCode: z.string(),
      year: z.number().int(),
      quantity: z.number().int().min(0),
      downloaded: z.number().int().min(0),
    }),
  ),
  notes: z.array(
    z.object({
      schoolCode: z.string().nullable(),
      categoryCode: z.string(),
      text: z.string(),
      downloaded: z.string(),
    }),
  ),
});
type PendingPayload = z.infer<typeof payloadSchema>;

export interface PendingImport {
  id: string;
  partnerCode: string;
  fileName: string;
  createdAt: string;
  /** When the uploaded template was downloaded. */
  generatedAt: string;
  /** Only the values the user changed in the file (file ≠ download), keyed by cellKey. */
  quantities: TemplateValue<number>[];
  /** Likewise for justifications, keyed by lineKey. */
  notes: TemplateValue<string>[];
}

/** A value someone else changed since the download that the file changes too. */
export interface ImportConflict {
  /** Form value of its checkbox: "q:" + cellKey or "n:" + lineKey. */
  key: string;
  schoolCode: string | null;
  categoryCode: string;
  /** Year, or null for the line's justification. */
  year: number | null;
  downloaded: string;
  stored: string;
  file: string;
}

export interface ImportPreview {
  cells: CellChange[];
  notes: NoteChange[];
  conflicts: ImportConflict[];
  /** Fingerprint of all of the above: the apply must see the same, or it refuses. */
  token: string;
}

export const EMPTY_PREVIEW: ImportPreview = { cells: [], notes: [], conflicts: [], token: "" };

function pendingValues(payload: PendingPayload): Pick<PendingImport, "quantities" | "notes"> {
  return {
    quantities: payload.cells.map((c) => ({
      key: cellKey(c.schoolCode, c.categoryCode, c.year),
      downloaded: c.downloaded,
      file: c.quantity,
    })),
    notes: payload.notes.map((n) => ({
      key: lineKey(n.schoolCode, n.categoryCode),
      downloaded: n.downloaded,
      file: n.text,
    })),
  };
}

/** The file's values of a pending import as grid values (to check their keys). */
export function keysOf(pending: Pick<PendingImport, "quantities" | "notes">): GridValues {
  return {
    quantities: new Map(pending.quantities.map((v) => [v.key, v.file])),
    notes: new Map(pending.notes.map((v) => [v.key, v.file])),
  };
}

export type CreateImportResult =
  { kind: "created"; id: string } | { kind: "invalid"; keys: string[] };

/**
 * Stores parsed template values for confirmation; the id is random and unguessable.
 * Only values the user changed in the file are kept: a value the file still holds as
 * downloaded is never written back, whatever is stored now. `foreignKeys` names the
 * keys that do not belong to the partner (then nothing is stored).
 */
export async function storePendingImport(
  db: Kysely<DB>,
  table: ImportTable,
  input: {
    partnerCode: string;
    user: { id: number };
    fileName: string;
    generatedAt: string;
    cells: readonly ImportCell[];
    notes: readonly ImportNote[];
    now: Date;
  },
  foreignKeys: (keys: GridValues) => string[],
): Promise<CreateImportResult> {
  const { now } = input;
  const payload: PendingPayload = {
    version: 2,
    generatedAt: input.generatedAt,
    cells: input.cells
      .filter((c) => c.quantity !== c.downloaded)
      .map(({ schoolCode, categoryCode, year, quantity, downloaded }) => ({
        schoolCode,
        categoryCode,
        year,
        quantity,
        downloaded,
      })),
    notes: input.notes
      .filter((n) => n.text !== n.downloaded)
      .map(({ schoolCode, categoryCode, text, downloaded }) => ({
        schoolCode,
        categoryCode,
        text,
        downloaded,
      })),
  };
  const bad = foreignKeys(keysOf(pendingValues(payload)));
  if (bad.length > 0) return { kind: "invalid", keys: bad };
  const id = randomBytes(18).toString("base64url");
  const d = withImports(db);
  await d.deleteFrom(table).where("expires_at", "<", now.toISOString()).execute();
  await d
    .insertInto(table)
    .values({
      id,
      partner_code: input.partnerCode,
      user_id: input.user.id,
      file_name: input.fileName.slice(0, 200),
      payload: JSON.stringify(payload),
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + PENDING_IMPORT_TTL_MS).toISOString(),
    })
    .execute();
  return { kind: "created", id };
}

/** The pending import if it exists, has not expired and belongs to this user and partner. */
export async function loadPendingImport(
  db: Kysely<DB>,
  table: ImportTable,
  id: string,
  user: { id: number },
  partnerCode: string,
  now: Date,
): Promise<PendingImport | undefined> {
  const row = await withImports(db)
    .selectFrom(table)
    .selectAll()
    .where("id", "=", id)
    .where("user_id", "=", user.id)
    .where("partner_code", "=", partnerCode)
    .where("expires_at", ">", now.toISOString())
    .executeTakeFirst();
  if (!row) return undefined;
  let payload: PendingPayload;
  try {
    const parsed = payloadSchema.safeParse(JSON.parse(row.payload));
    if (!parsed.success) return undefined; // an older format: upload again
    payload = parsed.data;
  } catch {
    return undefined;
  }
  return {
    id: row.id,
    partnerCode: row.partner_code,
    fileName: row.file_name,
    createdAt: row.created_at,
    generatedAt: payload.generatedAt,
    ...pendingValues(payload),
  };
}

/** Deletes a pending import; with `user`, only that user's. */
export async function deletePendingImport(
  db: Kysely<DB>,
  table: ImportTable,
  id: string,
  user?: { id: number },
): Promise<void> {
  let query = withImports(db).deleteFrom(table).where("id", "=", id);
  if (user) query = query.where("user_id", "=", user.id);
  await query.execute();
}

/** Changes and conflicts of a pending import against the stored values `current`. */
export function classifyImport(pending: PendingImport, current: GridValues): ImportPreview {
  const q = classifyTemplateValues(pending.quantities, (k) => current.quantities.get(k) ?? 0);
  const n = classifyTemplateValues(pending.notes, (k) => current.notes.get(k) ?? "");
  const cells = q.changes.map((c) => ({
    ...splitCellKey(c.key),
    oldQuantity: c.stored,
    newQuantity: c.file,
  }));
  const notes = n.changes.map((c) => ({
    ...splitLineKey(c.key),
    oldText: c.stored,
    newText: c.file,
  }));
  const conflicts: ImportConflict[] = [
    ...q.conflicts.map((c) => ({
      key: `q:${c.key}`,
      ...splitCellKey(c.key),
      downloaded: String(c.downloaded),
      stored: String(c.stored),
      file: String(c.file),
    })),
    ...n.conflicts.map((c) => ({
      key: `n:${c.key}`,
      ...splitLineKey(c.key),
      year: null,
      downloaded: c.downloaded,
      stored: c.stored,
      file: c.file,
    })),
  ];
  const token = createHash("sha256")
    .update(JSON.stringify([cells, notes, conflicts]))
    .digest("base64url")
    .slice(0, 22);
  return { cells, notes, conflicts, token };
}

/** The plain changes of a preview as grid values. */
export function changesOf(preview: ImportPreview): GridValues {
  return {
    quantities: new Map(
      preview.cells.map((c) => [cellKey(c.schoolCode, c.categoryCode, c.year), c.newQuantity]),
    ),
    notes: new Map(preview.notes.map((n) => [lineKey(n.schoolCode, n.categoryCode), n.newText])),
  };
}

/**
 * What to write: the plain changes plus the conflicts the user picked one by one
 * (`take`: their checkbox keys); the others are counted as skipped.
 */
export function wantedOf(
  preview: ImportPreview,
  take: readonly string[] = [],
): { wanted: GridValues; skipped: number } {
  const picked = new Set(take);
  const wanted = changesOf(preview);
  let skipped = 0;
  for (const c of preview.conflicts) {
    if (!picked.has(c.key)) {
      skipped++;
      continue;
    }
    if (c.year === null) wanted.notes.set(lineKey(c.schoolCode, c.categoryCode), c.file);
    else wanted.quantities.set(cellKey(c.schoolCode, c.categoryCode, c.year), Number(c.file));
  }
  return { wanted, skipped };
}
