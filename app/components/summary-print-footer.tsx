import { useNonce } from "~/utils/csp";
import { formatDate } from "~/utils/format";

export interface PrintStamp {
  /** ISO timestamp: the snapshot's creation, or when the page was rendered. */
  at: string;
  /** null for the current working state. */
  version: number | null;
  appVersion: string;
}

/** "Stand: 28.11.2026 · Beschlussstand Version 2" or "… · aktueller Arbeitsstand". */
export function stampText(stamp: PrintStamp): string {
  const state =
    stamp.version === null ? "aktueller Arbeitsstand" : `Beschlussstand Version ${stamp.version}`;
  return `Stand: ${formatDate(stamp.at)} · ${state} · Verbundkauf ${stamp.appVersion}`;
}

/** A CSS string literal: every character outside plain ASCII text as a CSS escape. */
export function cssString(text: string): string {
  return `"${[...text].map((c) => (/[\w .,:()-]/.test(c) ? c : `\\${c.codePointAt(0)!.toString(16)} `)).join("")}"`;
}

/**
 * The stamp closes the document (on screen and on paper), and in print it also stands
 * in the bottom margin of every page with the page number. Page-margin boxes are the
 * only reliable way to repeat it without covering content (position: fixed lands on
 * top of the content in Chromium); browsers without them still print the closing line.
 */
export function PrintFooter({ stamp }: { stamp: PrintStamp }) {
  const text = stampText(stamp);
  const nonce = useNonce(); // the page's CSP allows inline styles only with it
  const css =
    `@media print { @page { ` +
    `@bottom-left { content: ${cssString(text)}; font-size: 8pt; color: #505a5f; } ` +
    `@bottom-right { content: "Seite " counter(page) " von " counter(pages); font-size: 8pt; color: #505a5f; } } }`;
  return (
    <>
      <style nonce={nonce} dangerouslySetInnerHTML={{ __html: css }} />
      <p className="print-footer mt-8 border-t border-line pt-2 text-sm text-muted">{text}</p>
    </>
  );
}
