import { Link } from "@remix-run/react";
import { SectionHeading } from "~/components/ui";
import { formatCents } from "~/utils/format";
import type { SupportHeadline } from "./support-summary.server";

/** The committee summary's pointer to the second economy of scale: pooled IT support. */
export function SupportSummarySection({ support }: { support: SupportHeadline | null }) {
  if (!support) return null;
  const euro = (cents: string) => formatCents(BigInt(cents));
  return (
    <section aria-labelledby="support-summary" className="mt-8 break-inside-avoid">
      <SectionHeading id="support-summary">Schul-IT-Support gemeinsam</SectionHeading>
      <p className="mb-2 max-w-3xl">
        Neben dem Einkauf spart der Verbund beim Support-Personal: eine gemeinsame Support-Einheit
        statt eigenen Personals bei jedem Schulträger, {support.years}
        {support.preview ? " (Vorschau mit Standardannahmen)" : ""}.
      </p>
      <p className="text-lg">
        Ersparnis:{" "}
        <strong data-testid="support-summary-savings">{euro(support.savingsGross)}</strong> (allein{" "}
        {euro(support.soloCostGross)}, gemeinsam {euro(support.pooledCostGross)}).{" "}
        <Link to="/support" className="print:hidden">
          Zum Vergleich je Jahr und Schulträger
        </Link>
      </p>
    </section>
  );
}
