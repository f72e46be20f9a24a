// Tables for the comparison of the current state with a snapshot: only changed rows,
// each changed value as "old → new" with the difference.
import type { Cause, Change, RowStatus, TenderDiff } from "../../domain/snapshot-diff";
import { RowTh, Table, Tag, Td, Th } from "./ui";
import { formatCents, formatInteger, formatPercent } from "~/utils/format";
import type { Jsonify } from "~/utils/jsonify";

export type DiffView = Jsonify<TenderDiff>;
type CountChange = Jsonify<Change<number>>;
type MoneyChange = Jsonify<Change<bigint>>;

const money = (cents: string) => formatCents(BigInt(cents));
const signed = (text: string, negative: boolean, zero: boolean) =>
  negative || zero ? text : `+${text}`;

function ChangeCell({
  change,
  kind,
}: {
  change: CountChange | MoneyChange;
  kind: "count" | "money";
}) {
  const format = (value: number | string | null) =>
    value === null ? "–" : kind === "money" ? money(String(value)) : formatInteger(Number(value));
  if (!change.changed) {
    return (
      <Td numeric className="text-muted">
        {format(change.before)}
      </Td>
    );
  }
  const difference = change.difference;
  const differenceText =
    difference === null
      ? null
      : signed(format(difference), String(difference).startsWith("-"), String(difference) === "0");
  return (
    <Td numeric className="font-semibold">
      {/* Stacked, so that seven money columns fit the page: old, → new, difference. */}
      <span aria-hidden="true">
        <span className="block font-normal text-muted">{format(change.before)}</span>
        <span className="block">→ {format(change.after)}</span>
      </span>
      <span className="sr-only">
        von {format(change.before)} auf {format(change.after)}
      </span>
      {differenceText ? (
        <span className="block text-sm">
          <span className="sr-only">, Differenz </span>
          {differenceText}
        </span>
      ) : null}
    </Td>
  );
}

function StatusTag({ status }: { status: RowStatus }) {
  if (status === "added") return <Tag tone="green">neu</Tag>;
  if (status === "removed") return <Tag tone="red">entfallen</Tag>;
  return null;
}

type ChangeValues<Field extends string> = Record<Field, CountChange | MoneyChange>;

interface ChangeColumn<Field extends string> {
  heading: string;
  field: Field;
  kind: "count" | "money";
}

/** Changed rows (name, status tag, one ChangeCell per column) and, if given, a totals row. */
function ChangeTable<Field extends string>({
  caption,
  rowHeading,
  columns,
  rows,
  totals,
}: {
  caption: string;
  rowHeading: string;
  columns: ChangeColumn<Field>[];
  rows: (ChangeValues<Field> & { code: string; name: string; status: RowStatus })[];
  totals?: { label: string; values: ChangeValues<Field> };
}) {
  return (
    <Table caption={caption}>
      <thead>
        <tr>
          <Th>{rowHeading}</Th>
          {columns.map((column) => (
            <Th key={column.field} numeric>
              {column.heading}
            </Th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.code}>
            <RowTh>
              {row.name} <StatusTag status={row.status} />
            </RowTh>
            {columns.map((column) => (
              <ChangeCell key={column.field} change={row[column.field]} kind={column.kind} />
            ))}
          </tr>
        ))}
      </tbody>
      {totals ? (
        <tfoot>
          <tr className="border-t-2 border-ink">
            <RowTh className="font-bold">{totals.label}</RowTh>
            {columns.map((column) => (
              <ChangeCell
                key={column.field}
                change={totals.values[column.field]}
                kind={column.kind}
              />
            ))}
          </tr>
        </tfoot>
      ) : null}
    </Table>
  );
}

export function CategoryChanges({ rows }: { rows: DiffView["categories"] }) {
  if (rows.length === 0)
    return <p className="text-lg">Bei den Produktgruppen gibt es keine Änderungen.</p>;
  return (
    <ChangeTable
      caption="Produktgruppen mit Änderungen"
      rowHeading="Produktgruppe"
      columns={[
        { heading: "Menge", field: "quantity", kind: "count" },
        { heading: "Höchstmenge", field: "maxQuantity", kind: "count" },
        { heading: "Verbundpreis (netto)", field: "unitPriceNet", kind: "money" },
      ]}
      rows={rows}
    />
  );
}

export function PartnerChanges({
  rows,
  totals,
}: {
  rows: DiffView["partners"];
  totals: DiffView["totals"];
}) {
  if (rows.length === 0)
    return <p className="text-lg">Bei den Schulträgern gibt es keine Änderungen.</p>;
  return (
    <ChangeTable
      caption="Schulträger mit Änderungen (brutto, gesamte Laufzeit)"
      rowHeading="Schulträger"
      columns={[
        { heading: "Menge", field: "quantity", kind: "count" },
        { heading: "Geräte", field: "directGross", kind: "money" },
        { heading: "Gemeinkostenanteil", field: "commonCostShare", kind: "money" },
        { heading: "Gesamt", field: "totalGross", kind: "money" },
        { heading: "Ersparnis", field: "savingsGross", kind: "money" },
      ]}
      rows={rows}
      totals={{ label: "Alle Schulträger", values: totals }}
    />
  );
}

export function TenderLevelChanges({ diff }: { diff: DiffView }) {
  if (!diff.estimatedValueNet.changed && !diff.euProcedureRequired.changed) return null;
  const verdict = (required: boolean) =>
    required ? "EU-weites Verfahren erforderlich" : "unterhalb des EU-Schwellenwerts";
  return (
    <Table caption="Auftragswert und Schwellenwert" className="mb-6">
      <thead>
        <tr>
          <Th>Kennzahl</Th>
          <Th numeric>alt → neu</Th>
        </tr>
      </thead>
      <tbody>
        <tr>
          <RowTh>Geschätzter Auftragswert (netto)</RowTh>
          <ChangeCell change={diff.estimatedValueNet} kind="money" />
        </tr>
        <tr>
          <RowTh>Vergabeart</RowTh>
          <Td numeric className={diff.euProcedureRequired.changed ? "font-semibold" : "text-muted"}>
            {diff.euProcedureRequired.changed
              ? `${verdict(diff.euProcedureRequired.before)} → ${verdict(diff.euProcedureRequired.after)}`
              : verdict(diff.euProcedureRequired.after)}
          </Td>
        </tr>
      </tbody>
    </Table>
  );
}

// ---- Causes ---------------------------------------------------------------------------

export type CauseView = Jsonify<Cause>;

const KEY_LABELS: Record<string, string> = {
  volume: "Auftragsvolumen",
  quantity: "Stückzahl",
  pupils: "Schülerzahl",
  population: "Einwohnerzahl",
  equal: "zu gleichen Teilen",
  custom: "festgelegte Gewichte",
};

const arrow = (before: string, after: string) => `${before} → ${after}`;
const orNone = (value: string | null, format: (v: string) => string, none: string) =>
  value === null ? none : format(value);
const term = (text: string) => {
  const [start, years] = text.split("/");
  return `ab ${start}, ${years} ${years === "1" ? "Jahr" : "Jahre"}`;
};

/** One cause as a German sentence: "Reserve: 10 % → 20 %". */
export function causeText(cause: CauseView): string {
  switch (cause.kind) {
    case "reserve":
      return `Reserve: ${arrow(formatPercent(cause.before), formatPercent(cause.after))}`;
    case "term":
      return `Laufzeit: ${arrow(term(cause.before), term(cause.after))}`;
    case "soloProcessCost":
      return `Kosten eines eigenen Vergabeverfahrens (brutto): ${arrow(money(cause.before), money(cause.after))}`;
    case "euThreshold":
      return `EU-Schwellenwert (netto): ${arrow(money(cause.before), money(cause.after))}`;
    case "commonCost": {
      const { before, after } = cause;
      if (!before)
        return `Gemeinkosten „${cause.label}“ neu: ${money(after!.amountGross)} brutto, Schlüssel ${KEY_LABELS[after!.key]}`;
      if (!after)
        return `Gemeinkosten „${cause.label}“ entfallen (bisher ${money(before.amountGross)} brutto)`;
      const parts: string[] = [];
      if (before.amountGross !== after.amountGross)
        parts.push(`${arrow(money(before.amountGross), money(after.amountGross))} brutto`);
      if (before.key !== after.key)
        parts.push(`Schlüssel ${arrow(KEY_LABELS[before.key], KEY_LABELS[after.key])}`);
      return `Gemeinkosten „${cause.label}“: ${parts.join(", ")}`;
    }
    case "basePrice":
      return `Grundpreis ${cause.name} (${cause.code}, netto): ${arrow(
        orNone(cause.before, money, "neu"),
        orNone(cause.after, money, "entfallen"),
      )}`;
    case "vatRate":
      return `Umsatzsteuersatz ${cause.name} (${cause.code}): ${arrow(formatPercent(cause.before), formatPercent(cause.after))}`;
    case "tier": {
      const tier = (t: { minQuantity: number; discount: string }) =>
        t.minQuantity === 0
          ? "keine Staffel"
          : `ab ${formatInteger(t.minQuantity)} Stück ${formatPercent(t.discount)} Rabatt`;
      return `Rabattstaffel ${cause.name} (${cause.code}): ${arrow(tier(cause.before), tier(cause.after))}`;
    }
    case "demand":
      return `Bedarf ${cause.partnerName}, ${cause.categoryName}: ${arrow(
        formatInteger(cause.before),
        formatInteger(cause.after),
      )} Stück`;
  }
}

/** What was changed since the decision version: the causes of the changes below. */
export function CauseList({ causes }: { causes: CauseView[] }) {
  if (causes.length === 0)
    return (
      <p className="text-lg">
        Keine geänderten Eingaben (Reserve, Gemeinkosten, Preise, Bedarfe) gefunden.
      </p>
    );
  return (
    <ul className="mb-6 ml-6 list-disc space-y-1 break-inside-avoid">
      {causes.map((cause, index) => (
        <li key={index}>{causeText(cause)}</li>
      ))}
    </ul>
  );
}
