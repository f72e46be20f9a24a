// /tenders/:code/call-offs — call-offs (Abrufe) against the awarded framework agreements.
// Everyone signed in sees per category the maximum, what all partners called off and
// what is left. Officers see, record and cancel their own partner's call-offs only; the
// coordinator records and cancels for any partner and sees warnings from 80 % and 95 %
// use and partners beyond their own share. Finance and committee read.
// See docs/decisions/009-awards-and-call-offs.md and 015-call-off-storno-and-award-locks.md.
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
  cancelCallOff,
  correctCallOff,
  FORM_ERRORS,
  getCallOffOverview,
  getCallOffOwner,
  listCallOffs,
  listPartnersWithSchools,
  recordCallOff,
  type CallOffOutcome,
} from "../../db/call-offs";
import {
  berlinToday,
  callOffFormSchema,
  cancelCallOffSchema,
  correctCallOffSchema,
  defaultCallOffDate,
  germanDate,
} from "../../domain/call-offs";
import { germanErrorMap } from "../../domain/tender-form";
import {
  CallOffCorrectionForm,
  CallOffForm,
  CALL_OFF_FORM_ID,
  CORRECTION_FORM_ID,
} from "~/components/call-off-form";
import { OverdrawList, UsageTable, UsageWarnings } from "~/components/call-off-usage";
import { replyFor, type FormReply } from "~/components/tender-forms";
import { Notice, PageHeading, RowTh, SectionHeading, Table, Tag, Td, Th } from "~/components/ui";
import { requirePartnerWrite, requireRole, requireUser } from "~/utils/auth.server";
import { getDb } from "~/utils/db.server";
import { formatDateTime, formatInteger } from "~/utils/format";
import { newFormToken } from "~/utils/form-token.server";
import { forbidden, notFound } from "~/utils/http.server";
import { useUnsavedChangesPrompt } from "~/components/unsaved-changes";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Abrufe ${data.overview.tender.code} – Verbundkauf` : "Abrufe – Verbundkauf" },
];

/** A refused or held-back call-off form: conform's reply, and the warning about the own share. */
interface CallOffReply extends FormReply {
  overdraw?: string;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const db = await getDb();
  const code = params.code ?? "";
  const url = new URL(request.url);
  // Officers see their own partner; the others may look at one partner's share (?partner=).
  const requested = url.searchParams.get("partner");
  const sharePartner = user.role === "officer" ? user.partnerCode : requested || null;
  const overview = await getCallOffOverview(db, code, sharePartner);
  if (!overview) throw notFound();
  const listPartner = user.role === "officer" ? user.partnerCode : null;
  const canRecord =
    user.role === "coordinator" || (user.role === "officer" && user.partnerCode !== null);
  const allPartners = await listPartnersWithSchools(db, null);
  const callOffs = await listCallOffs(db, code, listPartner ? { partnerCode: listPartner } : {});

  // ?storno=ID: the form to cancel or correct one call-off (own partner; coordinator: any).
  const stornoParam = url.searchParams.get("storno");
  let correcting = null;
  if (stornoParam !== null) {
    const [record] = /^\d{1,12}$/.test(stornoParam)
      ? await listCallOffs(db, code, { id: Number(stornoParam) })
      : [];
    if (!record) throw notFound();
    if (!canRecord) throw forbidden();
    requirePartnerWrite(user, record.partnerCode);
    correcting = record;
  }
  const earliestAwardDate = overview.awards.map((a) => a.awardDate).sort()[0] ?? null;
  return json({
    overview,
    role: user.role,
    fixedPartner: user.role === "officer" ? user.partnerCode : null,
    sharePartnerName: sharePartner
      ? (allPartners.find((p) => p.code === sharePartner)?.name ?? sharePartner)
      : null,
    partners: canRecord
      ? allPartners.filter((p) => listPartner === null || p.code === listPartner)
      : [],
    partnerChoices:
      user.role === "officer" ? [] : allPartners.map(({ code, name }) => ({ code, name })),
    callOffs,
    canRecord: canRecord && overview.categories.length > 0,
    /** Officers and the coordinator may cancel what they may record. */
    canCancel: canRecord,
    correcting,
    defaultDate: defaultCallOffDate(berlinToday(), {
      startYear: overview.tender.startYear,
      termYears: overview.tender.termYears,
      earliestAwardDate,
    }),
    // One token per rendering of each form: a second post of it stores nothing new.
    token: newFormToken(),
    correctionToken: newFormToken(),
  });
}

function callOffsPath(code: string, query: string): string {
  return `/tenders/${encodeURIComponent(code)}/call-offs?${query}`;
}

/** A refused or held-back outcome as the form's reply (400 refused, 200 warning). */
function replyToOutcome(
  formId: string,
  submission: {
    reply: (options?: {
      formErrors?: string[];
      fieldErrors?: Record<string, string[]>;
    }) => FormReply["result"];
  },
  outcome: Extract<CallOffOutcome, { ok: false }>,
) {
  const { [FORM_ERRORS]: formErrors, ...fieldErrors } = outcome.fieldErrors;
  return json<CallOffReply>(
    {
      formId,
      result: outcome.overdraw ? submission.reply() : submission.reply({ formErrors, fieldErrors }),
      overdraw: outcome.overdraw,
    },
    { status: outcome.overdraw ? 200 : 400 },
  );
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireRole(request, "coordinator", "officer");
  const db = await getDb();
  const code = params.code ?? "";
  const formData = await request.formData();
  const intent = String(formData.get("intent") ?? "call-off");

  if (intent === "cancel" || intent === "correct" || intent === "correct-confirmed") {
    // Authorization before anything else: the call-off's partner must be one's own (the
    // coordinator: any), and so must the partner of a correction.
    const id = String(formData.get("callOffId") ?? "");
    const owner = /^\d{1,12}$/.test(id) ? await getCallOffOwner(db, code, Number(id)) : undefined;
    if (!owner) throw notFound();
    requirePartnerWrite(user, owner.partnerCode);
    if (intent === "cancel") {
      const submission = parseWithZod(formData, {
        schema: cancelCallOffSchema,
        error: germanErrorMap,
      });
      if (submission.status !== "success")
        return json<CallOffReply>(
          { formId: CORRECTION_FORM_ID, result: submission.reply() },
          { status: 400 },
        );
      const outcome = await cancelCallOff(db, {
        tenderCode: code,
        callOffId: submission.value.callOffId,
        reason: submission.value.reason,
        token: submission.value.token,
        userId: user.id,
      });
      if (!outcome.ok) return replyToOutcome(CORRECTION_FORM_ID, submission, outcome);
      return redirect(callOffsPath(code, `notice=cancelled&id=${outcome.value.id}#liste`));
    }
    requirePartnerWrite(user, String(formData.get("partner") ?? ""));
    const submission = parseWithZod(formData, {
      schema: correctCallOffSchema,
      error: germanErrorMap,
    });
    if (submission.status !== "success")
      return json<CallOffReply>(
        { formId: CORRECTION_FORM_ID, result: submission.reply() },
        { status: 400 },
      );
    const value = submission.value;
    const outcome = await correctCallOff(
      db,
      { tenderCode: code, callOffId: value.callOffId, reason: value.reason, userId: user.id },
      {
        tenderCode: code,
        partnerCode: value.partner,
        categoryCode: value.category,
        schoolCode: value.school || null,
        date: value.date,
        quantity: value.quantity,
        orderNumber: value.orderNumber,
        token: value.token,
        confirmOverdraw: intent === "correct-confirmed",
        userId: user.id,
      },
    );
    if (!outcome.ok) return replyToOutcome(CORRECTION_FORM_ID, submission, outcome);
    return redirect(callOffsPath(code, `notice=corrected&id=${outcome.value.id}#liste`));
  }

  // Authorization before anything else: only one's own partner (the coordinator: any).
  requirePartnerWrite(user, String(formData.get("partner") ?? ""));
  if (!(await db.selectFrom("tenders").select("code").where("code", "=", code).executeTakeFirst()))
    throw notFound();

  const submission = parseWithZod(formData, { schema: callOffFormSchema, error: germanErrorMap });
  if (submission.status !== "success") {
    return json<CallOffReply>(
      { formId: CALL_OFF_FORM_ID, result: submission.reply() },
      { status: 400 },
    );
  }
  const value = submission.value;
  const outcome = await recordCallOff(db, {
    tenderCode: code,
    partnerCode: value.partner,
    categoryCode: value.category,
    schoolCode: value.school || null,
    date: value.date,
    quantity: value.quantity,
    orderNumber: value.orderNumber,
    token: value.token,
    confirmOverdraw: value.confirmOverdraw === "1",
    userId: user.id,
  });
  if (!outcome.ok) return replyToOutcome(CALL_OFF_FORM_ID, submission, outcome);
  // Redirect after POST: a reload does not post again, and the form starts empty.
  const notice = outcome.duplicate ? "duplicate" : "recorded";
  return redirect(callOffsPath(code, `notice=${notice}&id=${outcome.value.id}`));
}

const NOTICES: Record<string, string> = {
  recorded: "Der Abruf wurde gespeichert.",
  duplicate:
    "Der Abruf war bereits gespeichert: dasselbe Formular wurde noch einmal abgeschickt und nicht ein zweites Mal gebucht.",
  cancelled: "Der Abruf wurde storniert; die Menge ist wieder verfügbar.",
  corrected: "Der Abruf wurde storniert und korrigiert neu gespeichert.",
};

export default function CallOffsPage() {
  useUnsavedChangesPrompt();
  const data = useLoaderData<typeof loader>();
  const reply = useActionData<typeof action>() as CallOffReply | undefined;
  const [searchParams] = useSearchParams();
  const { overview } = data;
  const tenderPath = `/tenders/${encodeURIComponent(overview.tender.code)}`;
  const lastYear = overview.tender.startYear + overview.tender.termYears - 1;
  const categoryOptions = overview.categories.map(({ code, name, unit, remaining }) => ({
    code,
    name,
    unit,
    remaining,
  }));
  return (
    <>
      <p className="mb-2">
        {data.role !== "officer" ? (
          <>
            <Link to={tenderPath}>Zur Ausschreibung</Link>
            {" · "}
            <Link to={`${tenderPath}/award`}>Zuschlag</Link>
            {" · "}
          </>
        ) : null}
        <Link to={`${tenderPath}/plan-vs-actual`}>Plan-Ist-Vergleich</Link>
      </p>
      <PageHeading
        caption={`Rahmenvertrag ${overview.tender.code} · ${overview.tender.startYear}–${lastYear}`}
      >
        Abrufe: {overview.tender.name}
      </PageHeading>
      {NOTICES[searchParams.get("notice") ?? ""] && !reply ? (
        <Notice>{NOTICES[searchParams.get("notice") ?? ""]}</Notice>
      ) : null}
      {data.role === "coordinator" ? (
        <>
          <UsageWarnings categories={overview.categories} />
          <OverdrawList overdraws={overview.overdraws} />
        </>
      ) : null}

      {overview.awards.length === 0 ? (
        <p className="mb-6 text-lg">
          Noch kein Los dieser Ausschreibung ist vergeben. Abrufe sind erst nach dem Zuschlag
          möglich.
        </p>
      ) : (
        <>
          <ul className="mb-4 list-disc pl-6">
            {overview.awards.map((a) => (
              <li key={a.lotCode}>
                Los {a.lotCode} ({a.lotName}): Zuschlag an {a.supplier} am {germanDate(a.awardDate)}
              </li>
            ))}
          </ul>
          {overview.pendingLots.length > 0 ? (
            <p className="mb-4">
              Noch nicht vergeben:{" "}
              {overview.pendingLots.map((l) => `Los ${l.code} (${l.name})`).join(", ")}.
            </p>
          ) : null}
          {data.partnerChoices.length > 0 ? (
            <form method="get" className="mb-4 flex flex-wrap items-end gap-3">
              <label htmlFor="share-partner" className="font-bold">
                Anteil eines Schulträgers zeigen
              </label>
              <select
                id="share-partner"
                name="partner"
                defaultValue={searchParams.get("partner") ?? ""}
                className="border-2 border-ink bg-white px-2 py-1"
              >
                <option value="">keiner</option>
                {data.partnerChoices.map((p) => (
                  <option key={p.code} value={p.code}>
                    {p.name}
                  </option>
                ))}
              </select>
              <button type="submit" className="bg-soft px-3 py-1 font-semibold">
                Anzeigen
              </button>
            </form>
          ) : null}
          <UsageTable categories={overview.categories} partnerName={data.sharePartnerName} />
        </>
      )}

      {data.correcting ? (
        <>
          <SectionHeading id="storno">Abruf stornieren oder korrigieren</SectionHeading>
          {data.correcting.cancellation ? (
            <p className="mb-4 text-lg">
              Dieser Abruf ist bereits storniert ({data.correcting.cancellation.reason}).{" "}
              <Link to={`${tenderPath}/call-offs`}>Zurück zu den Abrufen</Link>
            </p>
          ) : (
            <>
              <CallOffCorrectionForm
                original={data.correcting}
                partners={data.partners}
                fixedPartner={data.fixedPartner}
                categories={categoryOptions}
                token={data.correctionToken}
                lastResult={replyFor(CORRECTION_FORM_ID, reply)}
                overdraw={reply?.formId === CORRECTION_FORM_ID ? reply.overdraw : undefined}
              />
              <p className="mt-2">
                <Link to={`${tenderPath}/call-offs`}>Abbrechen</Link>
              </p>
            </>
          )}
        </>
      ) : null}

      {data.canRecord ? (
        <>
          <SectionHeading id="erfassen">Abruf erfassen</SectionHeading>
          <CallOffForm
            // A new saved call-off (new ?id=) starts an empty form, with JavaScript too.
            key={searchParams.get("id") ?? "new"}
            partners={data.partners}
            fixedPartner={data.fixedPartner}
            categories={categoryOptions}
            defaultDate={data.defaultDate}
            token={data.token}
            lastResult={replyFor(CALL_OFF_FORM_ID, reply)}
            overdraw={reply?.formId === CALL_OFF_FORM_ID ? reply.overdraw : undefined}
          />
        </>
      ) : null}

      <SectionHeading id="liste">
        {data.fixedPartner ? "Abrufe Ihres Schulträgers" : "Alle Abrufe"}
      </SectionHeading>
      {data.callOffs.length === 0 ? (
        <p className="text-lg">Noch keine Abrufe.</p>
      ) : (
        <Table>
          <thead>
            <tr>
              <Th>Datum</Th>
              <Th>Schulträger</Th>
              <Th>Schule</Th>
              <Th>Produktgruppe</Th>
              <Th numeric>Menge</Th>
              <Th>Bestellnummer</Th>
              <Th>Erfasst</Th>
              <Th>Status</Th>
            </tr>
          </thead>
          <tbody>
            {data.callOffs.map((c) => (
              <tr
                key={c.id}
                data-call-off={c.id}
                className={c.cancellation ? "text-muted" : undefined}
              >
                <RowTh>{germanDate(c.date)}</RowTh>
                <Td>{c.partnerName}</Td>
                <Td>{c.schoolName ?? "–"}</Td>
                <Td>{c.categoryName}</Td>
                <Td numeric>
                  {c.cancellation ? <s>{formatInteger(c.quantity)}</s> : formatInteger(c.quantity)}
                </Td>
                <Td>{c.orderNumber}</Td>
                <Td>
                  {formatDateTime(c.createdAt)}, {c.createdBy}
                </Td>
                <Td>
                  {c.cancellation ? (
                    <>
                      <Tag tone="red">storniert</Tag> {formatDateTime(c.cancellation.cancelledAt)},{" "}
                      {c.cancellation.cancelledBy}: {c.cancellation.reason}
                    </>
                  ) : (
                    <>
                      {c.correctsId !== null ? <Tag tone="blue">Korrektur</Tag> : null}{" "}
                      {data.canCancel ? (
                        <Link to={`?storno=${c.id}#storno`}>
                          Stornieren oder korrigieren
                          <span className="sr-only">
                            : Abruf {c.orderNumber} vom {germanDate(c.date)}
                          </span>
                        </Link>
                      ) : null}
                    </>
                  )}
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </>
  );
}
