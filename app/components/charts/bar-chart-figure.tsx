// A bar chart rendered on the server as SVG (recharts 2), with a text alternative:
// the <svg> has role="img", an aria-label, <title> and a <desc> listing the exact
// figures, and a data table in <details>. Fixed width/height, a stable id and no
// animation, so that server and browser render the same markup (STACK.md).
import { Bar, BarChart, CartesianGrid, Cell, LabelList, ReferenceLine, XAxis, YAxis } from "recharts";
import { formatCents } from "~/utils/format";

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
    maxAbsEuros >= 1_000_000 ? [1_000_000, " Mio. €", 1] : maxAbsEuros >= 10_000 ? [1_000, " T€", 0] : [1, " €", 0];
  return (euros) => `${(euros / divisor).toLocaleString("de-DE", { maximumFractionDigits: digits })}${unit}`;
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

export interface BarChartFigureProps {
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

const ROW_HEIGHT = 34;
const LABEL_WIDTH = 190;

function formatValue(cents: CentsText | null): string {
  return cents === null ? "–" : formatCents(BigInt(cents));
}

/** The exact figures as one sentence per row, for <desc> and screen readers. */
export function describeRows(series: BarSeries[], rows: BarRow[]): string {
  return rows
    .map((row) => {
      const values = series.map((s) => (series.length > 1 ? `${s.name} ${formatValue(row.values[s.key])}` : formatValue(row.values[s.key])));
      return `${row.label}: ${values.join(", ")}`;
    })
    .join("; ");
}

interface LabelProps {
  x?: number | string;
  y?: number | string;
  width?: number | string;
  height?: number | string;
  value?: number | string;
}

/**
 * The exact figure just past the end of the bar, on one line. recharts' own label
 * wraps to the bar's width, which breaks "433,20 €" apart at short bars.
 */
function BarEndLabel({ x = 0, y = 0, width = 0, height = 0, value }: LabelProps) {
  if (value === undefined || value === null) return null;
  const end = Number(x) + Number(width);
  const negative = Number(width) < 0;
  return (
    <text
      x={negative ? end - 4 : end + 4}
      y={Number(y) + Number(height) / 2}
      dominantBaseline="central"
      textAnchor={negative ? "end" : "start"}
      fontSize={13}
      fill="#0b0c0c"
    >
      {value}
    </text>
  );
}

export function BarChartFigure(props: BarChartFigureProps) {
  const { id, title, summary, series, rows, labelHeader } = props;
  // Bars run left to right, one row per label: long German names stay readable and
  // the exact figure fits at the end of each bar.
  const width = props.width ?? 880;
  const height = props.height ?? Math.max(140, rows.length * ROW_HEIGHT * Math.max(1, series.length * 0.7) + 40);
  const data = rows.map((row) => {
    const entry: Record<string, string | number | null> = { label: row.label };
    for (const s of series) {
      const cents = row.values[s.key];
      entry[s.key] = cents === null ? null : centsToPlotEuros(cents);
      // null, not "–": recharts skips the label of a missing bar only for null.
      entry[`${s.key}Text`] = cents === null ? null : formatValue(cents);
    }
    return entry;
  });
  const hasNegative = rows.some((row) => series.some((s) => (row.values[s.key] ?? "0").startsWith("-")));
  const description = `${summary} ${describeRows(series, rows)}.`;

  const maxAbsEuros = Math.max(0, ...data.flatMap((entry) => series.map((s) => Math.abs(Number(entry[s.key] ?? 0)))));

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
      {/* Scale the fixed-size SVG down on narrow screens and on paper. */}
      <div className="max-w-full overflow-hidden [&_.recharts-surface]:h-auto! [&_.recharts-wrapper]:h-auto! [&_.recharts-wrapper]:max-w-full!">
        <BarChart
          id={id}
          width={width}
          height={height}
          data={data}
          layout="vertical"
          margin={{ top: 5, right: 110, bottom: 5, left: 10 }}
          barCategoryGap="20%"
          role="img"
          aria-label={title}
          title={title}
          desc={description}
        >
          <CartesianGrid strokeDasharray="3 3" horizontal={false} />
          <XAxis type="number" tickFormatter={plotTickFormatter(maxAbsEuros)} tick={{ fontSize: 13 }} />
          <YAxis type="category" dataKey="label" tick={{ fontSize: 13 }} interval={0} width={LABEL_WIDTH} />
          {hasNegative ? <ReferenceLine x={0} stroke="#0b0c0c" /> : null}
          {series.map((s) => (
            <Bar key={s.key} dataKey={s.key} name={s.name} fill={s.color} isAnimationActive={false}>
              {rows.map((row, index) => (
                <Cell
                  key={index}
                  fill={s.negativeColor && (row.values[s.key] ?? "").startsWith("-") ? s.negativeColor : s.color}
                />
              ))}
              <LabelList dataKey={`${s.key}Text`} content={BarEndLabel} />
            </Bar>
          ))}
        </BarChart>
      </div>
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
                  <td key={s.key} className="whitespace-nowrap border-b border-line px-2 py-1 text-right tabular-nums">
                    {formatValue(row.values[s.key])}
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
