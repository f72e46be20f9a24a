const HEADER_CELL = "border-b-2 border-ink px-2 py-2 align-bottom";

/** The header cells every demand table starts with: category, one column per year, sum. */
export function DemandYearHeaderCells({ years }: { years: readonly number[] }) {
  return (
    <>
      <th scope="col" className={`${HEADER_CELL} text-left`}>
        Produktgruppe
      </th>
      {years.map((y) => (
        <th key={y} scope="col" className={`${HEADER_CELL} text-right`}>
          {y}
        </th>
      ))}
      <th scope="col" className={`${HEADER_CELL} text-right`}>
        Summe
      </th>
    </>
  );
}
