import { Link } from "@remix-run/react";
import type { DemandStatus } from "../../domain/demand-workflow";
import { Tag } from "~/components/ui";
import { DEMAND_STATUS_LABELS, DEMAND_STATUS_TONES } from "~/utils/demand-labels";

export interface RoundNavItem {
  code: string;
  name: string;
  /** The partner's status there; absent on the coordinator's overview. */
  status?: DemandStatus;
  deadlineText: string | null;
}

// The demand rounds (one per tender) as links `?round=CODE`: plain links, so picking a
// round works without JavaScript and every round has its own address.
export function DemandRoundNav({
  rounds,
  current,
  path,
}: {
  rounds: readonly RoundNavItem[];
  current: string | null;
  path: string;
}) {
  if (rounds.length < 2) return null;
  return (
    <nav aria-label="Bedarfsrunden" className="mb-6" data-testid="round-nav">
      <h2 className="mb-2 text-lg font-bold">Bedarfsrunde wählen</h2>
      <ul className="flex flex-wrap gap-3">
        {rounds.map((r) => {
          const active = r.code === current;
          return (
            <li key={r.code}>
              <Link
                to={`${path}?round=${encodeURIComponent(r.code)}`}
                aria-current={active ? "page" : undefined}
                className={`inline-block border-2 px-3 py-2 ${active ? "border-ink bg-soft font-bold no-underline" : "border-line"}`}
              >
                {r.code}
                <span className="sr-only"> – {r.name}</span>
                {r.status ? (
                  <>
                    {" "}
                    <Tag tone={DEMAND_STATUS_TONES[r.status]}>{DEMAND_STATUS_LABELS[r.status]}</Tag>
                  </>
                ) : null}
                <span className="block text-sm font-normal">
                  {r.deadlineText ? `Frist ${r.deadlineText}` : "keine Frist"}
                </span>
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
