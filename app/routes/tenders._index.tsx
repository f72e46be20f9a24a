import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { listTenders } from "../../db/tender-inputs";
import { TendersTable } from "~/components/tenders-table";
import { PageHeading } from "~/components/ui";
import { requireRole } from "~/utils/auth.server";
import { getDb } from "~/utils/db.server";

export const meta: MetaFunction = () => [{ title: "Ausschreibungen – Verbundkauf" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireRole(request, "coordinator", "finance", "committee");
  return json({ tenders: await listTenders(await getDb()) });
}

export default function TendersPage() {
  const { tenders } = useLoaderData<typeof loader>();
  return (
    <>
      <PageHeading>Ausschreibungen</PageHeading>
      <TendersTable tenders={tenders} />
    </>
  );
}
