// How final the committee summary's figures are, said plainly at the top of the page:
// a decision version (Beschlussstand) or a draft; how many partners have submitted their
// demand; which lots are awarded. A draft carries "ENTWURF" across every printed page.
// Also the short glossary of the terms the figures use (on screen and on paper).
import type { CostKey } from "../../domain/plan";
import { useNonce } from "~/utils/csp";
import { formatInteger, formatPercent } from "~/utils/format";

export interface SummaryStatus {
  /** Set when the page shows a decision version (snapshot). */
  decision: { version: number } | null;
  /** Demand submission of all partners (working state only; a snapshot keeps no such record). */
  demand: { submitted: number; partners: number; open: string[] } | null;
  /** The tender's lots and whether each is awarded (working state only). */
  lots: { code: string; name: string; awarded: boolean }[] | null;
}

export interface FinalityText {
  final: boolean;
  headline: string;
  lines: string[];
}

const list = (items: readonly string[]) =>
  items.length <= 1
    ? (items[0] ?? "")
    : `${items.slice(0, -1).join(", ")} und ${items[items.length - 1]}`;

/** The sentences of the status box; pure, so the wording is tested without rendering. */
export function finalityText(status: SummaryStatus): FinalityText {
  if (status.decision) {
    return {
      final: true,
      headline: `Beschlussstand Version ${status.decision.version}: eingefrorene Zahlen`,
      lines: [
        "Diese Fassung ist als Beschlussstand festgehalten; spätere Änderungen an Bedarf, Preisen oder Gemeinkosten ändern sie nicht.",
      ],
    };
  }
  const lines: string[] = [
    "Dies ist der aktuelle Arbeitsstand, kein Beschlussstand: Die Zahlen können sich noch ändern.",
  ];
  if (status.demand) {
    const { submitted, partners, open } = status.demand;
    lines.push(
      submitted === partners
        ? `Bedarf abgegeben: alle ${formatInteger(partners)} Schulträger.`
        : `Bedarf abgegeben: ${formatInteger(submitted)} von ${formatInteger(partners)} Schulträgern; noch offen: ${list(open)}.`,
    );
  }
  if (status.lots) {
    const awarded = status.lots.filter((l) => l.awarded);
    const pending = status.lots.filter((l) => !l.awarded);
    const names = (lots: typeof awarded) => list(lots.map((l) => `${l.code} (${l.name})`));
    if (awarded.length === 0)
      lines.push("Noch kein Los vergeben: Alle Preise sind Schätzungen aus dem Plan.");
    else
      lines.push(
        `Vergeben: ${awarded.length === 1 ? "Los" : "Lose"} ${names(awarded)}.` +
          (pending.length > 0
            ? ` Noch nicht vergeben: ${names(pending)}.`
            : " Alle Lose sind vergeben.") +
          " Die Zahlen dieser Vorlage beruhen auf den geschätzten Preisen; die Kostenaufteilung (Excel) rechnet mit den Zuschlagspreisen.",
      );
  }
  return { final: false, headline: "Entwurf – noch kein Beschlussstand", lines };
}

export function FinalityNote({ status }: { status: SummaryStatus }) {
  const text = finalityText(status);
  return (
    <div
      role="note"
      aria-label="Stand der Zahlen"
      className={`mb-6 border-l-8 p-4 break-inside-avoid ${text.final ? "border-ok bg-soft" : "border-[#f47738] bg-[#fff7bf]"}`}
    >
      <p className="text-lg font-bold">{text.headline}</p>
      {text.lines.map((line) => (
        <p key={line}>{line}</p>
      ))}
    </div>
  );
}

/** Print CSS of the watermark: hidden on screen, across the middle of every printed page. */
export const WATERMARK_CSS =
  ".draft-watermark{display:none}" +
  "@media print{.draft-watermark{display:block;position:fixed;top:38%;left:0;right:0;" +
  "text-align:center;font-size:72pt;font-weight:700;letter-spacing:0.08em;" +
  "color:rgba(177,14,30,0.13);transform:rotate(-30deg);z-index:1000;pointer-events:none}}";

/** "ENTWURF" across every printed page of a summary that is not a decision version. */
export function DraftWatermark() {
  const nonce = useNonce(); // the page's CSP allows inline styles only with it
  return (
    <>
      <style nonce={nonce} dangerouslySetInnerHTML={{ __html: WATERMARK_CSS }} />
      <div className="draft-watermark" aria-hidden="true">
        ENTWURF
      </div>
    </>
  );
}

const KEY_EXPLANATIONS: Record<CostKey, string> = {
  volume: "nach Auftragsvolumen: im Verhältnis des Netto-Betrags der eigenen Geräte",
  quantity: "nach Stückzahl: im Verhältnis der bestellten Geräte",
  pupils: "nach Schülerzahl: im Verhältnis der Schülerinnen und Schüler der eigenen Schulen",
  population: "nach Einwohnerzahl: im Verhältnis der Einwohner",
  equal: "zu gleichen Teilen: jeder teilnehmende Schulträger trägt gleich viel",
  custom: "nach festgelegten Gewichten: wie im Plan für jeden Schulträger vereinbart",
};

/** The terms of the page in plain German, with this tender's reserve and keys. */
export function SummaryGlossary({ reserve, costKeys }: { reserve: string; costKeys: string[] }) {
  const keys = costKeys.filter((k): k is CostKey => k in KEY_EXPLANATIONS);
  return (
    <section aria-labelledby="glossary" className="mt-8 break-inside-avoid">
      <h2 id="glossary" className="mb-2 text-xl font-bold">
        Begriffe
      </h2>
      <dl className="grid grid-cols-1 gap-x-6 gap-y-2 sm:grid-cols-[12rem_1fr] print:grid-cols-[10rem_1fr]">
        <dt className="font-semibold">Reserve</dt>
        <dd>
          Aufschlag von {formatPercent(reserve)} auf die gemeldeten Mengen. Daraus folgt die
          Höchstmenge, die der Rahmenvertrag nennt und bis zu der abgerufen werden darf; nach ihr
          richtet sich der geschätzte Auftragswert.
        </dd>
        <dt className="font-semibold">Verbundpreis</dt>
        <dd>
          Preis je Gerät, wenn alle Schulträger gemeinsam bestellen: Die Rabattstaffel richtet sich
          nach der Gesamtmenge aller über die ganze Laufzeit.
        </dd>
        <dt className="font-semibold">Einzelpreis (allein)</dt>
        <dd>
          Preis je Gerät, den ein Schulträger mit seiner eigenen Menge allein erreichen würde. Die
          Einzelbeschaffung rechnet dazu die Kosten eines eigenen Vergabeverfahrens.
        </dd>
        <dt className="font-semibold">Gemeinkosten und Schlüssel</dt>
        <dd>
          Kosten des gemeinsamen Verfahrens (z. B. Beratung, Projektleitung). Jeder Posten wird nach
          seinem Schlüssel centgenau auf die Teilnehmenden verteilt
          {keys.length > 0 ? ":" : "."}
          {keys.length > 0 ? (
            <ul className="ml-6 list-disc">
              {keys.map((key) => (
                <li key={key}>{KEY_EXPLANATIONS[key]}</li>
              ))}
            </ul>
          ) : null}
        </dd>
        <dt className="font-semibold">brutto / netto</dt>
        <dd>
          Brutto enthält die Umsatzsteuer: So belasten die Beträge die Haushalte. Netto (ohne
          Umsatzsteuer) sind der geschätzte Auftragswert und der EU-Schwellenwert, wie das
          Vergaberecht sie misst.
        </dd>
      </dl>
    </section>
  );
}
