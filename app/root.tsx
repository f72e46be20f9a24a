import {
  json,
  redirect,
  type LinksFunction,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import {
  Link,
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  isRouteErrorResponse,
  useRouteError,
  useRouteLoaderData,
} from "@remix-run/react";
import type { ReactNode } from "react";
import { isDemo } from "../db/demo";
import { getPartner } from "../db/partner-demand";
import { AppFooter, AppHeader, DemoBanner, SkipLink, type ShellUser } from "~/components/shell";
import { PageHeading } from "~/components/ui";
import stylesheet from "~/tailwind.css";
import { getUser } from "~/utils/auth.server";
import { getDb, installationHasDemo, installationHasNoUsers } from "~/utils/db.server";
import { CspPrelude, useNonce } from "~/utils/csp";
import { ROLE_LABELS, navigationFor, type NavItem } from "~/utils/roles";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: stylesheet },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

export const meta: MetaFunction = () => [{ title: "Verbundkauf" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await getUser(request);
  if (!user) {
    // A fresh installation without demo data: the first thing to do is create the coordinator.
    if (new URL(request.url).pathname !== "/setup" && (await installationHasNoUsers()))
      throw redirect("/setup");
    const nav: NavItem[] = [];
    return json({ user: null, nav, demo: await installationHasDemo() });
  }
  // Signed in: the request's consortium (the session decided it).
  const db = await getDb();
  const partner = user?.partnerCode ? await getPartner(db, user.partnerCode) : undefined;
  const shellUser: ShellUser | null = {
    name: user.name,
    email: user.email,
    roleLabel: ROLE_LABELS[user.role],
    partnerName: partner?.name ?? null,
  };
  return json({ user: shellUser, nav: navigationFor(user), demo: await isDemo(db) });
}

export function Layout({ children }: { children: ReactNode }) {
  const data = useRouteLoaderData<typeof loader>("root");
  const nonce = useNonce();
  return (
    <html lang="de">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <CspPrelude />
        <Meta />
        <Links />
      </head>
      <body className="flex min-h-screen flex-col">
        <SkipLink />
        <AppHeader user={data?.user ?? null} nav={data?.nav ?? []} />
        {data?.demo ? <DemoBanner /> : null}
        <main
          id="main"
          tabIndex={-1}
          className="mx-auto w-full max-w-6xl flex-1 px-4 py-8 focus:outline-none"
        >
          {children}
        </main>
        <AppFooter />
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

export default function App() {
  return <Outlet />;
}

export function ErrorBoundary() {
  const error = useRouteError();
  if (isRouteErrorResponse(error) && error.status === 403) {
    return (
      <>
        <title>Kein Zugriff – Verbundkauf</title>
        <PageHeading>Kein Zugriff</PageHeading>
        <p className="mb-4 text-lg">Sie haben keine Berechtigung, diese Seite zu sehen.</p>
        <p className="text-lg">
          Falls Sie den Zugriff brauchen, wenden Sie sich an die Koordination.{" "}
          <Link to="/">Zur Startseite</Link>
        </p>
      </>
    );
  }
  if (isRouteErrorResponse(error) && error.status === 404) {
    return (
      <>
        <title>Nicht gefunden – Verbundkauf</title>
        <PageHeading>Nicht gefunden</PageHeading>
        <p className="mb-4 text-lg">Diese Seite gibt es nicht. Prüfen Sie bitte die Adresse.</p>
        <p className="text-lg">
          <Link to="/">Zur Startseite</Link>
        </p>
      </>
    );
  }
  const status = isRouteErrorResponse(error) ? error.status : 500;
  return (
    <>
      <title>Fehler – Verbundkauf</title>
      <PageHeading>Es ist ein Fehler aufgetreten</PageHeading>
      <p className="mb-4 text-lg">
        Die Seite konnte nicht angezeigt werden (Fehler {status}). Bitte versuchen Sie es später
        noch einmal.
      </p>
      <p className="text-lg">
        <Link to="/">Zur Startseite</Link>
      </p>
    </>
  );
}
