// recharts writes verbose SVG: every bar and tick in its own group, half a dozen class
// names per element, attributes a <path> or <line> does not have (x, width, radius,
// name, orientation) and coordinates like "7678.120000000001". At state scale (400
// partners) that made the summary's drawings 1 MB of its 3.3 MB (decision 031). SVGO
// rewrites the drawing into the same picture with a selection of its preset plugins:
// the cheap ones that account for the size (the whole preset took twice as long for 3%
// less), never merging bars into one path (each bar stays an element) and keeping ids,
// <title>, <desc>, role and aria-label: the drawing's text alternative.
import { optimize, type CustomPlugin, type PluginConfig } from "svgo";

/** The class names the page's CSS and tests select; recharts' other classes are dropped. */
export const KEPT_CLASSES: ReadonlySet<string> = new Set([
  "recharts-surface",
  "recharts-bar-rectangle",
]);

const keepUsedClasses: CustomPlugin = {
  name: "keepUsedClasses",
  fn: () => ({
    element: {
      enter: (node) => {
        const names = node.attributes.class;
        if (names === undefined) return;
        const kept = names.split(/\s+/).filter((name) => KEPT_CLASSES.has(name));
        if (kept.length > 0) node.attributes.class = kept.join(" ");
        else delete node.attributes.class;
      },
    },
  }),
};

const PLUGINS: PluginConfig[] = [
  keepUsedClasses,
  // role="img" is what makes the drawing an image with a name to screen readers.
  { name: "removeUnknownsAndDefaults", params: { keepRoleAttr: true, keepAriaAttrs: true } },
  "cleanupNumericValues",
  "convertShapeToPath",
  "moveElemsAttrsToGroup",
  "collapseGroups",
  "convertPathData",
  "removeEmptyContainers",
];

/** The same drawing, smaller: `svg` is one <svg> element, as recharts' surface. */
function compactSvg(svg: string): string {
  return optimize(svg, { plugins: PLUGINS, multipass: false }).data;
}

/**
 * recharts' markup (a wrapper <div> around the <svg>) with the <svg> compacted; the
 * wrapper stays as it is (the page's CSS sizes it).
 */
export function compactChartMarkup(markup: string): string {
  const start = markup.indexOf("<svg");
  const end = markup.lastIndexOf("</svg>");
  if (start === -1 || end === -1) return markup;
  const svgEnd = end + "</svg>".length;
  return markup.slice(0, start) + compactSvg(markup.slice(start, svgEnd)) + markup.slice(svgEnd);
}
