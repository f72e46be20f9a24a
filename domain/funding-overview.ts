// The funding overview of /funding: per programme and partner the budget, what the
// engine granted over all tenders and years, what remains, and the purpose binding
// (Zweckbindung: five years after the last funded year, information only, not part
// of the calculation). Pure: takes the engine's FundingCalculation.
import type { FundingCalculation, PartnerRef } from "./calculation";
import { purposeBoundUntil } from "./funding-budgets";
import type { Cents } from "./money";

export interface FundingOverviewRow {
  code: string;
  name: string;
  /** null: the programme has no budgets (unlimited). */
  budgetGross: Cents | null;
  grantedGross: Cents;
  remainingGross: Cents | null;
  /** Last year with funding granted to this partner, or null. */
  lastFundedYear: number | null;
  /** lastFundedYear + 5, or null. */
  boundUntil: number | null;
}

export interface FundingOverviewProgramme {
  code: string;
  rows: FundingOverviewRow[];
  totals: {
    budgetGross: Cents | null;
    grantedGross: Cents;
    remainingGross: Cents | null;
    boundUntil: number | null;
  };
}

/** Rows in the plan's partner order; programmes in plan order. */
export function fundingOverview(
  funding: FundingCalculation,
  partners: readonly PartnerRef[],
): FundingOverviewProgramme[] {
  return funding.programmes.map((programme) => {
    const byCode = new Map(programme.partners.map((p) => [p.code, p]));
    const rows = partners.map((partner): FundingOverviewRow => {
      const figures = byCode.get(partner.code);
      const funded = funding.grants
        .filter(
          (g) =>
            g.programme === programme.code && g.partner === partner.code && g.grantedGross > 0n,
        )
        .map((g) => g.year);
      const lastFundedYear = funded.length ? Math.max(...funded) : null;
      return {
        code: partner.code,
        name: partner.name,
        budgetGross: figures?.budgetGross ?? null,
        grantedGross: figures?.grantedGross ?? 0n,
        remainingGross: figures?.remainingGross ?? null,
        lastFundedYear,
        boundUntil: lastFundedYear === null ? null : purposeBoundUntil(lastFundedYear),
      };
    });
    const limited = programme.partners.some((p) => p.budgetGross !== null);
    const sum = (values: (Cents | null)[]) => values.reduce<Cents>((a, b) => a + (b ?? 0n), 0n);
    const bound = rows.flatMap((r) => (r.boundUntil === null ? [] : [r.boundUntil]));
    return {
      code: programme.code,
      rows,
      totals: {
        budgetGross: limited ? sum(rows.map((r) => r.budgetGross)) : null,
        grantedGross: sum(rows.map((r) => r.grantedGross)),
        remainingGross: limited ? sum(rows.map((r) => r.remainingGross)) : null,
        boundUntil: bound.length ? Math.max(...bound) : null,
      },
    };
  });
}
