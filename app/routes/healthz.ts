import { json } from "@remix-run/node";
import { getInstallation } from "~/utils/db.server";

// For load balancers and the test harness: no auth, no session, just "does the registry database answer".
export async function loader() {
  try {
    await (await getInstallation()).ping();
    return json({ status: "ok" }, { headers: { "Cache-Control": "no-store" } });
  } catch {
    return json(
      { status: "unavailable" },
      { status: 503, headers: { "Cache-Control": "no-store" } },
    );
  }
}
