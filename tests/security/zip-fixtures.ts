// Hand-built zip archives for the upload tests: honest and lying zip bombs, archives
// with too many entries, encrypted or exotic entries. Only what the guard reads is
// filled in faithfully (sizes, offsets, method, flags); CRCs are real too.
import zlib from "node:zlib";
import type SQLite from "better-sqlite3";

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
export function tableCounts(sqlite: SQLite.Database): Record<string, number> {
  const tables = sqlite
    .prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'login_throttle' ORDER BY name",
    )
    .pluck()
    .all() as string[];
  const counts = Object.fromEntries(
    tables.map((t) => [t, Number(sqlite.prepare(`SELECT count(*) FROM "${t}"`).pluck().get())]),
  );
  // Same counts could still hide changed values: the demand total catches those.
  counts["demand_lines.quantity (sum)"] = Number(
    sqlite.prepare("SELECT total(quantity) FROM demand_lines").pluck().get(),
  );
  return counts;
}
