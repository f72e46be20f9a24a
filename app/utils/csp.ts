import { createContext, useContext } from "react";

// The Content-Security-Policy of every page. Remix renders a few inline scripts (the
// route context, the module loader, scroll restoration); they carry a per-request
// nonce instead of allowing 'unsafe-inline' for scripts. Inline *style attributes*
// stay allowed: recharts draws its SVG with them, and styles cannot run code.

export interface CspOptions {
  /** `remix dev` live reload talks to its own websocket port. */
  development?: boolean;
}

export function contentSecurityPolicy(nonce: string, { development = false }: CspOptions = {}): string {
  const directives: Record<string, string[]> = {
    "default-src": ["'self'"],
    "script-src": ["'self'", `'nonce-${nonce}'`],
    "style-src": ["'self'"],
    "style-src-attr": ["'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": development ? ["'self'", "ws://localhost:*", "ws://127.0.0.1:*"] : ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
  };
  return Object.entries(directives)
    .map(([name, values]) => `${name} ${values.join(" ")}`)
    .join("; ");
}

/**
 * The nonce while rendering on the server; on the client it stays "" — browsers hide
 * a nonce from the DOM once the policy is applied, so "" is also what hydration finds.
 */
export const NonceContext = createContext("");

export function useNonce(): string {
  return useContext(NonceContext);
}
