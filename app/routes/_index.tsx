import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import {
  getRoundStatuses,
  listDemandRounds,
  listRoundProgress,
  type DemandRound,
} from "../../db/demand-status";
import { getPartner } from "../../db/partner-demand";
import { listTenders } from "../../db/tender-inputs";
import { listAwardedTenders } from "../../db/awards";
import { tenderUsageLevels } from "../../db/call-offs";
import type { Database } from "../../db/database";
import { USAGE_WARNING_PERCENT, worstUsageLevel, type UsageLevel } from "../../domain/call-offs";
import { formatBerlinDateTime } from "../../domain/demand-deadline";
import { DRAFT } from "../../domain/demand-rounds";
import { formatTimeLeft } from "../../domain/demand-workflow";
import { CallOffLinks } from "~/components/call-off-links";
import { UsageTag } from "~/components/call-off-usage";
import { DemandExportLinks } from "~/components/download-links";
import { TendersTable } from "~/components/tenders-table";
import { PageHeading, RowTh, SectionHeading, Table, Tag, Td, Th } from "~/components/ui";
import { requireUser } from "~/utils/auth.server";
import { getDb } from "~/utils/db.server";
import { DEMAND_STATUS_LABELS, DEMAND_STATUS_TONES } from "~/utils/demand-labels";
import { formatDateTime, formatInteger } from "~/utils/format";
import { canExportDemand, ROLE_LABELS } from "~/utils/roles";

export const meta: MetaFunction = () => [{ title: "Start – Verbundkauf" }];

/** What every start page shows of a round: its tender, term and deadline. */
function roundSummary(round: DemandRound, now: Date) {
  return {
    code: round.tenderCode,
    name: round.tenderName,
    years: round.years,
    deadline: round.deadline
      ? {
          text: formatBerlinDateTime(round.deadline),
          left: formatTimeLeft(round.deadline, now),
          passed: round.deadline <= now,
        }
      : null,
  };
}

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const db = await getDb();
  const now = new Date();
  const base = { userName: user.name, roleLabel: ROLE_LABELS[user.role] };
  // Demand is collected per round (one per tender): figures are shown per round, never
  // added up across rounds.
  const rounds = await listDemandRounds(db);
  if (user.role === "officer" && user.partnerCode) {
    const partnerCode = user.partnerCode;
    const partner = await getPartner(db, partnerCode);
    const statuses = await getRoundStatuses(db, partnerCode);
    const frameworks = await listAwardedTenders(db);
    const own = [];
    for (const round of rounds) {
      const progress = (await listRoundProgress(db, round)).find(
        (p) => p.partnerCode === partnerCode,
      );
      const status = statuses.get(round.tenderCode) ?? DRAFT;
      own.push({
        ...roundSummary(round, now),
        status: status.status,
        statusChangedAt: status.changedAt,
        lineCount: progress?.lineCount ?? 0,
        totalQuantity: progress?.totalQuantity ?? 0,
      });
    }
    return json({
      ...base,
      view: "officer" as const,
      partner: partner ?? null,
      rounds: own,
      frameworks,
    });
  }
  if (user.role === "coordinator") {
    const all = [];
    for (const round of rounds)
      all.push({ ...roundSummary(round, now), progress: await listRoundProgress(db, round) });
    return json({
      ...base,
      view: "coordinator" as const,
      rounds: all,
      highUsage: await frameworksWithHighUsage(db),
    });
  }
  // Finance has no demand page in its navigation: the exports of all demand start here.
  return json({
    ...base,
    view: "reader" as const,
    tenders: await listTenders(db),
    canExportDemand: canExportDemand(user),
  });
}

/**
 * Awarded framework agreements with a category at 80 % of its maximum quantity or
 * more (levels as on the call-offs page), the most used first: a framework ends at its
 * maximum, so the coordinator prepares the next procedure in time.
 */
async function frameworksWithHighUsage(db: Database) {
  const levels = await tenderUsageLevels(db);
  const severity = (level: UsageLevel) =>
    (["ok", "warning", "critical", "exhausted"] as const).indexOf(level);
  return (await listAwardedTenders(db))
    .map((tender) => ({ ...tender, level: levels[tender.code] ?? ("ok" as UsageLevel) }))
    .filter((tender) => tender.level !== "ok")
    .sort((a, b) => severity(b.level) - severity(a.level));
}

interface RoundHead {
  code: string;
  name: string;
  years: number[];
  deadline: { text: string; left: string; passed: boolean } | null;
}

const yearSpan = (years: readonly number[]) =>
  years.length <= 1 ? String(years[0] ?? "") : `${years[0]}–${years[years.length - 1]}`;

function Deadline({ deadline }: { deadline: RoundHead["deadline"] }) {
  if (!deadline) return <>Keine Frist gesetzt</>;
  return (
    <>
      {deadline.text} –{" "}
      <span className={deadline.passed ? "text-danger" : ""}>{deadline.left}</span>
    </>
  );
}

const roundLink = (partnerCode: string, round: string) =>
  `/demand/${encodeURIComponent(partnerCode)}?round=${encodeURIComponent(round)}`;

export default function StartPage() {
  const data = useLoaderData<typeof loader>();
  return (
    <>
      <PageHeading caption={data.roleLabel}>Guten Tag, {data.userName}</PageHeading>
      {data.view === "officer" ? <OfficerStart {...data} /> : null}
      {data.view === "officer" ? <CallOffLinks frameworks={data.frameworks} /> : null}
      {data.view === "coordinator" ? <CoordinatorStart {...data} /> : null}
      {data.view === "reader" ? (
        <>
          <SectionHeading>Ausschreibungen</SectionHeading>
          <TendersTable tenders={data.tenders} />
          {data.canExportDemand ? (
            <>
              <SectionHeading id="bedarf">Bedarfsmeldungen</SectionHeading>
              <p className="text-lg">
                <DemandExportLinks />
              </p>
            </>
          ) : null}
        </>
      ) : null}
    </>
  );
}

function OfficerStart({
  partner,
  rounds,
}: {
  partner: { code: string; name: string } | null;
  rounds: (RoundHead & {
    status: keyof typeof DEMAND_STATUS_LABELS;
    statusChangedAt: string | null;
    lineCount: number;
    totalQuantity: number;
  })[];
}) {
  if (!partner)
    return (
      <p className="text-lg">
        Ihr Konto ist keinem Schulträger zugeordnet. Bitte wenden Sie sich an die Koordination.
      </p>
    );
  return (
    <>
      <SectionHeading>Bedarfsmeldung {partner.name}</SectionHeading>
      {rounds.length === 0 ? (
        <p className="text-lg">
          Noch keine Bedarfsrunde: die Koordination hat noch keine Ausschreibung angelegt. Sie
          können Ihren Bedarf trotzdem schon eintragen.
        </p>
      ) : (
        <Table caption="Ihre Bedarfsmeldung je Bedarfsrunde (Mengen nur der jeweiligen Runde)">
          <thead>
            <tr>
              <Th>Bedarfsrunde</Th>
              <Th>Status</Th>
              <Th>Frist</Th>
              <Th numeric>Gesamtmenge</Th>
              <Th numeric>Letzte Statusänderung</Th>
            </tr>
          </thead>
          <tbody>
            {rounds.map((r) => (
              <tr key={r.code} data-round={r.code}>
                <RowTh>
                  <Link to={roundLink(partner.code, r.code)}>
                    {r.code} ({yearSpan(r.years)})
                  </Link>
                  <span className="block text-sm font-normal">{r.name}</span>
                </RowTh>
                <Td>
                  <Tag tone={DEMAND_STATUS_TONES[r.status]}>{DEMAND_STATUS_LABELS[r.status]}</Tag>
                </Td>
                <Td>
                  <Deadline deadline={r.deadline} />
                </Td>
                <Td numeric>{formatInteger(r.totalQuantity)}</Td>
                <Td numeric>{r.statusChangedAt ? formatDateTime(r.statusChangedAt) : "–"}</Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      <p className="mt-6 text-lg">
        <Link to={`/demand/${encodeURIComponent(partner.code)}`} className="font-semibold">
          Zum Bedarf von {partner.name}
        </Link>
      </p>
    </>
  );
}

function HighUsageList({
  frameworks,
}: {
  frameworks: { code: string; name: string; level: UsageLevel }[];
}) {
  if (frameworks.length === 0) return null;
  const urgent = worstUsageLevel(frameworks.map((f) => f.level)) !== "warning";
  return (
    <section
      aria-labelledby="high-usage-heading"
      className={`mb-8 border-l-8 p-4 ${urgent ? "border-danger" : "border-[#ffdd00]"}`}
    >
      <h2 id="high-usage-heading" className="mb-2 text-2xl font-bold">
        Rahmenverträge mit hoher Ausschöpfung
      </h2>
      <p className="mb-2">
        Ab {USAGE_WARNING_PERCENT} % der Höchstmenge rechtzeitig eine neue Vergabe vorbereiten: Mit
        Erreichen der Höchstmenge endet der Rahmenvertrag.
      </p>
      <ul className="list-disc pl-6 text-lg">
        {frameworks.map((f) => (
          <li key={f.code} data-tender={f.code}>
            <Link to={`/tenders/${encodeURIComponent(f.code)}/call-offs`}>
              {f.name} ({f.code})
            </Link>{" "}
            <UsageTag level={f.level} />
          </li>
        ))}
      </ul>
    </section>
  );
}

function CoordinatorStart({
  rounds,
  highUsage,
}: {
  highUsage: { code: string; name: string; level: UsageLevel }[];
  rounds: (RoundHead & {
    progress: {
      partnerCode: string;
      partnerName: string;
      status: keyof typeof DEMAND_STATUS_LABELS;
      lineCount: number;
      totalQuantity: number;
      lastChangedAt: string | null;
    }[];
  })[];
}) {
  return (
    <>
      <HighUsageList frameworks={highUsage} />
      <SectionHeading id="progress-heading">Stand der Bedarfsmeldungen</SectionHeading>
      {rounds.length === 0 ? (
        <p className="text-lg">
          Noch keine Bedarfsrunde: jede Ausschreibung eröffnet ihre eigene.{" "}
          <Link to="/tenders/new">Ausschreibung anlegen</Link>
        </p>
      ) : null}
      {rounds.map((round) => (
        <RoundProgressTable key={round.code} round={round} />
      ))}
    </>
  );
}

function RoundProgressTable({
  round,
}: {
  round: RoundHead & {
    progress: {
      partnerCode: string;
      partnerName: string;
      status: keyof typeof DEMAND_STATUS_LABELS;
      lineCount: number;
      totalQuantity: number;
      lastChangedAt: string | null;
    }[];
  };
}) {
  const { progress } = round;
  const submitted = progress.filter((row) => row.status === "submitted").length;
  const headingId = `round-${round.code}`;
  return (
    <section aria-labelledby={headingId} className="mb-8" data-round={round.code}>
      <h3 id={headingId} className="mb-2 text-xl font-bold">
        Bedarfsrunde {round.code} – {round.name} ({yearSpan(round.years)})
      </h3>
      <p className="mb-4 text-lg">
        {formatInteger(submitted)} von {formatInteger(progress.length)} Schulträgern haben
        eingereicht. Frist:{" "}
        <strong>
          <Deadline deadline={round.deadline} />
        </strong>{" "}
        <Link to={`/demand?round=${encodeURIComponent(round.code)}`}>Übersicht {round.code}</Link>
      </p>
      <Table caption={`Stand je Schulträger, Mengen nur der Bedarfsrunde ${round.code}`}>
        <thead>
          <tr>
            <Th>Schulträger</Th>
            <Th>Status</Th>
            <Th numeric>Bedarfsmeldungen</Th>
            <Th numeric>Gesamtmenge</Th>
            <Th numeric>Letzte Änderung</Th>
          </tr>
        </thead>
        <tbody>
          {progress.map((row) => (
            <tr key={row.partnerCode} data-partner={row.partnerCode}>
              <RowTh>
                <Link to={roundLink(row.partnerCode, round.code)}>{row.partnerName}</Link>
              </RowTh>
              <Td>
                <Tag tone={DEMAND_STATUS_TONES[row.status]}>{DEMAND_STATUS_LABELS[row.status]}</Tag>
              </Td>
              <Td numeric>{formatInteger(row.lineCount)}</Td>
              <Td numeric>{formatInteger(row.totalQuantity)}</Td>
              <Td numeric>{row.lastChangedAt ? formatDateTime(row.lastChangedAt) : "–"}</Td>
            </tr>
          ))}
        </tbody>
      </Table>
    </section>
  );
}
