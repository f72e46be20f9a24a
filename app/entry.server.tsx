// Server rendering: the whole page in one turn of the event loop with budget left, the
// CSP nonce on every inline script Remix writes, and error logging without leaking
// anything to the client.
import { type AppLoadContext, type EntryContext, type HandleErrorFunction } from "@remix-run/node";
import { RemixServer } from "@remix-run/react";
import { renderToString } from "react-dom/server";
import { NonceContext } from "~/utils/csp";
import { ServerMarkupContext } from "~/utils/server-markup";
import { newCspNonce, securityHeaders } from "~/utils/security-headers.server";
import { waitForTurn } from "../db/turns";

export default async function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  // scripts/server.ts already sent the headers with its nonce; any other server did not.
  let nonce = loadContext.cspNonce;
  if (!nonce) {
    nonce = newCspNonce();
    for (const [name, value] of Object.entries(securityHeaders(nonce)))
      responseHeaders.set(name, value);
  }
  // The page is rendered whole, in a turn of the event loop with budget left, after the
  // work that waited before it (db/turns.ts, decision 030). React's streaming render ran
  // its work as immediates of its own, outside any budget, and the app streams nothing
  // (no deferred data): every page was complete before its first byte anyway.
  await waitForTurn();
  const html = renderToString(
    <NonceContext.Provider value={nonce}>
      <ServerMarkupContext.Provider value={loadContext.documentMarkup ?? null}>
        <RemixServer context={remixContext} url={request.url} nonce={nonce} />
      </ServerMarkupContext.Provider>
    </NonceContext.Provider>,
  );
  responseHeaders.set("Content-Type", "text/html; charset=utf-8");
  return new Response(`<!DOCTYPE html>${html}`, {
    headers: responseHeaders,
    status: responseStatusCode,
  });
}

/** Logs server errors; aborted requests (the user navigated away) are not errors. */
export const handleError: HandleErrorFunction = (error, { request }) => {
  if (request.signal.aborted) return;
  console.error(error);
};
