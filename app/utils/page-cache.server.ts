import { createHash, randomBytes } from "node:crypto";
import { currentConsortium } from "./db.server";

// Pages that follow only from the data, the signed-in user and the address: the
// committee summary, the tender page, the demand editor and the start pages, plus the
// workbook downloads. For these scripts/page-cache.ts answers a repeat view with
// 304 Not Modified (ETag per data version) and serves a rendered copy from memory
// while nothing was written. See docs/decisions/018-fast-under-load.md.

export interface PageRule {
  pattern: RegExp;
  /** Keep the rendered body in memory (pages); downloads only get an ETag. */
  store: boolean;
  /**
   * Pages that also depend on the clock (the demand editor locks at the deadline):
   * the ETag changes every `timeBucketMs`, so a cached copy is at most that old.
   */
  timeBucketMs?: number;
}

const MINUTE = 60_000;

export const PAGE_RULES: readonly PageRule[] = [
  { pattern: /^\/$/, store: true },
  { pattern: /^\/tenders\/[^/]+\/?$/, store: true },
  { pattern: /^\/tenders\/[^/]+\/summary\/?$/, store: true },
  { pattern: /^\/tenders\/[^/]+\/compare\/?$/, store: true },
  { pattern: /^\/demand\/[^/]+\/?$/, store: true, timeBucketMs: MINUTE },
  // Pages every role opens: funding programmes, the shared support (its defaults follow
  // the calendar year, hence the bucket) and a partner's inventory.
  { pattern: /^\/funding\/?$/, store: true },
  { pattern: /^\/support\/?$/, store: true, timeBucketMs: MINUTE },
  { pattern: /^\/inventory\/[^/]+\/?$/, store: true },
  { pattern: /^\/tenders\/[^/]+\/cost-split\.xlsx$/, store: false },
  { pattern: /^\/demand\/export\.(xlsx|csv)$/, store: false },
];

export function pageRuleFor(pathname: string): PageRule | undefined {
  return PAGE_RULES.find((rule) => rule.pattern.test(pathname));
}

// A data version (app/utils/data-version-cache.server.ts) is only meaningful for one
// database connection, i.e. one process: the ETag names the process too, so that a
// tag from another process (or from before a restart) can never match by accident.
const PROCESS_TAG = randomBytes(8).toString("hex");

export interface EtagInput {
  dataVersion: string;
  /** Everything of the user that a page shows or decides on. */
  user: { id: number; role: string; partnerCode: string | null; name: string; email: string };
  /** Path and query, as requested (the query includes Remix's `_data`). */
  url: string;
  rule: PageRule;
  now?: number;
}

/** A weak ETag: the body is equivalent, not byte-identical (each page has its own CSP nonce). */
export function pageEtag({ dataVersion, user, url, rule, now = Date.now() }: EtagInput): string {
  const bucket = rule.timeBucketMs ? Math.floor(now / rule.timeBucketMs) : 0;
  const key = [
    PROCESS_TAG,
    // Data versions and user ids repeat across consortia (each has its own database).
    currentConsortium() ?? "",
    dataVersion,
    user.id,
    user.role,
    user.partnerCode ?? "",
    user.name,
    user.email,
    url,
    bucket,
  ].join("\u0000");
  return `W/"${createHash("sha256").update(key).digest("base64url").slice(0, 32)}"`;
}

/** Whether an If-None-Match header names this ETag (weak comparison, as for GET). */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === "*") return true;
  const bare = (tag: string) => tag.trim().replace(/^W\//, "");
  return header.split(",").some((tag) => bare(tag) === bare(etag));
}

export interface StoredPage {
  status: number;
  contentType: string;
  body: Buffer;
  /** The CSP nonce rendered into the body; replaced by the new request's nonce. */
  nonce: string | null;
  /** The body cut at the nonce, computed on first reuse. */
  parts?: Buffer[];
}

/**
 * Rendered pages by ETag, least recently used dropped first, bounded by bytes. One page
 * may take up to half the store: the committee summary at state scale (400 partners)
 * is many megabytes and takes seconds to render, so it is the page most worth keeping
 * (it used to be refused above an eighth, 4 MB, and rendered again on every view).
 */
export class PageStore {
  private readonly pages = new Map<string, StoredPage>();
  private bytes = 0;

  constructor(private readonly maxBytes = 64 * 1024 * 1024) {}

  get(etag: string): StoredPage | undefined {
    const page = this.pages.get(etag);
    if (page) {
      this.pages.delete(etag);
      this.pages.set(etag, page);
    }
    return page;
  }

  set(etag: string, page: StoredPage): void {
    if (page.body.length > this.maxBytes / 2) return;
    this.delete(etag);
    this.pages.set(etag, page);
    this.bytes += page.body.length;
    while (this.bytes > this.maxBytes) this.delete(this.pages.keys().next().value!);
  }

  get size(): number {
    return this.pages.size;
  }

  private delete(etag: string): void {
    const page = this.pages.get(etag);
    if (!page) return;
    this.pages.delete(etag);
    this.bytes -= page.body.length;
  }
}

/** The stored body for a request with another nonce: every occurrence swapped. */
export function bodyWithNonce(page: StoredPage, nonce: string | undefined): Buffer {
  if (!page.nonce || !nonce || page.nonce === nonce) return page.body;
  const parts = (page.parts ??= splitAt(page.body, Buffer.from(page.nonce, "utf8")));
  const replacement = Buffer.from(nonce, "utf8");
  const pieces: Buffer[] = [parts[0]];
  for (let i = 1; i < parts.length; i++) pieces.push(replacement, parts[i]);
  return Buffer.concat(pieces);
}

/** The body cut at every occurrence of `separator` (bytes, no decoding: a page is large). */
function splitAt(body: Buffer, separator: Buffer): Buffer[] {
  const parts: Buffer[] = [];
  let from = 0;
  for (let at = body.indexOf(separator); at !== -1; at = body.indexOf(separator, from)) {
    parts.push(body.subarray(from, at));
    from = at + separator.length;
  }
  parts.push(body.subarray(from));
  return parts;
}
