// /funding — the funding programmes (Förderprogramme, CALCULATION.md §12) with, per
// partner, budget, granted (over all tenders and years, from the engine) and what
// remains, plus the purpose binding as information. Everyone signed in reads; an
// officer gets only the own partner's row and the totals (filtered here, in the
// loader, so other partners' figures never reach the browser). The coordinator edits.
import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useSearchParams } from "@remix-run/react";
import { listFundingProgrammes, listCategoryChoices } from "../../db/funding";
import type { FundingCalculation } from "../../domain/calculation";
import { fundingOverview } from "../../domain/funding-overview";
import { formatEuro, type Cents } from "../../domain/money";
import {
  DescriptionList,
  ErrorSummary,
  Notice,
  PageHeading,
  RowTh,
  SectionHeading,
  Table,
  Td,
  Th,
} from "~/components/ui";
import { requireUser } from "~/utils/auth.server";
import { currentPlanCalculation } from "~/utils/current-plan-cache.server";
import { getDb } from "~/utils/db.server";
import { formatPercent } from "~/utils/format";

export const meta: MetaFunction = () => [{ title: "Förderung – Verbundkauf" }];

const NOTICES: Record<string, string> = {
  created: "Das Förderprogramm wurde angelegt.",
  saved: "Das Förderprogramm wurde gespeichert.",
  deleted: "Das Förderprogramm wurde gelöscht.",
};

const money = (cents: Cents | null) => (cents === null ? null : formatEuro(cents));

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const db = await getDb();
  const [records, categories, current] = await Promise.all([
    listFundingProgrammes(db),
    listCategoryChoices(db),
    currentPlanCalculation(db),
  ]);
  const partners = current.plan.partners.map((p) => ({ code: p.code, name: p.name }));
  // The engine's figures; a programme it does not know (an invalid plan) shows its
  // budgets with nothing granted.
  const engine: FundingCalculation = current.ok
    ? current.calculation.funding
    : { programmes: [], grants: [] };
  const known = new Set(engine.programmes.map((p) => p.code));
  const funding: FundingCalculation = {
    grants: engine.grants,
    programmes: [
      ...engine.programmes,
      ...records
        .filter((r) => !known.has(r.code))
        .map((r) => ({
          code: r.code,
          name: r.name,
          rate: r.rate,
          fromYear: r.fromYear,
          toYear: r.toYear,
          categories: r.categories,
          maxPerUnitGross: r.maxPerUnitCents === null ? null : BigInt(r.maxPerUnitCents),
          partners: partners.map((p) => {
            const budget = r.budgets
              ? BigInt(r.budgets.find((b) => b.partner === p.code)?.amountCents ?? 0)
              : null;
            return { code: p.code, budgetGross: budget, grantedGross: 0n, remainingGross: budget };
          }),
        })),
    ],
  };
  const overview = new Map(fundingOverview(funding, partners).map((o) => [o.code, o]));
  const categoryName = new Map(categories.map((c) => [c.code, c.name]));
  const ownOnly = user.role === "officer";
  return json({
    canEdit: user.role === "coordinator",
    ownOnly,
    problems: current.ok ? [] : current.problems.map((p) => `${p.path}: ${p.message}`),
    programmes: records.map((r) => {
      const o = overview.get(r.code)!;
      const rows = ownOnly ? o.rows.filter((row) => row.code === user.partnerCode) : o.rows;
      return {
        code: r.code,
        name: r.name,
        rate: formatPercent(r.rate),
        years: r.fromYear === r.toYear ? `${r.fromYear}` : `${r.fromYear}–${r.toYear}`,
        categories: r.categories.map((c) => `${categoryName.get(c) ?? c} (${c})`),
        cap: r.maxPerUnitCents === null ? null : formatEuro(BigInt(r.maxPerUnitCents)),
        hasBudgets: r.budgets !== null,
        rows: rows.map((row) => ({
          code: row.code,
          name: row.name,
          budget: money(row.budgetGross),
          granted: formatEuro(row.grantedGross),
          remaining: money(row.remainingGross),
          boundUntil: row.boundUntil,
        })),
        totals: {
          budget: money(o.totals.budgetGross),
          granted: formatEuro(o.totals.grantedGross),
          remaining: money(o.totals.remainingGross),
          boundUntil: o.totals.boundUntil,
        },
      };
    }),
  });
}

const UNLIMITED = "unbegrenzt";

export default function FundingPage() {
  const { canEdit, ownOnly, programmes, problems } = useLoaderData<typeof loader>();
  const [searchParams] = useSearchParams();
  const notice = NOTICES[searchParams.get("notice") ?? ""];
  return (
    <>
      <PageHeading>Förderprogramme</PageHeading>
      {notice ? <Notice>{notice}</Notice> : null}
      <ErrorSummary
        errors={
          problems.length
            ? ["Der gespeicherte Plan ist ungültig; bewilligte Beträge fehlen:", ...problems]
            : undefined
        }
      />
      <p className="mb-4 max-w-3xl">
        Ein Förderprogramm übernimmt einen Anteil der direkten Bruttokosten förderfähiger
        Produktgruppen in förderfähigen Haushaltsjahren, höchstens bis zum Budget des Partners. Was
        ein Partner danach selbst zahlt, ist sein Eigenanteil (siehe die Ausschreibungen).
        Gemeinkosten werden nicht gefördert.
      </p>
      {canEdit ? (
        <p className="mb-6">
          <Link to="/funding/new" className="font-semibold">
            Neues Förderprogramm anlegen
          </Link>
        </p>
      ) : null}
      {programmes.length === 0 ? <p>Es sind keine Förderprogramme erfasst.</p> : null}
      {programmes.map((p) => (
        <section
          key={p.code}
          id={`programme-${p.code}`}
          aria-labelledby={`programme-${p.code}-heading`}
          className="mb-10"
          data-programme={p.code}
        >
          <SectionHeading id={`programme-${p.code}-heading`}>
            {p.name} ({p.code})
          </SectionHeading>
          <DescriptionList
            items={[
              { term: "Fördersatz", value: p.rate },
              { term: "Förderfähige Jahre", value: p.years },
              { term: "Förderfähige Produktgruppen", value: p.categories.join(", ") },
              { term: "Höchstbetrag je Gerät", value: p.cap ?? "kein Deckel" },
              {
                term: "Budgets",
                value: p.hasBudgets ? "je Partner (ohne Betrag: keine Förderung)" : UNLIMITED,
              },
            ]}
          />
          <Table
            caption={
              ownOnly
                ? `Budget und Bewilligung: Ihr Partner und gesamt`
                : "Budget und Bewilligung je Partner"
            }
            className="mt-4"
          >
            <thead>
              <tr>
                <Th>Partner</Th>
                <Th numeric>Budget</Th>
                <Th numeric>Bewilligt</Th>
                <Th numeric>Verbleibend</Th>
                <Th>Zweckbindung</Th>
              </tr>
            </thead>
            <tbody>
              {p.rows.map((row) => (
                <tr key={row.code} data-partner={row.code}>
                  <RowTh>
                    {row.name} <span className="text-muted">({row.code})</span>
                  </RowTh>
                  <Td numeric>{row.budget ?? UNLIMITED}</Td>
                  <Td numeric>{row.granted}</Td>
                  <Td numeric>{row.remaining ?? UNLIMITED}</Td>
                  <Td>{row.boundUntil === null ? "–" : `gebunden bis ${row.boundUntil}`}</Td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr data-partner="total" className="font-bold">
                <RowTh className="font-bold">Alle Partner</RowTh>
                <Td numeric>{p.totals.budget ?? UNLIMITED}</Td>
                <Td numeric>{p.totals.granted}</Td>
                <Td numeric>{p.totals.remaining ?? UNLIMITED}</Td>
                <Td>{p.totals.boundUntil === null ? "–" : `bis ${p.totals.boundUntil}`}</Td>
              </tr>
            </tfoot>
          </Table>
          <p className="mt-2 text-sm text-muted">
            Zweckbindung: Geförderte Geräte sind fünf Jahre nach dem geförderten Jahr zweckgebunden
            (Information, nicht Teil der Berechnung).
          </p>
          {canEdit ? (
            <p className="mt-2">
              <Link to={`/funding/${encodeURIComponent(p.code)}`}>
                Förderprogramm {p.code} bearbeiten
              </Link>
            </p>
          ) : null}
        </section>
      ))}
    </>
  );
}
