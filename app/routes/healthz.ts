import { json } from "@remix-run/node";
import { sql } from "kysely";
import { getDb } from "~/utils/db.server";

// For load balancers and the test harness: no auth, no session, just "does the database answer".
export async function loader() {
  try {
    await sql`select 1`.execute(await getDb());
    return json({ status: "ok" }, { headers: { "Cache-Control": "no-store" } });
  } catch {
    return json(
      { status: "unavailable" },
      { status: 503, headers: { "Cache-Control": "no-store" } },
    );
  }
}
