// /support — pooled school IT support (CALCULATION.md §13): per year the devices in use,
// the staff and cost if every partner ran its own support against one pooled unit, the
// savings, and each partner's share. Every role reads; officers see only their own
// partner's rows and the totals (filtered here, in the loader). The coordinator sets
// the assumptions; until then the page is a preview with the defaults.
import {
  json,
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { saveSupportParameters } from "../../db/support";
import { loadCurrentSupport } from "~/components/support-summary.server";
import { centsToGermanInput, decimalToGermanInput } from "../../domain/german-input";
import { SUPPORT_KEY_LABELS, supportParametersSchema } from "../../domain/support-form";
import { renderBarChartSvg } from "~/components/charts/bar-chart-svg.server";
import { SupportCostChart, supportCostSpec } from "~/components/charts/support-cost-chart";
import { handleForm } from "~/components/tender-actions.server";
import { SUPPORT_FORM_ID, SupportParametersForm } from "~/components/support-parameters-form";
import { replyFor, type FormReply } from "~/components/tender-forms";
import {
  DescriptionList,
  ErrorSummary,
  Notice,
  PageHeading,
  RowTh,
  SectionHeading,
  Table,
  Td,
  Th,
} from "~/components/ui";
import { requireRole, requireUser } from "~/utils/auth.server";
import { getDb } from "~/utils/db.server";
import { formatCents, formatDateTime, formatDecimal } from "~/utils/format";

export const meta: MetaFunction = () => [{ title: "Schul-IT-Support gemeinsam – Verbundkauf" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const now = new Date();
  const current = await loadCurrentSupport(await getDb(), now);
  const p = current.parameters;
  // Officers see their own partner's rows and the totals, nothing of the others.
  const visible = (code: string) => user.role !== "officer" || code === user.partnerCode;
  const base = {
    canEdit: user.role === "coordinator",
    isOfficer: user.role === "officer",
    preview: current.preview,
    updated: current.stored
      ? { at: formatDateTime(current.stored.updatedAt), by: current.stored.updatedBy }
      : null,
    parameters: {
      years: `${p.fromYear}–${p.toYear}`,
      devicesPerFte: formatDecimal(p.devicesPerFte),
      fteStep: formatDecimal(p.fteStep),
      minFtePerPartner: formatDecimal(p.minFtePerPartner),
      poolOverheadFte: formatDecimal(p.poolOverheadFte),
      costPerFte: formatCents(p.costPerFteCents),
      key: SUPPORT_KEY_LABELS[p.key],
      note: p.note,
    },
    defaults: {
      fromYear: String(p.fromYear),
      toYear: String(p.toYear),
      devicesPerFte: decimalToGermanInput(p.devicesPerFte),
      fteStep: decimalToGermanInput(p.fteStep),
      minFtePerPartner: decimalToGermanInput(p.minFtePerPartner),
      poolOverheadFte: decimalToGermanInput(p.poolOverheadFte),
      costPerFte: centsToGermanInput(p.costPerFteCents),
      key: p.key,
      note: p.note,
    },
  };
  if (!current.ok) return json({ ...base, problems: current.problems, result: null });
  const c = current.calculation;
  const years = c.years.map((y) => ({
    year: y.year,
    units: y.units,
    soloFte: y.soloFte,
    soloCostGross: y.soloCostGross.toString(),
    pooledFte: y.pooledFte,
    pooledCostGross: y.pooledCostGross.toString(),
    savingsGross: y.savingsGross.toString(),
    partners: y.partners
      .filter((r) => visible(r.code))
      .map((r) => ({
        code: r.code,
        name: r.name,
        units: r.units,
        soloFte: r.soloFte,
        soloCostGross: r.soloCostGross.toString(),
        pooledShareGross: r.pooledShareGross.toString(),
        savingsGross: r.savingsGross.toString(),
      })),
  }));
  // Per partner over all years (only partners with devices in some year).
  const sums = new Map<string, { name: string; solo: bigint; share: bigint; savings: bigint }>();
  for (const y of c.years)
    for (const r of y.partners) {
      if (!visible(r.code)) continue;
      const s = sums.get(r.code) ?? { name: r.name, solo: 0n, share: 0n, savings: 0n };
      s.solo += r.soloCostGross;
      s.share += r.pooledShareGross;
      s.savings += r.savingsGross;
      sums.set(r.code, s);
    }
  const partners = [...sums.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([code, s]) => ({
      code,
      name: s.name,
      soloCostGross: s.solo.toString(),
      pooledShareGross: s.share.toString(),
      savingsGross: s.savings.toString(),
    }));
  return json({
    ...base,
    problems: null,
    result: {
      years,
      partners,
      totals: {
        soloCostGross: c.totals.soloCostGross.toString(),
        pooledCostGross: c.totals.pooledCostGross.toString(),
        savingsGross: c.totals.savingsGross.toString(),
      },
      chartSvg: renderBarChartSvg(supportCostSpec(years)),
    },
  });
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireRole(request, "coordinator");
  const formData = await request.formData();
  if (formData.get("intent") !== "save")
    return json({ error: "Unbekannte Aktion." }, { status: 400 });
  const db = await getDb();
  return handleForm(SUPPORT_FORM_ID, supportParametersSchema, formData, async (v) => {
    await saveSupportParameters(
      db,
      {
        fromYear: v.fromYear,
        toYear: v.toYear,
        devicesPerFte: v.devicesPerFte,
        fteStep: v.fteStep,
        minFtePerPartner: v.minFtePerPartner,
        poolOverheadFte: v.poolOverheadFte,
        costPerFteCents: v.costPerFte,
        key: v.key,
        note: v.note,
      },
      user.id,
    );
    return redirect("/support?gespeichert=1");
  });
}

const euro = (cents: string) => formatCents(BigInt(cents));
const fte = (text: string) => formatDecimal(text);

export default function SupportPage() {
  const data = useLoaderData<typeof loader>();
  const reply = useActionData<typeof action>() as FormReply | undefined;
  const [searchParams] = useSearchParams();
  const result = data.result;
  const p = data.parameters;
  return (
    <>
      <PageHeading caption="Schul-IT-Support">Allein oder gemeinsam?</PageHeading>
      {searchParams.has("gespeichert") ? <Notice>Die Annahmen wurden gespeichert.</Notice> : null}
      <p className="mb-4 max-w-3xl">
        Wie viel Support-Personal brauchen die Geräte in den Schulen, wenn jeder Schulträger eigenes
        Personal hat, und wie viel, wenn der Verbund eine gemeinsame Support-Einheit betreibt? Die
        Geräte im Einsatz ergeben sich aus dem <Link to="/inventory">Bestand</Link> und dem
        gemeldeten Bedarf, jeweils über die Nutzungsdauer der{" "}
        <Link to="/categories">Produktgruppe</Link>.
      </p>
      {data.preview ? (
        <p role="note" className="mb-4 border-l-8 border-line bg-soft p-3" data-testid="preview">
          Vorschau mit Standardannahmen: die Koordination hat noch keine eigenen Werte festgelegt.
        </p>
      ) : null}
      {data.problems ? (
        <ErrorSummary
          errors={[
            "Der Plan ist derzeit ungültig; der Vergleich kann nicht berechnet werden.",
            ...data.problems,
          ]}
        />
      ) : null}

      {result ? (
        <>
          <section aria-labelledby="support-headline" className="mb-8">
            <h2 id="support-headline" className="sr-only">
              Ergebnis
            </h2>
            <DescriptionList
              items={[
                {
                  term: `Ersparnis ${p.years} (brutto)`,
                  value: (
                    <strong data-testid="support-savings" className="text-2xl">
                      {euro(result.totals.savingsGross)}
                    </strong>
                  ),
                },
                { term: "Kosten, wenn jeder allein", value: euro(result.totals.soloCostGross) },
                { term: "Kosten gemeinsam", value: euro(result.totals.pooledCostGross) },
              ]}
            />
            <p className="mt-2">
              <a href="/support/export.xlsx" download>
                Als Excel-Arbeitsmappe herunterladen (mit Formeln)
              </a>
            </p>
          </section>

          <SupportCostChart years={result.years} svg={result.chartSvg} />

          <SectionHeading>Je Jahr</SectionHeading>
          <Table caption="Geräte im Einsatz, Stellen und Kosten je Jahr (alle Schulträger)">
            <thead>
              <tr>
                <Th>Jahr</Th>
                <Th numeric>Support-Einheiten</Th>
                <Th numeric>Stellen allein (Summe)</Th>
                <Th numeric>Kosten allein</Th>
                <Th numeric>Stellen gemeinsam</Th>
                <Th numeric>Kosten gemeinsam</Th>
                <Th numeric>Ersparnis</Th>
              </tr>
            </thead>
            <tbody data-testid="support-years">
              {result.years.map((y) => (
                <tr key={y.year} data-year={y.year}>
                  <RowTh>{y.year}</RowTh>
                  <Td numeric>{fte(y.units)}</Td>
                  <Td numeric>{fte(y.soloFte)}</Td>
                  <Td numeric>{euro(y.soloCostGross)}</Td>
                  <Td numeric>{fte(y.pooledFte)}</Td>
                  <Td numeric>{euro(y.pooledCostGross)}</Td>
                  <Td numeric className="font-semibold">
                    {euro(y.savingsGross)}
                  </Td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <RowTh>Summe</RowTh>
                <Td />
                <Td />
                <Td numeric className="font-bold">
                  {euro(result.totals.soloCostGross)}
                </Td>
                <Td />
                <Td numeric className="font-bold">
                  {euro(result.totals.pooledCostGross)}
                </Td>
                <Td numeric className="font-bold">
                  {euro(result.totals.savingsGross)}
                </Td>
              </tr>
            </tfoot>
          </Table>

          <SectionHeading>{data.isOfficer ? "Ihr Anteil" : "Je Schulträger"}</SectionHeading>
          {result.partners.length === 0 ? (
            <p className="mb-6">
              {data.isOfficer
                ? "Für Ihren Schulträger sind in diesen Jahren keine Geräte im Einsatz erfasst."
                : "In diesen Jahren sind keine Geräte im Einsatz erfasst."}
            </p>
          ) : (
            <>
              <Table
                caption={`Kosten allein, Anteil an den gemeinsamen Kosten und Ersparnis ${p.years}`}
                className="mb-6"
              >
                <thead>
                  <tr>
                    <Th>Schulträger</Th>
                    <Th numeric>Kosten allein</Th>
                    <Th numeric>Anteil gemeinsam</Th>
                    <Th numeric>Ersparnis</Th>
                  </tr>
                </thead>
                <tbody data-testid="support-partners">
                  {result.partners.map((r) => (
                    <tr key={r.code} data-partner={r.code}>
                      <RowTh>{r.name}</RowTh>
                      <Td numeric>{euro(r.soloCostGross)}</Td>
                      <Td numeric>{euro(r.pooledShareGross)}</Td>
                      <Td numeric className="font-semibold">
                        {euro(r.savingsGross)}
                      </Td>
                    </tr>
                  ))}
                </tbody>
              </Table>
              {result.years.map((y) =>
                y.partners.length === 0 ? null : (
                  <details key={y.year} className="mb-3">
                    <summary className="cursor-pointer text-link underline">
                      {y.year}: Stellen und Kosten je Schulträger
                    </summary>
                    <Table caption={`${y.year} je Schulträger`}>
                      <thead>
                        <tr>
                          <Th>Schulträger</Th>
                          <Th numeric>Support-Einheiten</Th>
                          <Th numeric>Stellen allein</Th>
                          <Th numeric>Kosten allein</Th>
                          <Th numeric>Anteil gemeinsam</Th>
                          <Th numeric>Ersparnis</Th>
                        </tr>
                      </thead>
                      <tbody>
                        {y.partners.map((r) => (
                          <tr key={r.code}>
                            <RowTh>{r.name}</RowTh>
                            <Td numeric>{fte(r.units)}</Td>
                            <Td numeric>{fte(r.soloFte)}</Td>
                            <Td numeric>{euro(r.soloCostGross)}</Td>
                            <Td numeric>{euro(r.pooledShareGross)}</Td>
                            <Td numeric>{euro(r.savingsGross)}</Td>
                          </tr>
                        ))}
                      </tbody>
                    </Table>
                  </details>
                ),
              )}
            </>
          )}
        </>
      ) : null}

      <SectionHeading>Annahmen</SectionHeading>
      <DescriptionList
        items={[
          { term: "Jahre", value: p.years },
          { term: "Geräte je Support-Stelle", value: p.devicesPerFte },
          { term: "Stellen in Schritten von", value: p.fteStep },
          { term: "Mindestausstattung je Schulträger", value: `${p.minFtePerPartner} Stellen` },
          { term: "Mehraufwand des Verbunds", value: `${p.poolOverheadFte} Stellen` },
          { term: "Kosten je Stelle und Jahr", value: p.costPerFte },
          { term: "Verteilung der gemeinsamen Kosten", value: p.key },
        ]}
      />
      {p.note ? (
        <p className="mt-4 max-w-3xl border-l-8 border-line p-3" data-testid="support-note">
          <strong>Herkunft der Zahlen:</strong> {p.note}
        </p>
      ) : null}
      {data.updated ? (
        <p className="mt-2 text-muted">
          Zuletzt geändert am {data.updated.at}
          {data.updated.by ? ` von ${data.updated.by}` : ""}.
        </p>
      ) : null}
      <p className="mt-2 max-w-3xl text-muted">
        Stellen allein: je Schulträger die Support-Einheiten geteilt durch die Geräte je Stelle,
        aufgerundet auf die Stufung, mindestens die Mindestausstattung. Gemeinsam: dieselbe Rechnung
        für alle Geräte zusammen plus der Mehraufwand; die Kosten werden nach dem gewählten
        Schlüssel verteilt (größte Reste, auf den Cent).
      </p>

      {data.canEdit ? (
        <section aria-labelledby="support-form-title" className="mt-8">
          <SectionHeading id="support-form-title">Annahmen ändern</SectionHeading>
          <SupportParametersForm
            defaults={data.defaults}
            lastResult={replyFor(SUPPORT_FORM_ID, reply)}
            preview={data.preview}
          />
        </section>
      ) : null}
    </>
  );
}
