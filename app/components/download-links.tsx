// Links to the file downloads (resource routes): plain <a download>, since the client
// router must not try to render a workbook. Who sees them is decided by the loader
// with the same role lists the download routes check (app/utils/roles.ts).
import type { ReactNode } from "react";

/** /tenders/:code/cost-split.xlsx, for a snapshot with ?version=N. */
export function costSplitHref(code: string, version: number | null = null): string {
  return `/tenders/${encodeURIComponent(code)}/cost-split.xlsx${version === null ? "" : `?version=${version}`}`;
}

export const DEMAND_XLSX_HREF = "/demand/export.xlsx";
export const DEMAND_CSV_HREF = "/demand/export.csv";

function Download({ href, children }: { href: string; children: ReactNode }) {
  return (
    <a href={href} download>
      {children}
    </a>
  );
}

export function CostSplitLink({ code, version = null }: { code: string; version?: number | null }) {
  return <Download href={costSplitHref(code, version)}>Kostenaufteilung (Excel)</Download>;
}

/** "Alle Bedarfe als Excel · als CSV". */
export function DemandExportLinks() {
  return (
    <>
      <Download href={DEMAND_XLSX_HREF}>Alle Bedarfe als Excel</Download>
      {" · "}
      <Download href={DEMAND_CSV_HREF}>als CSV</Download>
    </>
  );
}
