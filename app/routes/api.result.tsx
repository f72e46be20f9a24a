// GET /api/result: result@2 (CALCULATION.md §8, §14; the stored plan is plan@2) for the current data, for any
// signed-in user. Signed out: 401 JSON (an API answers, it does not redirect).
import { json, type LoaderFunctionArgs } from "@remix-run/node";
import { calculateCurrentPlan } from "../../db/tenders";
import { toResultFile } from "../../domain/serialize";
import { getUser } from "~/utils/auth.server";
import { getDb } from "~/utils/db.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await getUser(request);
  if (!user) return json({ error: "Nicht angemeldet." }, { status: 401 });
  const current = await calculateCurrentPlan(await getDb());
  if (!current.ok) {
    // The database should never hold an invalid plan; say so instead of guessing figures.
    return json(
      { error: "Der gespeicherte Plan ist ungültig.", problems: current.problems },
      { status: 409 },
    );
  }
  return json(toResultFile(current.calculation), { headers: { "Cache-Control": "no-store" } });
}
