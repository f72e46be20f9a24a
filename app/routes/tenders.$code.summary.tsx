import {
  json,
  type AppLoadContext,
  type LinksFunction,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { listAwards } from "../../db/awards";
import { listDemandRounds, listRoundProgress } from "../../db/demand-status";
import { listSnapshots } from "../../db/snapshots";
import { CostSplitLink } from "~/components/download-links";
import {
  SAVINGS_ORDERS,
  SavingsPerPartnerChart,
  type SavingsOrder,
} from "~/components/charts/savings-per-partner-chart";
import { UnitPriceChart } from "~/components/charts/unit-price-chart";
import { VolumePerLotChart } from "~/components/charts/volume-per-lot-chart";
import type { SummaryChartsSvg } from "~/components/charts/summary-charts.server";
import {
  APP_VERSION,
  loadCurrentSummary,
  loadSnapshotSummary,
  parseVersionParam,
} from "~/components/summary-data.server";
import { PrintFooter } from "~/components/summary-print-footer";
import { FundingSummarySection } from "~/components/summary-funding";
import {
  KeyFigures,
  PartnerSummaryTable,
  SavingsBreakdownTable,
  SortLinks,
} from "~/components/summary-sections";
import {
  DraftWatermark,
  FinalityNote,
  SummaryGlossary,
  type SummaryStatus,
} from "~/components/summary-status";
import { SnapshotBanner, VersionPicker } from "~/components/summary-snapshot";
import { SupportSummarySection } from "~/components/support-summary-section";
import { loadSupportHeadline } from "~/components/support-summary.server";
import { ErrorSummary, PageHeading, SectionHeading } from "~/components/ui";
import printStyles from "~/styles/print.css";
import { requireUser } from "~/utils/auth.server";
import { getDb } from "~/utils/db.server";
import { notFound } from "~/utils/http.server";
import { canDownloadCostSplit } from "~/utils/roles";
import { markupForData } from "~/utils/server-markup.server";
import type { Markup } from "~/utils/server-markup";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: printStyles }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  {
    title: data
      ? `Ausschussvorlage ${data.tenderName} – Verbundkauf`
      : "Ausschussvorlage – Verbundkauf",
  },
];

// Every signed-in role may read the summary, officers included: it is the paper the
// committees decide on.
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const db = await getDb();
  const code = params.code ?? "";
  const search = new URL(request.url).searchParams;
  const version = parseVersionParam(search.get("version"));
  if (version === "invalid") throw notFound();
  // ?sort= orders the savings chart and the partner table; anything else is the default.
  const sortParam = search.get("sort");
  const sort: SavingsOrder = SAVINGS_ORDERS.includes(sortParam as SavingsOrder)
    ? (sortParam as SavingsOrder)
    : "savings";

  const snapshots = await listSnapshots(db, code);
  const frozen = version === null ? undefined : snapshots.find((s) => s.version === version);
  if (version !== null && !frozen) throw notFound();
  // Cached per data version (snapshots: for good), charts already drawn as SVG.
  const summary = frozen
    ? await loadSnapshotSummary(db, frozen)
    : await loadCurrentSummary(db, code);
  if (!summary) throw notFound();

  // How final the figures are: a decision version, or the working state with its demand
  // submissions and awards (a snapshot keeps no such record, it is final by itself).
  let status: SummaryStatus = { decision: { version: version ?? 0 }, demand: null, lots: null };
  if (!frozen) {
    // The demand round of this tender: its partners' submissions count, not other rounds'.
    const round = (await listDemandRounds(db)).find((r) => r.tenderCode === code);
    const [progress, awards] = await Promise.all([
      round ? listRoundProgress(db, round) : Promise.resolve([]),
      listAwards(db, code),
    ]);
    const awarded = new Set(awards.map((a) => a.lotCode));
    status = {
      decision: null,
      demand: {
        submitted: progress.filter((p) => p.status === "submitted").length,
        partners: progress.length,
        open: progress.filter((p) => p.status !== "submitted").map((p) => p.partnerName),
      },
      lots: (summary.view?.lots ?? []).map((lot) => ({
        code: lot.code,
        name: lot.name,
        awarded: awarded.has(lot.code),
      })),
    };
  }

  return json({
    status,
    sort,
    code,
    tenderName: summary.tenderName,
    view: summary.view,
    charts: chartsFor(context, summary.charts, sort),
    problems: summary.problems,
    snapshot: frozen
      ? {
          version: frozen.version,
          comment: frozen.comment,
          createdAt: frozen.createdAt,
          createdBy: frozen.createdBy,
        }
      : null,
    matchesStoredResult: summary.matchesStoredResult,
    // The current support comparison; a frozen snapshot does not carry one.
    support: frozen ? null : await loadSupportHeadline(db),
    versions: snapshots.map(({ version, createdAt }) => ({ version, createdAt })),
    // The workbook route refuses officers; its link is for the others only (not printed).
    canDownloadCostSplit: canDownloadCostSplit(user),
    stamp: { at: frozen?.createdAt ?? new Date().toISOString(), version, appVersion: APP_VERSION },
  });
}

/**
 * The charts the page shows: the savings chart only in the chosen order (decision 030),
 * and in a document request only as references to the drawings, which the server render
 * writes into the HTML once (decision 031).
 */
function chartsFor(context: AppLoadContext, charts: SummaryChartsSvg | null, sort: SavingsOrder) {
  if (!charts) return null;
  const savingsPerPartner =
    sort === "share"
      ? charts.savingsPerPartnerByShare
      : sort === "name"
        ? charts.savingsPerPartnerByName
        : charts.savingsPerPartner;
  const shown = {
    savingsPerPartner,
    volumePerLot: charts.volumePerLot,
    unitPrices: charts.unitPrices,
    fundingPerPartner: charts.fundingPerPartner,
  };
  return Object.fromEntries(
    Object.entries(shown).map(([key, svg]) => [key, markupForData(context, `summary.${key}`, svg)]),
  ) as Record<keyof typeof shown, Markup>;
}

export default function SummaryPage() {
  const data = useLoaderData<typeof loader>();
  const { view, charts, snapshot, code } = data;
  const base = `/tenders/${encodeURIComponent(code)}`;
  const years = view ? `${view.tender.startYear}–${view.tender.endYear}` : "";
  const sortHref = (order: SavingsOrder) => {
    const query = new URLSearchParams();
    if (snapshot) query.set("version", String(snapshot.version));
    if (order !== "savings") query.set("sort", order);
    const text = query.toString();
    return `${base}/summary${text ? `?${text}` : ""}#charts`;
  };
  return (
    <>
      <div className="mb-4 flex flex-wrap items-end justify-between gap-4 print:hidden">
        <p className="flex flex-wrap gap-x-4">
          <Link to={base}>Zur Ausschreibung</Link>
          <Link to={`${base}/snapshots`}>Beschlussstände</Link>
          {snapshot ? (
            <Link to={`${base}/compare?version=${snapshot.version}`}>
              Mit aktuellem Stand vergleichen
            </Link>
          ) : null}
          {!snapshot && data.versions.length > 0 ? (
            <Link to={`${base}/compare`}>Mit dem letzten Beschlussstand vergleichen</Link>
          ) : null}
          {data.canDownloadCostSplit ? (
            <CostSplitLink code={code} version={snapshot?.version ?? null} />
          ) : null}
        </p>
        <div className="flex flex-wrap items-end gap-4">
          <VersionPicker versions={data.versions} selected={snapshot?.version ?? null} />
          <button
            type="button"
            onClick={() => window.print()}
            className="cursor-pointer bg-ok px-4 py-1.5 font-semibold text-white shadow-[0_2px_0_#002d18]"
          >
            Drucken
          </button>
        </div>
      </div>

      <PageHeading
        caption={`Ausschussvorlage · Ausschreibung ${code}${years ? ` · Laufzeit ${years}` : ""}`}
      >
        {data.tenderName}
      </PageHeading>

      {snapshot ? (
        <SnapshotBanner
          snapshot={snapshot}
          matchesStoredResult={data.matchesStoredResult}
          currentHref={`${base}/summary`}
        />
      ) : (
        <DraftWatermark />
      )}
      <FinalityNote status={data.status} />

      {view && charts ? (
        <>
          <section aria-labelledby="key-figures">
            <SectionHeading id="key-figures">Auf einen Blick</SectionHeading>
            <KeyFigures figures={view.keyFigures} />
          </section>

          <section aria-labelledby="charts">
            <SectionHeading id="charts">Grafiken</SectionHeading>
            {/* Drawn on the server once per data version: plain SVG, no chart library in the browser. */}
            <SortLinks order={data.sort} hrefFor={sortHref} />
            <SavingsPerPartnerChart
              partners={view.partners}
              svg={charts.savingsPerPartner}
              order={data.sort}
            />
            <VolumePerLotChart lots={view.lots} svg={charts.volumePerLot} />
            <UnitPriceChart categories={view.categories} svg={charts.unitPrices} />
          </section>

          <section aria-labelledby="savings">
            <SectionHeading id="savings">Ersparnis</SectionHeading>
            <SavingsBreakdownTable savings={view.savings} />
          </section>

          <section aria-labelledby="partners" className="mt-8">
            <PartnerSummaryTable
              partners={view.partners}
              totals={view.partnerTotals}
              order={data.sort}
            />
          </section>

          <FundingSummarySection partners={view.partners} svg={charts.fundingPerPartner} />
          <SupportSummarySection support={data.support} />
          <SummaryGlossary reserve={view.glossary.reserve} costKeys={view.glossary.costKeys} />
        </>
      ) : (
        <>
          <ErrorSummary errors={data.problems} />
          <p className="text-lg">
            Der Plan kann so nicht berechnet werden. Bitte korrigieren Sie die genannten Angaben;
            danach erscheint die Zusammenfassung.
          </p>
        </>
      )}

      <PrintFooter stamp={data.stamp} />
    </>
  );
}
