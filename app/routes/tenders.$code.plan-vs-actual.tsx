// /tenders/:code/plan-vs-actual — per partner and year the demand the award was based
// on against the call-offs, both priced by the engine at the awarded prices, with the
// common costs split by the tender's keys. Every signed-in role may read; officers see
// their own partner's rows and the totals of all (see docs/decisions/009-…).
import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { getPlanVsActual } from "../../db/call-offs";
import { germanDate } from "../../domain/call-offs";
import { formatEuro } from "../../domain/money";
import {
  CategoryComparisonTable,
  PartnerComparisonTable,
  PartnerYearsTable,
} from "~/components/call-off-plan-vs-actual";
import { PageHeading, SectionHeading } from "~/components/ui";
import { requireUser } from "~/utils/auth.server";
import { getDb } from "~/utils/db.server";
import { notFound } from "~/utils/http.server";
import { jsonifyBigInts } from "~/utils/jsonify";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Plan-Ist ${data.tender.code} – Verbundkauf` : "Plan-Ist – Verbundkauf" },
];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const data = await getPlanVsActual(await getDb(), params.code ?? "");
  if (!data) throw notFound();
  const all = data.comparison ? jsonifyBigInts(data.comparison) : null;
  // An officer's loader data holds only their own partner: what the page hides must
  // not travel to the browser either. The totals over all partners stay (shown to all).
  const partners = all
    ? all.partners.filter((p) => user.role !== "officer" || p.code === user.partnerCode)
    : [];
  return json({
    ...data,
    comparison: all ? { ...all, partners } : null,
    role: user.role,
    partners,
  });
}

export default function PlanVsActualPage() {
  const data = useLoaderData<typeof loader>();
  const { tender, comparison } = data;
  const tenderPath = `/tenders/${encodeURIComponent(tender.code)}`;
  const problems = comparison
    ? [
        ...new Set(
          [comparison.commonCostProblems.planned, comparison.commonCostProblems.actual].filter(
            (p) => p !== null,
          ),
        ),
      ]
    : [];
  return (
    <>
      <p className="mb-2">
        {data.role !== "officer" ? (
          <>
            <Link to={tenderPath}>Zur Ausschreibung</Link>
            {" · "}
            <Link to={`${tenderPath}/award`}>Zuschlag</Link>
            {" · "}
          </>
        ) : null}
        <Link to={`${tenderPath}/call-offs`}>Abrufe</Link>
      </p>
      <PageHeading caption={`Rahmenvertrag ${tender.code}`}>
        Plan-Ist-Vergleich: {tender.name}
      </PageHeading>
      {!comparison ? (
        <p className="text-lg">
          Noch kein Los dieser Ausschreibung ist vergeben: es gibt noch nichts zu vergleichen.
        </p>
      ) : (
        <>
          <p className="mb-2 max-w-4xl">
            <strong>Plan</strong> ist der Bedarf, auf dem der Zuschlag beruht; <strong>Ist</strong>{" "}
            sind die Abrufe (nach dem Jahr des Abrufdatums). Beide Seiten rechnet dieselbe
            Kalkulation mit den Zuschlagspreisen (fester Preis je Produktgruppe, ohne Staffel); die
            Gemeinkosten ({formatEuro(BigInt(comparison.commonCostsTotal))}) werden nach dem
            Schlüssel der Ausschreibung auf die jeweils beteiligten Schulträger verteilt.
          </p>
          <ul className="mb-4 list-disc pl-6">
            {data.awards.map((a) => (
              <li key={a.lotCode}>
                Los {a.lotCode} ({a.lotName}): {a.supplier}, Zuschlag am {germanDate(a.awardDate)}
              </li>
            ))}
          </ul>
          {data.pendingLots.length > 0 ? (
            <p className="mb-4 font-semibold">
              Noch nicht vergeben und daher nicht enthalten:{" "}
              {data.pendingLots.map((l) => `Los ${l.code}`).join(", ")}.
            </p>
          ) : null}
          {problems.map((p) => (
            <p key={p} className="mb-4 border-l-8 border-[#ffdd00] bg-[#fff7bf] p-3">
              {p}
            </p>
          ))}
          <CategoryComparisonTable data={comparison} />
          <PartnerComparisonTable partners={data.partners} totals={comparison.totals} />
          <SectionHeading id="jahre">Je Haushaltsjahr</SectionHeading>
          {data.partners.length === 0 ? (
            <p className="text-lg">Ihr Schulträger hat weder Plan noch Abrufe in diesen Losen.</p>
          ) : null}
          {data.partners.map((p) => (
            <PartnerYearsTable key={p.code} partner={p} />
          ))}
        </>
      )}
    </>
  );
}
