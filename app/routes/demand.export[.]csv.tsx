// GET /demand/export.csv: all demand lines as CSV for German Excel (";", BOM, CRLF,
// formula injection neutralized), for coordinator and finance.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { demandCsv } from "../../exports/demand-export";
import { loadDemandRows } from "../../exports/demand-rows.server";
import { csvResponse, fileDate } from "../../exports/download.server";
import { requireRole } from "~/utils/auth.server";
import { getDb } from "~/utils/db.server";
import { DEMAND_EXPORT_ROLES } from "~/utils/roles";

export async function loader({ request }: LoaderFunctionArgs) {
  await requireRole(request, ...DEMAND_EXPORT_ROLES);
  const rows = await loadDemandRows(await getDb());
  return csvResponse(`Bedarfsmeldungen-${fileDate(new Date())}.csv`, demandCsv(rows));
}
