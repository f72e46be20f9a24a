import type { LoaderFunctionArgs } from "@remix-run/node";
import { inventoryGridsOf, loadPartnerInventory } from "../../db/inventory";
import { requirePartnerWrite, requireUser } from "~/utils/auth.server";
import { buildTemplateInPool } from "~/utils/compute-pool.server";
import { getDb } from "~/utils/db.server";
import { notFound } from "~/utils/http.server";

// GET /inventory/:partner/template.xlsx: the partner's pre-filled inventory template
// (for those who may upload it: the partner's officers and the coordinator).
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const now = new Date();
  const data = await loadPartnerInventory(await getDb(), params.partner ?? "", now);
  if (!data) throw notFound();
  requirePartnerWrite(user, data.partner.code);
  // exceljs builds the workbook synchronously: in a worker thread.
  const file = await buildTemplateInPool("inventory", {
    partner: data.partner,
    grids: inventoryGridsOf(data),
    generatedAt: now,
  });
  const day = new Intl.DateTimeFormat("sv-SE", { timeZone: "Europe/Berlin" }).format(now);
  const name = `Bestand-${data.partner.code}-${day}.xlsx`.replace(/[^A-Za-z0-9._-]/g, "_");
  return new Response(file, {
    headers: {
      "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      "Content-Disposition": `attachment; filename="${name}"`,
      "Content-Length": String(file.length),
      "Cache-Control": "private, no-store",
    },
  });
}
