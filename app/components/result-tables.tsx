// Tables of the engine's figures for one tender (CALCULATION.md §3–§6): categories
// with tiers and prices, lots with the estimated contract value against the EU
// threshold, and the partners' costs and savings. Two halves:
//   tenderResultView(calc)  – pure, on the server: bigint cents → de-DE strings
//                             (loaders cannot send bigint as JSON);
//   <…Table view={…} />     – rendering only.
// The summary page may import both.
import type { Figures, TenderCalculation } from "../../domain/calculation";
import { formatEuro, roundHalfAwayFromZero, type Cents } from "../../domain/money";
import { RowTh, Table, Td, Th } from "~/components/ui";
import { formatInteger, formatPercent } from "~/utils/format";

export interface CategoryRow {
  code: string;
  name: string;
  lot: string;
  quantity: string;
  maxQuantity: string;
  /** "ab 1.000 Stück: −6 %" or "keine Staffel erreicht". */
  tier: string;
  basePrice: string;
  unitPrice: string;
  estimatedValue: string;
}

export interface LotRow {
  code: string;
  name: string;
  estimatedValue: string;
  smallLotExempt: boolean;
}

export interface FiguresRow {
  code: string;
  name: string;
  quantity: string;
  directNet: string;
  directVat: string;
  directGross: string;
  commonCostShare: string;
  totalGross: string;
  /** §12: funding granted (Förderung). */
  fundingGross: string;
  /** §12: totalGross − fundingGross (Eigenanteil). */
  ownGross: string;
  soloGross: string;
  savingsGross: string;
  /** Savings relative to the solo cost, one decimal, "–" when the solo cost is 0. */
  savingsPercent: string;
  negativeSavings: boolean;
}

export interface TenderResultView {
  code: string;
  years: string;
  participants: number;
  categories: CategoryRow[];
  lots: LotRow[];
  estimatedValue: string;
  euThreshold: string;
  euProcedureRequired: boolean;
  /** "EU-weites Verfahren erforderlich" or "Nationale Vergabe möglich". */
  verdict: string;
  /** The plain-German consequence, one sentence. */
  verdictDetail: string;
  partners: FiguresRow[];
  totals: FiguresRow;
}

/**
 * part / whole as percent with one decimal, rounded half away from zero on exact
 * integers ("12,3 %"); "–" when whole is 0.
 */
export function formatShareOf(part: Cents, whole: Cents): string {
  if (whole === 0n) return "–";
  const tenths = roundHalfAwayFromZero(part * 1000n, whole < 0n ? -whole : whole);
  const sign = tenths < 0n ? "-" : "";
  const abs = tenths < 0n ? -tenths : tenths;
  return `${sign}${formatInteger(abs / 10n)},${abs % 10n} %`;
}

export function tierLabel(
  tierMinQuantity: number,
  discount: string,
  unit: string | undefined,
): string {
  if (tierMinQuantity === 0) return "keine Staffel erreicht";
  return `ab ${formatInteger(tierMinQuantity)} ${unit ?? "Stück"}: −${formatPercent(discount)}`;
}

export const EU_VERDICT = {
  required: "EU-weites Verfahren erforderlich",
  national: "Nationale Vergabe möglich",
} as const;

function figuresRow(code: string, name: string, f: Figures): FiguresRow {
  return {
    code,
    name,
    quantity: formatInteger(f.quantity),
    directNet: formatEuro(f.directNet),
    directVat: formatEuro(f.directVat),
    directGross: formatEuro(f.directGross),
    commonCostShare: formatEuro(f.commonCostShare),
    totalGross: formatEuro(f.totalGross),
    fundingGross: formatEuro(f.fundingGross),
    ownGross: formatEuro(f.ownGross),
    soloGross: formatEuro(f.soloGross),
    savingsGross: formatEuro(f.savingsGross),
    savingsPercent: formatShareOf(f.savingsGross, f.soloGross),
    negativeSavings: f.savingsGross < 0n,
  };
}

export function tenderResultView(tender: TenderCalculation): TenderResultView {
  const lastYear = tender.startYear + tender.termYears - 1;
  const exempt = tender.lots.filter((lot) => lot.smallLotExempt).map((lot) => lot.code);
  const verdictDetail = tender.euProcedureRequired
    ? `Der geschätzte Auftragswert erreicht den EU-Schwellenwert von ${formatEuro(tender.euThresholdNet)} (netto). ` +
      (exempt.length
        ? `Nach § 3 Abs. 9 VgV dürfen ${exempt.length === 1 ? "das Los" : "die Lose"} ${exempt.join(", ")} national vergeben werden.`
        : "Kein Los kann nach § 3 Abs. 9 VgV national vergeben werden.")
    : `Der geschätzte Auftragswert liegt unter dem EU-Schwellenwert von ${formatEuro(tender.euThresholdNet)} (netto).`;
  return {
    code: tender.code,
    years: tender.termYears === 1 ? String(tender.startYear) : `${tender.startYear}–${lastYear}`,
    participants: tender.participants.length,
    categories: tender.categories.map((c) => ({
      code: c.code,
      name: c.name,
      lot: c.lot,
      quantity: formatInteger(c.quantity),
      maxQuantity: formatInteger(c.maxQuantity),
      tier: tierLabel(c.tierMinQuantity, c.discount, c.unit),
      basePrice: formatEuro(c.basePriceNet),
      unitPrice: formatEuro(c.unitPriceNet),
      estimatedValue: formatEuro(c.estimatedValueNet),
    })),
    lots: tender.lots.map((lot) => ({
      code: lot.code,
      name: lot.name,
      estimatedValue: formatEuro(lot.estimatedValueNet),
      smallLotExempt: lot.smallLotExempt,
    })),
    estimatedValue: formatEuro(tender.estimatedValueNet),
    euThreshold: formatEuro(tender.euThresholdNet),
    euProcedureRequired: tender.euProcedureRequired,
    verdict: tender.euProcedureRequired ? EU_VERDICT.required : EU_VERDICT.national,
    verdictDetail,
    partners: tender.partners.map((p) => figuresRow(p.code, p.name, p)),
    totals: figuresRow("", "Summe", tender.totals),
  };
}

export function CategoryResultTable({ view }: { view: TenderResultView }) {
  if (view.categories.length === 0)
    return <p className="text-lg">Noch keine Produktgruppen in den Losen.</p>;
  return (
    <Table caption="Mengen, Staffeln und Preise je Produktgruppe" className="mb-8">
      <thead>
        <tr>
          <Th>Produktgruppe</Th>
          <Th>Los</Th>
          <Th numeric>Menge</Th>
          <Th numeric>Höchstmenge</Th>
          <Th>Erreichte Staffel</Th>
          <Th numeric>Grundpreis (netto)</Th>
          <Th numeric>Verbundpreis (netto)</Th>
          <Th numeric>Auftragswert (netto)</Th>
        </tr>
      </thead>
      <tbody>
        {view.categories.map((c) => (
          <tr key={c.code} data-category={c.code}>
            <RowTh>
              {c.name} <span className="text-muted">({c.code})</span>
            </RowTh>
            <Td>{c.lot}</Td>
            <Td numeric data-field="quantity">
              {c.quantity}
            </Td>
            <Td numeric data-field="maxQuantity">
              {c.maxQuantity}
            </Td>
            <Td data-field="tier">{c.tier}</Td>
            <Td numeric data-field="basePrice">
              {c.basePrice}
            </Td>
            <Td numeric data-field="unitPrice">
              {c.unitPrice}
            </Td>
            <Td numeric data-field="estimatedValue">
              {c.estimatedValue}
            </Td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}

export function LotValueTable({ view }: { view: TenderResultView }) {
  return (
    <>
      <Table caption="Geschätzter Auftragswert (§ 3 VgV)" className="mb-4">
        <thead>
          <tr>
            <Th>Los</Th>
            <Th numeric>Auftragswert (netto)</Th>
            <Th>National vergebbar (§ 3 Abs. 9 VgV)</Th>
          </tr>
        </thead>
        <tbody>
          {view.lots.map((lot) => (
            <tr key={lot.code} data-lot={lot.code}>
              <RowTh>
                {lot.code}: {lot.name}
              </RowTh>
              <Td numeric data-field="estimatedValue">
                {lot.estimatedValue}
              </Td>
              <Td>{lot.smallLotExempt ? "ja" : "nein"}</Td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr data-lot="total">
            <RowTh className="font-bold">Gesamt</RowTh>
            <Td numeric className="font-bold" data-field="estimatedValue">
              {view.estimatedValue}
            </Td>
            <Td>EU-Schwellenwert: {view.euThreshold}</Td>
          </tr>
        </tfoot>
      </Table>
      <div
        data-testid="eu-verdict"
        className={`mb-8 border-l-8 p-4 ${view.euProcedureRequired ? "border-danger bg-[#fbe9e7]" : "border-ok bg-[#e6f2ec]"}`}
      >
        <p className="text-lg font-bold">{view.verdict}</p>
        <p>{view.verdictDetail}</p>
      </div>
    </>
  );
}

const FIGURE_COLUMNS: [keyof FiguresRow, string][] = [
  ["quantity", "Menge"],
  ["directNet", "Direkt netto"],
  ["directVat", "USt."],
  ["directGross", "Direkt brutto"],
  ["commonCostShare", "Anteil Gemeinkosten"],
  ["totalGross", "Gesamt brutto"],
  ["fundingGross", "Förderung"],
  ["ownGross", "Eigenanteil"],
  ["soloGross", "Allein brutto"],
  ["savingsGross", "Ersparnis"],
  ["savingsPercent", "Ersparnis in %"],
];

function FiguresCells({ row, bold }: { row: FiguresRow; bold?: boolean }) {
  return (
    <>
      {FIGURE_COLUMNS.map(([key]) => (
        <Td
          key={key}
          numeric
          data-field={key}
          className={`${bold ? "font-bold" : ""} ${(key === "savingsGross" || key === "savingsPercent") && row.negativeSavings ? "text-danger" : ""}`}
        >
          {String(row[key])}
        </Td>
      ))}
    </>
  );
}

export function PartnerResultTable({ view }: { view: TenderResultView }) {
  if (view.partners.length === 0) {
    return (
      <p className="text-lg">
        Noch kein Partner hat Bedarf in diesen Produktgruppen und Jahren gemeldet.
      </p>
    );
  }
  return (
    <Table
      caption={`Kosten und Ersparnis je Partner (${view.years}, brutto wo nicht anders angegeben)`}
      className="mb-8"
    >
      <thead>
        <tr>
          <Th>Partner</Th>
          {FIGURE_COLUMNS.map(([key, label]) => (
            <Th key={key} numeric>
              {label}
            </Th>
          ))}
        </tr>
      </thead>
      <tbody>
        {view.partners.map((row) => (
          <tr key={row.code} data-partner={row.code}>
            <RowTh>{row.name}</RowTh>
            <FiguresCells row={row} />
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr data-partner="total">
          <RowTh className="font-bold">{view.totals.name}</RowTh>
          <FiguresCells row={view.totals} bold />
        </tr>
      </tfoot>
    </Table>
  );
}

/** All three tables in the order the tender page shows them. */
export function TenderResultTables({ view }: { view: TenderResultView }) {
  return (
    <>
      <CategoryResultTable view={view} />
      <LotValueTable view={view} />
      <PartnerResultTable view={view} />
    </>
  );
}
