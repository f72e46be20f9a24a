import { createContext, useContext } from "react";

// Markup drawn on the server (the charts' SVG) is written into the document's HTML by
// the server render. Remix also serialises every loader's data into the document for
// hydration, so the same markup travelled a second time, escaped, in a script: at state
// scale 1.1 MB of the committee summary's 3.3 MB (decision 031). In a document request
// the loader therefore hands the markup aside (server-markup.server.ts) and puts only a
// reference into its data; the server render takes the markup from this context, and in
// the browser the HTML is already there. Client navigations (`?_data=`) carry the markup
// as a string, as before.

/** Markup as a string, or a reference to markup that only the server render has at hand. */
export type Markup = string | { markupRef: string };

/** The markup handed aside by this request's loaders (server render only). */
export const ServerMarkupContext = createContext<ReadonlyMap<string, string> | null>(null);

/**
 * The markup to render: the string itself, or, for a reference, the markup handed aside
 * on the server and "" in the browser. An element that renders "" in the browser must
 * carry `suppressHydrationWarning`: React keeps the server's HTML of an element with
 * dangerouslySetInnerHTML while hydrating and touches it again only when the markup
 * changes, i.e. when newer loader data brings it as a string.
 */
export function useMarkup(markup: Markup): string {
  const handedAside = useContext(ServerMarkupContext);
  if (typeof markup === "string") return markup;
  return handedAside?.get(markup.markupRef) ?? "";
}
