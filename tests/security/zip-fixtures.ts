// Hand-built zip archives for the upload tests: honest and lying zip bombs, archives
// with too many entries, encrypted or exotic entries. Only what the guard reads is
// filled in faithfully (sizes, offsets, method, flags); CRCs are real too.
import zlib from "node:zlib";
import { rowCount, type TestDatabase } from "../helpers/test-database";

export interface ZipEntrySpec {
  name: string;
  /** The bytes stored in the archive (already compressed for method 8). */
  data: Uint8Array;
  /** What the central directory claims once inflated. */
  declaredSize: number;
  method?: number;
  flags?: number;
  crc?: number;
}

export function deflated(
  name: string,
  content: Uint8Array,
  declaredSize = content.length,
): ZipEntrySpec {
  return {
    name,
    data: zlib.deflateRawSync(content),
    declaredSize,
    method: 8,
    crc: zlib.crc32(content),
  };
}

export function buildZip(entries: ZipEntrySpec[]): Uint8Array {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, "utf8");
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(entry.flags ?? 0, 6);
    local.writeUInt16LE(entry.method ?? 8, 8);
    local.writeUInt32LE(entry.crc ?? 0, 14);
    local.writeUInt32LE(entry.data.length, 18);
    local.writeUInt32LE(entry.declaredSize, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, Buffer.from(entry.data));

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(entry.flags ?? 0, 8);
    central.writeUInt16LE(entry.method ?? 8, 10);
    central.writeUInt32LE(entry.crc ?? 0, 16);
    central.writeUInt32LE(entry.data.length, 20);
    central.writeUInt32LE(entry.declaredSize, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += 30 + name.length + entry.data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Math.min(entries.length, 0xffff), 8);
  end.writeUInt16LE(Math.min(entries.length, 0xffff), 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...locals, directory, end]));
}

/** Row counts of every table: equal before and after means nothing was written. */
export async function tableCounts(testDb: TestDatabase): Promise<Record<string, number>> {
  const tables = (await testDb.db.introspection.getTables())
    // PostgreSQL lists every schema's tables: only the test's own count.
    .filter((table) => !table.isView && (!testDb.schema || table.schema === testDb.schema))
    .map((table) => table.name)
    .filter((name) => name !== "login_throttle")
    .sort();
  const counts: Record<string, number> = {};
  for (const table of tables) counts[table] = await rowCount(testDb.db, table);
  // Same counts could still hide changed values: the demand total catches those.
  const { total } = await testDb.db
    .selectFrom("demand_lines")
    .select((eb) => eb.fn.sum<number | string | null>("quantity").as("total"))
    .executeTakeFirstOrThrow();
  counts["demand_lines.quantity (sum)"] = Number(total ?? 0);
  return counts;
}

/** Raw deflate of `size` zero bytes, built in 1 MiB steps (never `size` bytes in memory). */
export async function deflatedZeros(size: number): Promise<{ data: Uint8Array; crc: number }> {
  const chunk = Buffer.alloc(1024 * 1024);
  const deflate = zlib.createDeflateRaw({ level: 9 });
  const out: Buffer[] = [];
  deflate.on("data", (piece: Buffer) => out.push(piece));
  const done = new Promise<void>((resolve, reject) => {
    deflate.once("end", resolve);
    deflate.once("error", reject);
  });
  let crc = 0;
  for (let left = size; left > 0; left -= chunk.length) {
    const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
    crc = zlib.crc32(piece, crc);
    if (!deflate.write(piece)) await new Promise((resolve) => deflate.once("drain", resolve));
  }
  deflate.end();
  await done;
  return { data: new Uint8Array(Buffer.concat(out)), crc };
}

export function centralHeader(name: Buffer, spec: ZipEntrySpec, offset: number): Buffer {
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(spec.flags ?? 0, 8);
  central.writeUInt16LE(spec.method ?? 8, 10);
  central.writeUInt32LE(spec.crc ?? 0, 16);
  central.writeUInt32LE(spec.data.length, 20);
  central.writeUInt32LE(spec.declaredSize, 24);
  central.writeUInt16LE(name.length, 28);
  central.writeUInt32LE(offset, 42);
  return Buffer.concat([central, name]);
}

export function localRecord(name: Buffer, spec: ZipEntrySpec): Buffer {
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(spec.flags ?? 0, 6);
  local.writeUInt16LE(spec.method ?? 8, 8);
  local.writeUInt32LE(spec.crc ?? 0, 14);
  local.writeUInt32LE(spec.data.length, 18);
  local.writeUInt32LE(spec.declaredSize, 22);
  local.writeUInt16LE(name.length, 26);
  return Buffer.concat([local, name, Buffer.from(spec.data)]);
}

export function endRecord(entries: number, directorySize: number, directoryOffset: number): Buffer {
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries, 8);
  end.writeUInt16LE(entries, 10);
  end.writeUInt32LE(directorySize, 12);
  end.writeUInt32LE(directoryOffset, 16);
  return end;
}

/**
 * The penetration test's archive: a harmless stored entry and its directory, which a
 * guard reading from the end record sees; then "extra bytes" before the end record,
 * which make JSZip shift every offset by their length — onto a hidden directory whose
 * one entry claims `hiddenSize` bytes (zeros, deflated: the file stays small).
 */
export async function hiddenDirectoryBomb(hiddenSize = 400 * 1024 * 1024): Promise<Uint8Array> {
  const bomb = await deflatedZeros(hiddenSize);
  const hiddenName = Buffer.from("xl/sharedStrings.xml");
  const hiddenSpec: ZipEntrySpec = {
    name: hiddenName.toString(),
    data: bomb.data,
    declaredSize: hiddenSize,
    method: 8,
    crc: bomb.crc,
  };
  const hiddenLocal = localRecord(hiddenName, hiddenSpec);
  // The visible entry must be at least as long as the hidden local record (offsets stay
  // positive) and its name longer than the hidden one (the hidden directory fits).
  const visibleContent = Buffer.alloc(hiddenLocal.length + 1024, 0x20);
  const visibleName = Buffer.from("xl/worksheets/sheet1-harmless.xml");
  const visibleSpec: ZipEntrySpec = {
    name: visibleName.toString(),
    data: visibleContent,
    declaredSize: visibleContent.length,
    method: 0,
    crc: zlib.crc32(visibleContent),
  };
  const visibleLocal = localRecord(visibleName, visibleSpec); // at 0
  const a = visibleLocal.length;
  const visibleDirectory = centralHeader(visibleName, visibleSpec, 0); // at a
  const c = visibleDirectory.length;
  // JSZip: shift k = bytes between the directory's end (a + c) and the end record.
  // Extra bytes = hidden local + hidden directory + padding, k = c + |hidden local|.
  const k = c + hiddenLocal.length;
  // The hidden local record sits at a + c; JSZip reads offset + k, so offset = a + c - k.
  const hiddenDirectory = centralHeader(hiddenName, hiddenSpec, a + c - k);
  const padding = Buffer.alloc(k - hiddenLocal.length - hiddenDirectory.length, 0);
  return new Uint8Array(
    Buffer.concat([
      visibleLocal,
      visibleDirectory,
      hiddenLocal,
      hiddenDirectory,
      padding,
      endRecord(1, c, a),
    ]),
  );
}

/**
 * The penetration test's second workbook: tiny on disk, millions of shared strings
 * (and as many cells) once inflated — within the zip guard's byte limits, so only the
 * counts before exceljs stop it.
 */
export function sharedStringsBomb(strings = 2_800_000): Uint8Array {
  const xml = (text: string) => new TextEncoder().encode(text);
  const repeat = (piece: string, times: number) => xml(piece.repeat(times));
  const sst = Buffer.concat([
    Buffer.from(xml(`<?xml version="1.0"?><sst count="${strings}" uniqueCount="${strings}">`)),
    Buffer.from(repeat("<si><t>x</t></si>", strings)),
    Buffer.from(xml("</sst>")),
  ]);
  return buildZip([
    deflated(
      "[Content_Types].xml",
      xml(
        '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
      ),
    ),
    deflated("xl/workbook.xml", xml('<?xml version="1.0"?><workbook><sheets/></workbook>')),
    deflated(
      "xl/worksheets/sheet1.xml",
      xml('<?xml version="1.0"?><worksheet><sheetData/></worksheet>'),
    ),
    deflated("xl/sharedStrings.xml", sst),
  ]);
}
