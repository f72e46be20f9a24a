// The zip-bomb guard reads exactly what JSZip (inside exceljs) reads: an archive with
// more than one possible reading — bytes between the directory and the end record,
// gaps, overlaps, trailing bytes, headers that disagree — is refused, so a hidden
// second directory can never reach the parser.
import zlib from "node:zlib";
import JSZip from "jszip";
import { inspectXlsx } from "../../app/utils/xlsx-guard.server";
import {
  buildZip,
  centralHeader,
  deflated,
  endRecord,
  hiddenDirectoryBomb,
  localRecord,
  type ZipEntrySpec,
} from "./zip-fixtures";

const HIDDEN_SIZE = 400 * 1024 * 1024;
let bomb: Uint8Array;
beforeAll(async () => {
  bomb = await hiddenDirectoryBomb(HIDDEN_SIZE);
}, 60_000);

const text = (s: string) => new TextEncoder().encode(s);
const entry = (name: string, content = `<x>${name}</x>`) => deflated(name, text(content));

/** An archive from explicit pieces: local records (with optional junk between), then the directory. */
function compose(
  parts: (ZipEntrySpec | Uint8Array)[],
  directory: { spec: ZipEntrySpec; offsetOf?: number }[] | "all",
  options: { declaredCount?: number; trailing?: Uint8Array } = {},
): Uint8Array {
  const chunks: Buffer[] = [];
  const offsets = new Map<ZipEntrySpec, number>();
  let at = 0;
  for (const part of parts) {
    const bytes =
      part instanceof Uint8Array ? Buffer.from(part) : localRecord(Buffer.from(part.name), part);
    if (!(part instanceof Uint8Array)) offsets.set(part, at);
    chunks.push(bytes);
    at += bytes.length;
  }
  const listed =
    directory === "all"
      ? [...offsets.keys()].map((spec) => ({ spec, offsetOf: undefined }))
      : directory;
  const central = Buffer.concat(
    listed.map(({ spec, offsetOf }) =>
      centralHeader(Buffer.from(spec.name), spec, offsetOf ?? offsets.get(spec)!),
    ),
  );
  const end = endRecord(options.declaredCount ?? listed.length, central.length, at);
  return new Uint8Array(
    Buffer.concat([...chunks, central, end, Buffer.from(options.trailing ?? new Uint8Array())]),
  );
}

describe("the penetration test's archive", () => {
  it("is small, and JSZip really reads the hidden 400 MiB entry (the fixture is hostile)", async () => {
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const zip = await JSZip.loadAsync(bomb);
    expect(Object.keys(zip.files)).toEqual(["xl/sharedStrings.xml"]);
    const data = (
      zip.files["xl/sharedStrings.xml"] as unknown as { _data: { uncompressedSize: number } }
    )._data;
    expect(data.uncompressedSize).toBe(HIDDEN_SIZE);
  });

  it("is refused by the guard, quickly and without inflating the hidden entry", () => {
    const rssBefore = process.memoryUsage().rss;
    const started = performance.now();
    expect(inspectXlsx(bomb)).toEqual({ ok: false, reason: "corrupt" });
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(50 * 1024 * 1024);
  });
});

describe("exactly one consistent layout", () => {
  it("passes a plain archive of several entries (the pieces below are valid on their own)", () => {
    const a = entry("a.xml");
    const b = entry("b.xml");
    expect(inspectXlsx(compose([a, b], "all"))).toMatchObject({ ok: true, entries: 2 });
    expect(inspectXlsx(buildZip([a, b]))).toMatchObject({ ok: true, entries: 2 });
  });

  it("refuses bytes after the end record, and a comment length that does not reach the end", () => {
    const zip = buildZip([entry("a.xml")]);
    expect(inspectXlsx(new Uint8Array([...zip, 0]))).toEqual({ ok: false, reason: "corrupt" });
    const withComment = new Uint8Array([...zip, ...text("hallo")]);
    const view = new DataView(withComment.buffer);
    view.setUint16(zip.length - 2, 4, true); // says 4, has 5
    expect(inspectXlsx(withComment)).toEqual({ ok: false, reason: "corrupt" });
    view.setUint16(zip.length - 2, 5, true); // honest comment: fine
    expect(inspectXlsx(withComment)).toMatchObject({ ok: true });
  });

  it("refuses a second end record behind the first (in its comment)", () => {
    const zip = buildZip([entry("a.xml")]);
    const fakeEnd = endRecord(0, 0, 0);
    const withFake = new Uint8Array([...zip, ...fakeEnd]);
    new DataView(withFake.buffer).setUint16(zip.length - 2, fakeEnd.length, true);
    expect(inspectXlsx(withFake)).toEqual({ ok: false, reason: "corrupt" });
  });

  it("refuses bytes between the directory and the end record", () => {
    const a = entry("a.xml");
    const zip = compose([a], "all");
    const directoryEnd = zip.length - 22;
    const padded = new Uint8Array([
      ...zip.subarray(0, directoryEnd),
      ...new Uint8Array(16),
      ...zip.subarray(directoryEnd),
    ]);
    expect(inspectXlsx(padded)).toEqual({ ok: false, reason: "corrupt" });
  });

  it("refuses unreferenced bytes (a gap) between entries and before the directory", () => {
    const a = entry("a.xml");
    const b = entry("b.xml");
    expect(inspectXlsx(compose([a, new Uint8Array(7), b], "all"))).toEqual({
      ok: false,
      reason: "corrupt",
    });
    expect(inspectXlsx(compose([a, b, new Uint8Array(7)], "all"))).toEqual({
      ok: false,
      reason: "corrupt",
    });
    // A whole local record the directory does not list is a gap as well.
    expect(inspectXlsx(compose([a, b], [{ spec: a }]))).toEqual({ ok: false, reason: "corrupt" });
  });

  it("refuses overlapping entries: two directory entries on one local record", () => {
    const a = entry("a.xml");
    const twin = { ...a, name: "a.xml" };
    expect(inspectXlsx(compose([a], [{ spec: a }, { spec: twin, offsetOf: 0 }]))).toEqual({
      ok: false,
      reason: "corrupt",
    });
    const b = entry("b.xml");
    expect(inspectXlsx(compose([a, b], [{ spec: a }, { spec: b, offsetOf: 5 }]))).toEqual({
      ok: false,
      reason: "corrupt",
    });
  });

  it("refuses more directory headers than the end record declares (JSZip reads on while the signature repeats)", () => {
    const a = entry("a.xml");
    const b = entry("b.xml");
    expect(inspectXlsx(compose([a, b], "all", { declaredCount: 1 }))).toEqual({
      ok: false,
      reason: "corrupt",
    });
  });

  it("refuses local and central headers that disagree on name, sizes or method", () => {
    const a = entry("a.xml");
    const renamed = { ...a, name: "b.xml" };
    expect(inspectXlsx(compose([a], [{ spec: renamed, offsetOf: 0 }]))).toEqual({
      ok: false,
      reason: "corrupt",
    });
    const bigger = { ...a, declaredSize: a.declaredSize + 1 };
    expect(inspectXlsx(compose([a], [{ spec: bigger, offsetOf: 0 }]))).toEqual({
      ok: false,
      reason: "corrupt",
    });
    const stored = { ...a, method: 0 };
    expect(inspectXlsx(compose([a], [{ spec: stored, offsetOf: 0 }]))).toEqual({
      ok: false,
      reason: "corrupt",
    });
  });

  it("refuses two entries with the same name", () => {
    const a = entry("a.xml");
    const again = entry("a.xml", "<x>anders</x>");
    expect(inspectXlsx(compose([a, again], "all"))).toEqual({ ok: false, reason: "corrupt" });
  });

  it("refuses zip64 markers and split archives", () => {
    const zip = buildZip([entry("a.xml")]);
    const copy = (edit: (view: DataView) => void) => {
      const bytes = new Uint8Array(zip);
      edit(new DataView(bytes.buffer));
      return inspectXlsx(bytes);
    };
    const end = zip.length - 22;
    expect(copy((v) => v.setUint32(end + 16, 0xffffffff, true))).toEqual({
      ok: false,
      reason: "unsupported",
    });
    expect(copy((v) => v.setUint16(end + 4, 1, true))).toEqual({
      ok: false,
      reason: "unsupported",
    });
  });

  it("accepts entries with data descriptors (streaming writers) when they agree, not otherwise", () => {
    const content = text("<x>streamed</x>");
    const data = zlib.deflateRawSync(content);
    const crc = zlib.crc32(content);
    const spec: ZipEntrySpec = {
      name: "s.xml",
      data,
      declaredSize: content.length,
      method: 8,
      flags: 8,
      crc,
    };
    const descriptor = (size: number) => {
      const d = Buffer.alloc(16);
      d.writeUInt32LE(0x08074b50, 0);
      d.writeUInt32LE(crc, 4);
      d.writeUInt32LE(data.length, 8);
      d.writeUInt32LE(size, 12);
      return new Uint8Array(d);
    };
    expect(inspectXlsx(compose([spec, descriptor(content.length)], "all"))).toMatchObject({
      ok: true,
    });
    expect(inspectXlsx(compose([spec, descriptor(content.length + 1)], "all"))).toEqual({
      ok: false,
      reason: "corrupt",
    });
  });
});
