import type { RequestHandler, Response as ExpressResponse } from "express";
import {
  PageStore,
  bodyWithNonce,
  ifNoneMatchHits,
  pageEtag,
  pageRuleFor,
} from "../app/utils/page-cache.server";
import { signedInUser } from "../app/utils/session-cache.server";

// Repeat views of unchanged data (app/utils/page-cache.server.ts): GET requests of the
// listed pages by a signed-in user get an ETag of (process, data version, user, address);
// If-None-Match answers 304, a rendered copy in memory answers 200 without running
// loaders or React. Everything else, and every answer other than 200, passes untouched.
// The session is checked on every request before anything is answered from the cache.

/**
 * `private, no-cache`: the browser may keep the page (no shared cache may) and must ask
 * before showing it again; with the ETag that question is a cheap 304. `no-store`
 * would forbid keeping the copy, so there would be nothing to revalidate.
 */
export const REVALIDATE = "private, no-cache";

function setCacheHeaders(res: ExpressResponse, etag: string): void {
  res.setHeader("ETag", etag);
  res.setHeader("Cache-Control", REVALIDATE);
  res.setHeader("Vary", "Cookie");
}

export function pageCache(store: PageStore = new PageStore()): RequestHandler {
  // Renders in progress by ETag: concurrent views of the same page wait for the one
  // render instead of each rendering it (after a write, every viewer misses at once).
  const rendering = new Map<string, Promise<void>>();
  return async (req, res, next) => {
    const rule = req.method === "GET" ? pageRuleFor(req.path) : undefined;
    const cookie = req.get("Cookie");
    if (!rule || !cookie) return next();
    let etag: string;
    try {
      const signedIn = await signedInUser(
        new Request("http://localhost/", { headers: { Cookie: cookie } }),
      );
      if (!signedIn) return next();
      etag = pageEtag({
        dataVersion: signedIn.version,
        user: signedIn.user,
        url: req.originalUrl,
        rule,
      });
    } catch (error) {
      return next(error);
    }

    if (ifNoneMatchHits(req.get("If-None-Match"), etag)) {
      setCacheHeaders(res, etag);
      res.status(304).end();
      return;
    }
    if (rule.store && rendering.has(etag)) await rendering.get(etag);
    const stored = rule.store ? store.get(etag) : undefined;
    if (stored) {
      setCacheHeaders(res, etag);
      res.status(stored.status).type(stored.contentType);
      res.end(bodyWithNonce(stored, res.locals.cspNonce as string | undefined));
      return;
    }

    // A miss: Remix answers; a 200 gets the tag and (pages) is kept for the next view.
    let finished = () => {};
    if (rule.store && !rendering.has(etag)) {
      let wake = () => {};
      rendering.set(etag, new Promise<void>((resolve) => (wake = resolve)));
      finished = () => {
        rendering.delete(etag);
        wake();
      };
      res.once("close", finished);
    }
    const nonce = (res.locals.cspNonce as string | undefined) ?? null;
    const chunks: Buffer[] = [];
    let keep = rule.store;
    const writeHead = res.writeHead;
    res.writeHead = function (this: ExpressResponse, ...args: unknown[]) {
      const status = typeof args[0] === "number" ? args[0] : res.statusCode;
      if (status === 200 && !res.getHeader("Set-Cookie")) setCacheHeaders(res, etag);
      else keep = false;
      return (writeHead as (...a: unknown[]) => ExpressResponse).apply(this, args);
    } as typeof res.writeHead;
    const write = res.write;
    const end = res.end;
    const capture = (chunk: unknown) => {
      if (!keep || chunk === undefined || chunk === null || typeof chunk === "function") return;
      chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array | string));
    };
    res.write = function (this: ExpressResponse, chunk: unknown, ...rest: unknown[]) {
      capture(chunk);
      return (write as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
    } as typeof res.write;
    res.end = function (this: ExpressResponse, chunk?: unknown, ...rest: unknown[]) {
      capture(chunk);
      const result = (end as (...a: unknown[]) => ExpressResponse).call(this, chunk, ...rest);
      if (keep && res.statusCode === 200) {
        store.set(etag, {
          status: 200,
          contentType: String(res.getHeader("Content-Type") ?? "text/html; charset=utf-8"),
          body: Buffer.concat(chunks),
          nonce,
        });
      }
      finished();
      return result;
    } as typeof res.end;
    next();
  };
}
