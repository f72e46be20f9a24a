// GET /api/plan: the database as plan@2 (CALCULATION.md §7, §11), for coordinator and
// finance. `?download=1` adds a Content-Disposition with the date in Berlin.
import { json, type LoaderFunctionArgs } from "@remix-run/node";
import { exportPlan } from "../../db/plan-io";
import { getUser } from "~/utils/auth.server";
import { getDb } from "~/utils/db.server";

const BERLIN_DAY = new Intl.DateTimeFormat("en-CA", {
  timeZone: "Europe/Berlin",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
});

/** verbundkauf-plan-2026-11-28.json (the calendar day in Germany). */
export function planFileName(now: Date = new Date()): string {
  return `verbundkauf-plan-${BERLIN_DAY.format(now)}.json`;
}

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await getUser(request);
  if (!user) return json({ error: "Nicht angemeldet." }, { status: 401 });
  if (user.role !== "coordinator" && user.role !== "finance")
    return json({ error: "Kein Zugriff." }, { status: 403 });
  const plan = await exportPlan(await getDb());
  const headers: Record<string, string> = { "Cache-Control": "no-store" };
  if (new URL(request.url).searchParams.get("download") === "1") {
    headers["Content-Disposition"] = `attachment; filename="${planFileName()}"`;
  }
  return new Response(JSON.stringify(plan, null, 2) + "\n", {
    headers: { ...headers, "Content-Type": "application/json; charset=utf-8" },
  });
}
