import type { RequestHandler, Response as ExpressResponse } from "express";
import {
  PageStore,
  bodyWithNonce,
  ifNoneMatchHits,
  pageEtag,
  pageRuleFor,
} from "../app/utils/page-cache.server";
import { installationHasDemo } from "../app/utils/db.server";
import { SESSION_COOKIE_NAME } from "../app/utils/session.server";
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

function hasSessionCookie(cookieHeader: string | undefined): boolean {
  return (cookieHeader ?? "")
    .split(";")
    .some((pair) => pair.trim().startsWith(`${SESSION_COOKIE_NAME}=`));
}

/**
 * The sign-in page of a visitor without a session cookie follows only from the build,
 * the data (root loader: no users yet → /setup, the demo banner) and the address (the
 * hidden redirectTo): it is kept per data version and address and served with the new
 * request's nonce. The form has no token and no error state on GET (errors are answers
 * to POST, never stored); a response that sets a cookie or is not 200 is not kept.
 * Its own small store, so that many redirectTo addresses cannot push out other pages.
 */
export function isCacheableSignIn(method: string, path: string, query: string, cookie?: string) {
  if (method !== "GET" || (path !== "/login" && path !== "/login/")) return false;
  if (hasSessionCookie(cookie)) return false;
  // Documents only: `_data` requests and other parameters go to Remix.
  const params = new URLSearchParams(query);
  return [...params.keys()].every((key) => key === "redirectTo");
}

export function pageCache(
  store: PageStore = new PageStore(),
  signInStore: PageStore = new PageStore(2 * 1024 * 1024),
  // A signed-out visitor has no consortium: the page depends only on the installation
  // (with no users at all the root loader redirects to /setup, and a redirect is never kept).
  currentDataVersion: () => Promise<string> = async () => `demo=${await installationHasDemo()}`,
): RequestHandler {
  // Renders in progress by ETag: concurrent views of the same page wait for the one
  // render instead of each rendering it (after a write, every viewer misses at once).
  const rendering = new Map<string, Promise<void>>();
  return async (req, res, next) => {
    const cookie = req.get("Cookie");
    const query = req.originalUrl.includes("?") ? req.originalUrl.split("?")[1] : "";
    if (isCacheableSignIn(req.method, req.path, query, cookie)) {
      let key: string;
      try {
        key = `sign-in\u0000${await currentDataVersion()}\u0000${req.originalUrl}`;
      } catch (error) {
        return next(error);
      }
      const stored = signInStore.get(key);
      if (stored) {
        res.status(stored.status).type(stored.contentType);
        res.end(bodyWithNonce(stored, res.locals.cspNonce as string | undefined));
        return;
      }
      keepRendered(res, signInStore, key, false);
      return next();
    }
    const rule = req.method === "GET" ? pageRuleFor(req.path) : undefined;
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
    keepRendered(res, rule.store ? store : null, etag, etag, finished);
    next();
  };
}

/**
 * Captures a response Remix writes: a 200 without Set-Cookie is kept in `store` under
 * `key` (with the nonce it was rendered with) and, when `etag` is given, gets the
 * cache headers; anything else passes untouched.
 */
function keepRendered(
  res: ExpressResponse,
  store: PageStore | null,
  key: string,
  etag: string | false,
  finished: () => void = () => {},
): void {
  const nonce = (res.locals.cspNonce as string | undefined) ?? null;
  const chunks: Buffer[] = [];
  let keep = store !== null;
  const writeHead = res.writeHead;
  res.writeHead = function (this: ExpressResponse, ...args: unknown[]) {
    const status = typeof args[0] === "number" ? args[0] : res.statusCode;
    if (status === 200 && !res.getHeader("Set-Cookie")) {
      if (etag) setCacheHeaders(res, etag);
    } else keep = false;
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
    if (keep && store && res.statusCode === 200) {
      store.set(key, {
        status: 200,
        contentType: String(res.getHeader("Content-Type") ?? "text/html; charset=utf-8"),
        body: Buffer.concat(chunks),
        nonce,
      });
    }
    finished();
    return result;
  } as typeof res.end;
}
