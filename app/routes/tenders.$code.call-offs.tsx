// /tenders/:code/call-offs — call-offs (Abrufe) against the awarded framework agreements.
// Everyone signed in sees per category the maximum, what all partners called off and
// what is left. Officers see and record their own partner's call-offs only; the
// coordinator records for any partner and sees warnings from 80 % and 95 % use.
// Finance and committee read. See docs/decisions/009-awards-and-call-offs.md.
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
  FORM_ERRORS,
  getCallOffOverview,
  listCallOffs,
  listPartnersWithSchools,
  recordCallOff,
} from "../../db/call-offs";
import { berlinToday, callOffFormSchema, germanDate } from "../../domain/call-offs";
import { germanErrorMap } from "../../domain/tender-form";
import { CallOffForm, CALL_OFF_FORM_ID } from "~/components/call-off-form";
import { UsageTable, UsageWarnings } from "~/components/call-off-usage";
import { replyFor, type FormReply } from "~/components/tender-forms";
import { Notice, PageHeading, RowTh, SectionHeading, Table, Td, Th } from "~/components/ui";
import { requirePartnerWrite, requireRole, requireUser } from "~/utils/auth.server";
import { getDb } from "~/utils/db.server";
import { formatDateTime, formatInteger } from "~/utils/format";
import { notFound } from "~/utils/http.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Abrufe ${data.overview.tender.code} – Verbundkauf` : "Abrufe – Verbundkauf" },
];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const db = await getDb();
  const code = params.code ?? "";
  // Officers see their own partner; the others may look at one partner's share (?partner=).
  const requested = new URL(request.url).searchParams.get("partner");
  const sharePartner = user.role === "officer" ? user.partnerCode : requested || null;
  const overview = await getCallOffOverview(db, code, sharePartner);
  if (!overview) throw notFound();
  const listPartner = user.role === "officer" ? user.partnerCode : null;
  const canRecord =
    user.role === "coordinator" || (user.role === "officer" && user.partnerCode !== null);
  const allPartners = await listPartnersWithSchools(db, null);
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
    callOffs: await listCallOffs(db, code, listPartner ? { partnerCode: listPartner } : {}),
    canRecord: canRecord && overview.categories.length > 0,
    today: berlinToday(),
  });
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireRole(request, "coordinator", "officer");
  const db = await getDb();
  const code = params.code ?? "";
  const formData = await request.formData();
  // Authorization before anything else: only one's own partner (the coordinator: any).
  requirePartnerWrite(user, String(formData.get("partner") ?? ""));
  if (!(await db.selectFrom("tenders").select("code").where("code", "=", code).executeTakeFirst()))
    throw notFound();

  const submission = parseWithZod(formData, { schema: callOffFormSchema, error: germanErrorMap });
  if (submission.status !== "success") {
    return json<FormReply>(
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
    userId: user.id,
  });
  if (!outcome.ok) {
    const { [FORM_ERRORS]: formErrors, ...fieldErrors } = outcome.fieldErrors;
    return json<FormReply>(
      { formId: CALL_OFF_FORM_ID, result: submission.reply({ formErrors, fieldErrors }) },
      { status: 400 },
    );
  }
  return redirect(
    `/tenders/${encodeURIComponent(code)}/call-offs?notice=recorded&id=${outcome.value.id}`,
  );
}

export default function CallOffsPage() {
  const data = useLoaderData<typeof loader>();
  const reply = useActionData<typeof action>() as FormReply | undefined;
  const [searchParams] = useSearchParams();
  const { overview } = data;
  const tenderPath = `/tenders/${encodeURIComponent(overview.tender.code)}`;
  const lastYear = overview.tender.startYear + overview.tender.termYears - 1;
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
      {searchParams.get("notice") === "recorded" && !reply ? (
        <Notice>Der Abruf wurde gespeichert.</Notice>
      ) : null}
      {data.role === "coordinator" ? <UsageWarnings categories={overview.categories} /> : null}

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

      {data.canRecord ? (
        <>
          <SectionHeading id="erfassen">Abruf erfassen</SectionHeading>
          <CallOffForm
            partners={data.partners}
            fixedPartner={data.fixedPartner}
            categories={overview.categories.map(({ code, name, unit, remaining }) => ({
              code,
              name,
              unit,
              remaining,
            }))}
            today={data.today}
            lastResult={replyFor(CALL_OFF_FORM_ID, reply)}
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
            </tr>
          </thead>
          <tbody>
            {data.callOffs.map((c) => (
              <tr key={c.id}>
                <RowTh>{germanDate(c.date)}</RowTh>
                <Td>{c.partnerName}</Td>
                <Td>{c.schoolName ?? "–"}</Td>
                <Td>{c.categoryName}</Td>
                <Td numeric>{formatInteger(c.quantity)}</Td>
                <Td>{c.orderNumber}</Td>
                <Td>
                  {formatDateTime(c.createdAt)}, {c.createdBy}
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </>
  );
}
