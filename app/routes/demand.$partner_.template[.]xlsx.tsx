import type { LoaderFunctionArgs } from "@remix-run/node";
import { gridsOf, loadPartnerDemand } from "../../db/demand";
import { listDemandRounds } from "../../db/demand-status";
import { formatBerlinDateTime } from "../../domain/demand-deadline";
import { requirePartnerRead, requireUser } from "~/utils/auth.server";
import { buildTemplateInPool } from "~/utils/compute-pool.server";
import { getDb } from "~/utils/db.server";
import { notFound } from "~/utils/http.server";

// GET /demand/:partner/template.xlsx: the partner's pre-filled Excel template.
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const db = await getDb();
  const now = new Date();
  const data = await loadPartnerDemand(db, params.partner ?? "", now);
  if (!data) throw notFound();
  requirePartnerRead(user, data.partner.code);
  // Each round has its own deadline: name them all ("RV-2027: 31.03.2027, 18:00 Uhr").
  const deadlines = (await listDemandRounds(db)).flatMap((r) =>
    r.deadline ? [`${r.tenderCode}: ${formatBerlinDateTime(r.deadline)}`] : [],
  );
  // exceljs builds the workbook synchronously: in a worker thread.
  const file = await buildTemplateInPool("demand", {
    partner: data.partner,
    grids: gridsOf(data),
    generatedAt: now,
    deadlineText: deadlines.length > 0 ? deadlines.join("; ") : null,
  });
  const day = new Intl.DateTimeFormat("sv-SE", { timeZone: "Europe/Berlin" }).format(now); // 2027-01-10
  const name = `Bedarf-${data.partner.code}-${day}.xlsx`.replace(/[^A-Za-z0-9._-]/g, "_");
  return new Response(file, {
    headers: {
      "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      "Content-Disposition": `attachment; filename="${name}"`,
      "Content-Length": String(file.length),
      "Cache-Control": "private, no-store",
    },
  });
}
