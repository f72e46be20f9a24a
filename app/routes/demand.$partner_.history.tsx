import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { listDemandHistory, loadPartnerDemand, type DemandHistoryEntry } from "../../db/demand";
import { NO_SCHOOL_TITLE } from "../../domain/demand-grid";
import { DEMAND_STATUS_LABEL, type DemandStatus } from "../../domain/demand-workflow";
import { formatBerlinDateTime, berlinLocalToInstant } from "../../domain/demand-deadline";
import { PageHeading, Table, Td, Th } from "~/components/ui";
import { requirePartnerRead, requireUser } from "~/utils/auth.server";
import { getDb } from "~/utils/db.server";
import { formatInteger } from "~/utils/format";
import { notFound } from "~/utils/http.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Verlauf ${data.partner.name} – Verbundkauf` : "Verlauf – Verbundkauf" },
];

const ACTION_LABEL: Record<string, string> = {
  "demand.update": "Eingabe",
  "demand.import": "Excel-Import",
  "demand.submit": "Eingereicht",
  "demand.reopen": "Wieder geöffnet",
  "demand.deadline": "Frist",
};

function describe(
  entry: DemandHistoryEntry,
  school: (c: string | null) => string,
  category: (c: string) => string,
) {
  const status = (v: string | null) =>
    v && v in DEMAND_STATUS_LABEL ? DEMAND_STATUS_LABEL[v as DemandStatus] : (v ?? "–");
  const deadline = (v: string | null) => {
    const instant = v ? berlinLocalToInstant(v) : null;
    return instant ? formatBerlinDateTime(instant) : "keine";
  };
  if (entry.entity === "demand_status")
    return {
      field: entry.round ? `Status Bedarfsrunde ${entry.round}` : "Status",
      oldValue: status(entry.oldValue),
      newValue: status(entry.newValue),
    };
  if (entry.entity === "demand_round")
    return {
      field: `Frist Bedarfsrunde ${entry.round ?? ""}`,
      oldValue: deadline(entry.oldValue),
      newValue: deadline(entry.newValue),
    };
  if (entry.entity === "setting")
    return {
      field: "Frist (für alle)",
      oldValue: deadline(entry.oldValue),
      newValue: deadline(entry.newValue),
    };
  const where = `${school(entry.schoolCode)} – ${category(entry.categoryCode ?? "")}`;
  if (entry.entity === "demand_note")
    return {
      field: `${where}, Begründung`,
      oldValue: entry.oldValue || "–",
      newValue: entry.newValue || "–",
    };
  // Audit values are stored as plain digits; shown de-DE like every other quantity.
  const quantity = (v: string | null) =>
    v && /^\d+$/.test(v) ? formatInteger(BigInt(v)) : (v ?? "0");
  return {
    field: `${where} ${entry.year}`,
    oldValue: quantity(entry.oldValue),
    newValue: quantity(entry.newValue),
  };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const db = await getDb();
  const data = await loadPartnerDemand(db, params.partner ?? "");
  if (!data) throw notFound();
  requirePartnerRead(user, data.partner.code);
  const school = (code: string | null) =>
    code === null ? NO_SCHOOL_TITLE : (data.schools.find((s) => s.code === code)?.name ?? code);
  const category = (code: string) => data.categories.find((c) => c.code === code)?.name ?? code;
  const entries = (await listDemandHistory(db, data.partner.code)).map((e) => ({
    id: e.id,
    at: formatBerlinDateTime(new Date(e.at)),
    user: e.userName ?? "(gelöschter Benutzer)",
    kind: ACTION_LABEL[e.action] ?? e.action,
    ...describe(e, school, category),
  }));
  return json({ partner: data.partner, entries });
}

export default function DemandHistoryPage() {
  const { partner, entries } = useLoaderData<typeof loader>();
  return (
    <>
      <PageHeading caption={partner.name}>Verlauf der Bedarfsmeldung</PageHeading>
      <p className="mb-6">
        <Link to={`/demand/${encodeURIComponent(partner.code)}`}>Zurück zur Bedarfsmeldung</Link>
      </p>
      {entries.length === 0 ? (
        <p className="text-lg">Noch keine Änderungen.</p>
      ) : (
        <Table
          caption={`${entries.length} ${entries.length === 1 ? "Eintrag" : "Einträge"}, neueste zuerst`}
        >
          <thead>
            <tr>
              <Th>Zeitpunkt</Th>
              <Th>Benutzer</Th>
              <Th>Art</Th>
              <Th>Feld</Th>
              <Th numeric>Alt</Th>
              <Th numeric>Neu</Th>
            </tr>
          </thead>
          <tbody data-testid="history-rows">
            {entries.map((e) => (
              <tr key={e.id}>
                <Td className="whitespace-nowrap">{e.at}</Td>
                <Td>{e.user}</Td>
                <Td>{e.kind}</Td>
                <Td>{e.field}</Td>
                <Td numeric>{e.oldValue}</Td>
                <Td numeric>
                  <span aria-hidden="true">→ </span>
                  {e.newValue}
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </>
  );
}
