import { createInflateRaw, inflateRawSync } from "node:zlib";

// A zip-bomb guard for uploaded .xlsx files, run before exceljs sees them. An xlsx is
// a zip archive; exceljs (through JSZip) would inflate every part into memory, and a
// few megabytes of deflate can claim gigabytes. This reads the zip itself (no
// dependency) and then inflates every entry with a hard output cap, so the sizes the
// archive *claims* are also the sizes it *has*.
//
// The guard and JSZip must read the same bytes the same way. JSZip takes the last end
// record in the file, shifts every offset when the directory does not end right at that
// record ("prepended data"), reads central headers for as long as their signature
// repeats, and takes each name from the local header. So only an archive with exactly
// one self-consistent layout passes: the end record at the very end (its comment runs
// to the last byte), the central directory ending right where the end record starts
// and holding exactly the declared entries, the local entries packed from byte 0 up to
// the directory without gaps or overlaps, local and central headers agreeing. Anything
// else is refused, whatever a lenient reader would make of it.

export const MAX_XLSX_ENTRIES = 1_000;
export const MAX_XLSX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024;

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const DESCRIPTOR_SIGNATURE = 0x08074b50;
const EOCD_LENGTH = 22;
const CENTRAL_LENGTH = 46;
const LOCAL_LENGTH = 30;
const MAX_COMMENT_LENGTH = 0xffff;
const FLAG_ENCRYPTED = 0x1;
const FLAG_DATA_DESCRIPTOR = 0x8;

export type XlsxGuardResult =
  { ok: true; entries: number; uncompressedBytes: number } | { ok: false; reason: XlsxRejection };

export type XlsxRejection =
  | "not-a-zip" // does not start with the zip signature
  | "too-many-entries"
  | "too-large" // more than MAX_XLSX_UNCOMPRESSED_BYTES once inflated
  | "unsupported" // zip64, encryption, a compression other than stored/deflate
  | "corrupt"; // sizes, offsets or data that do not add up to exactly one archive

interface Entry {
  name: Uint8Array;
  method: number;
  flags: number;
  crc: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

/** "PK\x03\x04": the local file header every xlsx starts with. */
export function hasZipSignature(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 4 &&
    bytes[0] === 0x50 &&
    bytes[1] === 0x4b &&
    bytes[2] === 0x03 &&
    bytes[3] === 0x04
  );
}

/** The last end-record signature in the file, as JSZip finds it (-1 if none). */
function lastEndRecord(view: DataView): number {
  for (let at = view.byteLength - EOCD_LENGTH; at >= 0; at--) {
    if (view.getUint32(at, true) === EOCD_SIGNATURE) return at;
  }
  return -1;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

interface Directory {
  entries: Entry[];
  offset: number;
}

function readDirectory(bytes: Uint8Array, view: DataView): Directory | XlsxRejection {
  // It starts like a zip (checked before), so a missing directory means a damaged file.
  if (view.byteLength < EOCD_LENGTH) return "corrupt";
  const eocd = lastEndRecord(view);
  if (eocd < 0) return "corrupt";
  const disk = view.getUint16(eocd + 4, true);
  const directoryDisk = view.getUint16(eocd + 6, true);
  const countOnDisk = view.getUint16(eocd + 8, true);
  const count = view.getUint16(eocd + 10, true);
  const directorySize = view.getUint32(eocd + 12, true);
  const directoryOffset = view.getUint32(eocd + 16, true);
  const commentLength = view.getUint16(eocd + 20, true);
  if (
    [disk, directoryDisk, countOnDisk, count].includes(0xffff) ||
    directorySize === 0xffffffff ||
    directoryOffset === 0xffffffff
  )
    return "unsupported"; // zip64
  // The end record is the last thing in the file: its comment runs exactly to the end.
  if (eocd + EOCD_LENGTH + commentLength !== view.byteLength) return "corrupt";
  if (commentLength > MAX_COMMENT_LENGTH) return "corrupt";
  if (disk !== 0 || directoryDisk !== 0 || countOnDisk !== count) return "unsupported"; // split
  if (count > MAX_XLSX_ENTRIES) return "too-many-entries";
  // No bytes between directory and end record: JSZip would shift every offset by them.
  if (directoryOffset + directorySize !== eocd) return "corrupt";

  const entries: Entry[] = [];
  let at = directoryOffset;
  while (at < eocd) {
    if (entries.length === count) return "corrupt"; // more headers than declared
    if (at + CENTRAL_LENGTH > eocd || view.getUint32(at, true) !== CENTRAL_SIGNATURE)
      return "corrupt";
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLen = view.getUint16(at + 32, true);
    const next = at + CENTRAL_LENGTH + nameLength + extraLength + commentLen;
    if (next > eocd) return "corrupt";
    const entry: Entry = {
      flags: view.getUint16(at + 8, true),
      method: view.getUint16(at + 10, true),
      crc: view.getUint32(at + 16, true),
      compressedSize: view.getUint32(at + 20, true),
      uncompressedSize: view.getUint32(at + 24, true),
      localHeaderOffset: view.getUint32(at + 42, true),
      name: bytes.subarray(at + CENTRAL_LENGTH, at + CENTRAL_LENGTH + nameLength),
    };
    if (
      entry.compressedSize === 0xffffffff ||
      entry.uncompressedSize === 0xffffffff ||
      entry.localHeaderOffset === 0xffffffff ||
      view.getUint16(at + 34, true) !== 0 // disk number start
    )
      return "unsupported";
    entries.push(entry);
    at = next;
  }
  if (at !== eocd || entries.length !== count) return "corrupt";
  return { entries, offset: directoryOffset };
}

/** Where the entry's local record ends (after its data and descriptor), or a rejection. */
function checkLocalRecord(
  bytes: Uint8Array,
  view: DataView,
  entry: Entry,
  limit: number,
): { dataStart: number; end: number } | XlsxRejection {
  const at = entry.localHeaderOffset;
  if (at + LOCAL_LENGTH > limit || view.getUint32(at, true) !== LOCAL_SIGNATURE) return "corrupt";
  const flags = view.getUint16(at + 6, true);
  const method = view.getUint16(at + 8, true);
  const nameLength = view.getUint16(at + 26, true);
  const extraLength = view.getUint16(at + 28, true);
  const dataStart = at + LOCAL_LENGTH + nameLength + extraLength;
  // JSZip takes the name from the local header: it must be the one the directory lists.
  if (dataStart > limit) return "corrupt";
  if (!sameBytes(bytes.subarray(at + LOCAL_LENGTH, at + LOCAL_LENGTH + nameLength), entry.name))
    return "corrupt";
  if (flags !== entry.flags || method !== entry.method) return "corrupt";
  let end = dataStart + entry.compressedSize;
  if (end > limit) return "corrupt";
  if (entry.flags & FLAG_DATA_DESCRIPTOR) {
    // Sizes follow the data (streaming writers such as exceljs's): optional signature,
    // CRC, compressed and uncompressed size, matching the directory.
    const signed = end + 4 <= limit && view.getUint32(end, true) === DESCRIPTOR_SIGNATURE;
    const fields = signed ? end + 4 : end;
    if (fields + 12 > limit) return "corrupt";
    if (
      view.getUint32(fields, true) !== entry.crc ||
      view.getUint32(fields + 4, true) !== entry.compressedSize ||
      view.getUint32(fields + 8, true) !== entry.uncompressedSize
    )
      return "corrupt";
    end = fields + 12;
  } else if (
    view.getUint32(at + 14, true) !== entry.crc ||
    view.getUint32(at + 18, true) !== entry.compressedSize ||
    view.getUint32(at + 22, true) !== entry.uncompressedSize
  ) {
    return "corrupt";
  }
  return { dataStart, end };
}

/** Inflates one entry, never past its declared size; false when it is not what it claims. */
function inflatesToDeclaredSize(data: Uint8Array, entry: Entry): boolean {
  if (entry.method === 0) return entry.compressedSize === entry.uncompressedSize;
  try {
    // One byte more than declared is enough to see that the entry lies.
    const inflated = inflateRawSync(data, { maxOutputLength: entry.uncompressedSize + 1 });
    return inflated.length === entry.uncompressedSize;
  } catch {
    return false;
  }
}

/** One entry of a checked archive: its name and its compressed bytes. */
export interface XlsxEntry {
  name: string;
  method: number;
  uncompressedSize: number;
  data: Uint8Array;
}

/** The entries of an archive that passes inspectXlsx (else the rejection). */
export function xlsxEntries(bytes: Uint8Array, proveSizes = true): XlsxEntry[] | XlsxRejection {
  const checked = checkArchive(bytes, proveSizes);
  if (typeof checked === "string") return checked;
  return checked.map(({ entry, data }) => ({
    name: Buffer.from(entry.name).toString("utf8"),
    method: entry.method,
    uncompressedSize: entry.uncompressedSize,
    data,
  }));
}

/**
 * Checks an xlsx upload before it is parsed: exactly one consistent zip layout (see
 * above) with at most MAX_XLSX_ENTRIES entries, stored or deflated, not encrypted, that
 * inflate to the sizes the directory declares and to at most
 * MAX_XLSX_UNCOMPRESSED_BYTES in total.
 */
export function inspectXlsx(
  bytes: Uint8Array,
  {
    proveSizes = true,
  }: {
    /**
     * Inflate every entry to prove its declared size (default). Without it only the
     * layout and the declared sizes are checked: cheap enough for the main thread, and
     * the parse worker proves the sizes before exceljs (xlsxEntries).
     */
    proveSizes?: boolean;
  } = {},
): XlsxGuardResult {
  const checked = checkArchive(bytes, proveSizes);
  if (typeof checked === "string") return { ok: false, reason: checked };
  return {
    ok: true,
    entries: checked.length,
    uncompressedBytes: checked.reduce((sum, { entry }) => sum + entry.uncompressedSize, 0),
  };
}

function checkArchive(
  bytes: Uint8Array,
  proveSizes = true,
): { entry: Entry; data: Uint8Array }[] | XlsxRejection {
  if (!hasZipSignature(bytes)) return "not-a-zip";
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const directory = readDirectory(bytes, view);
  if (typeof directory === "string") return directory;
  const { entries } = directory;
  if (entries.length === 0) return "corrupt";

  let total = 0;
  const names = new Set<string>();
  for (const entry of entries) {
    if (entry.flags & FLAG_ENCRYPTED) return "unsupported";
    if (entry.method !== 0 && entry.method !== 8) return "unsupported";
    const name = Buffer.from(entry.name).toString("latin1");
    if (names.has(name)) return "corrupt"; // which one would count?
    names.add(name);
    total += entry.uncompressedSize;
    if (total > MAX_XLSX_UNCOMPRESSED_BYTES) return "too-large";
  }

  // The local records, in file order, fill the space from byte 0 to the directory exactly.
  const inFileOrder = [...entries].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  let expected = 0;
  const dataOf = new Map<Entry, Uint8Array>();
  for (const entry of inFileOrder) {
    if (entry.localHeaderOffset !== expected) return "corrupt";
    const record = checkLocalRecord(bytes, view, entry, directory.offset);
    if (typeof record === "string") return record;
    dataOf.set(entry, bytes.subarray(record.dataStart, record.dataStart + entry.compressedSize));
    expected = record.end;
  }
  if (expected !== directory.offset) return "corrupt";

  const checked = entries.map((entry) => ({ entry, data: dataOf.get(entry)! }));
  if (proveSizes) {
    for (const { entry, data } of checked) {
      if (!inflatesToDeclaredSize(data, entry)) return "corrupt";
    }
  }
  return checked;
}

const MESSAGES: Record<XlsxRejection, string> = {
  "not-a-zip":
    "Die Datei ist keine Excel-Arbeitsmappe (.xlsx). Bitte die heruntergeladene Vorlage verwenden.",
  "too-many-entries":
    "Die Excel-Datei besteht aus ungewöhnlich vielen Teilen und wird aus Sicherheitsgründen nicht gelesen. Bitte die heruntergeladene Vorlage verwenden.",
  "too-large": `Die Excel-Datei wäre entpackt größer als ${MAX_XLSX_UNCOMPRESSED_BYTES / 1024 / 1024} MB und wird aus Sicherheitsgründen nicht gelesen.`,
  unsupported:
    "Die Excel-Datei ist verschlüsselt oder in einem nicht unterstützten Format gespeichert. Bitte als normale .xlsx-Arbeitsmappe speichern.",
  corrupt:
    "Die Datei ist beschädigt oder keine gültige Excel-Arbeitsmappe und konnte nicht gelesen werden.",
};

export function xlsxRejectionMessage(reason: XlsxRejection): string {
  return MESSAGES[reason];
}

// ---- Limits on what the parser would build -------------------------------------------
// A small archive can still hold millions of tiny cells or shared strings (137 KB for
// 2.8 million): exceljs would build an object for each. They are counted in the raw
// XML first (app/utils/parse-worker.task.ts does it inside the worker, before exceljs).

export const MAX_XLSX_SHEETS = 50;
export const MAX_XLSX_SHARED_STRINGS = 100_000;
export const MAX_XLSX_CELLS = 500_000;

export interface WorkbookCounts {
  sheets: number;
  sharedStrings: number;
  cells: number;
  /** A part inflated past its declared size (counting stopped there). */
  inflatesLarger: boolean;
}

/** Element starts `<name` (any namespace prefix) followed by space, `>` or `/`. */
function elementPattern(name: string): RegExp {
  return new RegExp(`<(?:[A-Za-z_][\\w.-]{0,30}:)?${name}[\\s>/]`, "g");
}
/** Longer than any match: what a chunk boundary may cut through. */
const CARRY = 64;

/**
 * Counts sheets, shared strings and cells of a checked archive while inflating it part
 * by part, and stops as soon as a limit is passed: millions of strings are never
 * inflated whole. (latin1 keeps one byte per character: the tags are ASCII.)
 */
export async function countWorkbookParts(
  entries: readonly XlsxEntry[],
  limits: { sharedStrings: number; cells: number } = {
    sharedStrings: MAX_XLSX_SHARED_STRINGS,
    cells: MAX_XLSX_CELLS,
  },
): Promise<WorkbookCounts> {
  const counts: WorkbookCounts = { sheets: 0, sharedStrings: 0, cells: 0, inflatesLarger: false };
  const over = () =>
    counts.sharedStrings > limits.sharedStrings ||
    counts.cells > limits.cells ||
    counts.inflatesLarger;
  for (const entry of entries) {
    if (/^xl\/worksheets\/[^/]+\.xml$/i.test(entry.name)) counts.sheets++;
    let carry = "";
    const scan = (chunk: Buffer) => {
      const text = carry + chunk.toString("latin1");
      let safe = Math.max(0, text.length - CARRY);
      for (const [name, key] of [
        ["si", "sharedStrings"],
        ["c", "cells"],
      ] as const) {
        const pattern = elementPattern(name);
        let match: RegExpExecArray | null;
        while ((match = pattern.exec(text)) !== null) {
          counts[key]++;
          safe = Math.max(safe, match.index + match[0].length);
        }
      }
      carry = text.slice(safe);
    };
    if (entry.method === 0) {
      scan(Buffer.from(entry.data));
    } else {
      const inflate = createInflateRaw();
      const done = new Promise<void>((resolve) => {
        let inflated = 0;
        inflate.on("data", (chunk: Buffer) => {
          inflated += chunk.length;
          // A part that inflates past its declared size lies: stop, whatever it holds.
          if (inflated > entry.uncompressedSize) counts.inflatesLarger = true;
          else scan(chunk);
          if (over()) inflate.destroy();
        });
        inflate.once("end", resolve);
        inflate.once("close", resolve);
        inflate.once("error", () => resolve()); // already proven to inflate: only destroy ends it early
      });
      inflate.end(entry.data);
      await done;
    }
    if (over()) break;
  }
  return counts;
}

/** A German refusal when the workbook holds more than the limits allow, else null. */
export function workbookLimitProblem(counts: WorkbookCounts): string | null {
  const grouped = (n: number) => n.toLocaleString("de-DE");
  if (counts.inflatesLarger) return xlsxRejectionMessage("corrupt");
  if (counts.sheets > MAX_XLSX_SHEETS)
    return `Die Excel-Datei hat mehr als ${grouped(MAX_XLSX_SHEETS)} Tabellenblätter und wird aus Sicherheitsgründen nicht gelesen.`;
  if (counts.sharedStrings > MAX_XLSX_SHARED_STRINGS || counts.cells > MAX_XLSX_CELLS)
    return `Die Excel-Datei enthält mehr als ${grouped(MAX_XLSX_CELLS)} Zellen oder ${grouped(MAX_XLSX_SHARED_STRINGS)} Texte und wird aus Sicherheitsgründen nicht gelesen. Bitte die heruntergeladene Vorlage verwenden.`;
  return null;
}
