import { createContext, useContext } from "react";

// Markup drawn on the server (the charts' SVG) is written into the document's HTML by
// the server render. Remix also serialises every loader's data into the document for
// hydration, so the same markup travelled a second time, escaped, in a script: at state
// scale 1.1 MB of the committee summary's 3.3 MB (decision 031). In a document request
// the loader therefore hands the markup aside (server-markup.server.ts) and puts only a
// reference into its data; the server render takes the markup from this context, and in
// the browser the HTML is already there. Client navigations (`?_data=`) carry the markup
// as a string, as before.

/** Markup as a string, or a reference to markup the server writes into the page once. */
export type Markup = string | { markupRef: string };

/** The markup handed aside by this request's loaders (server render only). */
export const ServerMarkupContext = createContext<ReadonlyMap<string, string> | null>(null);

/**
 * The markup to render: the string itself, or for a reference the markup handed aside
 * (server render) or, in the browser, the markup the server wrote into the element that
 * carries the reference (`data-markup-ref`, see markupRefAttribute). Reading it back
 * from the page keeps hydration exact, and keeps the drawing when React has to render
 * the page afresh in the browser (after a hydration error it replaces the server's HTML).
 */
export function useMarkup(markup: Markup): string {
  const handedAside = useContext(ServerMarkupContext);
  if (typeof markup === "string") return markup;
  if (handedAside) return handedAside.get(markup.markupRef) ?? "";
  if (typeof document === "undefined") return "";
  const written = document.querySelector(`[${MARKUP_REF}="${CSS.escape(markup.markupRef)}"]`);
  return written?.innerHTML ?? "";
}

const MARKUP_REF = "data-markup-ref";

/** The attribute that marks the element holding a referenced markup (none for a string). */
export function markupRefAttribute(markup: Markup): Record<string, string> {
  return typeof markup === "string" ? {} : { [MARKUP_REF]: markup.markupRef };
}
