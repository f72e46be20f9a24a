// /tenders — all tenders with their estimated contract value and EU verdict from the
// engine; the coordinator may start a new one.
import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useSearchParams } from "@remix-run/react";
import { formatEuro } from "../../domain/money";
import { tenderUsageLevels } from "../../db/call-offs";
import { UsageTag } from "~/components/call-off-usage";
import { EU_VERDICT } from "~/components/result-tables";
import { ErrorSummary, Notice, PageHeading, Table, Tag, Td, Th } from "~/components/ui";
import { requireUser } from "~/utils/auth.server";
import { currentPlanCalculation } from "~/utils/current-plan-cache.server";
import { getDb } from "~/utils/db.server";
import { formatInteger } from "~/utils/format";

export const meta: MetaFunction = () => [{ title: "Ausschreibungen – Verbundkauf" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const db = await getDb();
  const current = await currentPlanCalculation(db);
  // Awarded tenders: worst use of their maximum quantities (badge, see call-offs page).
  const usage = await tenderUsageLevels(db);
  const calculated = current.ok
    ? new Map(current.calculation.tenders.map((t) => [t.code, t]))
    : new Map();
  return json({
    canCreate: user.role === "coordinator",
    usage,
    problems: current.ok ? [] : current.problems.map((p) => `${p.path}: ${p.message}`),
    tenders: (current.plan.tenders ?? []).map((tender) => {
      const calc = calculated.get(tender.code);
      return {
        code: tender.code,
        name: tender.name,
        startYear: tender.startYear,
        termYears: tender.termYears,
        lots: tender.lots.length,
        estimatedValue: calc ? formatEuro(calc.estimatedValueNet) : "–",
        euProcedureRequired: calc ? Boolean(calc.euProcedureRequired) : null,
      };
    }),
  });
}

export default function TendersPage() {
  const { tenders, canCreate, problems, usage } = useLoaderData<typeof loader>();
  const [searchParams] = useSearchParams();
  return (
    <>
      <PageHeading>Ausschreibungen</PageHeading>
      {searchParams.get("notice") === "deleted" ? (
        <Notice>Die Ausschreibung wurde gelöscht.</Notice>
      ) : null}
      <ErrorSummary
        errors={problems.length ? ["Der gespeicherte Plan ist ungültig:", ...problems] : undefined}
      />
      {canCreate ? (
        <p className="mb-6">
          <Link
            to="/tenders/new"
            className="inline-block bg-ok px-4 py-2 font-semibold text-white no-underline shadow-[0_2px_0_#002d18] hover:bg-[#005a30]"
          >
            Neue Ausschreibung
          </Link>
          <Link to="/categories" className="ml-6">
            Produktgruppen und Staffeln
          </Link>
          <Link to="/admin/plan" className="ml-6">
            Plandatei herunterladen oder hochladen
          </Link>
        </p>
      ) : (
        <p className="mb-6">
          <Link to="/categories">Produktgruppen und Staffeln</Link>
        </p>
      )}
      {tenders.length === 0 ? (
        <p className="text-lg">Es sind noch keine Ausschreibungen angelegt.</p>
      ) : (
        <Table>
          <thead>
            <tr>
              <Th>Kürzel</Th>
              <Th>Bezeichnung</Th>
              <Th numeric>Startjahr</Th>
              <Th numeric>Laufzeit</Th>
              <Th numeric>Lose</Th>
              <Th numeric>Geschätzter Auftragswert (netto)</Th>
              <Th>Vergabe</Th>
            </tr>
          </thead>
          <tbody>
            {tenders.map((tender) => (
              <tr key={tender.code} data-tender={tender.code}>
                <Td>
                  <Link to={`/tenders/${encodeURIComponent(tender.code)}`}>{tender.code}</Link>
                </Td>
                <Td>{tender.name}</Td>
                <Td numeric>{tender.startYear}</Td>
                <Td numeric>{tender.termYears === 1 ? "1 Jahr" : `${tender.termYears} Jahre`}</Td>
                <Td numeric>{formatInteger(tender.lots)}</Td>
                <Td numeric data-field="estimatedValue">
                  {tender.estimatedValue}
                </Td>
                <Td>
                  {tender.euProcedureRequired === null ? (
                    "–"
                  ) : (
                    <Tag tone={tender.euProcedureRequired ? "red" : "green"}>
                      {tender.euProcedureRequired ? EU_VERDICT.required : EU_VERDICT.national}
                    </Tag>
                  )}
                  {usage[tender.code] ? (
                    <Link
                      to={`/tenders/${encodeURIComponent(tender.code)}/call-offs`}
                      className="ml-2"
                      aria-label={`Abrufe ${tender.code}`}
                    >
                      <UsageTag level={usage[tender.code]} />
                    </Link>
                  ) : null}
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </>
  );
}
