import { Link } from "@remix-run/react";
import type { TenderSummary } from "../../db/tender-inputs";
import { Table, Td, Th } from "~/components/ui";
import { formatInteger } from "~/utils/format";

function termLabel(termYears: number): string {
  return termYears === 1 ? "1 Jahr" : `${termYears} Jahre`;
}

export function TendersTable({ tenders }: { tenders: TenderSummary[] }) {
  if (tenders.length === 0)
    return <p className="text-lg">Es sind noch keine Ausschreibungen angelegt.</p>;
  return (
    <Table>
      <thead>
        <tr>
          <Th>Kennung</Th>
          <Th>Bezeichnung</Th>
          <Th numeric>Startjahr</Th>
          <Th numeric>Laufzeit</Th>
          <Th numeric>Lose</Th>
        </tr>
      </thead>
      <tbody>
        {tenders.map((tender) => (
          <tr key={tender.code}>
            <Td>
              <Link to={`/tenders/${encodeURIComponent(tender.code)}`}>{tender.code}</Link>
            </Td>
            <Td>{tender.name}</Td>
            <Td numeric>{tender.startYear}</Td>
            <Td numeric>{termLabel(tender.termYears)}</Td>
            <Td numeric>{formatInteger(tender.lotCount)}</Td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
