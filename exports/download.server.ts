// HTTP responses for downloads: workbooks are streamed as they are written (the
// streaming exceljs writer flushes rows), so a state-scale export never sits in
// memory as a whole.
import { PassThrough, type Writable } from "node:stream";
import { createReadableStreamFromReadable } from "@remix-run/node";

export const XLSX_CONTENT_TYPE =
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
export const CSV_CONTENT_TYPE = "text/csv; charset=utf-8";

/** attachment; filename="ascii" plus RFC 5987 filename* for anything else. */
export function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, "_").replace(/["\\]/g, "_");
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

function downloadHeaders(contentType: string, fileName: string): Headers {
  return new Headers({
    "Content-Type": contentType,
    "Content-Disposition": contentDisposition(fileName),
    // Financial figures: never from a shared cache.
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
  });
}

/**
 * Starts `write` and returns the response at once; the body streams while the
 * workbook is written. Errors after the first bytes can only abort the download.
 */
export function streamedWorkbookResponse(
  fileName: string,
  write: (stream: Writable) => Promise<void>,
): Response {
  const stream = new PassThrough();
  write(stream).catch((error: unknown) => {
    console.error(`Export ${fileName} failed:`, error);
    stream.destroy(error instanceof Error ? error : new Error(String(error)));
  });
  return new Response(createReadableStreamFromReadable(stream), {
    status: 200,
    headers: downloadHeaders(XLSX_CONTENT_TYPE, fileName),
  });
}

export function csvResponse(fileName: string, text: string): Response {
  return new Response(text, { status: 200, headers: downloadHeaders(CSV_CONTENT_TYPE, fileName) });
}

/** "2026-11-28" in German time, for file names. */
export function fileDate(at: Date): string {
  return new Intl.DateTimeFormat("en-CA", {
    timeZone: "Europe/Berlin",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(at);
}
