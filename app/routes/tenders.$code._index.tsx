import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { getTenderInputs } from "../../db/tender-inputs";
import { DescriptionList, PageHeading, RowTh, SectionHeading, Table, Td, Th } from "~/components/ui";
import { requireRole } from "~/utils/auth.server";
import { COST_KEY_LABELS } from "~/utils/cost-key-labels";
import { getDb } from "~/utils/db.server";
import { formatCents, formatDecimal, formatPercent } from "~/utils/format";
import { notFound } from "~/utils/http.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `${data.tender.name} – Verbundkauf` : "Ausschreibung – Verbundkauf" },
];

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireRole(request, "coordinator", "finance", "committee");
  const tender = await getTenderInputs(await getDb(), params.code ?? "");
  if (!tender) throw notFound();
  return json({ tender });
}

export default function TenderPage() {
  const { tender } = useLoaderData<typeof loader>();
  const lastYear = tender.startYear + tender.termYears - 1;
  return (
    <>
      <p className="mb-2">
        <Link to="/tenders">Alle Ausschreibungen</Link>
      </p>
      <PageHeading caption={`Ausschreibung ${tender.code}`}>{tender.name}</PageHeading>

      <SectionHeading>Eckdaten</SectionHeading>
      <DescriptionList
        items={[
          { term: "Startjahr", value: tender.startYear },
          {
            term: "Laufzeit",
            value: `${tender.termYears === 1 ? "1 Jahr" : `${tender.termYears} Jahre`} (${tender.startYear}–${lastYear})`,
          },
          { term: "Reserve auf die Höchstmenge", value: formatPercent(tender.reserve) },
          { term: "Kosten eines eigenen Vergabeverfahrens (brutto)", value: formatCents(tender.soloProcessCostGrossCents) },
        ]}
      />

      <SectionHeading>Lose</SectionHeading>
      {tender.lots.length === 0 ? <p className="text-lg">Diese Ausschreibung hat noch keine Lose.</p> : null}
      {tender.lots.map((lot) => (
        <Table key={lot.code} caption={`Los ${lot.code}: ${lot.name}`} className="mb-8">
          <thead>
            <tr>
              <Th>Produktgruppe</Th>
              <Th>Kennung</Th>
              <Th>Einheit</Th>
              <Th numeric>Grundpreis (netto)</Th>
              <Th numeric>USt.</Th>
            </tr>
          </thead>
          <tbody>
            {lot.categories.map((category) => (
              <tr key={category.code}>
                <RowTh>{category.name}</RowTh>
                <Td>{category.code}</Td>
                <Td>{category.unit ?? "–"}</Td>
                <Td numeric>{formatCents(category.basePriceNetCents)}</Td>
                <Td numeric>{formatPercent(category.vatRate)}</Td>
              </tr>
            ))}
          </tbody>
        </Table>
      ))}

      <SectionHeading>Gemeinkosten</SectionHeading>
      {tender.commonCosts.length === 0 ? (
        <p className="text-lg">Keine Gemeinkosten erfasst.</p>
      ) : (
        <Table>
          <thead>
            <tr>
              <Th>Posten</Th>
              <Th>Verteilung</Th>
              <Th numeric>Betrag (brutto)</Th>
            </tr>
          </thead>
          <tbody>
            {tender.commonCosts.map((cost, index) => (
              <tr key={index}>
                <RowTh>{cost.label}</RowTh>
                <Td>
                  {COST_KEY_LABELS[cost.key]}
                  {cost.key === "custom" && cost.weights.length > 0 ? (
                    <ul className="mt-1 text-sm text-muted">
                      {cost.weights.map((weight) => (
                        <li key={weight.partnerCode}>
                          {weight.partnerName}: {formatDecimal(weight.weight)}
                        </li>
                      ))}
                    </ul>
                  ) : null}
                </Td>
                <Td numeric>{formatCents(cost.amountGrossCents)}</Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </>
  );
}
