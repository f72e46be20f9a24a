import { Form, Link, NavLink } from "@remix-run/react";
import type { NavItem } from "~/utils/roles";

export interface ShellUser {
  name: string;
  email: string;
  roleLabel: string;
  partnerName: string | null;
}

export function SkipLink() {
  return (
    <a
      href="#main"
      className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:p-2"
    >
      Zum Inhalt springen
    </a>
  );
}

export function AppHeader({ user, nav }: { user: ShellUser | null; nav: NavItem[] }) {
  return (
    <header className="border-b-8 border-brand bg-ink text-white">
      <div className="mx-auto flex max-w-6xl flex-wrap items-center justify-between gap-4 px-4 py-3">
        <Link to="/" className="text-2xl font-bold text-white no-underline hover:underline">
          Verbundkauf
          <span className="ml-3 hidden text-base font-normal text-gray-300 sm:inline">
            Gemeinsame Beschaffung Schul-IT · Kreis Coesfeld
          </span>
        </Link>
        {user ? (
          <div className="flex flex-wrap items-center gap-4 text-sm">
            <p>
              <span className="font-semibold">{user.name}</span>
              <span className="block text-gray-300">
                {user.roleLabel}
                {user.partnerName ? ` · ${user.partnerName}` : null}
              </span>
            </p>
            <Form method="post" action="/logout">
              <button
                type="submit"
                className="cursor-pointer border-2 border-white px-3 py-1 font-semibold text-white hover:bg-white hover:text-ink"
              >
                Abmelden
              </button>
            </Form>
          </div>
        ) : null}
      </div>
      {user && nav.length > 0 ? (
        <nav aria-label="Hauptnavigation" className="bg-brand">
          <ul className="mx-auto flex max-w-6xl flex-wrap gap-1 px-4">
            {nav.map((item) => (
              <li key={item.to}>
                <NavLink
                  to={item.to}
                  end={item.to === "/"}
                  className={({ isActive }) =>
                    `block px-3 py-2 font-semibold text-white no-underline hover:underline ${
                      isActive ? "border-b-4 border-white" : "border-b-4 border-transparent"
                    }`
                  }
                >
                  {item.label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
      ) : null}
    </header>
  );
}

export function DemoBanner() {
  return (
    <aside aria-label="Demodaten" className="border-b border-line bg-[#fff7bf]">
      <p className="mx-auto max-w-6xl px-4 py-2 text-sm">
        <strong className="mr-2 inline-block bg-ink px-2 py-0.5 text-xs uppercase tracking-wide text-white">
          Demo
        </strong>
        Demodaten, gerundet — keine echten Schulen
      </p>
    </aside>
  );
}

export function AppFooter() {
  return (
    <footer className="mt-12 border-t-4 border-brand bg-soft">
      <p className="mx-auto max-w-6xl px-4 py-6 text-sm text-muted">
        Verbundkauf · Gemeinsame Beschaffung der Schulträger im Kreis Coesfeld
      </p>
    </footer>
  );
}
