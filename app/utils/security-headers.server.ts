import { randomBytes } from "node:crypto";
import { contentSecurityPolicy, type CspOptions } from "./csp";

// The security headers of every response (scripts/server.ts sets them for all
// requests; app/entry.server.tsx only when the app runs under another server).

/** 128 random bits, fresh for every request. */
export function newCspNonce(): string {
  return randomBytes(16).toString("base64");
}

export function securityHeaders(nonce: string, options: CspOptions = {}): Record<string, string> {
  return {
    "Content-Security-Policy": contentSecurityPolicy(nonce, options),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
  };
}
