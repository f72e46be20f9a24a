import type { RequestHandler, Response as ExpressResponse } from "express";
import type { PageRule } from "../app/utils/page-cache.server";
import {
  PageStore,
  type StoredPage,
  bodyWithNonce,
  ifNoneMatchHits,
  pageEtag,
  pageRuleFor,
} from "../app/utils/page-cache.server";
import { installationHasDemo } from "../app/utils/db.server";
import { SESSION_COOKIE_NAME } from "../app/utils/session.server";
import { signedInUser, type SignedIn } from "../app/utils/session-cache.server";

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

/** The signed-in user of a Cookie header (the session cache; replaceable in tests). */
export type Identify = (cookie: string) => Promise<SignedIn | null>;

const identifyBySession: Identify = (cookie) =>
  signedInUser(new Request("http://localhost/", { headers: { Cookie: cookie } }));

/** A finished render that others may be served: the page and the ETag it was kept under. */
interface Rendered {
  etag: string;
  page: StoredPage;
}

/** A render under way of one page for one user (any data version). */
interface Flight {
  etag: string;
  done: Promise<Rendered | null>;
}

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve = (_value: T) => {};
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

export function pageCache(
  store: PageStore = new PageStore(),
  signInStore: PageStore = new PageStore(2 * 1024 * 1024),
  // A signed-out visitor has no consortium: the page depends only on the installation
  // (with no users at all the root loader redirects to /setup, and a redirect is never kept).
  currentDataVersion: () => Promise<string> = async () => `demo=${await installationHasDemo()}`,
  identify: Identify = identifyBySession,
): RequestHandler {
  // Renders in progress by ETag: concurrent views of the same page wait for the one
  // render instead of each rendering it (after a write, every viewer misses at once).
  const rendering = new Map<string, Promise<void>>();
  // Renders in progress by page (user and address, any data version), and the render
  // that follows it. While writes come faster than a page renders (officers saving all
  // the time), every view would otherwise start a render of its own, each from data a
  // few milliseconds newer: the main thread would do nothing else (decision 027). A
  // view that finds its page being rendered from older data waits for the next render,
  // which starts only after that view arrived and so shows everything it must show.
  const flights = new Map<string, Flight>();
  const following = new Map<string, Promise<Rendered | null>>();

  const tagFor = async (cookie: string, url: string, rule: PageRule) => {
    const signedIn = await identify(cookie);
    if (!signedIn) return null;
    const etag = pageEtag({ dataVersion: signedIn.version, user: signedIn.user, url, rule });
    // The same inputs without the data version: one key per user and address.
    const page = pageEtag({ dataVersion: "", user: signedIn.user, url, rule });
    return { etag, page };
  };

  const serve = (res: ExpressResponse, etag: string, stored: StoredPage) => {
    setCacheHeaders(res, etag);
    res.status(stored.status).type(stored.contentType);
    res.end(bodyWithNonce(stored, res.locals.cspNonce as string | undefined));
  };

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
    let tags: { etag: string; page: string } | null;
    try {
      tags = await tagFor(cookie, req.originalUrl, rule);
      if (!tags) return next();
    } catch (error) {
      return next(error);
    }
    let { etag } = tags;

    if (ifNoneMatchHits(req.get("If-None-Match"), etag)) {
      setCacheHeaders(res, etag);
      res.status(304).end();
      return;
    }
    if (rule.store && rendering.has(etag)) await rendering.get(etag);
    const stored = rule.store ? store.get(etag) : undefined;
    if (stored) return serve(res, etag, stored);

    let flight: ReturnType<typeof deferred<Rendered | null>> | null = null;
    if (rule.store) {
      const current = flights.get(tags.page);
      if (current && current.etag !== etag) {
        const upcoming = following.get(tags.page);
        if (upcoming) {
          // Someone else renders the next one (it starts after this view arrived).
          const rendered = await upcoming;
          if (rendered) return serve(res, rendered.etag, rendered.page);
        } else {
          // This view renders the next one, once the current render has ended.
          const mine = deferred<Rendered | null>();
          flight = mine;
          following.set(tags.page, mine.promise);
          await current.done.catch(() => null);
          following.delete(tags.page);
          try {
            const fresh = await tagFor(cookie, req.originalUrl, rule);
            if (!fresh) {
              mine.resolve(null);
              return next();
            }
            etag = fresh.etag;
          } catch (error) {
            mine.resolve(null);
            return next(error);
          }
          const meanwhile = store.get(etag);
          if (meanwhile) {
            mine.resolve({ etag, page: meanwhile });
            return serve(res, etag, meanwhile);
          }
        }
      }
    }

    // A miss: Remix answers; a 200 gets the tag and (pages) is kept for the next view.
    let finished: (page: StoredPage | null) => void = () => {};
    if (rule.store && !rendering.has(etag)) {
      let wake = () => {};
      const renderEtag = etag;
      rendering.set(renderEtag, new Promise<void>((resolve) => (wake = resolve)));
      const ownFlight = flight ?? deferred<Rendered | null>();
      const entry: Flight = { etag: renderEtag, done: ownFlight.promise };
      flights.set(tags.page, entry);
      let once = false;
      finished = (page) => {
        if (once) return;
        once = true;
        rendering.delete(renderEtag);
        if (flights.get(tags.page) === entry) flights.delete(tags.page);
        ownFlight.resolve(page ? { etag: renderEtag, page } : null);
        wake();
      };
      res.once("close", () => finished(null));
    } else if (flight) {
      const pending = flight;
      finished = (page) => pending.resolve(page ? { etag, page } : null);
      res.once("close", () => pending.resolve(null));
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
  finished: (page: StoredPage | null) => void = () => {},
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
    let page: StoredPage | null = null;
    if (keep && store && res.statusCode === 200) {
      page = {
        status: 200,
        contentType: String(res.getHeader("Content-Type") ?? "text/html; charset=utf-8"),
        body: Buffer.concat(chunks),
        nonce,
      };
      store.set(key, page);
    }
    finished(page);
    return result;
  } as typeof res.end;
}
