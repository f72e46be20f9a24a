// The committee summary's funding section (CALCULATION.md §12): per participant the
// gross share, the funding granted and the own contribution (Eigenanteil), with the
// totals, and a chart of gross against own contribution per participant. Separate
// from summary-sections.tsx so that the section can be added without touching it.
import type { Markup } from "~/utils/server-markup";
import type { SummaryView } from "~/components/summary-model";
import { BarChartFigure, type BarChartSpec, type CentsText } from "./charts/bar-chart-figure";
import { RowTh, SectionHeading, Table, Td, Th } from "~/components/ui";
import { formatCents } from "~/utils/format";

export interface PartnerFundingRow {
  code: string;
  name: string;
  totalGross: CentsText;
  fundingGross: CentsText;
  ownGross: CentsText;
}

/** Bars per participant in plan order: gross share and own contribution after funding. */
export function fundingPerPartnerSpec(
  partners: PartnerFundingRow[],
  id = "chart-funding-per-partner",
): BarChartSpec {
  return {
    id,
    title: "Gesamtanteil und Eigenanteil je Schulträger (brutto, gesamte Laufzeit)",
    summary:
      "Balkendiagramm: je teilnehmendem Schulträger der Anteil an den Gesamtkosten (brutto) und der Eigenanteil nach Abzug der Förderung.",
    labelHeader: "Schulträger",
    series: [
      { key: "total", name: "Gesamt brutto", color: "#1d70b8" },
      { key: "own", name: "Eigenanteil", color: "#00703c" },
    ],
    rows: partners.map((p) => ({
      label: p.name,
      values: { total: p.totalGross, own: p.ownGross },
    })),
  };
}

function sum(values: CentsText[]): bigint {
  return values.reduce((total, value) => total + BigInt(value), 0n);
}

export function FundingSummarySection({
  partners,
  svg,
}: {
  partners: SummaryView["partners"];
  svg: Markup;
}) {
  if (partners.length === 0) return null;
  const totals = {
    totalGross: sum(partners.map((p) => p.totalGross)),
    fundingGross: sum(partners.map((p) => p.fundingGross)),
    ownGross: sum(partners.map((p) => p.ownGross)),
  };
  return (
    <section aria-labelledby="funding" className="mt-8" data-section="funding">
      <SectionHeading id="funding">Förderung und Eigenanteil</SectionHeading>
      <p className="mb-4 max-w-3xl">
        Förderprogramme übernehmen einen Teil der direkten Gerätekosten; was jeder Schulträger
        danach selbst zahlt, ist sein Eigenanteil. Gemeinkosten werden nicht gefördert.
      </p>
      <BarChartFigure spec={fundingPerPartnerSpec(partners)} svg={svg} />
      <Table caption="Förderung und Eigenanteil je Schulträger (brutto, gesamte Laufzeit)">
        <thead>
          <tr>
            <Th>Schulträger</Th>
            <Th numeric>Gesamt</Th>
            <Th numeric>Förderung</Th>
            <Th numeric>Eigenanteil</Th>
          </tr>
        </thead>
        <tbody>
          {partners.map((p) => (
            <tr key={p.code} data-partner={p.code} className="break-inside-avoid">
              <RowTh>{p.name}</RowTh>
              <Td numeric data-field="totalGross">
                {formatCents(BigInt(p.totalGross))}
              </Td>
              <Td numeric data-field="fundingGross">
                {formatCents(BigInt(p.fundingGross))}
              </Td>
              <Td numeric data-field="ownGross">
                {formatCents(BigInt(p.ownGross))}
              </Td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr data-partner="total" className="font-bold">
            <RowTh className="font-bold">Summe</RowTh>
            <Td numeric data-field="totalGross">
              {formatCents(totals.totalGross)}
            </Td>
            <Td numeric data-field="fundingGross">
              {formatCents(totals.fundingGross)}
            </Td>
            <Td numeric data-field="ownGross">
              {formatCents(totals.ownGross)}
            </Td>
          </tr>
        </tfoot>
      </Table>
    </section>
  );
}
