import type { LoaderFunctionArgs } from "@remix-run/node";
import { SUPPORT_KEY_LABELS } from "../../domain/support-form";
import { buildSupportWorkbook } from "../../exports/support-workbook";
import { loadCurrentSupport } from "~/components/support-summary.server";
import { requireUser } from "~/utils/auth.server";
import { getDb } from "~/utils/db.server";

// GET /support/export.xlsx: the support comparison of /support with live formulas.
// Officers get their own partner's rows and the totals, as on the page.
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const now = new Date();
  const current = await loadCurrentSupport(await getDb(), now);
  if (!current.ok)
    return new Response(
      "Der Plan ist derzeit ungültig; der Vergleich kann nicht berechnet werden.",
      { status: 409, headers: { "Content-Type": "text/plain; charset=utf-8" } },
    );
  const file = await buildSupportWorkbook({
    support: current.calculation,
    keyLabel: SUPPORT_KEY_LABELS[current.parameters.key],
    note: current.parameters.note,
    preview: current.preview,
    includePartner:
      user.role === "officer" ? (code: string) => code === user.partnerCode : undefined,
    createdAt: now,
  });
  const day = new Intl.DateTimeFormat("sv-SE", { timeZone: "Europe/Berlin" }).format(now);
  return new Response(new Uint8Array(file), {
    headers: {
      "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      "Content-Disposition": `attachment; filename="IT-Support-${day}.xlsx"`,
      "Content-Length": String(file.length),
      "Cache-Control": "private, no-store",
    },
  });
}
