// patches/@remix-run+router (decision 030): the server's route matching flattens and
// ranks a routes array once, not on every request, and keeps compiled path patterns.
// The server (through @remix-run/server-runtime) loads the CommonJS build, the one
// patched; the matches must stay those of the unpatched code.
import { createRequire } from "node:module";
import type * as Router from "@remix-run/router";

const { matchRoutes } = createRequire(import.meta.url)("@remix-run/router") as typeof Router;

/** A route tree whose routes count how often their children are read (flattening). */
function countedRoutes() {
  let reads = 0;
  const route = (
    id: string,
    path: string | undefined,
    children: Router.AgnosticRouteObject[] = [],
  ) => {
    const object = { id, path } as Router.AgnosticRouteObject & { children?: unknown };
    Object.defineProperty(object, "children", {
      get: () => {
        reads++;
        return children.length ? children : undefined;
      },
      enumerable: true,
    });
    return object;
  };
  const routes = [
    route("root", "", [
      route("index", undefined),
      route("tenders", "tenders", [route("tender", ":code"), route("summary", ":code/summary")]),
      route("demand", "demand/:partner"),
      route("splat", "*"),
    ]),
  ];
  (routes[0].children as Router.AgnosticRouteObject[])[0].index = true as never;
  return { routes, reads: () => reads };
}

const ids = (matches: ReturnType<typeof matchRoutes>) => matches?.map((m) => m.route.id);

test("matches as before: params, nesting, ranking (static before dynamic before splat)", () => {
  const { routes } = countedRoutes();
  expect(ids(matchRoutes(routes, "/tenders/RV-2027"))).toEqual(["root", "tenders", "tender"]);
  expect(matchRoutes(routes, "/tenders/RV-2027")?.at(-1)?.params).toEqual({ code: "RV-2027" });
  expect(ids(matchRoutes(routes, "/tenders/RV-2027/summary"))).toEqual([
    "root",
    "tenders",
    "summary",
  ]);
  expect(ids(matchRoutes(routes, "/demand/ASC"))).toEqual(["root", "demand"]);
  expect(ids(matchRoutes(routes, "/nowhere/else"))).toEqual(["root", "splat"]);
  expect(matchRoutes(routes, "/nowhere/else")?.at(-1)?.params["*"]).toBe("nowhere/else");
});

test("a routes array is flattened once, however often it is matched", () => {
  const { routes, reads } = countedRoutes();
  matchRoutes(routes, "/tenders/A");
  const afterFirst = reads();
  expect(afterFirst).toBeGreaterThan(0);
  for (const url of ["/tenders/B", "/demand/X", "/tenders/C/summary", "/x"])
    matchRoutes(routes, url);
  expect(reads()).toBe(afterFirst);
  // Another routes array is flattened on its own.
  const other = countedRoutes();
  matchRoutes(other.routes, "/tenders/A");
  expect(other.reads()).toBeGreaterThan(0);
});
