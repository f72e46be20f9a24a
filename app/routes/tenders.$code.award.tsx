// /tenders/:code/award — the award (Zuschlag) per lot. Before it, the coordinator may
// set the maximum quantity per category (never below the joint quantity); the award
// freezes supplier, date, awarded price and maximum. Finance and committee read.
import { parseWithZod } from "@conform-to/zod/v4";
import {
  json,
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import {
  awardLot,
  FORM_ERRORS,
  getAwardPage,
  setMaxQuantityOverride,
  type FieldErrors,
} from "../../db/awards";
import {
  awardFormSchema,
  berlinToday,
  germanDate,
  maxQuantityOverrideSchema,
  priceField,
} from "../../domain/call-offs";
import { formatEuro } from "../../domain/money";
import { germanErrorMap } from "../../domain/tender-form";
import {
  AwardForm,
  awardFormId,
  MaxQuantityForm,
  maxQuantityFormId,
} from "~/components/call-off-award-forms";
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
import { requireRole } from "~/utils/auth.server";
import { getDb } from "~/utils/db.server";
import { AWARD_READ_ROLES } from "~/utils/roles";
import { formatDateTime, formatInteger } from "~/utils/format";
import { notFound } from "~/utils/http.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Zuschlag ${data.page.tender.code} – Verbundkauf` : "Zuschlag – Verbundkauf" },
];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireRole(request, ...AWARD_READ_ROLES);
  const page = await getAwardPage(await getDb(), params.code ?? "");
  if (!page) throw notFound();
  return json({ page, canEdit: user.role === "coordinator", today: berlinToday() });
}

function refusal(
  formId: string,
  submissionReply: (options: { formErrors?: string[]; fieldErrors?: FieldErrors }) => unknown,
  errors: FieldErrors,
) {
  const { [FORM_ERRORS]: formErrors, ...fieldErrors } = errors;
  return json({ formId, result: submissionReply({ formErrors, fieldErrors }) } as FormReply, {
    status: 400,
  });
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireRole(request, "coordinator");
  const db = await getDb();
  const code = params.code ?? "";
  const page = await getAwardPage(db, code);
  if (!page) throw notFound();
  const formData = await request.formData();
  const back = `/tenders/${encodeURIComponent(code)}/award`;

  if (formData.get("intent") === "max-quantity") {
    const formId = maxQuantityFormId(String(formData.get("category") ?? ""));
    const submission = parseWithZod(formData, {
      schema: maxQuantityOverrideSchema,
      error: germanErrorMap,
    });
    if (submission.status !== "success")
      return json<FormReply>({ formId, result: submission.reply() }, { status: 400 });
    const outcome = await setMaxQuantityOverride(db, {
      tenderCode: code,
      categoryCode: submission.value.category,
      maxQuantity: submission.value.maxQuantity ?? null,
      userId: user.id,
    });
    if (!outcome.ok) return refusal(formId, (o) => submission.reply(o), outcome.fieldErrors);
    return redirect(`${back}?notice=max-quantity`);
  }

  if (formData.get("intent") === "award") {
    const lotCode = String(formData.get("lot") ?? "");
    const lot = page.lots.find((l) => l.code === lotCode);
    if (!lot) throw notFound();
    const formId = awardFormId(lot.code);
    const codes = lot.categories.map((c) => c.code);
    const submission = parseWithZod(formData, {
      schema: awardFormSchema(codes),
      error: germanErrorMap,
    });
    if (submission.status !== "success")
      return json<FormReply>({ formId, result: submission.reply() }, { status: 400 });
    const values = submission.value as Record<string, unknown> & {
      supplier: string;
      awardDate: string;
    };
    const outcome = await awardLot(db, {
      tenderCode: code,
      lotCode: lot.code,
      supplier: values.supplier,
      awardDate: values.awardDate,
      pricesCents: Object.fromEntries(codes.map((c) => [c, values[priceField(c)] as bigint])),
      userId: user.id,
      today: berlinToday(),
    });
    if (!outcome.ok) return refusal(formId, (o) => submission.reply(o), outcome.fieldErrors);
    return redirect(`${back}?notice=awarded`);
  }
  return json({ error: "Unbekannte Aktion." }, { status: 400 });
}

const NOTICES: Record<string, string> = {
  awarded:
    "Der Zuschlag wurde gespeichert. Preise und Höchstmengen des Loses sind jetzt eingefroren.",
  "max-quantity": "Die Höchstmenge wurde gespeichert.",
};

export default function AwardPage() {
  const { page, canEdit, today } = useLoaderData<typeof loader>();
  const reply = useActionData<typeof action>() as FormReply | undefined;
  const [searchParams] = useSearchParams();
  const notice = NOTICES[searchParams.get("notice") ?? ""];
  const tenderPath = `/tenders/${encodeURIComponent(page.tender.code)}`;
  return (
    <>
      <p className="mb-2">
        <Link to={tenderPath}>Zur Ausschreibung</Link>
        {" · "}
        <Link to={`${tenderPath}/call-offs`}>Abrufe</Link>
        {" · "}
        <Link to={`${tenderPath}/plan-vs-actual`}>Plan-Ist-Vergleich</Link>
      </p>
      <PageHeading caption={`Ausschreibung ${page.tender.code}`}>
        Zuschlag: {page.tender.name}
      </PageHeading>
      {notice && !reply ? <Notice>{notice}</Notice> : null}
      <ErrorSummary
        errors={
          page.planProblems.length
            ? [
                "Der gespeicherte Plan ist ungültig; vergeben lässt sich erst nach der Korrektur:",
                ...page.planProblems.map((p) => `${p.path}: ${p.message}`),
              ]
            : undefined
        }
      />
      {page.lots.length === 0 ? (
        <p className="text-lg">Diese Ausschreibung hat keine Lose.</p>
      ) : null}
      {page.lots.map((lot) => (
        <section key={lot.code} className="mb-10" aria-labelledby={`lot-${lot.code}`}>
          <SectionHeading id={`lot-${lot.code}`}>
            Los {lot.code}: {lot.name} {lot.award ? "– vergeben" : "– offen"}
          </SectionHeading>
          {lot.award ? (
            <>
              <DescriptionList
                items={[
                  { term: "Auftragnehmer", value: lot.award.supplier },
                  { term: "Zuschlagsdatum", value: germanDate(lot.award.awardDate) },
                  {
                    term: "Erfasst",
                    value: `${formatDateTime(lot.award.createdAt)} von ${lot.award.createdBy}`,
                  },
                ]}
              />
              <Table caption="Eingefroren mit dem Zuschlag" className="mt-4">
                <thead>
                  <tr>
                    <Th>Produktgruppe</Th>
                    <Th numeric>Gemeldete Menge</Th>
                    <Th numeric>Höchstmenge</Th>
                    <Th numeric>Geschätzter Preis</Th>
                    <Th numeric>Zuschlagspreis (netto)</Th>
                  </tr>
                </thead>
                <tbody>
                  {lot.award.categories.map((c) => (
                    <tr key={c.code}>
                      <RowTh>{c.name}</RowTh>
                      <Td numeric>{formatInteger(c.jointQuantity)}</Td>
                      <Td numeric>
                        {formatInteger(c.maxQuantity)}
                        {c.maxQuantity !== c.engineMaxQuantity
                          ? ` (aus Bedarf und Reserve: ${formatInteger(c.engineMaxQuantity)})`
                          : ""}
                      </Td>
                      <Td numeric>{formatEuro(BigInt(c.estimatedUnitPriceNetCents))}</Td>
                      <Td numeric>{formatEuro(BigInt(c.unitPriceNetCents))}</Td>
                    </tr>
                  ))}
                </tbody>
              </Table>
            </>
          ) : (
            <>
              <Table caption="Vor dem Zuschlag (live aus dem Plan)" className="mb-4">
                <thead>
                  <tr>
                    <Th>Produktgruppe</Th>
                    <Th numeric>Gemeldete Menge</Th>
                    <Th numeric>Höchstmenge aus Bedarf und Reserve</Th>
                    <Th numeric>Festgelegte Höchstmenge</Th>
                    <Th numeric>Geschätzter Preis (netto)</Th>
                  </tr>
                </thead>
                <tbody>
                  {lot.categories.map((c) => (
                    <tr key={c.code}>
                      <RowTh>
                        {c.name}
                        {c.warnings.map((w) => (
                          <p key={w} className="text-sm font-semibold text-danger">
                            {w}
                          </p>
                        ))}
                      </RowTh>
                      <Td numeric>{formatInteger(c.jointQuantity)}</Td>
                      <Td numeric>{formatInteger(c.engineMaxQuantity)}</Td>
                      <Td numeric>
                        {c.overrideMaxQuantity === null
                          ? "–"
                          : formatInteger(c.overrideMaxQuantity)}
                      </Td>
                      <Td numeric>{formatEuro(BigInt(c.estimatedUnitPriceNetCents))}</Td>
                    </tr>
                  ))}
                </tbody>
              </Table>
              {canEdit && lot.categories.length > 0 ? (
                <>
                  <h3 className="mb-2 text-xl font-bold">Höchstmengen vor dem Zuschlag</h3>
                  <p className="mb-3 text-muted">
                    Nicht unter der gemeldeten Gesamtmenge. Der geschätzte Auftragswert (§ 3 VgV)
                    rechnet mit der Höchstmenge aus Bedarf und Reserve.
                  </p>
                  {lot.categories.map((c) => (
                    <MaxQuantityForm
                      key={`${c.code}-${c.overrideMaxQuantity}`}
                      category={c}
                      current={c.overrideMaxQuantity}
                      lastResult={replyFor(maxQuantityFormId(c.code), reply)}
                    />
                  ))}
                  <h3 className="mb-2 mt-6 text-xl font-bold">Zuschlag erfassen</h3>
                  <AwardForm
                    lot={lot}
                    categories={lot.categories.map((c) => ({
                      code: c.code,
                      name: c.name,
                      estimatedPrice: formatEuro(BigInt(c.estimatedUnitPriceNetCents)),
                    }))}
                    today={today}
                    lastResult={replyFor(awardFormId(lot.code), reply)}
                  />
                </>
              ) : null}
            </>
          )}
        </section>
      ))}
    </>
  );
}
