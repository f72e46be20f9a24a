import { createContext, useContext } from "react";

// The Content-Security-Policy of every page. Remix renders a few inline scripts (the
// route context, the module loader, scroll restoration); they carry a per-request
// nonce instead of allowing 'unsafe-inline' for scripts. The print footer's <style>
// carries it too. Inline *style attributes* stay allowed: recharts draws its SVG with
// them, and style attributes cannot run code.

export interface CspOptions {
  /** `remix dev` live reload talks to its own websocket port. */
  development?: boolean;
}

export function contentSecurityPolicy(
  nonce: string,
  { development = false }: CspOptions = {},
): string {
  const directives: Record<string, string[]> = {
    "default-src": ["'self'"],
    "script-src": ["'self'", `'nonce-${nonce}'`],
    "style-src": ["'self'", `'nonce-${nonce}'`],
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

/** The nonce while rendering on the server (app/entry.server.tsx provides it). */
export const NonceContext = createContext("");

/**
 * In the browser the nonce attribute reads as "" (browsers hide it), but the `nonce`
 * property of the server-rendered scripts still holds it: elements React adds on a
 * client-side navigation (the print footer's <style>) need it to be allowed.
 */
function nonceInBrowser(): string {
  if (typeof document === "undefined") return "";
  return document.querySelector<HTMLScriptElement>("script[nonce]")?.nonce ?? "";
}

export function useNonce(): string {
  return useContext(NonceContext) || nonceInBrowser();
}

/**
 * Runs before any module script: zod 4 probes `new Function("")` once to decide on
 * its JIT, which a CSP without 'unsafe-eval' reports as a violation. Its global config
 * lives on globalThis, so setting `jitless` here, first, skips the probe.
 */
const BEFORE_MODULES =
  "globalThis.__zod_globalConfig=Object.assign(globalThis.__zod_globalConfig||{},{jitless:true});";

/** Goes into <head>: the one inline script of our own, carrying the nonce. */
export function CspPrelude() {
  const nonce = useNonce();
  return (
    <script
      nonce={nonce}
      suppressHydrationWarning
      dangerouslySetInnerHTML={{ __html: BEFORE_MODULES }}
    />
  );
}
