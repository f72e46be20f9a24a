import type { DemandTotals } from "../../domain/demand-grid";
import { SectionHeading } from "~/components/ui";
import { formatInteger } from "~/utils/format";
import { DemandYearHeaderCells } from "./demand-year-header";

// "Summe aller Schulen": the partner's demand per category and year over all its grids
// (schools and demand without a school), as the loader computed it from saved values.
// It does not follow unsaved typing; a save revalidates the loader and refreshes it.
export function DemandTotalsTable({
  totals,
  round = null,
}: {
  totals: DemandTotals;
  /** The demand round the totals are limited to (its categories and term years). */
  round?: string | null;
}) {
  const cell = "border-b border-line px-2 py-2 text-right tabular-nums";
  const footCell = "border-t-2 border-ink px-2 py-2 text-right font-bold tabular-nums";
  return (
    <section aria-labelledby="demand-totals-title" data-testid="demand-totals">
      <SectionHeading id="demand-totals-title">
        Summe aller Schulen{round ? ` – Bedarfsrunde ${round}` : ""}
      </SectionHeading>
      <p className="mb-3 text-muted">
        Gespeicherte Stückzahlen je Produktgruppe und Jahr, über alle Schulen und den Bedarf ohne
        Schulzuordnung.
      </p>
      <div className="overflow-x-auto" tabIndex={0}>
        <table className="w-full text-left">
          <thead>
            <tr>
              <DemandYearHeaderCells years={totals.years} />
            </tr>
          </thead>
          <tbody>
            {totals.rows.map((row) => (
              <tr key={row.category.code} data-category={row.category.code}>
                <th scope="row" className="border-b border-line px-2 py-2 text-left font-normal">
                  {row.category.name}
                  {row.category.unit ? (
                    <span className="text-muted"> ({row.category.unit})</span>
                  ) : null}
                </th>
                {row.quantities.map((q, i) => (
                  <td key={totals.years[i]} className={cell}>
                    {q === 0 ? <span aria-label="0">–</span> : formatInteger(q)}
                  </td>
                ))}
                <td className={`${cell} font-semibold`}>{formatInteger(row.total)}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row" className="border-t-2 border-ink px-2 py-2 text-left">
                Summe
              </th>
              {totals.years.map((y, i) => (
                <td key={y} className={footCell}>
                  {formatInteger(totals.yearTotals[i])}
                </td>
              ))}
              <td className={footCell} data-testid="demand-totals-total">
                {formatInteger(totals.total)}
              </td>
            </tr>
          </tfoot>
        </table>
      </div>
    </section>
  );
}
