import { inflateRawSync } from "node:zlib";

// A zip-bomb guard for uploaded .xlsx files, run before exceljs sees them. An xlsx is
// a zip archive; exceljs (through JSZip) would inflate every part into memory, and a
// few megabytes of deflate can claim gigabytes. This reads the zip's central directory
// itself (no dependency) and then inflates every entry with a hard output cap, so the
// sizes the archive *claims* are also the sizes it *has*.

export const MAX_XLSX_ENTRIES = 1_000;
export const MAX_XLSX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024;

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const EOCD_MIN_LENGTH = 22;
const MAX_COMMENT_LENGTH = 0xffff;

export type XlsxGuardResult =
  { ok: true; entries: number; uncompressedBytes: number } | { ok: false; reason: XlsxRejection };

export type XlsxRejection =
  | "not-a-zip" // does not start with the zip signature
  | "too-many-entries"
  | "too-large" // more than MAX_XLSX_UNCOMPRESSED_BYTES once inflated
  | "unsupported" // zip64, encryption, a compression other than stored/deflate
  | "corrupt"; // sizes or data that do not add up

interface Entry {
  method: number;
  flags: number;
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

function findEndOfCentralDirectory(view: DataView): number {
  const last = view.byteLength - EOCD_MIN_LENGTH;
  const first = Math.max(0, last - MAX_COMMENT_LENGTH);
  for (let at = last; at >= first; at--) {
    if (view.getUint32(at, true) === EOCD_SIGNATURE) return at;
  }
  return -1;
}

function readEntries(view: DataView): Entry[] | XlsxRejection {
  // It starts like a zip (checked before), so a missing directory means a damaged file.
  if (view.byteLength < EOCD_MIN_LENGTH) return "corrupt";
  const eocd = findEndOfCentralDirectory(view);
  if (eocd < 0) return "corrupt";
  const count = view.getUint16(eocd + 10, true);
  const directorySize = view.getUint32(eocd + 12, true);
  const directoryOffset = view.getUint32(eocd + 16, true);
  if (count === 0xffff || directoryOffset === 0xffffffff || directorySize === 0xffffffff)
    return "unsupported"; // zip64
  if (count > MAX_XLSX_ENTRIES) return "too-many-entries";
  if (directoryOffset + directorySize > eocd) return "corrupt";

  const entries: Entry[] = [];
  let at = directoryOffset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > eocd || view.getUint32(at, true) !== CENTRAL_SIGNATURE) return "corrupt";
    const entry: Entry = {
      flags: view.getUint16(at + 8, true),
      method: view.getUint16(at + 10, true),
      compressedSize: view.getUint32(at + 20, true),
      uncompressedSize: view.getUint32(at + 24, true),
      localHeaderOffset: view.getUint32(at + 42, true),
    };
    if (
      entry.compressedSize === 0xffffffff ||
      entry.uncompressedSize === 0xffffffff ||
      entry.localHeaderOffset === 0xffffffff
    ) {
      return "unsupported";
    }
    entries.push(entry);
    at +=
      46 +
      view.getUint16(at + 28, true) +
      view.getUint16(at + 30, true) +
      view.getUint16(at + 32, true);
  }
  return entries;
}

/** Inflates one entry, never past its declared size; false when it is not what it claims. */
function entryMatchesDeclaredSize(
  bytes: Uint8Array,
  view: DataView,
  entry: Entry,
): boolean | XlsxRejection {
  const at = entry.localHeaderOffset;
  if (at + 30 > view.byteLength || view.getUint32(at, true) !== LOCAL_SIGNATURE) return "corrupt";
  const dataStart = at + 30 + view.getUint16(at + 26, true) + view.getUint16(at + 28, true);
  const dataEnd = dataStart + entry.compressedSize;
  if (dataEnd > view.byteLength) return "corrupt";
  const data = bytes.subarray(dataStart, dataEnd);
  if (entry.method === 0) return entry.compressedSize === entry.uncompressedSize;
  try {
    // One byte more than declared is enough to see that the entry lies.
    const inflated = inflateRawSync(data, { maxOutputLength: entry.uncompressedSize + 1 });
    return inflated.length === entry.uncompressedSize;
  } catch {
    return false;
  }
}

/**
 * Checks an xlsx upload before it is parsed: a zip with at most MAX_XLSX_ENTRIES
 * entries, stored or deflated, not encrypted, that inflates to the sizes its central
 * directory declares and to at most MAX_XLSX_UNCOMPRESSED_BYTES in total.
 */
export function inspectXlsx(bytes: Uint8Array): XlsxGuardResult {
  if (!hasZipSignature(bytes)) return { ok: false, reason: "not-a-zip" };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const entries = readEntries(view);
  if (typeof entries === "string") return { ok: false, reason: entries };
  if (entries.length === 0) return { ok: false, reason: "corrupt" };

  let total = 0;
  for (const entry of entries) {
    if (entry.flags & 0x1) return { ok: false, reason: "unsupported" }; // encrypted
    if (entry.method !== 0 && entry.method !== 8) return { ok: false, reason: "unsupported" };
    total += entry.uncompressedSize;
    if (total > MAX_XLSX_UNCOMPRESSED_BYTES) return { ok: false, reason: "too-large" };
  }
  for (const entry of entries) {
    const matches = entryMatchesDeclaredSize(bytes, view, entry);
    if (typeof matches === "string") return { ok: false, reason: matches };
    if (!matches) return { ok: false, reason: "corrupt" };
  }
  return { ok: true, entries: entries.length, uncompressedBytes: total };
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
