import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { getDemandStatus, listPartnerProgress } from "../../db/demand-status";
import { getPartner } from "../../db/partner-demand";
import { getSetting } from "../../db/settings";
import { listTenders } from "../../db/tender-inputs";
import { listAwardedTenders } from "../../db/awards";
import { tenderUsageLevels } from "../../db/call-offs";
import type { Database } from "../../db/database";
import { USAGE_WARNING_PERCENT, worstUsageLevel, type UsageLevel } from "../../domain/call-offs";
import { CallOffLinks } from "~/components/call-off-links";
import { UsageTag } from "~/components/call-off-usage";
import { DemandExportLinks } from "~/components/download-links";
import { TendersTable } from "~/components/tenders-table";
import {
  DescriptionList,
  PageHeading,
  RowTh,
  SectionHeading,
  Table,
  Tag,
  Td,
  Th,
} from "~/components/ui";
import { requireUser } from "~/utils/auth.server";
import { getDb } from "~/utils/db.server";
import { DEMAND_STATUS_LABELS, DEMAND_STATUS_TONES } from "~/utils/demand-labels";
import { formatDateTime, formatDeadline, formatInteger } from "~/utils/format";
import { canExportDemand, ROLE_LABELS } from "~/utils/roles";

export const meta: MetaFunction = () => [{ title: "Start – Verbundkauf" }];

const DEADLINE_SETTING = "demandDeadline";

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const db = await getDb();
  const deadline = (await getSetting(db, DEADLINE_SETTING)) ?? null;
  const base = { userName: user.name, roleLabel: ROLE_LABELS[user.role], deadline };
  if (user.role === "officer" && user.partnerCode) {
    const partner = await getPartner(db, user.partnerCode);
    const status = await getDemandStatus(db, user.partnerCode);
    const frameworks = await listAwardedTenders(db);
    return json({
      ...base,
      view: "officer" as const,
      partner: partner ?? null,
      status,
      frameworks,
    });
  }
  if (user.role === "coordinator") {
    return json({
      ...base,
      view: "coordinator" as const,
      progress: await listPartnerProgress(db),
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

function Deadline({ deadline }: { deadline: string | null }) {
  return <>{deadline ? formatDeadline(deadline) : "Keine Frist gesetzt"}</>;
}

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
  status,
  deadline,
}: {
  partner: { code: string; name: string } | null;
  status: { status: keyof typeof DEMAND_STATUS_LABELS; changedAt: string | null };
  deadline: string | null;
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
      <DescriptionList
        items={[
          {
            term: "Status",
            value: (
              <Tag tone={DEMAND_STATUS_TONES[status.status]}>
                {DEMAND_STATUS_LABELS[status.status]}
              </Tag>
            ),
          },
          { term: "Frist", value: <Deadline deadline={deadline} /> },
          {
            term: "Letzte Statusänderung",
            value: status.changedAt ? formatDateTime(status.changedAt) : "–",
          },
        ]}
      />
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
  progress,
  highUsage,
  deadline,
}: {
  highUsage: { code: string; name: string; level: UsageLevel }[];
  progress: {
    partnerCode: string;
    partnerName: string;
    status: keyof typeof DEMAND_STATUS_LABELS;
    lineCount: number;
    totalQuantity: number;
    lastChangedAt: string | null;
  }[];
  deadline: string | null;
}) {
  const submitted = progress.filter((row) => row.status === "submitted").length;
  return (
    <>
      <HighUsageList frameworks={highUsage} />
      <SectionHeading id="progress-heading">Stand der Bedarfsmeldungen</SectionHeading>
      <p className="mb-4 text-lg">
        {formatInteger(submitted)} von {formatInteger(progress.length)} Schulträgern haben
        eingereicht. Frist:{" "}
        <strong>
          <Deadline deadline={deadline} />
        </strong>
      </p>
      <Table>
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
            <tr key={row.partnerCode}>
              <RowTh>
                <Link to={`/demand/${encodeURIComponent(row.partnerCode)}`}>{row.partnerName}</Link>
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
    </>
  );
}
