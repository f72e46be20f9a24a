// Links to the call-offs of awarded framework agreements, for officers' start page:
// officers do not see the tenders list, so this is their way in.
import { Link } from "@remix-run/react";
import { SectionHeading } from "~/components/ui";

export function CallOffLinks({ frameworks }: { frameworks: { code: string; name: string }[] }) {
  if (frameworks.length === 0) return null;
  return (
    <>
      <SectionHeading id="abrufe">Abrufe aus Rahmenverträgen</SectionHeading>
      <ul className="list-disc pl-6 text-lg">
        {frameworks.map((f) => (
          <li key={f.code}>
            <Link to={`/tenders/${encodeURIComponent(f.code)}/call-offs`}>
              {f.name} ({f.code})
            </Link>
            {" · "}
            <Link to={`/tenders/${encodeURIComponent(f.code)}/plan-vs-actual`}>Plan-Ist</Link>
          </li>
        ))}
      </ul>
    </>
  );
}
