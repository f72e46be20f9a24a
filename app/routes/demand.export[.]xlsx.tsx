// GET /demand/export.xlsx: all demand lines as a workbook, for coordinator and finance.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { writeDemandWorkbook } from "../../exports/demand-export";
import { loadDemandRows } from "../../exports/demand-rows.server";
import { fileDate, streamedWorkbookResponse } from "../../exports/download.server";
import { germanDateTime } from "../../exports/german-text";
import { requireRole } from "~/utils/auth.server";
import { getDb } from "~/utils/db.server";
import { DEMAND_EXPORT_ROLES } from "~/utils/roles";

export async function loader({ request }: LoaderFunctionArgs) {
  await requireRole(request, ...DEMAND_EXPORT_ROLES);
  const rows = await loadDemandRows(await getDb());
  const now = new Date();
  return streamedWorkbookResponse(`Bedarfsmeldungen-${fileDate(now)}.xlsx`, (stream) =>
    writeDemandWorkbook(rows, stream, {
      createdAt: now,
      title: `Bedarfsmeldungen – Stand ${germanDateTime(now)}`,
    }),
  );
}
