import { json, redirect, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { listPartners } from "../../db/partner-demand";
import { PageHeading } from "~/components/ui";
import { requireUser } from "~/utils/auth.server";
import { getDb } from "~/utils/db.server";
import { forbidden } from "~/utils/http.server";

export const meta: MetaFunction = () => [{ title: "Bedarf – Verbundkauf" }];

/** The list of partners to open; an officer goes straight to its own partner. */
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  if (user.role === "officer") {
    if (!user.partnerCode) throw forbidden();
    throw redirect(`/demand/${encodeURIComponent(user.partnerCode)}`);
  }
  return json({ partners: await listPartners(await getDb()) });
}

export default function DemandIndexPage() {
  const { partners } = useLoaderData<typeof loader>();
  return (
    <>
      <PageHeading>Bedarf der Schulträger</PageHeading>
      {partners.length === 0 ? (
        <p className="text-lg">Es sind noch keine Schulträger angelegt.</p>
      ) : (
        <ul className="grid gap-2 text-lg sm:grid-cols-2 lg:grid-cols-3">
          {partners.map((partner) => (
            <li key={partner.code}>
              <Link to={`/demand/${encodeURIComponent(partner.code)}`}>{partner.name}</Link>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
