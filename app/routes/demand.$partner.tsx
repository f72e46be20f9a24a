import {
  json,
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import {
  Form,
  Link,
  useActionData,
  useLoaderData,
  useNavigation,
  useSearchParams,
} from "@remix-run/react";
import { useState } from "react";
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
import { loadReplacementInputs } from "../../db/inventory";
import { dueByField, fillDueQuantities, replacementsDue } from "../../domain/replacement";
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
import { demandGridShape, gridOfShape, type GridShape } from "~/utils/grid-shape.server";
import { DEMAND_STATUS_TONES } from "~/utils/demand-labels";
import { formatInteger } from "~/utils/format";
import { notFound } from "~/utils/http.server";
import { canWritePartner } from "~/utils/roles";
import { useUnsavedChangesPrompt } from "~/components/unsaved-changes";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Bedarf ${data.partner.name} – Verbundkauf` : "Bedarf – Verbundkauf" },
];

/** Devices due for replacement per grid (grid key → quantity field → quantity). */
async function replacementHints(
  data: Pick<PartnerDemandData, "partner">,
  grids: ReturnType<typeof gridsOf>,
): Promise<Record<string, Record<string, number>>> {
  const inputs = await loadReplacementInputs(await getDb(), data.partner.code);
  const due = replacementsDue(inputs.purchases, inputs.serviceLife);
  return Object.fromEntries(
    grids.map((g) => [
      gridKey(g.schoolCode),
      dueByField(due, {
        schoolCode: g.schoolCode,
        years: g.years,
        categoryCodes: g.rows.map((r) => r.category.code),
      }),
    ]),
  );
}

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
  // After a save without JavaScript (redirect): the message of the saved table.
  const savedSchool = url.searchParams.get("gespeichert");
  const savedReply: GridSaveReply | null =
    savedSchool !== null && grids.some((g) => gridKey(g.schoolCode) === savedSchool)
      ? {
          intent: "save",
          school: savedSchool,
          status: "saved",
          changed: Math.max(0, Number(url.searchParams.get("werte")) || 0),
          timeText: (url.searchParams.get("um") ?? "").slice(0, 20),
        }
      : null;
  return json({
    partner: data.partner,
    savedReply,
    grids,
    replacements: await replacementHints(data, grids),
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
const SUBMIT_QUESTION =
  "Bedarf jetzt einreichen? Danach ist die Meldung gesperrt; nur die Koordination kann sie wieder öffnen.";
const SUBMITTED_FIELD = /^(qty|was|note|wasnote)\.|^version$/;

function conflictLabels(data: Pick<GridShape, "schools" | "categories">, conflicts: Conflict[]) {
  const school = (code: string | null) =>
    code === null ? NO_SCHOOL_TITLE : (data.schools.find((s) => s.code === code)?.name ?? code);
  const category = (code: string) => data.categories.find((c) => c.code === code)?.name ?? code;
  return conflicts.map((c) => ({
    label: `${school(c.schoolCode)} – ${category(c.categoryCode)} ${c.year ?? "(Begründung)"}`,
    theirs: c.theirs,
    yours: c.yours,
  }));
}

// Made once: building an Intl.DateTimeFormat costs more than a save's own work (decision 027).
const BERLIN_TIME = new Intl.DateTimeFormat("de-DE", {
  timeZone: "Europe/Berlin",
  hour: "2-digit",
  minute: "2-digit",
});
const berlinTime = (iso: string) => `${BERLIN_TIME.format(new Date(iso))} Uhr`;

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  // Only the grids' shape: saveGrid reads the partner's values itself, in its transaction.
  const data = await demandGridShape(await getDb(), params.partner ?? "");
  if (!data) throw notFound();
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

  if (intent.data === "submit" && form.get("confirm") !== "yes") {
    // Submitting locks the partner's demand: asked first (a dialog with JavaScript, this
    // step without it). Nothing changes yet.
    return json({
      intent: "submit" as const,
      ok: false,
      confirm: true,
      message: SUBMIT_QUESTION,
    });
  }
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
  const grid = school.success ? gridOfShape(data, schoolCode) : undefined;
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
  // "Ersatzbedarf übernehmen" without JavaScript: send the form back with the due
  // replacements filled in as unsaved changes; nothing is saved.
  if (form.get("fill") === "replacement") {
    const due = (await replacementHints(data, [grid]))[key] ?? {};
    const filled = fillDueQuantities(submitted, due);
    const reply: GridSaveReply = {
      intent: "save",
      school: key,
      status: "prefilled",
      changed: filled.changed,
      submitted: filled.values,
    };
    return json(reply);
  }
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
  if (result.kind === "saved" && form.get("js") !== "1") {
    // Without JavaScript: redirect after POST back to this table, with its message there.
    const query = new URLSearchParams({
      gespeichert: key,
      werte: String(result.cells + result.notes),
      um: berlinTime(result.at),
    });
    return redirect(
      `/demand/${encodeURIComponent(partnerCode)}?${query.toString()}#${gridDomId(schoolCode)}`,
    );
  }
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
  | GridSaveReply
  | { intent: "submit" | "reopen" | "unknown"; ok: boolean; message: string; confirm?: boolean };

export default function PartnerDemandEditor() {
  useUnsavedChangesPrompt();
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>() as ActionReply | undefined;
  const navigation = useNavigation();
  const gridReply = actionData?.intent === "save" ? actionData : (data.savedReply ?? undefined);
  const workflowReply = actionData && actionData.intent !== "save" ? actionData : undefined;
  const partnerPath = `/demand/${encodeURIComponent(data.partner.code)}`;
  const busy = navigation.state !== "idle";
  const [searchParams] = useSearchParams();
  const firstSchool = data.grids[0] ? gridKey(data.grids[0].schoolCode) : "";
  const requestedSchool = searchParams.get("schule") ?? data.savedReply?.school ?? firstSchool;
  const [shownSchool, setShownSchool] = useState(
    data.grids.some((g) => gridKey(g.schoolCode) === requestedSchool)
      ? requestedSchool
      : firstSchool,
  );
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
      {workflowReply?.confirm ? null : workflowReply ? (
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
        <Form
          method="post"
          className="mt-6 flex flex-wrap items-center gap-4"
          onSubmit={(event) => {
            const submitter = (event.nativeEvent as SubmitEvent).submitter;
            if (submitter?.getAttribute("value") !== "submit" || submitter.dataset.confirmed)
              return;
            if (!window.confirm(SUBMIT_QUESTION)) {
              event.preventDefault();
              return;
            }
            const confirm = event.currentTarget.elements.namedItem("confirm");
            if (confirm instanceof HTMLInputElement) confirm.value = "yes";
          }}
        >
          <input type="hidden" name="round" value={data.round?.code ?? ""} />
          {data.canSubmit && workflowReply?.confirm ? (
            <div role="alert" className="w-full border-l-8 border-danger p-3">
              <p className="mb-2 font-semibold">{workflowReply.message}</p>
              <input type="hidden" name="confirm" value="yes" />
              <Button
                type="submit"
                name="intent"
                value="submit"
                data-confirmed="true"
                disabled={busy}
              >
                Ja, Bedarf einreichen
              </Button>
            </div>
          ) : data.canSubmit ? (
            <>
              <input type="hidden" name="confirm" value="" />
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
      {/* On a phone one school at a time: chosen here (a GET form, so it works without JavaScript). */}
      <Form method="get" className="mb-6 flex flex-wrap items-end gap-3 sm:hidden">
        <div>
          <label htmlFor="school-chooser" className="mb-1 block font-bold">
            Schule wählen
          </label>
          <select
            id="school-chooser"
            name="schule"
            value={shownSchool}
            onChange={(event) => setShownSchool(event.target.value)}
            className="block max-w-full border-2 border-ink bg-white px-2 py-1.5"
          >
            {data.grids.map((g) => (
              <option key={gridKey(g.schoolCode)} value={gridKey(g.schoolCode)}>
                {g.title}
              </option>
            ))}
          </select>
        </div>
        <Button type="submit" variant="secondary">
          Anzeigen
        </Button>
      </Form>
      <nav aria-label="Schulen" className="mb-6 max-sm:hidden">
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
          hiddenOnPhone={gridKey(grid.schoolCode) !== shownSchool}
          replacement={data.replacements[gridKey(grid.schoolCode)]}
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
