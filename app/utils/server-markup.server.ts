import type { AppLoadContext } from "@remix-run/node";
import type { Markup } from "./server-markup";

/**
 * Markup for a loader's data: in a document request handed aside to the server render
 * (only a reference goes into the hydration data), otherwise the string itself. `key`
 * names the markup uniquely among the request's loaders. See server-markup.tsx.
 */
export function markupForData(context: AppLoadContext, key: string, markup: string): Markup {
  const aside = context.documentMarkup;
  if (!aside) return markup;
  aside.set(key, markup);
  return { markupRef: key };
}

/** Whether a request to this address is a document request, whose markup may be handed aside. */
export function isDocumentRequest(method: string, url: string): boolean {
  if (method !== "GET") return false;
  return !new URL(url, "http://localhost").searchParams.has("_data");
}
