// /inventory — every partner's installed base at a glance (devices per category),
// with a link to each partner's editor. Officers go straight to their own partner.
import { json, redirect, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { loadInventoryOverview } from "../../db/inventory";
import { PageHeading, RowTh, Table, Td, Th } from "~/components/ui";
import { requireUser } from "~/utils/auth.server";
import { getDb } from "~/utils/db.server";
import { formatInteger } from "~/utils/format";
import { forbidden } from "~/utils/http.server";

export const meta: MetaFunction = () => [{ title: "Bestand der Schulträger – Verbundkauf" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  if (user.role === "officer") {
    if (!user.partnerCode) throw forbidden();
    throw redirect(`/inventory/${encodeURIComponent(user.partnerCode)}`);
  }
  const { categories, rows } = await loadInventoryOverview(await getDb());
  const totals = Object.fromEntries(
    categories.map((c) => [c.code, rows.reduce((s, r) => s + (r.totals[c.code] ?? 0), 0)]),
  );
  return json({
    categories,
    rows,
    totals,
    total: rows.reduce((s, r) => s + r.total, 0),
  });
}

export default function InventoryOverview() {
  const { categories, rows, totals, total } = useLoaderData<typeof loader>();
  return (
    <>
      <PageHeading>Bestand der Schulträger</PageHeading>
      <p className="mb-6 max-w-3xl">
        Geräte, die vor oder außerhalb der gemeinsamen Ausschreibungen angeschafft wurden. Sie gehen
        in die Ersatzplanung und in den Vergleich des Schul-IT-Supports ein (
        <Link to="/support">IT-Support</Link>).
      </p>
      <Table caption="Bestand je Schulträger und Produktgruppe (Stück, alle Anschaffungsjahre)">
        <thead>
          <tr>
            <Th>Schulträger</Th>
            {categories.map((c) => (
              <Th key={c.code} numeric>
                {c.name}
              </Th>
            ))}
            <Th numeric>Summe</Th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.partnerCode} data-partner={r.partnerCode}>
              <RowTh>
                <Link to={`/inventory/${encodeURIComponent(r.partnerCode)}`}>{r.partnerName}</Link>
              </RowTh>
              {categories.map((c) => (
                <Td key={c.code} numeric>
                  {r.totals[c.code] ? formatInteger(r.totals[c.code]) : "–"}
                </Td>
              ))}
              <Td numeric className="font-semibold">
                {formatInteger(r.total)}
              </Td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <RowTh>Summe</RowTh>
            {categories.map((c) => (
              <Td key={c.code} numeric className="font-bold">
                {formatInteger(totals[c.code] ?? 0)}
              </Td>
            ))}
            <Td numeric className="font-bold">
              {formatInteger(total)}
            </Td>
          </tr>
        </tfoot>
      </Table>
    </>
  );
}
