import { createCookie, type Cookie } from "@remix-run/node";
import { sessionSecrets } from "./session-secret.server";

// The session cookie carries only the signed session id; the session itself lives in
// the `sessions` table (db/sessions.ts). See docs/decisions/001-sessions-and-auth.md.
export const SESSION_COOKIE_NAME = "vk_session";

let cookie: { secrets: string; cookie: Cookie } | undefined;

function sessionCookie(): Cookie {
  const secrets = sessionSecrets();
  const key = secrets.join(",");
  if (cookie?.secrets !== key) {
    cookie = {
      secrets: key,
      // No maxAge: the cookie ends with the browser; the server enforces idle and absolute timeouts.
      cookie: createCookie(SESSION_COOKIE_NAME, {
        httpOnly: true,
        sameSite: "lax",
        path: "/",
        secrets,
      }),
    };
  }
  return cookie.cookie;
}

/** HTTPS as the browser sees it: the request URL, or the proxy's header when TRUST_PROXY=1. */
export function isSecureRequest(request: Request): boolean {
  if (new URL(request.url).protocol === "https:") return true;
  if (process.env.TRUST_PROXY !== "1") return false;
  const forwarded = request.headers.get("X-Forwarded-Proto")?.split(",")[0]?.trim().toLowerCase();
  return forwarded === "https";
}

export async function readSessionId(request: Request): Promise<string | null> {
  const value: unknown = await sessionCookie().parse(request.headers.get("Cookie"));
  return typeof value === "string" && value.length > 0 ? value : null;
}

export async function serializeSessionCookie(request: Request, sessionId: string): Promise<string> {
  return sessionCookie().serialize(sessionId, { secure: isSecureRequest(request) });
}

export async function serializeClearedSessionCookie(request: Request): Promise<string> {
  return sessionCookie().serialize("", {
    secure: isSecureRequest(request),
    maxAge: 0,
    expires: new Date(0),
  });
}
