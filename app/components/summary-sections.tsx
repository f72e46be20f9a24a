// The parts of the committee summary (Ausschussvorlage): key figures, the savings
// breakdown and the partner table. All money arrives as exact cents strings.
import type { ReactNode } from "react";
import type { SummaryView } from "./summary-model";
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
    <dl className="grid grid-cols-1 gap-4 sm:grid-cols-2 print:grid-cols-2">
      <Figure
        label="Volumen (gemeldete Mengen)"
        value={`${euro(figures.directGross)} brutto`}
        detail={`${euro(figures.directNet)} netto · ${formatInteger(figures.quantity)} Stück`}
      />
      <Figure
        label="Geschätzter Auftragswert (netto, mit Reserve)"
        value={euro(figures.estimatedValueNet)}
        detail={
          <>
            EU-Schwellenwert {euro(figures.euThresholdNet)}:{" "}
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
        value={euro(figures.savingsGross)}
        detail={
          figures.savingsPermille === null
            ? "Keine Bedarfe gemeldet."
            : `${formatPermille(figures.savingsPermille)} von ${euro(figures.soloGross)} bei Einzelbeschaffung`
        }
      />
      <Figure
        label="Teilnehmende Schulträger"
        value={formatInteger(figures.participants.length)}
        detail={participantNames || "Noch keine Teilnehmenden."}
      />
    </dl>
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

export function PartnerSummaryTable({ partners }: { partners: SummaryView["partners"] }) {
  if (partners.length === 0) return <p className="text-lg">Noch keine Schulträger mit Bedarf.</p>;
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
        </tr>
      </thead>
      <tbody>
        {partners.map((p) => (
          <tr key={p.code} className="break-inside-avoid">
            <RowTh>{p.name}</RowTh>
            <Td numeric>{formatInteger(p.quantity)}</Td>
            <Td numeric>{euro(p.directGross)}</Td>
            <Td numeric>{euro(p.commonCostShare)}</Td>
            <Td numeric>{euro(p.totalGross)}</Td>
            <Td numeric>{euro(p.soloGross)}</Td>
            <Td numeric className={p.savingsGross.startsWith("-") ? "text-danger" : undefined}>
              {euro(p.savingsGross)}
            </Td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
