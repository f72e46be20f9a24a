import { PassThrough, type Writable } from "node:stream";

/** Runs a streaming writer against an in-memory stream and returns all bytes written. */
export async function writeToBuffer(write: (stream: Writable) => Promise<void>): Promise<Buffer> {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on("data", (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<void>((resolve, reject) => {
    stream.on("end", resolve);
    stream.on("error", reject);
  });
  await write(stream);
  await ended;
  return Buffer.concat(chunks);
}

/** Reads an xlsx back with exceljs (its typings predate Node's generic Buffer). */
export async function loadWorkbook(buffer: Buffer): Promise<import("exceljs").Workbook> {
  const { default: ExcelJS } = await import("exceljs");
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(buffer as unknown as ArrayBuffer);
  return workbook;
}
