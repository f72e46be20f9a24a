import {
  json,
  type LinksFunction,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { listSnapshots } from "../../db/snapshots";
import { getTenderInputs } from "../../db/tender-inputs";
import { diffCauses, diffTender } from "../../domain/snapshot-diff";
import {
  CategoryChanges,
  CauseList,
  PartnerChanges,
  TenderLevelChanges,
} from "~/components/summary-compare";
import {
  APP_VERSION,
  loadCurrentTender,
  loadSnapshotTender,
  parseVersionParam,
} from "~/components/summary-data.server";
import { PrintFooter } from "~/components/summary-print-footer";
import { SnapshotBanner, VersionPicker } from "~/components/summary-snapshot";
import { ErrorSummary, Notice, PageHeading, SectionHeading } from "~/components/ui";
import printStyles from "~/styles/print.css";
import { requireUser } from "~/utils/auth.server";
import { getDb } from "~/utils/db.server";
import { jsonifyBigInts } from "~/utils/jsonify";
import { notFound } from "~/utils/http.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: printStyles }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Vergleich ${data.code} – Verbundkauf` : "Vergleich – Verbundkauf" },
];

// Now against a snapshot (?version=N; without it the latest snapshot). Every signed-in role.
export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireUser(request);
  const db = await getDb();
  const code = params.code ?? "";
  const requested = parseVersionParam(new URL(request.url).searchParams.get("version"));
  if (requested === "invalid") throw notFound();
  const versions = (await listSnapshots(db, code)).map(({ version, createdAt }) => ({
    version,
    createdAt,
  }));
  const tender = await getTenderInputs(db, code);
  if (!tender && versions.length === 0) throw notFound();
  const stamp = { at: new Date().toISOString(), version: null, appVersion: APP_VERSION };
  const version = requested ?? versions[0]?.version ?? null;
  if (version === null) {
    return json({
      code,
      tenderName: tender?.name ?? code,
      versions,
      snapshot: null,
      matchesStoredResult: true,
      problems: [],
      diff: null,
      causes: [],
      currentMissing: false,
      stamp,
    });
  }

  const frozen = await loadSnapshotTender(db, code, version);
  if (!frozen) throw notFound();
  const current = await loadCurrentTender(db, code);
  const problems = [
    ...(frozen.state.ok ? [] : frozen.state.problems.map((p) => `Beschlussstand: ${p.message}`)),
    ...(current && !current.ok ? current.problems.map((p) => `Aktueller Stand: ${p.message}`) : []),
  ];
  const diff =
    frozen.state.ok && current?.ok
      ? jsonifyBigInts(diffTender(frozen.state.tender, current.tender))
      : null;
  // What was changed (reserve, a cost item, prices, demand), not only what it changed.
  const causes =
    frozen.state.ok && current?.ok
      ? jsonifyBigInts(diffCauses(frozen.state.tender, current.tender))
      : [];
  const { version: v, comment, createdAt, createdBy } = frozen.snapshot;
  return json({
    code,
    tenderName: tender?.name ?? (frozen.state.ok ? frozen.state.tender.name : code),
    versions,
    snapshot: { version: v, comment, createdAt, createdBy },
    matchesStoredResult: frozen.matchesStoredResult,
    problems,
    diff,
    causes,
    currentMissing: current === undefined,
    stamp,
  });
}

export default function ComparePage() {
  const data = useLoaderData<typeof loader>();
  const { code, snapshot, diff } = data;
  const base = `/tenders/${encodeURIComponent(code)}`;
  return (
    <>
      <div className="mb-4 flex flex-wrap items-end justify-between gap-4 print:hidden">
        <p className="flex flex-wrap gap-x-4">
          <Link to={base}>Zur Ausschreibung</Link>
          <Link to={`${base}/summary`}>Zusammenfassung</Link>
          <Link to={`${base}/snapshots`}>Beschlussstände</Link>
        </p>
        <VersionPicker
          versions={data.versions}
          selected={snapshot?.version ?? null}
          label="Vergleichen mit"
          allowCurrent={false}
        />
      </div>
      <PageHeading caption={`Ausschreibung ${code}`}>
        Vergleich: aktueller Stand und Beschlussstand
      </PageHeading>

      {snapshot === null ? (
        <p className="text-lg">
          Es gibt noch keinen Beschlussstand, mit dem verglichen werden kann.{" "}
          <Link to={`${base}/snapshots`}>Zu den Beschlussständen</Link>
        </p>
      ) : (
        <>
          <SnapshotBanner
            snapshot={snapshot}
            matchesStoredResult={data.matchesStoredResult}
            currentHref={`${base}/summary`}
          />
          {data.currentMissing ? (
            <p className="text-lg">
              Die Ausschreibung {code} gibt es im aktuellen Stand nicht mehr.
            </p>
          ) : null}
          <ErrorSummary errors={data.problems.length ? data.problems : undefined} />
          {diff ? (
            diff.hasChanges || data.causes.length > 0 ? (
              <>
                <SectionHeading>Was geändert wurde</SectionHeading>
                <CauseList causes={data.causes} />
                <SectionHeading>Was sich dadurch ändert</SectionHeading>
                <p className="mb-6 max-w-3xl text-lg">
                  Gezeigt werden nur geänderte Zeilen. Je geändertem Wert steht oben der Wert des
                  Beschlussstands, darunter der aktuelle Wert (→) und die Differenz.
                </p>
                <TenderLevelChanges diff={diff} />
                <SectionHeading>Produktgruppen</SectionHeading>
                <CategoryChanges rows={diff.categories} />
                <SectionHeading>Schulträger</SectionHeading>
                <PartnerChanges rows={diff.partners} totals={diff.totals} />
              </>
            ) : (
              <Notice>
                Keine Änderungen: Der aktuelle Stand entspricht Beschlussstand Version{" "}
                {snapshot.version}.
              </Notice>
            )
          ) : null}
        </>
      )}
      <PrintFooter stamp={data.stamp} />
    </>
  );
}
