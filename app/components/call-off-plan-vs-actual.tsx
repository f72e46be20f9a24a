// Tables of the plan-against-actual page. Money arrives as integer cents in strings
// (bigint does not travel through JSON) and is formatted with integer arithmetic only.
import type { PartnerComparison, PlanVsActual, SideFigures } from "../../domain/plan-vs-actual";
import { formatEuro } from "../../domain/money";
import { RowTh, Table, Td, Th } from "~/components/ui";
import { formatInteger } from "~/utils/format";
import type { Jsonify } from "~/utils/jsonify";

type PlainPlanVsActual = Jsonify<PlanVsActual>;
type PlainSide = Jsonify<SideFigures>;

const euro = (cents: string) => formatEuro(BigInt(cents));

function Difference({ cents }: { cents: string }) {
  const value = BigInt(cents);
  return (
    <span className={value > 0n ? "font-semibold text-danger" : ""}>
      {value > 0n ? `+${euro(cents)}` : euro(cents)}
    </span>
  );
}

export function CategoryComparisonTable({ data }: { data: PlainPlanVsActual }) {
  return (
    <Table caption="Produktgruppen: Plan und Abrufe" className="mb-8">
      <thead>
        <tr>
          <Th>Produktgruppe</Th>
          <Th>Los</Th>
          <Th numeric>Zuschlagspreis (netto)</Th>
          <Th numeric>Höchstmenge</Th>
          <Th numeric>Menge Plan</Th>
          <Th numeric>Menge Ist</Th>
        </tr>
      </thead>
      <tbody>
        {data.categories.map((c) => (
          <tr key={c.code}>
            <RowTh>{c.name}</RowTh>
            <Td>{c.lot}</Td>
            <Td numeric>{euro(c.unitPriceNet)}</Td>
            <Td numeric>{formatInteger(c.maxQuantity)}</Td>
            <Td numeric>{formatInteger(c.plannedQuantity)}</Td>
            <Td numeric>{formatInteger(c.calledOffQuantity)}</Td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}

function SideCells({ planned, actual }: { planned: PlainSide; actual: PlainSide }) {
  return (
    <>
      <Td numeric>{formatInteger(planned.quantity)}</Td>
      <Td numeric>{formatInteger(actual.quantity)}</Td>
      <Td numeric>{euro(planned.directGross)}</Td>
      <Td numeric>{euro(actual.directGross)}</Td>
      <Td numeric>{euro(planned.commonCostShare)}</Td>
      <Td numeric>{euro(actual.commonCostShare)}</Td>
      <Td numeric>{euro(planned.totalGross)}</Td>
      <Td numeric>{euro(actual.totalGross)}</Td>
    </>
  );
}

const SIDE_HEADERS = [
  "Menge Plan",
  "Menge Ist",
  "Brutto Plan",
  "Brutto Ist",
  "Gemeinkosten Plan",
  "Gemeinkosten Ist",
  "Gesamt Plan",
  "Gesamt Ist",
];

export function PartnerComparisonTable({
  partners,
  totals,
}: {
  partners: Jsonify<PartnerComparison>[];
  totals: PlainPlanVsActual["totals"] | null;
}) {
  return (
    <Table caption="Schulträger: Kosten zu Zuschlagspreisen (brutto)" className="mb-8">
      <thead>
        <tr>
          <Th>Schulträger</Th>
          {SIDE_HEADERS.map((h) => (
            <Th key={h} numeric>
              {h}
            </Th>
          ))}
          <Th numeric>Abweichung</Th>
        </tr>
      </thead>
      <tbody>
        {partners.map((p) => (
          <tr key={p.code} data-partner={p.code}>
            <RowTh>{p.name}</RowTh>
            <SideCells planned={p.planned} actual={p.actual} />
            <Td numeric>
              <Difference cents={p.differenceGross} />
            </Td>
          </tr>
        ))}
      </tbody>
      {totals ? (
        <tfoot>
          <tr>
            <RowTh className="border-t-2 border-ink font-bold">Alle Schulträger</RowTh>
            <SideCells planned={totals.planned} actual={totals.actual} />
            <Td numeric className="border-t-2 border-ink font-bold">
              <Difference cents={totals.differenceGross} />
            </Td>
          </tr>
        </tfoot>
      ) : null}
    </Table>
  );
}

export function PartnerYearsTable({ partner }: { partner: Jsonify<PartnerComparison> }) {
  return (
    <Table caption={`${partner.name} je Haushaltsjahr`} className="mb-8">
      <thead>
        <tr>
          <Th>Jahr</Th>
          {SIDE_HEADERS.map((h) => (
            <Th key={h} numeric>
              {h}
            </Th>
          ))}
        </tr>
      </thead>
      <tbody>
        {partner.years.map((y) => (
          <tr key={y.year}>
            <RowTh>{y.year}</RowTh>
            <SideCells planned={y.planned} actual={y.actual} />
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
