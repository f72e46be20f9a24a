// recharts must not reach the browser: the summary's charts are drawn on the server
// and shipped as SVG markup. Remix leaves `*.server.*` modules out of the browser
// build, so no module the summary route imports outside them may import recharts.
// (A static walk of the import graph: stricter than the bundle, which also drops
// modules only the loader uses.)
import fs from "node:fs";
import path from "node:path";
import ts from "typescript";

const ROOT = path.resolve(__dirname, "../..");
const ROUTE = path.join(ROOT, "app/routes/tenders.$code.summary.tsx");
const SERVER_ONLY = /\.server(\.[jt]sx?)?$/;

const { config } = ts.readConfigFile(path.join(ROOT, "tsconfig.json"), ts.sys.readFile);
const { options } = ts.parseJsonConfigFileContent(config, ts.sys, ROOT);

/** Packages imported by `file` and every project module it reaches without passing a server-only module. */
function clientPackages(entry: string): Map<string, string> {
  const packages = new Map<string, string>(); // package → first importing file
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const { fileName: specifier } of ts.preProcessFile(
      fs.readFileSync(file, "utf8"),
      true,
      true,
    ).importedFiles) {
      const resolved = ts.resolveModuleName(specifier, file, options, ts.sys).resolvedModule;
      if (
        resolved &&
        !resolved.isExternalLibraryImport &&
        !resolved.resolvedFileName.includes("node_modules")
      ) {
        if (!SERVER_ONLY.test(resolved.resolvedFileName.replace(/\.d\.ts$/, "")))
          queue.push(resolved.resolvedFileName);
      } else if (!specifier.startsWith(".") && !specifier.startsWith("~/")) {
        const name = specifier.startsWith("@")
          ? specifier.split("/").slice(0, 2).join("/")
          : specifier.split("/")[0];
        if (!packages.has(name)) packages.set(name, path.relative(ROOT, file));
      }
    }
  }
  return packages;
}

test("no client module of the summary route imports recharts", () => {
  const packages = clientPackages(ROUTE);
  // The walk works: the route's own client imports are found.
  expect(packages.has("@remix-run/react")).toBe(true);
  expect(packages.get("recharts")).toBeUndefined();
});

test("the walk would notice recharts outside a server-only module", () => {
  // The server module that draws the charts does import it.
  const drawing = path.join(ROOT, "app/components/charts/bar-chart-svg.server.tsx");
  expect(clientPackages(drawing).get("recharts")).toBe(
    "app/components/charts/bar-chart-svg.server.tsx",
  );
});
