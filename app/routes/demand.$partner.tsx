import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { getDemandStatus } from "../../db/demand-status";
import { getPartnerDemand, type CategorySummary, type DemandCell } from "../../db/partner-demand";
import { getSetting } from "../../db/settings";
import { DescriptionList, PageHeading, RowTh, SectionHeading, Table, Tag, Td, Th } from "~/components/ui";
import { requirePartnerRead, requireUser } from "~/utils/auth.server";
import { getDb } from "~/utils/db.server";
import { DEMAND_STATUS_LABELS, DEMAND_STATUS_TONES } from "~/utils/demand-labels";
import { formatDeadline, formatInteger } from "~/utils/format";
import { notFound } from "~/utils/http.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Bedarf ${data.demand.partner.name} – Verbundkauf` : "Bedarf – Verbundkauf" },
];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const db = await getDb();
  const demand = await getPartnerDemand(db, params.partner ?? "");
  if (!demand) throw notFound();
  requirePartnerRead(user, demand.partner.code);
  return json({
    demand,
    status: await getDemandStatus(db, demand.partner.code),
    deadline: (await getSetting(db, "demandDeadline")) ?? null,
  });
}

/** quantity by category and year for one school (or the lines without school). */
function quantityGrid(lines: DemandCell[], schoolCode: string | null): Map<string, Map<number, number>> {
  const grid = new Map<string, Map<number, number>>();
  for (const line of lines) {
    if (line.schoolCode !== schoolCode) continue;
    const byYear = grid.get(line.categoryCode) ?? new Map<number, number>();
    byYear.set(line.year, (byYear.get(line.year) ?? 0) + line.quantity);
    grid.set(line.categoryCode, byYear);
  }
  return grid;
}

function Quantity({ value }: { value: number }) {
  return value === 0 ? <span aria-label="0">–</span> : <>{formatInteger(value)}</>;
}

function DemandTable({
  caption,
  categories,
  years,
  lines,
  schoolCode,
}: {
  caption: string;
  categories: CategorySummary[];
  years: number[];
  lines: DemandCell[];
  schoolCode: string | null;
}) {
  const grid = quantityGrid(lines, schoolCode);
  const cell = (category: string, year: number) => grid.get(category)?.get(year) ?? 0;
  const rowTotal = (category: string) => years.reduce((sum, year) => sum + cell(category, year), 0);
  const yearTotal = (year: number) => categories.reduce((sum, category) => sum + cell(category.code, year), 0);
  const total = years.reduce((sum, year) => sum + yearTotal(year), 0);
  return (
    <Table caption={caption} className="mb-8">
      <thead>
        <tr>
          <Th>Produktgruppe</Th>
          {years.map((year) => (
            <Th key={year} numeric>
              {year}
            </Th>
          ))}
          <Th numeric>Summe</Th>
        </tr>
      </thead>
      <tbody>
        {categories.map((category) => (
          <tr key={category.code}>
            <RowTh>{category.name}</RowTh>
            {years.map((year) => (
              <Td key={year} numeric>
                <Quantity value={cell(category.code, year)} />
              </Td>
            ))}
            <Td numeric className="font-semibold">
              <Quantity value={rowTotal(category.code)} />
            </Td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <RowTh className="border-t-2 border-ink font-bold">Summe</RowTh>
          {years.map((year) => (
            <Td key={year} numeric className="border-t-2 border-ink font-bold">
              {formatInteger(yearTotal(year))}
            </Td>
          ))}
          <Td numeric className="border-t-2 border-ink font-bold">
            {formatInteger(total)}
          </Td>
        </tr>
      </tfoot>
    </Table>
  );
}

export default function PartnerDemandPage() {
  const { demand, status, deadline } = useLoaderData<typeof loader>();
  const linesWithoutSchool = demand.lines.some((line) => line.schoolCode === null);
  const totalQuantity = demand.lines.reduce((sum, line) => sum + line.quantity, 0);
  return (
    <>
      <PageHeading caption="Bedarf">{demand.partner.name}</PageHeading>
      <DescriptionList
        items={[
          {
            term: "Status",
            value: <Tag tone={DEMAND_STATUS_TONES[status.status]}>{DEMAND_STATUS_LABELS[status.status]}</Tag>,
          },
          { term: "Frist", value: deadline ? formatDeadline(deadline) : "Keine Frist gesetzt" },
          { term: "Gesamtmenge", value: `${formatInteger(totalQuantity)} Stück` },
        ]}
      />
      {demand.years.length === 0 ? (
        <p className="mt-6 text-lg">Es gibt noch keine Ausschreibung und keinen Bedarf: der Planungszeitraum ist leer.</p>
      ) : (
        <>
          <SectionHeading>Bedarf je Schule</SectionHeading>
          <p className="mb-6 text-muted">Stückzahlen je Produktgruppe und Jahr; „–“ heißt kein Bedarf.</p>
          {demand.schools.map((school) => (
            <DemandTable
              key={school.code}
              caption={school.name}
              categories={demand.categories}
              years={demand.years}
              lines={demand.lines}
              schoolCode={school.code}
            />
          ))}
          {demand.schools.length === 0 ? <p className="mb-6 text-lg">Für diesen Schulträger sind keine Schulen angelegt.</p> : null}
          {linesWithoutSchool || demand.schools.length === 0 ? (
            <DemandTable
              caption="Ohne Schulzuordnung"
              categories={demand.categories}
              years={demand.years}
              lines={demand.lines}
              schoolCode={null}
            />
          ) : null}
        </>
      )}
    </>
  );
}
