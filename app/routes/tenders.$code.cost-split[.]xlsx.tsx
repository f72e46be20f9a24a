// GET /tenders/:code/cost-split.xlsx[?version=N]: the cost-split workbook of a tender
// (current plan, or snapshot N) for finance, coordinator and committee; officers 403.
// The current plan's workbook adds the sheet "Plan-Ist" when a lot is awarded.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import packageJson from "../../package.json";
import { getPlanVsActual } from "../../db/call-offs";
import { loadCostSplitSource } from "../../exports/cost-split-source.server";
import { costSplitFileName } from "../../exports/cost-split-workbook";
import { streamedWorkbookResponse } from "../../exports/download.server";
import { requireRole } from "~/utils/auth.server";
import { writeCostSplitWorkbookInPool } from "~/utils/compute-pool.server";
import { getDb } from "~/utils/db.server";
import { COST_SPLIT_ROLES } from "~/utils/roles";
import { notFound } from "~/utils/http.server";

const versionSchema = z
  .string()
  .regex(/^[1-9]\d{0,8}$/, "Die Version muss eine positive ganze Zahl sein.")
  .transform(Number)
  .nullable();

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireRole(request, ...COST_SPLIT_ROLES);
  const code = params.code ?? "";
  const parsedVersion = versionSchema.safeParse(new URL(request.url).searchParams.get("version"));
  // A malformed version names no snapshot: the same 404 as an unknown one.
  if (!parsedVersion.success) throw notFound();
  const version = parsedVersion.data;

  const source = await loadCostSplitSource(await getDb(), code, version);
  if (!source.ok && source.reason === "invalid-plan") {
    return new Response(
      "Der gespeicherte Plan ist ungültig; die Kostenaufteilung kann nicht berechnet werden.",
      {
        status: 409,
        headers: { "Content-Type": "text/plain; charset=utf-8" },
      },
    );
  }
  if (!source.ok) throw notFound();

  // Plan against actual (sheet "Plan-Ist") once a lot is awarded; a snapshot is the decided state only.
  const planVsActual =
    version === null ? ((await getPlanVsActual(await getDb(), code))?.comparison ?? null) : null;
  const input = {
    calculation: source.calculation,
    tenderCode: code,
    meta: {
      createdAt: new Date(),
      appVersion: packageJson.version,
      snapshot: source.snapshot,
      tiers: source.tiers,
    },
    planVsActual,
    award: source.award,
  };
  return streamedWorkbookResponse(costSplitFileName(code, version), (stream) =>
    writeCostSplitWorkbookInPool(input, stream),
  );
}
