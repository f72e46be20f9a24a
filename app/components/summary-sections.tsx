// The parts of the committee summary (Ausschussvorlage): key figures, the savings
// breakdown and the partner table. All money arrives as exact cents strings.
import type { ReactNode } from "react";
import { Link } from "@remix-run/react";
import type { SummaryView } from "./summary-model";
import { sortPartnerSavings, type SavingsOrder } from "./charts/savings-per-partner-chart";
import { RowTh, Table, Tag, Td, Th } from "./ui";
import { formatCents, formatInteger } from "~/utils/format";

const euro = (cents: string) => formatCents(BigInt(cents));

/** 73 → "7,3 %", -5 → "-0,5 %" (per mille to one decimal of a percent, exact). */
export function formatPermille(permille: string): string {
  const value = BigInt(permille);
  const negative = value < 0n;
  const abs = negative ? -value : value;
  return `${negative ? "-" : ""}${formatInteger(abs / 10n)},${abs % 10n} %`;
}

function Figure({ label, value, detail }: { label: string; value: ReactNode; detail?: ReactNode }) {
  return (
    <div className="break-inside-avoid border-l-8 border-brand bg-soft p-4">
      <dt className="font-semibold text-muted">{label}</dt>
      <dd className="mt-1 text-2xl font-bold tabular-nums">{value}</dd>
      {detail ? <dd className="mt-1 text-sm">{detail}</dd> : null}
    </div>
  );
}

export function KeyFigures({ figures }: { figures: SummaryView["keyFigures"] }) {
  const participantNames = figures.participants.map((p) => p.name).join(", ");
  return (
    <>
      <p className="mb-3">
        Beträge <strong>brutto</strong> (mit Umsatzsteuer), wie sie die Haushalte belasten; nur der
        geschätzte Auftragswert und der EU-Schwellenwert sind <strong>netto</strong>, wie das
        Vergaberecht sie misst.
      </p>
      <dl className="grid grid-cols-1 gap-4 sm:grid-cols-2 print:grid-cols-2">
        <Figure
          label="Volumen (gemeldete Mengen, brutto)"
          value={`${euro(figures.directGross)} brutto`}
          detail={`${euro(figures.directNet)} netto · ${formatInteger(figures.quantity)} Stück`}
        />
        <Figure
          label="Geschätzter Auftragswert (netto, mit Reserve)"
          value={`${euro(figures.estimatedValueNet)} netto`}
          detail={
            <>
              EU-Schwellenwert {euro(figures.euThresholdNet)} netto:{" "}
              {figures.euProcedureRequired ? (
                <Tag tone="yellow">EU-weites Vergabeverfahren erforderlich</Tag>
              ) : (
                <Tag tone="green">unterhalb des EU-Schwellenwerts</Tag>
              )}
            </>
          }
        />
        <Figure
          label="Ersparnis gegenüber Einzelbeschaffung (brutto)"
          value={`${euro(figures.savingsGross)} brutto`}
          detail={
            figures.savingsPermille === null
              ? "Keine Bedarfe gemeldet."
              : `${formatPermille(figures.savingsPermille)} von ${euro(figures.soloGross)} brutto bei Einzelbeschaffung`
          }
        />
        <Figure
          label="Teilnehmende Schulträger"
          value={formatInteger(figures.participants.length)}
          detail={participantNames || "Noch keine Teilnehmenden."}
        />
      </dl>
    </>
  );
}

/** Where the savings come from: better tier prices, and procedures not run separately. */
export function SavingsBreakdownTable({ savings }: { savings: SummaryView["savings"] }) {
  const rows: { label: string; amount: string; total?: boolean; sign?: "−" | "+" }[] = [
    {
      label: "Einzelbeschaffung zu den Staffelpreisen, die jeder allein erreicht",
      amount: savings.soloDirectGross,
    },
    { label: "Gemeinsame Beschaffung zum Verbundpreis", amount: savings.directGross, sign: "−" },
    { label: "Ersparnis durch bessere Staffelpreise", amount: savings.tierSavings, total: true },
    {
      label: `Eigene Vergabeverfahren, die entfallen (${formatInteger(savings.procedures)} × ${euro(savings.soloProcessCostGross)})`,
      amount: savings.soloProcessCostsAvoided,
    },
    { label: "Gemeinkosten des gemeinsamen Verfahrens", amount: savings.commonCosts, sign: "−" },
    { label: "Ersparnis beim Verfahren", amount: savings.procedureSavings, total: true },
    { label: "Gesamtersparnis (brutto)", amount: savings.savingsGross, total: true },
  ];
  return (
    <Table
      caption="Woher die Ersparnis kommt (brutto, gesamte Laufzeit)"
      className="break-inside-avoid"
    >
      <thead>
        <tr>
          <Th>Posten</Th>
          <Th numeric>Betrag</Th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.label} className={row.total ? "font-bold" : undefined}>
            <RowTh className={row.total ? "font-bold" : undefined}>
              {row.sign ? <span aria-hidden="true">{row.sign} </span> : null}
              {row.sign === "−" ? <span className="sr-only">abzüglich </span> : null}
              {row.label}
            </RowTh>
            <Td numeric>{euro(row.amount)}</Td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}

const ORDER_LABELS: Record<SavingsOrder, string> = {
  savings: "Ersparnis in Euro",
  share: "Ersparnis in Prozent",
  name: "Name",
};

/** Links that order the chart and the table (no JavaScript needed): `?sort=`. */
export function SortLinks({
  order,
  hrefFor,
}: {
  order: SavingsOrder;
  hrefFor: (o: SavingsOrder) => string;
}) {
  return (
    <p className="mb-2 print:hidden">
      Sortieren nach:{" "}
      {(Object.keys(ORDER_LABELS) as SavingsOrder[]).map((o, i) => (
        <span key={o}>
          {i > 0 ? " · " : null}
          {o === order ? (
            <strong aria-current="true">{ORDER_LABELS[o]}</strong>
          ) : (
            <Link to={hrefFor(o)} preventScrollReset>
              {ORDER_LABELS[o]}
            </Link>
          )}
        </span>
      ))}
    </p>
  );
}

const percentOrDash = (permille: string | null) =>
  permille === null ? "–" : formatPermille(permille);

export function PartnerSummaryTable({
  partners,
  totals,
  order = "savings",
}: {
  partners: SummaryView["partners"];
  totals: SummaryView["partnerTotals"];
  order?: SavingsOrder;
}) {
  if (partners.length === 0) return <p className="text-lg">Noch keine Schulträger mit Bedarf.</p>;
  const danger = (cents: string) => (cents.startsWith("-") ? "text-danger" : undefined);
  return (
    <Table caption="Schulträger im Überblick (brutto, gesamte Laufzeit)">
      <thead>
        <tr>
          <Th>Schulträger</Th>
          <Th numeric>Menge</Th>
          <Th numeric>Geräte</Th>
          <Th numeric>Gemeinkosten</Th>
          <Th numeric>Gesamt</Th>
          <Th numeric>Allein</Th>
          <Th numeric>Ersparnis</Th>
          <Th numeric>Ersparnis in % von allein</Th>
        </tr>
      </thead>
      <tbody>
        {sortPartnerSavings(partners, order).map((p) => (
          <tr key={p.code} className="break-inside-avoid">
            <RowTh>{p.name}</RowTh>
            <Td numeric>{formatInteger(p.quantity)}</Td>
            <Td numeric>{euro(p.directGross)}</Td>
            <Td numeric>{euro(p.commonCostShare)}</Td>
            <Td numeric>{euro(p.totalGross)}</Td>
            <Td numeric>{euro(p.soloGross)}</Td>
            <Td numeric className={danger(p.savingsGross)}>
              {euro(p.savingsGross)}
            </Td>
            <Td numeric className={danger(p.savingsGross)}>
              {percentOrDash(p.savingsPermille)}
            </Td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr className="border-t-2 border-ink font-bold">
          <RowTh className="font-bold">Summe</RowTh>
          <Td numeric>{formatInteger(totals.quantity)}</Td>
          <Td numeric>{euro(totals.directGross)}</Td>
          <Td numeric>{euro(totals.commonCostShare)}</Td>
          <Td numeric>{euro(totals.totalGross)}</Td>
          <Td numeric>{euro(totals.soloGross)}</Td>
          <Td numeric className={danger(totals.savingsGross)}>
            {euro(totals.savingsGross)}
          </Td>
          <Td numeric className={danger(totals.savingsGross)}>
            {percentOrDash(totals.savingsPermille)}
          </Td>
        </tr>
      </tfoot>
    </Table>
  );
}
