import {
  json,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import {
  cellLocks,
  getPartnerRounds,
  gridsOf,
  loadPartnerDemand,
  reopenDemand,
  saveGrid,
  submitDemand,
  type PartnerDemandData,
} from "../../db/demand";
import { parseGridForm } from "../../domain/demand-form";
import { NO_SCHOOL_TITLE, sumDemandGrids, type Conflict } from "../../domain/demand-grid";
import {
  canEditDemand,
  canReopenDemand,
  canSubmitDemand,
  formatTimeLeft,
  DEMAND_STATUS_LABEL,
} from "../../domain/demand-workflow";
import {
  canEditRound,
  DRAFT,
  gridsInRound,
  noteLocked,
  pickRound,
} from "../../domain/demand-rounds";
import { formatBerlinDateTime } from "../../domain/demand-deadline";
import {
  DemandGridForm,
  gridDomId,
  gridKey,
  type GridSaveReply,
} from "~/components/demand-grid-form";
import { DemandImportUpload } from "~/components/demand-import-upload";
import { DemandRoundNav } from "~/components/demand-round-nav";
import { DemandTotalsTable } from "~/components/demand-totals";
import {
  Button,
  DescriptionList,
  ErrorSummary,
  Notice,
  PageHeading,
  SectionHeading,
  Tag,
} from "~/components/ui";
import { requirePartnerRead, requirePartnerWrite, requireUser } from "~/utils/auth.server";
import { getDb } from "~/utils/db.server";
import { DEMAND_STATUS_TONES } from "~/utils/demand-labels";
import { formatInteger } from "~/utils/format";
import { notFound } from "~/utils/http.server";
import { canWritePartner } from "~/utils/roles";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Bedarf ${data.partner.name} – Verbundkauf` : "Bedarf – Verbundkauf" },
];

async function partnerOr404(partner: string | undefined): Promise<PartnerDemandData> {
  const data = await loadPartnerDemand(await getDb(), partner ?? "");
  if (!data) throw notFound();
  return data;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const data = await partnerOr404(params.partner);
  requirePartnerRead(user, data.partner.code);
  const db = await getDb();
  const now = new Date();
  const url = new URL(request.url);
  // The round shown: ?round=RV-2031, else the one with the nearest open deadline.
  const rounds = await getPartnerRounds(db, data.partner.code);
  const picked = pickRound(rounds.rounds, url.searchParams.get("round"), now);
  if (picked.unknown) throw notFound();
  const round = picked.round;
  const roundStatus = round ? (rounds.statuses.get(round.tenderCode) ?? DRAFT) : null;
  const state = {
    status: roundStatus?.status ?? ("draft" as const),
    deadline: round?.deadline ?? null,
  };
  const edit =
    round && roundStatus
      ? canEditRound(user, data.partner.code, round, roundStatus, now)
      : canEditDemand(user, data.partner.code, state, now);
  // Submitting or a passed deadline locks only that round's cells.
  const locks = cellLocks(data, rounds, user, now);
  const cellCount = data.years.length * data.categories.length;
  const lockedNotes: Record<string, string> = {};
  for (const c of data.categories) {
    const reason = noteLocked(locks, c.code, data.years);
    if (reason) lockedNotes[c.code] = reason;
  }
  const imported = Number(url.searchParams.get("importiert"));
  const grids = gridsOf(data);
  return json({
    partner: data.partner,
    grids,
    totals: sumDemandGrids(gridsInRound(grids, round)),
    rounds: rounds.rounds.map((r) => ({
      code: r.tenderCode,
      name: r.tenderName,
      status: (rounds.statuses.get(r.tenderCode) ?? DRAFT).status,
      deadlineText: r.deadline ? formatBerlinDateTime(r.deadline) : null,
    })),
    round: round ? { code: round.tenderCode, name: round.tenderName, years: round.years } : null,
    status: roundStatus?.status ?? null,
    deadline: round?.deadline
      ? {
          text: formatBerlinDateTime(round.deadline),
          left: formatTimeLeft(round.deadline, now),
          passed: round.deadline <= now,
        }
      : null,
    /** The user may change the cells of the shown round. */
    canEdit: edit.allowed,
    lockReason: edit.allowed ? null : edit.reason,
    /** Some cell of the editor is still open to the user (other rounds, or none). */
    anyEditable: locks.size < cellCount,
    lockedCells: Object.fromEntries(locks),
    lockedNotes,
    canSubmit: round ? canSubmitDemand(user, data.partner.code, state, now).allowed : false,
    canReopen: round ? canReopenDemand(user, state).allowed : false,
    /** Officers and the coordinator may download and upload the template. */
    canWritePartner: canWritePartner(user, data.partner.code),
    imported:
      Number.isInteger(imported) && imported >= 0 && url.searchParams.has("importiert")
        ? imported
        : null,
    /** Conflicting values of the import the user did not pick (others' values stay). */
    skipped: Math.max(0, Math.trunc(Number(url.searchParams.get("uebersprungen")) || 0)),
  });
}

const intentSchema = z.enum(["save", "submit", "reopen"]);
const SUBMITTED_FIELD = /^(qty|was|note|wasnote)\.|^version$/;

function conflictLabels(data: PartnerDemandData, conflicts: Conflict[]) {
  const school = (code: string | null) =>
    code === null ? NO_SCHOOL_TITLE : (data.schools.find((s) => s.code === code)?.name ?? code);
  const category = (code: string) => data.categories.find((c) => c.code === code)?.name ?? code;
  return conflicts.map((c) => ({
    label: `${school(c.schoolCode)} – ${category(c.categoryCode)} ${c.year ?? "(Begründung)"}`,
    theirs: c.theirs,
    yours: c.yours,
  }));
}

const berlinTime = (iso: string) =>
  `${new Intl.DateTimeFormat("de-DE", { timeZone: "Europe/Berlin", hour: "2-digit", minute: "2-digit" }).format(new Date(iso))} Uhr`;

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const data = await partnerOr404(params.partner);
  const partnerCode = data.partner.code;
  requirePartnerWrite(user, partnerCode);
  const db = await getDb();
  const form = await request.formData();
  const intent = intentSchema.safeParse(form.get("intent"));
  if (!intent.success)
    return json(
      { intent: "unknown" as const, ok: false, message: "Unbekannte Aktion." },
      { status: 400 },
    );

  if (intent.data === "submit" || intent.data === "reopen") {
    // The round of the form (hidden field); without one, the default round.
    const round = z
      .string()
      .trim()
      .max(40)
      .safeParse(form.get("round") ?? "");
    const tenderCode = round.success && round.data !== "" ? round.data : null;
    const result =
      intent.data === "submit"
        ? await submitDemand(db, partnerCode, tenderCode, user)
        : await reopenDemand(db, partnerCode, tenderCode, user);
    if (result.kind === "denied")
      return json({ intent: intent.data, ok: false, message: result.reason }, { status: 403 });
    return json({
      intent: intent.data,
      ok: true,
      message:
        intent.data === "submit"
          ? `Der Bedarf der Bedarfsrunde ${result.round} ist eingereicht.`
          : `Die Bedarfsmeldung der Bedarfsrunde ${result.round} ist wieder geöffnet.`,
    });
  }

  const school = z
    .string()
    .max(100)
    .safeParse(form.get("school") ?? "");
  const schoolCode = school.success && school.data !== "" ? school.data : null;
  const grid = gridsOf(data).find((g) => g.schoolCode === schoolCode);
  if (!school.success || !grid)
    return json(
      {
        intent: "unknown" as const,
        ok: false,
        message: "Diese Schule gehört nicht zu diesem Partner.",
      },
      { status: 400 },
    );
  const key = gridKey(schoolCode);
  const submitted: Record<string, string> = {};
  for (const [name, value] of form)
    if (typeof value === "string" && SUBMITTED_FIELD.test(name)) submitted[name] = value;
  // "Meine Werte trotzdem speichern": the user saw the conflict and saves against the newer version.
  const override = form.get("override");
  const fields = {
    get: (name: string) =>
      name === "version" && typeof override === "string" && override !== ""
        ? override
        : form.get(name),
  };
  const parsed = parseGridForm(fields, {
    schoolCode,
    years: grid.years,
    categoryCodes: grid.rows.map((r) => r.category.code),
  });
  if (!parsed.ok) {
    const reply: GridSaveReply = {
      intent: "save",
      school: key,
      status: "invalid",
      message: "Nicht gespeichert: bitte die markierten Felder korrigieren.",
      fieldErrors: parsed.fieldErrors,
      submitted,
    };
    return json(reply, { status: 400 });
  }
  const result = await saveGrid(db, {
    partnerCode,
    schoolCode,
    version: parsed.version,
    baseline: parsed.baseline,
    wanted: parsed.wanted,
    user,
  });
  let reply: GridSaveReply;
  let status = 200;
  if (result.kind === "saved") {
    reply = {
      intent: "save",
      school: key,
      status: "saved",
      changed: result.cells + result.notes,
      timeText: berlinTime(result.at),
    };
  } else if (result.kind === "conflict") {
    const latest = gridsOf((await loadPartnerDemand(db, partnerCode))!).find(
      (g) => g.schoolCode === schoolCode,
    );
    reply = {
      intent: "save",
      school: key,
      status: "conflict",
      conflicts: conflictLabels(data, result.conflicts),
      latestVersion: latest?.version ?? grid.version,
      submitted,
    };
    status = 409;
  } else {
    reply = { intent: "save", school: key, status: "denied", message: result.reason, submitted };
    status = 403;
  }
  return json(reply, { status });
}

type ActionReply =
  GridSaveReply | { intent: "submit" | "reopen" | "unknown"; ok: boolean; message: string };

export default function PartnerDemandEditor() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>() as ActionReply | undefined;
  const navigation = useNavigation();
  const gridReply = actionData?.intent === "save" ? actionData : undefined;
  const workflowReply = actionData && actionData.intent !== "save" ? actionData : undefined;
  const partnerPath = `/demand/${encodeURIComponent(data.partner.code)}`;
  const busy = navigation.state !== "idle";
  return (
    <>
      <PageHeading caption="Bedarfsmeldung">{data.partner.name}</PageHeading>
      {data.imported !== null ? (
        <Notice>
          Excel-Import übernommen: {data.imported} {data.imported === 1 ? "Wert" : "Werte"}{" "}
          geändert.
          {data.skipped > 0
            ? ` ${data.skipped} ${data.skipped === 1 ? "Wert wurde" : "Werte wurden"} übersprungen, weil ${data.skipped === 1 ? "er" : "sie"} inzwischen von jemand anderem geändert ${data.skipped === 1 ? "wurde" : "wurden"}.`
            : null}
        </Notice>
      ) : null}
      {workflowReply ? (
        workflowReply.ok ? (
          <Notice>{workflowReply.message}</Notice>
        ) : (
          <ErrorSummary errors={[workflowReply.message]} />
        )
      ) : null}
      <DemandRoundNav rounds={data.rounds} current={data.round?.code ?? null} path={partnerPath} />
      <DescriptionList
        items={[
          {
            term: "Bedarfsrunde",
            value: data.round ? (
              <span data-testid="demand-round">
                {data.round.code} – {data.round.name} (
                {data.round.years.length === 1
                  ? data.round.years[0]
                  : `${data.round.years[0]}–${data.round.years[data.round.years.length - 1]}`}
                )
              </span>
            ) : (
              "Keine Ausschreibung angelegt: der Bedarf gehört noch zu keiner Bedarfsrunde."
            ),
          },
          {
            term: "Status",
            value: data.status ? (
              <span data-testid="demand-status">
                <Tag tone={DEMAND_STATUS_TONES[data.status]}>
                  {DEMAND_STATUS_LABEL[data.status]}
                </Tag>
              </span>
            ) : (
              "–"
            ),
          },
          {
            term: "Frist",
            value: data.deadline ? (
              <span data-testid="demand-deadline">
                {data.deadline.text} –{" "}
                <strong className={data.deadline.passed ? "text-danger" : ""}>
                  {data.deadline.left}
                </strong>
              </span>
            ) : (
              "Keine Frist gesetzt"
            ),
          },
          {
            term: data.round ? `Gesamtmenge ${data.round.code}` : "Gesamtmenge",
            value: `${formatInteger(data.totals.total)} Stück`,
          },
        ]}
      />
      {!data.canEdit && data.canWritePartner ? (
        <p
          role="note"
          className="mt-4 border-l-8 border-line bg-soft p-3 text-lg"
          data-testid="lock-reason"
        >
          {data.lockReason}
        </p>
      ) : null}

      <div className="mt-6 flex flex-wrap gap-4">
        <Link to={`${partnerPath}/history`}>Verlauf der Änderungen</Link>
        {data.canWritePartner ? (
          <a href={`${partnerPath}/template.xlsx`} download>
            Excel-Vorlage herunterladen
          </a>
        ) : null}
      </div>

      {data.canSubmit || data.canReopen ? (
        <Form method="post" className="mt-6 flex flex-wrap items-center gap-4">
          <input type="hidden" name="round" value={data.round?.code ?? ""} />
          {data.canSubmit ? (
            <>
              <Button type="submit" name="intent" value="submit" disabled={busy}>
                Bedarf {data.round?.code} einreichen
              </Button>
              <span className="text-muted">
                Danach sind die Werte dieser Bedarfsrunde gesperrt; nur die Koordination kann sie
                wieder öffnen. Andere Bedarfsrunden bleiben offen.
              </span>
            </>
          ) : null}
          {data.canReopen ? (
            <Button type="submit" name="intent" value="reopen" variant="secondary" disabled={busy}>
              Wieder öffnen
            </Button>
          ) : null}
        </Form>
      ) : null}

      <DemandTotalsTable totals={data.totals} round={data.round?.code ?? null} />

      <SectionHeading>Bedarf je Schule</SectionHeading>
      <p className="mb-4 text-muted">
        Stückzahlen je Produktgruppe und Jahr (ganze Zahlen von 0 bis 100.000; leer heißt 0). Jede
        Tabelle wird für sich gespeichert. Tab springt nach rechts, Enter in die nächste Zeile,
        Umschalt+Enter zurück.
      </p>
      <nav aria-label="Schulen" className="mb-6">
        <ul className="flex flex-wrap gap-x-4 gap-y-1">
          {data.grids.map((g) => (
            <li key={gridKey(g.schoolCode)}>
              <a href={`#${gridDomId(g.schoolCode)}`}>{g.title}</a>
            </li>
          ))}
        </ul>
      </nav>
      {data.grids.map((grid) => (
        <DemandGridForm
          key={gridKey(grid.schoolCode)}
          grid={grid}
          editable={data.anyEditable}
          lockedCells={data.lockedCells}
          lockedNotes={data.lockedNotes}
          reply={gridReply?.school === gridKey(grid.schoolCode) ? gridReply : undefined}
        />
      ))}

      {data.anyEditable ? (
        <>
          <SectionHeading>Excel-Vorlage hochladen</SectionHeading>
          <DemandImportUpload partnerCode={data.partner.code} />
        </>
      ) : null}
    </>
  );
}
