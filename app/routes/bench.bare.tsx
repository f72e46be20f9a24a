// The floor of `npm run bench:load`: a Remix resource route served by the same server
// (express, security headers, Remix's handler and route matching) but without the root
// loader, a session or React. Exists only when the server runs with BENCH=1.
const PAGE = '<!doctype html><html lang="de"><title>Verbundkauf</title><p>Bereit.</p></html>';

export function loader() {
  if (process.env.BENCH !== "1") throw new Response("Nicht gefunden", { status: 404 });
  return new Response(PAGE, {
    headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" },
  });
}
