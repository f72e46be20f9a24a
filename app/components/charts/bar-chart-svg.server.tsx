// Draws a bar chart spec as static SVG markup with recharts 2, on the server only: the
// page inserts the string (bar-chart-figure.tsx), so recharts stays out of the browser
// bundle. Fixed width/height, a stable id and no animation (STACK.md).
import { renderToStaticMarkup } from "react-dom/server";
import {
  Bar,
  BarChart,
  CartesianGrid,
  Cell,
  LabelList,
  ReferenceLine,
  XAxis,
  YAxis,
} from "recharts";
import {
  centsToPlotEuros,
  describeRows,
  formatBarValue,
  plotTickFormatter,
  type BarChartSpec,
} from "./bar-chart-figure";
import { compactChartMarkup } from "./compact-svg.server";

const ROW_HEIGHT = 34;
const LABEL_WIDTH = 190;

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

/** The recharts drawing of a spec: an <svg> with role="img", aria-label, <title> and <desc>. */
export function BarChartSvg({ spec }: { spec: BarChartSpec }) {
  const { id, title, summary, series, rows } = spec;
  // Bars run left to right, one row per label: long German names stay readable and
  // the exact figure fits at the end of each bar.
  const width = spec.width ?? 880;
  // Whole pixels: recharts repeats the height in dozens of coordinates ("230.39999999999998").
  const height =
    spec.height ??
    Math.round(Math.max(140, rows.length * ROW_HEIGHT * Math.max(1, series.length * 0.7) + 40));
  const data = rows.map((row) => {
    const entry: Record<string, string | number | null> = { label: row.label };
    for (const s of series) {
      const cents = row.values[s.key];
      entry[s.key] = cents === null ? null : centsToPlotEuros(cents);
      // null, not "–": recharts skips the label of a missing bar only for null.
      entry[`${s.key}Text`] = cents === null ? null : formatBarValue(cents);
    }
    return entry;
  });
  const hasNegative = rows.some((row) =>
    series.some((s) => (row.values[s.key] ?? "0").startsWith("-")),
  );
  const description = `${summary} ${describeRows(series, rows)}.`;
  const maxAbsEuros = Math.max(
    0,
    ...data.flatMap((entry) => series.map((s) => Math.abs(Number(entry[s.key] ?? 0)))),
  );

  return (
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
      <YAxis
        type="category"
        dataKey="label"
        tick={{ fontSize: 13 }}
        interval={0}
        width={LABEL_WIDTH}
      />
      {hasNegative ? <ReferenceLine x={0} stroke="#0b0c0c" /> : null}
      {series.map((s) => (
        <Bar key={s.key} dataKey={s.key} name={s.name} fill={s.color} isAnimationActive={false}>
          {rows.map((row, index) => (
            <Cell
              key={index}
              fill={
                s.negativeColor && (row.values[s.key] ?? "").startsWith("-")
                  ? s.negativeColor
                  : s.color
              }
            />
          ))}
          <LabelList dataKey={`${s.key}Text`} content={BarEndLabel} />
        </Bar>
      ))}
    </BarChart>
  );
}

/**
 * The chart as a markup string for dangerouslySetInnerHTML, compacted (compact-svg.server.ts).
 * The page's CSP allows
 * inline style *attributes* only, and the markup is inserted without a nonce: refuse
 * (rather than ship) a drawing that ever contains a <style> or <script> element.
 */
export function renderBarChartSvg(spec: BarChartSpec): string {
  const markup = compactChartMarkup(renderToStaticMarkup(<BarChartSvg spec={spec} />));
  if (/<(style|script)\b/i.test(markup))
    throw new Error(`Chart ${spec.id}: recharts produced a <style> or <script> element`);
  return markup;
}
