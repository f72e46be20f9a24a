import {
  json,
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import {
  getDemandDeadline,
  loadDemandOverview,
  reopenDemand,
  setDemandDeadline,
} from "../../db/demand";
import {
  berlinLocalToInstant,
  deadlineInputSchema,
  formatBerlinDateTime,
} from "../../domain/demand-deadline";
import { DEMAND_STATUS_LABEL, formatTimeLeft } from "../../domain/demand-workflow";
import { DemandExportLinks } from "~/components/download-links";
import {
  Button,
  ErrorSummary,
  Notice,
  PageHeading,
  RowTh,
  SectionHeading,
  Table,
  Tag,
  Td,
  Th,
} from "~/components/ui";
import { requireRole, requireUser } from "~/utils/auth.server";
import { getDb } from "~/utils/db.server";
import { DEMAND_STATUS_TONES } from "~/utils/demand-labels";
import { formatDateTime, formatInteger } from "~/utils/format";
import { forbidden } from "~/utils/http.server";
import { canExportDemand } from "~/utils/roles";

export const meta: MetaFunction = () => [{ title: "Bedarf der Schulträger – Verbundkauf" }];

function reminder(
  origin: string,
  deadlineText: string | null,
  partner?: { code: string; name: string },
) {
  const subject = `Erinnerung: Bedarfsmeldung Verbundkauf${deadlineText ? ` – Frist ${deadlineText}` : ""}`;
  const link = partner
    ? `${origin}/demand/${encodeURIComponent(partner.code)}`
    : `${origin}/demand`;
  const body = [
    "Guten Tag,",
    "",
    `die Bedarfsmeldung${partner ? ` für ${partner.name}` : " Ihres Schulträgers"} für die gemeinsame Beschaffung ist noch nicht eingereicht.`,
    deadlineText
      ? `Bitte tragen Sie Ihren Bedarf bis ${deadlineText} ein und reichen Sie ihn ein.`
      : "Bitte tragen Sie Ihren Bedarf ein und reichen Sie ihn ein.",
    "",
    `Zur Bedarfsmeldung: ${link}`,
    "",
    "Vielen Dank und freundliche Grüße",
    "Koordination Verbundkauf",
  ].join("\n");
  return `subject=${encodeURIComponent(subject)}&body=${encodeURIComponent(body)}`;
}

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  if (user.role === "officer") {
    if (!user.partnerCode) throw forbidden();
    throw redirect(`/demand/${encodeURIComponent(user.partnerCode)}`);
  }
  const db = await getDb();
  const now = new Date();
  const { categories, rows } = await loadDemandOverview(db);
  const deadline = await getDemandDeadline(db);
  const deadlineText = deadline ? formatBerlinDateTime(deadline.instant) : null;
  const origin = new URL(request.url).origin;
  const open = rows.filter((r) => r.status !== "submitted");
  const allEmails = open.flatMap((r) => r.officerEmails);
  return json({
    isCoordinator: user.role === "coordinator",
    canExportDemand: canExportDemand(user),
    categories,
    rows: rows.map((r) => ({
      ...r,
      lastChangeText: r.lastChange ? formatDateTime(r.lastChange.at) : null,
    })),
    deadline: deadline
      ? { local: deadline.local, text: deadlineText, left: formatTimeLeft(deadline.instant, now) }
      : null,
    notSubmitted: open.map((r) => ({
      code: r.partnerCode,
      name: r.partnerName,
      status: r.status,
      emails: r.officerEmails,
      mailto: r.officerEmails.length
        ? `mailto:${r.officerEmails.map(encodeURIComponent).join(",")}?${reminder(origin, deadlineText, { code: r.partnerCode, name: r.partnerName })}`
        : null,
    })),
    mailtoAll: allEmails.length
      ? `mailto:?bcc=${allEmails.map(encodeURIComponent).join(",")}&${reminder(origin, deadlineText)}`
      : null,
  });
}

const actionSchema = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("deadline"),
    deadline: deadlineInputSchema,
    confirmPast: z.string().optional(),
  }),
  z.object({ intent: z.literal("clear-deadline") }),
  z.object({ intent: z.literal("reopen"), partner: z.string().min(1).max(20) }),
]);

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireRole(request, "coordinator");
  const db = await getDb();
  const parsed = actionSchema.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) {
    const message =
      parsed.error.issues.find((i) => i.path[0] === "deadline")?.message ?? "Ungültige Eingabe.";
    return json({ ok: false, message }, { status: 400 });
  }
  const input = parsed.data;
  if (input.intent === "deadline") {
    const instant = berlinLocalToInstant(input.deadline);
    if (instant !== null && instant.getTime() <= Date.now() && input.confirmPast !== "yes") {
      // A deadline in the past locks every partner at once: asked first, nothing saved yet.
      return json({
        ok: false,
        confirmPast: input.deadline,
        message: `Die Frist ${formatBerlinDateTime(instant)} liegt in der Vergangenheit: Alle Schulträger können dann sofort nichts mehr ändern oder einreichen. Trotzdem setzen?`,
      });
    }
    await setDemandDeadline(db, input.deadline, user);
    return json({ ok: true, message: "Die Frist ist gespeichert." });
  }
  if (input.intent === "clear-deadline") {
    await setDemandDeadline(db, null, user);
    return json({ ok: true, message: "Die Frist ist aufgehoben." });
  }
  const result = await reopenDemand(db, input.partner, user);
  if (result.kind === "denied") return json({ ok: false, message: result.reason }, { status: 409 });
  return json({ ok: true, message: "Die Bedarfsmeldung ist wieder geöffnet." });
}

export default function DemandOverviewPage() {
  const data = useLoaderData<typeof loader>();
  const reply = useActionData<typeof action>();
  const busy = useNavigation().state !== "idle";
  const columnTotal = (code: string) => data.rows.reduce((s, r) => s + (r.totals[code] ?? 0), 0);
  return (
    <>
      <PageHeading>Bedarf der Schulträger</PageHeading>
      {reply && "confirmPast" in reply && typeof reply.confirmPast === "string" ? (
        <Form method="post" role="alert" className="mb-6 border-l-8 border-danger p-4">
          <p className="mb-3 font-semibold">{reply.message}</p>
          <input type="hidden" name="deadline" value={reply.confirmPast} />
          <input type="hidden" name="confirmPast" value="yes" />
          <Button type="submit" name="intent" value="deadline" variant="danger" disabled={busy}>
            Ja, Frist in der Vergangenheit setzen
          </Button>
        </Form>
      ) : reply ? (
        reply.ok ? (
          <Notice>{reply.message}</Notice>
        ) : (
          <ErrorSummary errors={[reply.message]} />
        )
      ) : null}

      <SectionHeading>Frist</SectionHeading>
      <p className="mb-3 text-lg" data-testid="overview-deadline">
        {data.deadline ? (
          <>
            {data.deadline.text} – <strong>{data.deadline.left}</strong>
          </>
        ) : (
          "Keine Frist gesetzt."
        )}
      </p>
      {data.isCoordinator ? (
        <Form method="post" className="mb-4 flex flex-wrap items-end gap-4">
          <div>
            <label htmlFor="deadline" className="mb-1 block font-bold">
              Frist (Datum und Uhrzeit, deutsche Zeit)
            </label>
            <input
              id="deadline"
              name="deadline"
              type="datetime-local"
              required
              defaultValue={data.deadline?.local ?? ""}
              className="border-2 border-ink px-2 py-1.5 text-lg"
            />
          </div>
          <Button type="submit" name="intent" value="deadline" disabled={busy}>
            Frist speichern
          </Button>
          {data.deadline ? (
            <Button
              type="submit"
              name="intent"
              value="clear-deadline"
              variant="secondary"
              formNoValidate
              disabled={busy}
            >
              Frist aufheben
            </Button>
          ) : null}
        </Form>
      ) : null}

      <SectionHeading>Stand je Schulträger</SectionHeading>
      {data.canExportDemand ? (
        <p className="mb-3 text-lg">
          <DemandExportLinks />
        </p>
      ) : null}
      <Table caption="Gemeldete Stückzahlen je Produktgruppe (alle Schulen und Jahre)">
        <thead>
          <tr>
            <Th>Schulträger</Th>
            <Th>Status</Th>
            <Th>Letzte Änderung</Th>
            {data.categories.map((c) => (
              <Th key={c.code} numeric className="text-sm">
                {c.name}
              </Th>
            ))}
            <Th numeric>Summe</Th>
            {data.isCoordinator ? <Th>Aktion</Th> : null}
          </tr>
        </thead>
        <tbody>
          {data.rows.map((r) => (
            <tr key={r.partnerCode} data-testid={`overview-${r.partnerCode}`}>
              <RowTh>
                <Link to={`/demand/${encodeURIComponent(r.partnerCode)}`}>{r.partnerName}</Link>
              </RowTh>
              <Td>
                <Tag tone={DEMAND_STATUS_TONES[r.status]}>{DEMAND_STATUS_LABEL[r.status]}</Tag>
              </Td>
              <Td className="text-sm">
                {r.lastChange ? (
                  <>
                    {r.lastChangeText}
                    <br />
                    {r.lastChange.userName ?? "–"}
                  </>
                ) : (
                  "–"
                )}
              </Td>
              {data.categories.map((c) => (
                <Td key={c.code} numeric>
                  {formatInteger(r.totals[c.code] ?? 0)}
                </Td>
              ))}
              <Td numeric className="font-bold">
                {formatInteger(r.total)}
              </Td>
              {data.isCoordinator ? (
                <Td>
                  {r.status === "submitted" ? (
                    <Form method="post">
                      <input type="hidden" name="partner" value={r.partnerCode} />
                      <Button
                        type="submit"
                        name="intent"
                        value="reopen"
                        variant="secondary"
                        disabled={busy}
                      >
                        Wieder öffnen<span className="sr-only"> ({r.partnerName})</span>
                      </Button>
                    </Form>
                  ) : null}
                </Td>
              ) : null}
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <RowTh className="border-t-2 border-ink font-bold">Summe</RowTh>
            <Td className="border-t-2 border-ink" />
            <Td className="border-t-2 border-ink" />
            {data.categories.map((c) => (
              <Td key={c.code} numeric className="border-t-2 border-ink font-bold">
                {formatInteger(columnTotal(c.code))}
              </Td>
            ))}
            <Td numeric className="border-t-2 border-ink font-bold">
              {formatInteger(data.rows.reduce((s, r) => s + r.total, 0))}
            </Td>
            {data.isCoordinator ? <Td className="border-t-2 border-ink" /> : null}
          </tr>
        </tfoot>
      </Table>

      <SectionHeading>Noch nicht eingereicht</SectionHeading>
      {data.notSubmitted.length === 0 ? (
        <p className="text-lg">Alle Schulträger haben ihren Bedarf eingereicht.</p>
      ) : (
        <>
          <ul className="mb-4 list-disc pl-6 text-lg" data-testid="not-submitted">
            {data.notSubmitted.map((p) => (
              <li key={p.code}>
                {p.name} ({DEMAND_STATUS_LABEL[p.status]})
                {p.mailto ? (
                  <>
                    {" – "}
                    <a href={p.mailto}>
                      Erinnerung senden<span className="sr-only"> an {p.name}</span>
                    </a>
                  </>
                ) : (
                  " – keine Ansprechperson mit Zugang angelegt"
                )}
              </li>
            ))}
          </ul>
          {data.mailtoAll ? (
            <p>
              <a href={data.mailtoAll} data-testid="remind-all">
                Alle noch offenen Schulträger per E-Mail erinnern
              </a>{" "}
              <span className="text-muted">(öffnet Ihr E-Mail-Programm; Empfänger in Bcc)</span>
            </p>
          ) : null}
        </>
      )}
    </>
  );
}
