import {
  MaxPartSizeExceededError,
  unstable_createMemoryUploadHandler,
  unstable_parseMultipartFormData,
} from "@remix-run/node";
import { inspectXlsx, xlsxRejectionMessage } from "./xlsx-guard.server";

// Reading uploads with their limits enforced while the body streams in, never after
// buffering it: a declared Content-Length above the limit is refused before reading,
// and a body that grows past it (chunked, or lying) is cut off at the limit.

/** Room for boundaries, part headers and the small fields around the file. */
export const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

export type UploadFailure = { ok: false; status: number; message: string };
export type ReceivedUpload =
  { ok: true; fileName: string; bytes: Uint8Array; fields: FormData } | UploadFailure;

export interface UploadLimits {
  /** The multipart field that carries the file. */
  field: string;
  maxFileBytes: number;
  /** German message for a file above maxFileBytes. */
  tooLargeMessage: string;
}

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`Request body exceeds ${limit} bytes`);
  }
}

/** True when the request declares a body larger than `maxBytes`. */
export function declaresBodyLargerThan(request: Request, maxBytes: number): boolean {
  const length = Number(request.headers.get("Content-Length") ?? "0");
  return Number.isFinite(length) && length > maxBytes;
}

/** A copy of `request` whose body errors with BodyTooLargeError once more than `maxBytes` arrived. */
export function limitRequestBody(request: Request, maxBytes: number): Request {
  if (!request.body) return request;
  let received = 0;
  const counter = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      received += chunk.byteLength;
      if (received > maxBytes) controller.error(new BodyTooLargeError(maxBytes));
      else controller.enqueue(chunk);
    },
  });
  return new Request(request.url, {
    method: request.method,
    headers: request.headers,
    body: request.body.pipeThrough(counter),
    signal: request.signal,
    // Node's fetch needs this for a streamed request body.
    duplex: "half",
  } as RequestInit);
}

const RECEIVE_FAILED = "Die Datei konnte nicht empfangen werden. Bitte erneut versuchen.";

function isFile(value: FormDataEntryValue | null): value is File {
  return typeof value === "object" && value !== null && "arrayBuffer" in value;
}

/**
 * Reads a multipart upload with one file in `field`, within the limits. An empty
 * file with a name comes back as such (the caller says "the file is empty"); no file
 * at all gives 400 with `missingMessage`.
 */
export async function receiveUpload(
  request: Request,
  {
    field,
    maxFileBytes,
    tooLargeMessage,
    missingMessage = "Bitte wählen Sie eine Datei aus.",
  }: UploadLimits & { missingMessage?: string },
): Promise<ReceivedUpload> {
  const maxBodyBytes = maxFileBytes + MULTIPART_OVERHEAD_BYTES;
  const tooLarge: UploadFailure = { ok: false, status: 413, message: tooLargeMessage };
  if (declaresBodyLargerThan(request, maxBodyBytes)) return tooLarge;
  let fields: FormData;
  try {
    fields = await unstable_parseMultipartFormData(
      limitRequestBody(request, maxBodyBytes),
      unstable_createMemoryUploadHandler({ maxPartSize: maxFileBytes }),
    );
  } catch (error) {
    if (error instanceof MaxPartSizeExceededError || error instanceof BodyTooLargeError)
      return tooLarge;
    return { ok: false, status: 400, message: RECEIVE_FAILED };
  }
  const file = fields.get(field);
  if (!isFile(file) || file.name === "") return { ok: false, status: 400, message: missingMessage };
  return { ok: true, fileName: file.name, bytes: new Uint8Array(await file.arrayBuffer()), fields };
}

export type CheckedFile<T> = { ok: true; value: T } | UploadFailure;

/**
 * An Excel workbook: .xlsx name (415 otherwise), not empty, zip signature, and a
 * central directory that is no zip bomb (422 otherwise).
 */
export function checkXlsxFile(fileName: string, bytes: Uint8Array): CheckedFile<Uint8Array> {
  if (!/\.xlsx$/i.test(fileName)) {
    return {
      ok: false,
      status: 415,
      message:
        "Falscher Dateityp: bitte die Excel-Vorlage als .xlsx hochladen (nicht .xls, .csv oder .ods).",
    };
  }
  if (bytes.length === 0) return { ok: false, status: 422, message: "Die Datei ist leer." };
  // Layout and declared sizes here; inflating every part to prove the sizes would hold
  // the event loop for seconds on a 50 MB archive, so the parse worker does it before
  // exceljs (app/utils/parse-worker.task.ts). Nothing else reads the bytes in between.
  const inspected = inspectXlsx(bytes, { proveSizes: false });
  if (!inspected.ok)
    return { ok: false, status: 422, message: xlsxRejectionMessage(inspected.reason) };
  return { ok: true, value: bytes };
}

const NOT_A_PLAN_FILE = "Falscher Dateityp: bitte eine Plandatei im JSON-Format (.json) hochladen.";

/**
 * A plan file: .json name and UTF-8 text (415 otherwise), without a BOM. Whether the
 * text is JSON and a valid plan is the plan parser's job: it lists every problem.
 */
export function checkPlanFile(fileName: string, bytes: Uint8Array): CheckedFile<string> {
  if (!/\.json$/i.test(fileName)) return { ok: false, status: 415, message: NOT_A_PLAN_FILE };
  try {
    // TextDecoder drops a leading BOM (editors on Windows like to add one).
    return { ok: true, value: new TextDecoder("utf-8", { fatal: true }).decode(bytes) };
  } catch {
    return {
      ok: false,
      status: 415,
      message: "Die Datei ist keine Textdatei in UTF-8. " + NOT_A_PLAN_FILE,
    };
  }
}
