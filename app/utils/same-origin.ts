// CSRF defence in depth next to SameSite=Lax: a state-changing request must come from
// our own origin. Browsers send Sec-Fetch-Site and Origin on such requests; clients
// that send neither (curl, tests) are not browsers and carry no ambient cookies.

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export interface RequestOriginInfo {
  method: string;
  /** The Host the browser addressed (or X-Forwarded-Host behind a trusted proxy). */
  host: string | undefined;
  origin: string | undefined;
  secFetchSite: string | undefined;
}

export function isCrossSiteWrite({
  method,
  host,
  origin,
  secFetchSite,
}: RequestOriginInfo): boolean {
  if (SAFE_METHODS.has(method.toUpperCase())) return false;
  if (secFetchSite && secFetchSite !== "same-origin" && secFetchSite !== "none") return true;
  if (origin === undefined) return false;
  if (origin === "null") return true;
  try {
    return new URL(origin).host.toLowerCase() !== (host ?? "").toLowerCase();
  } catch {
    return true;
  }
}

/**
 * The stricter rule scripts/server.ts applies: a state-changing request passes only
 * when the browser shows that it comes from this origin — `Origin` naming our host or
 * `Sec-Fetch-Site: same-origin` — and nothing says otherwise. A write without either
 * header is refused too: every browser we support sends `Origin` on POST, and
 * scripts can send it as well.
 */
export function isProvenSameOriginWrite({
  method,
  host,
  origin,
  secFetchSite,
}: RequestOriginInfo): boolean {
  if (SAFE_METHODS.has(method.toUpperCase())) return true;
  if (isCrossSiteWrite({ method, host, origin, secFetchSite })) return false;
  return secFetchSite === "same-origin" || (origin !== undefined && origin !== "null");
}
