import {
  json,
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { loadDemandOverview, reopenDemand, setDemandDeadline } from "../../db/demand";
import { listDemandRounds } from "../../db/demand-status";
import {
  berlinLocalToInstant,
  deadlineInputSchema,
  formatBerlinDateTime,
} from "../../domain/demand-deadline";
import { pickRound, type DemandRound } from "../../domain/demand-rounds";
import { DEMAND_STATUS_LABEL, formatTimeLeft } from "../../domain/demand-workflow";
import { DemandRoundNav } from "~/components/demand-round-nav";
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
import { forbidden, notFound } from "~/utils/http.server";
import { canExportDemand } from "~/utils/roles";

export const meta: MetaFunction = () => [{ title: "Bedarf der Schulträger – Verbundkauf" }];

function reminder(
  origin: string,
  round: string,
  deadlineText: string | null,
  partner?: { code: string; name: string },
) {
  const subject = `Erinnerung: Bedarfsmeldung Verbundkauf ${round}${deadlineText ? ` – Frist ${deadlineText}` : ""}`;
  const query = `?round=${encodeURIComponent(round)}`;
  const link = partner
    ? `${origin}/demand/${encodeURIComponent(partner.code)}${query}`
    : `${origin}/demand`;
  const body = [
    "Guten Tag,",
    "",
    `die Bedarfsmeldung${partner ? ` für ${partner.name}` : " Ihres Schulträgers"} in der Bedarfsrunde ${round} für die gemeinsame Beschaffung ist noch nicht eingereicht.`,
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
  // The round shown: ?round=RV-2031, else the one with the nearest open deadline.
  const rounds = await listDemandRounds(db);
  const picked = pickRound(rounds, new URL(request.url).searchParams.get("round"), now);
  if (picked.unknown) throw notFound();
  const round = picked.round;
  const { categories, rows } = await loadDemandOverview(db, round ?? NO_ROUND);
  const deadlineText = round?.deadline ? formatBerlinDateTime(round.deadline) : null;
  const origin = new URL(request.url).origin;
  const open = round ? rows.filter((r) => r.status !== "submitted") : [];
  const allEmails = open.flatMap((r) => r.officerEmails);
  const code = round?.tenderCode ?? "";
  return json({
    isCoordinator: user.role === "coordinator",
    canExportDemand: canExportDemand(user),
    rounds: rounds.map((r) => ({
      code: r.tenderCode,
      name: r.tenderName,
      deadlineText: r.deadline ? formatBerlinDateTime(r.deadline) : null,
    })),
    round: round ? { code: round.tenderCode, name: round.tenderName, years: round.years } : null,
    categories,
    rows: rows.map((r) => ({
      ...r,
      lastChangeText: r.lastChange ? formatDateTime(r.lastChange.at) : null,
    })),
    deadline: round?.deadline
      ? {
          local: round.deadlineLocal,
          text: deadlineText,
          left: formatTimeLeft(round.deadline, now),
        }
      : null,
    notSubmitted: open.map((r) => ({
      code: r.partnerCode,
      name: r.partnerName,
      status: r.status,
      emails: r.officerEmails,
      mailto: r.officerEmails.length
        ? `mailto:${r.officerEmails.map(encodeURIComponent).join(",")}?${reminder(origin, code, deadlineText, { code: r.partnerCode, name: r.partnerName })}`
        : null,
    })),
    mailtoAll: allEmails.length
      ? `mailto:?bcc=${allEmails.map(encodeURIComponent).join(",")}&${reminder(origin, code, deadlineText)}`
      : null,
  });
}

/** Without any tender there is no round: the overview lists the partners without figures. */
const NO_ROUND: DemandRound = {
  tenderCode: "",
  tenderName: "",
  years: [],
  categoryCodes: [],
  deadlineLocal: null,
  deadline: null,
};

/** The round a form names (hidden field); empty means the default round. */
const roundField = z
  .string()
  .trim()
  .max(40)
  .optional()
  .transform((s) => (s ? s : null));

const actionSchema = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("deadline"),
    deadline: deadlineInputSchema,
    round: roundField,
    confirmPast: z.string().optional(),
  }),
  z.object({ intent: z.literal("clear-deadline"), round: roundField }),
  z.object({ intent: z.literal("reopen"), partner: z.string().min(1).max(20), round: roundField }),
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
      // A deadline in the past locks every partner of the round at once: asked first,
      // nothing saved yet.
      return json({
        ok: false,
        confirmPast: input.deadline,
        round: input.round,
        message: `Die Frist ${formatBerlinDateTime(instant)} liegt in der Vergangenheit: Alle Schulträger können in dieser Bedarfsrunde dann sofort nichts mehr ändern oder einreichen. Trotzdem setzen?`,
      });
    }
  }
  if (input.intent === "deadline" || input.intent === "clear-deadline") {
    const local = input.intent === "deadline" ? input.deadline : null;
    const result = await setDemandDeadline(db, input.round, local, user);
    if (result.kind === "denied")
      return json({ ok: false, message: result.reason }, { status: 404 });
    return json({
      ok: true,
      message:
        local === null
          ? `Die Frist der Bedarfsrunde ${result.round} ist aufgehoben.`
          : `Die Frist der Bedarfsrunde ${result.round} ist gespeichert.`,
    });
  }
  const result = await reopenDemand(db, input.partner, input.round, user);
  if (result.kind === "denied") return json({ ok: false, message: result.reason }, { status: 409 });
  return json({
    ok: true,
    message: `Die Bedarfsmeldung der Bedarfsrunde ${result.round} ist wieder geöffnet.`,
  });
}

const yearSpan = (years: readonly number[]) =>
  years.length === 0
    ? ""
    : years.length === 1
      ? String(years[0])
      : `${years[0]}–${years[years.length - 1]}`;

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
          {"round" in reply && typeof reply.round === "string" ? (
            <input type="hidden" name="round" value={reply.round} />
          ) : null}
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

      <DemandRoundNav rounds={data.rounds} current={data.round?.code ?? null} path="/demand" />
      {data.round ? (
        <p className="mb-2 text-lg" data-testid="overview-round">
          Bedarfsrunde <strong>{data.round.code}</strong> – {data.round.name} (
          {yearSpan(data.round.years)})
        </p>
      ) : (
        <p className="mb-2 text-lg" data-testid="overview-round">
          Noch keine Ausschreibung angelegt: Bedarfsrunden entstehen mit den Ausschreibungen.
        </p>
      )}
      <SectionHeading>Frist{data.round ? ` ${data.round.code}` : ""}</SectionHeading>
      <p className="mb-3 text-lg" data-testid="overview-deadline">
        {data.deadline ? (
          <>
            {data.deadline.text} – <strong>{data.deadline.left}</strong>
          </>
        ) : (
          "Keine Frist gesetzt."
        )}
      </p>
      {data.isCoordinator && data.round ? (
        <Form method="post" className="mb-4 flex flex-wrap items-end gap-4">
          <input type="hidden" name="round" value={data.round.code} />
          <div>
            <label htmlFor="deadline" className="mb-1 block font-bold">
              Frist der Bedarfsrunde {data.round.code} (Datum und Uhrzeit, deutsche Zeit)
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
      <Table
        caption={
          data.round
            ? `Gemeldete Stückzahlen je Produktgruppe der Bedarfsrunde ${data.round.code} (${yearSpan(data.round.years)}, alle Schulen)`
            : "Schulträger"
        }
      >
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
                <Link
                  to={`/demand/${encodeURIComponent(r.partnerCode)}${data.round ? `?round=${encodeURIComponent(data.round.code)}` : ""}`}
                >
                  {r.partnerName}
                </Link>
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
                      <input type="hidden" name="round" value={data.round?.code ?? ""} />
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

      <SectionHeading>
        Noch nicht eingereicht{data.round ? ` (${data.round.code})` : ""}
      </SectionHeading>
      {!data.round ? (
        <p className="text-lg">Keine Bedarfsrunde offen.</p>
      ) : data.notSubmitted.length === 0 ? (
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
