// A bar chart as the page shows it: caption, HTML legend, the SVG drawing and a data
// table in <details>. The drawing is SVG markup rendered on the server
// (bar-chart-svg.server.tsx, recharts 2) and inserted as it is, so that recharts never
// reaches the browser's JavaScript. Its text alternative travels inside the markup: the
// <svg> has role="img", an aria-label, <title> and a <desc> listing the exact figures.
import { formatCents } from "~/utils/format";
import { markupRefAttribute, useMarkup, type Markup } from "~/utils/server-markup";

/** Whole cents as a decimal integer string: bigint does not survive the loader's JSON. */
export type CentsText = string;

/**
 * Euros as a JavaScript number, for plotting only: bar lengths and axis ticks may be
 * approximate, displayed figures may not. Every figure a reader sees (labels, <desc>,
 * the data table) is formatted from the exact cents with formatCents instead.
 */
export function centsToPlotEuros(cents: CentsText | bigint): number {
  return Number(BigInt(cents)) / 100;
}

/**
 * Axis ticks in one unit per axis, chosen from the largest value ("1,2 Mio. €",
 * "120 T€", "850 €"): part of the drawing, not a figure.
 */
export function plotTickFormatter(maxAbsEuros: number): (euros: number) => string {
  const [divisor, unit, digits] =
    maxAbsEuros >= 1_000_000
      ? [1_000_000, " Mio. €", 1]
      : maxAbsEuros >= 10_000
        ? [1_000, " T€", 0]
        : [1, " €", 0];
  return (euros) =>
    `${(euros / divisor).toLocaleString("de-DE", { maximumFractionDigits: digits })}${unit}`;
}

export interface BarSeries {
  key: string;
  name: string;
  color: string;
  /** Colour for bars below zero (e.g. a partner that pays more jointly). */
  negativeColor?: string;
}

export interface BarRow {
  label: string;
  /** Series key → cents; null where the series has no value for this row. */
  values: Record<string, CentsText | null>;
}

/** What a chart shows: the same spec draws the SVG on the server and the legend and table on the page. */
export interface BarChartSpec {
  /** Stable, unique on the page: recharts derives clip-path ids from it. */
  id: string;
  title: string;
  /** One or two sentences on what the chart shows; the exact figures are appended. */
  summary: string;
  series: BarSeries[];
  rows: BarRow[];
  width?: number;
  height?: number;
  /** Header of the label column of the data table. */
  labelHeader: string;
}

export function formatBarValue(cents: CentsText | null): string {
  return cents === null ? "–" : formatCents(BigInt(cents));
}

/** The exact figures as one sentence per row, for <desc> and screen readers. */
export function describeRows(series: BarSeries[], rows: BarRow[]): string {
  return rows
    .map((row) => {
      const values = series.map((s) =>
        series.length > 1
          ? `${s.name} ${formatBarValue(row.values[s.key])}`
          : formatBarValue(row.values[s.key]),
      );
      return `${row.label}: ${values.join(", ")}`;
    })
    .join("; ");
}

export interface BarChartFigureProps {
  spec: BarChartSpec;
  /**
   * The <svg> drawn on the server from the same spec (trusted markup of our own), or a
   * reference to it in a document request (app/utils/server-markup.tsx).
   */
  svg: Markup;
}

export function BarChartFigure({ spec, svg }: BarChartFigureProps) {
  const { title, series, rows, labelHeader } = spec;
  const drawing = useMarkup(svg);
  return (
    <figure className="chart-figure mb-8 break-inside-avoid">
      <figcaption className="mb-2 text-lg font-bold">{title}</figcaption>
      {/* An HTML legend: recharts cannot measure its own legend on the server and overlaps it. */}
      {series.length > 1 ? (
        <ul className="mb-1 flex flex-wrap gap-x-6 gap-y-1 text-sm" aria-hidden="true">
          {series.map((s) => (
            <li key={s.key} className="flex items-center gap-2">
              {/* An SVG swatch, not a background colour: browsers drop backgrounds when printing. */}
              <svg width="20" height="12" aria-hidden="true">
                <rect width="20" height="12" fill={s.color} />
              </svg>
              {s.name}
            </li>
          ))}
        </ul>
      ) : null}
      {/* Scale the fixed-size SVG down on narrow screens and on paper, but on a phone not
          below 760 px (labels would shrink under 11 px): there the chart scrolls in its box. */}
      <div
        className="max-w-full overflow-hidden max-sm:overflow-x-auto [&_.recharts-surface]:h-auto! [&_.recharts-wrapper]:h-auto! [&_.recharts-wrapper]:max-w-full! max-sm:[&_.recharts-wrapper]:min-w-[760px] max-sm:[&_.recharts-wrapper]:max-w-none! max-sm:[&_.recharts-surface]:w-[760px]!"
        role="region"
        aria-label={`Diagramm: ${title}`}
        tabIndex={0}
        {...markupRefAttribute(svg)}
        dangerouslySetInnerHTML={{ __html: drawing }}
      />
      <details className="mt-2 print:hidden">
        <summary className="cursor-pointer text-link underline">Daten als Tabelle: {title}</summary>
        <table className="mt-2 w-full text-left">
          <caption className="sr-only">{title}</caption>
          <thead>
            <tr>
              <th scope="col" className="border-b-2 border-ink px-2 py-1">
                {labelHeader}
              </th>
              {series.map((s) => (
                <th key={s.key} scope="col" className="border-b-2 border-ink px-2 py-1 text-right">
                  {s.name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.label}>
                <th scope="row" className="border-b border-line px-2 py-1 font-normal">
                  {row.label}
                </th>
                {series.map((s) => (
                  <td
                    key={s.key}
                    className="whitespace-nowrap border-b border-line px-2 py-1 text-right tabular-nums"
                  >
                    {formatBarValue(row.values[s.key])}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
