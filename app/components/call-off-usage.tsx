// How far each framework agreement's maximum quantity is used: the table on the
// call-offs page, the warnings for the coordinator and a small badge for lists.
import type { CategoryUse } from "../../db/call-offs";
import {
  formatPerMille,
  USAGE_LEVEL_LABELS,
  type Overdraw,
  type UsageLevel,
} from "../../domain/call-offs";
import { formatEuro } from "../../domain/money";
import { RowTh, Table, Tag, Td, Th } from "~/components/ui";
import { formatInteger } from "~/utils/format";

const TONES: Record<UsageLevel, "green" | "yellow" | "red"> = {
  ok: "green",
  warning: "yellow",
  critical: "red",
  exhausted: "red",
};

export function UsageTag({ level }: { level: UsageLevel }) {
  return <Tag tone={TONES[level]}>{USAGE_LEVEL_LABELS[level]}</Tag>;
}

function usageText(category: CategoryUse): string {
  return category.perMille === null ? "–" : formatPerMille(category.perMille);
}

function unitOf(category: { unit: string | null }): string {
  return category.unit ?? "Stück";
}

export function UsageTable({
  categories,
  partnerName,
}: {
  categories: CategoryUse[];
  partnerName: string | null;
}) {
  return (
    <Table caption="Höchstmengen und Abrufe je Produktgruppe" className="mb-8">
      <thead>
        <tr>
          <Th>Produktgruppe</Th>
          <Th>Los</Th>
          <Th numeric>Zuschlagspreis (netto)</Th>
          <Th numeric>Höchstmenge</Th>
          <Th numeric>Abgerufen (alle)</Th>
          <Th numeric>Verfügbar</Th>
          <Th numeric>Ausschöpfung</Th>
          <Th>Stand</Th>
          {partnerName ? (
            <>
              <Th numeric>Abgerufen {partnerName}</Th>
              <Th numeric>Geplant {partnerName}</Th>
            </>
          ) : null}
        </tr>
      </thead>
      <tbody>
        {categories.map((category) => (
          <tr key={category.code} data-category={category.code}>
            <RowTh>
              {category.name} <span className="text-muted">({category.code})</span>
            </RowTh>
            <Td>{category.lotCode}</Td>
            <Td numeric>{formatEuro(BigInt(category.unitPriceNetCents))}</Td>
            <Td numeric>{formatInteger(category.maxQuantity)}</Td>
            <Td numeric>{formatInteger(category.calledOff)}</Td>
            <Td numeric data-remaining>
              {formatInteger(category.remaining)} {unitOf(category)}
            </Td>
            <Td numeric>{usageText(category)}</Td>
            <Td>
              <UsageTag level={category.level} />
            </Td>
            {category.share ? (
              <>
                <Td numeric>{formatInteger(category.share.calledOff)}</Td>
                <Td numeric>{formatInteger(category.share.planned)}</Td>
              </>
            ) : null}
          </tr>
        ))}
      </tbody>
    </Table>
  );
}

/** Warnings from 80 % and 95 % use (for the coordinator); nothing when all is well. */
export function UsageWarnings({ categories }: { categories: CategoryUse[] }) {
  const warned = categories.filter((c) => c.level !== "ok");
  if (warned.length === 0) return null;
  const critical = warned.some((c) => c.level !== "warning");
  return (
    <div
      role="alert"
      className={`mb-6 border-l-8 p-4 ${critical ? "border-danger bg-[#f4cdc6]" : "border-[#ffdd00] bg-[#fff7bf]"}`}
    >
      <h2 className="mb-2 text-xl font-bold">Höchstmengen bald ausgeschöpft</h2>
      <p className="mb-2">
        Ein Rahmenvertrag endet, sobald seine Höchstmenge erreicht ist. Rechtzeitig eine neue
        Vergabe vorbereiten.
      </p>
      <ul className="list-disc pl-6">
        {warned.map((c) => (
          <li key={c.code}>
            {c.name}: {usageText(c)} abgerufen, noch {formatInteger(c.remaining)} {unitOf(c)}{" "}
            verfügbar ({USAGE_LEVEL_LABELS[c.level]})
          </li>
        ))}
      </ul>
    </div>
  );
}

/** Partners that called off more than their planned share plus the reserve (coordinator). */
export function OverdrawList({ overdraws }: { overdraws: Overdraw[] }) {
  if (overdraws.length === 0) return null;
  return (
    <section
      aria-labelledby="overdraws-heading"
      className="mb-6 border-l-8 border-[#ffdd00] bg-[#fff7bf] p-4"
    >
      <h2 id="overdraws-heading" className="mb-2 text-xl font-bold">
        Abrufe über dem eigenen Anteil
      </h2>
      <p className="mb-2">
        Diese Schulträger haben mehr abgerufen als ihren geplanten Bedarf mit Reserve; das geht
        zulasten der Höchstmenge der anderen.
      </p>
      <ul className="list-disc pl-6">
        {overdraws.map((o) => (
          <li key={`${o.partnerCode}-${o.categoryCode}`} data-overdraw={o.partnerCode}>
            {o.partnerName}, {o.categoryName}: {formatInteger(o.calledOff)} {unitOf(o)} abgerufen,
            geplant {formatInteger(o.planned)}, mit Reserve {formatInteger(o.limit)} {unitOf(o)}
          </li>
        ))}
      </ul>
    </section>
  );
}
