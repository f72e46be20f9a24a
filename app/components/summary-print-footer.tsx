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
  const state = stamp.version === null ? "aktueller Arbeitsstand" : `Beschlussstand Version ${stamp.version}`;
  return `Stand: ${formatDate(stamp.at)} · ${state} · Verbundkauf ${stamp.appVersion}`;
}

/**
 * Shown on screen below the content and, in print, fixed at the bottom of every page
 * (Chromium repeats position: fixed elements on each printed page; see print.css).
 */
export function PrintFooter({ stamp }: { stamp: PrintStamp }) {
  return (
    <p className="print-footer mt-8 border-t border-line pt-2 text-sm text-muted">{stampText(stamp)}</p>
  );
}
