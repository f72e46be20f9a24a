// The committee summary says how final its figures are, marks drafts on paper, explains
// its terms, and shows each partner's savings also as a share of the solo cost.
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { MemoryRouter } from "react-router-dom";
import { sortPartnerSavings } from "~/components/charts/savings-per-partner-chart";
import { PartnerSummaryTable, SortLinks } from "~/components/summary-sections";
import {
  DraftWatermark,
  finalityText,
  SummaryGlossary,
  WATERMARK_CSS,
} from "~/components/summary-status";
import { permilleOf } from "../../domain/shares";

describe("finalityText", () => {
  it("calls a decision version final", () => {
    const text = finalityText({ decision: { version: 3 }, demand: null, lots: null });
    expect(text.final).toBe(true);
    expect(text.headline).toBe("Beschlussstand Version 3: eingefrorene Zahlen");
  });

  it("calls the working state a draft and names open submissions and awarded lots", () => {
    const text = finalityText({
      decision: null,
      demand: { submitted: 10, partners: 12, open: ["Stadt Dülmen", "Gemeinde Nottuln"] },
      lots: [
        { code: "L1", name: "Endgeräte", awarded: false },
        { code: "L4", name: "Ladewagen", awarded: true },
      ],
    });
    expect(text.final).toBe(false);
    expect(text.headline).toMatch(/^Entwurf/);
    expect(text.lines).toContain(
      "Bedarf abgegeben: 10 von 12 Schulträgern; noch offen: Stadt Dülmen und Gemeinde Nottuln.",
    );
    expect(text.lines.join(" ")).toMatch(
      /Vergeben: Los L4 \(Ladewagen\)\. Noch nicht vergeben: L1 \(Endgeräte\)\./,
    );
  });

  it("says when all partners submitted and no lot is awarded yet", () => {
    const text = finalityText({
      decision: null,
      demand: { submitted: 12, partners: 12, open: [] },
      lots: [{ code: "L1", name: "Endgeräte", awarded: false }],
    });
    expect(text.lines).toContain("Bedarf abgegeben: alle 12 Schulträger.");
    expect(text.lines).toContain(
      "Noch kein Los vergeben: Alle Preise sind Schätzungen aus dem Plan.",
    );
  });
});

describe("on paper", () => {
  it("a draft carries ENTWURF, shown only in print", () => {
    const html = renderToStaticMarkup(createElement(DraftWatermark));
    expect(html).toContain(">ENTWURF</div>");
    expect(html).toContain('aria-hidden="true"');
    expect(WATERMARK_CSS).toMatch(/^\.draft-watermark\{display:none\}@media print\{/);
    expect(WATERMARK_CSS).toContain("position:fixed");
  });

  it("the glossary explains Reserve, Verbundpreis, Einzelpreis and the keys in use", () => {
    const html = renderToStaticMarkup(
      createElement(SummaryGlossary, { reserve: "0.1", costKeys: ["volume", "pupils"] }),
    );
    for (const term of ["Reserve", "Verbundpreis", "Einzelpreis (allein)", "Schlüssel"])
      expect(html).toContain(term);
    expect(html).toContain("Aufschlag von 10 % auf die gemeldeten Mengen");
    expect(html).toContain("nach Auftragsvolumen");
    expect(html).toContain("nach Schülerzahl");
    expect(html).not.toContain("nach Einwohnerzahl");
  });
});

const row = (name: string, savings: bigint, solo: bigint) => ({
  code: name.slice(0, 3).toUpperCase(),
  name,
  quantity: 1,
  directGross: "0",
  commonCostShare: "0",
  totalGross: String(solo - savings),
  soloGross: String(solo),
  savingsGross: String(savings),
  savingsPermille: permilleOf(savings, solo)?.toString() ?? null,
  fundingGross: "0",
  ownGross: String(solo - savings),
});

describe("savings per partner as a share of the solo cost", () => {
  // A: most euros, smallest share; B: fewer euros, largest share.
  const partners = [row("Alpha", 50_000n, 1_000_000n), row("Beta", 20_000n, 100_000n)];
  const totals = {
    quantity: 2,
    directGross: "0",
    commonCostShare: "0",
    totalGross: "1030000",
    soloGross: "1100000",
    savingsGross: "70000",
    savingsPermille: permilleOf(70_000n, 1_100_000n)!.toString(),
    fundingGross: "0",
    ownGross: "1030000",
  };

  it("computes the share exactly with named rounding (half away from zero)", () => {
    expect(permilleOf(50_000n, 1_000_000n)).toBe(50n); // 5,0 %
    expect(permilleOf(1n, 8n)).toBe(125n); // 12,5 %
    expect(permilleOf(1n, 16n)).toBe(63n); // 6,25 % → 6,3 %
    expect(permilleOf(-1n, 16n)).toBe(-63n);
    expect(permilleOf(5n, 0n)).toBeNull();
  });

  it("orders by euros or by share", () => {
    expect(sortPartnerSavings(partners, "savings").map((p) => p.name)).toEqual(["Alpha", "Beta"]);
    expect(sortPartnerSavings(partners, "share").map((p) => p.name)).toEqual(["Beta", "Alpha"]);
  });

  it("the table shows the percentage and a total row, in the chosen order", () => {
    const html = renderToStaticMarkup(
      createElement(PartnerSummaryTable, { partners, totals, order: "share" }),
    );
    expect(html).toContain("Ersparnis in % von allein");
    expect(html.indexOf("Beta")).toBeLessThan(html.indexOf("Alpha"));
    expect(html).toContain("20,0 %");
    expect(html).toContain("5,0 %");
    expect(html).toMatch(/<tfoot>.*Summe.*700,00\s€.*6,4 %.*<\/tfoot>/s);
  });

  it("sort links work without JavaScript", () => {
    const html = renderToStaticMarkup(
      createElement(
        MemoryRouter,
        null,
        createElement(SortLinks, {
          order: "savings",
          hrefFor: (o: string) => `/tenders/RV/summary?sort=${o}`,
        }),
      ),
    );
    expect(html).toContain('href="/tenders/RV/summary?sort=share"');
    expect(html).toContain('<strong aria-current="true">Ersparnis in Euro</strong>');
  });
});
