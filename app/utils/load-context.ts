// What scripts/server.ts hands every loader, action and entry.server through Remix's
// getLoadContext. All fields are optional: tests call loaders with `context: {}`,
// and another server passes nothing.
declare module "@remix-run/server-runtime" {
  interface AppLoadContext {
    /** The per-request nonce of the Content-Security-Policy, for Remix's inline scripts. */
    cspNonce?: string;
    /** The client's IP address (the socket's, or the proxy's X-Forwarded-For with TRUST_PROXY=1). */
    clientAddress?: string;
    /**
     * Document requests only: markup a loader hands aside for the server render instead
     * of sending it twice (app/utils/server-markup.tsx).
     */
    documentMarkup?: Map<string, string>;
  }
}

export interface ClientAddressSource {
  socketAddress: string | undefined;
  forwardedFor: string | undefined;
  trustProxy: boolean;
}

/**
 * Behind a trusted proxy, the last X-Forwarded-For entry is the one our proxy added
 * (the client may have sent earlier entries itself); otherwise the socket's address.
 */
export function clientAddress({
  socketAddress,
  forwardedFor,
  trustProxy,
}: ClientAddressSource): string | undefined {
  if (trustProxy && forwardedFor) {
    const hops = forwardedFor
      .split(",")
      .map((hop) => hop.trim())
      .filter(Boolean);
    if (hops.length > 0) return hops[hops.length - 1];
  }
  return socketAddress;
}
