// /inventory/:partner — the installed base (Bestand) of one partner: devices bought
// before or outside the joint tenders, per school (or none), category and purchase
// year. The same grid editor as the demand (keyboard, no-JS posts, conflicts, errors
// at the cell); officers edit their own partner, the coordinator all, others read.
import {
  json,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import {
  inventoryGridsOf,
  loadPartnerInventory,
  saveInventoryGrid,
  type PartnerInventoryData,
} from "../../db/inventory";
import { parseGridForm } from "../../domain/demand-form";
import { NO_SCHOOL_TITLE, sumDemandGrids, type Conflict } from "../../domain/demand-grid";
import {
  DemandGridForm,
  gridDomId,
  gridKey,
  type GridSaveReply,
} from "~/components/demand-grid-form";
import { DemandImportUpload } from "~/components/demand-import-upload";
import { DemandTotalsTable } from "~/components/demand-totals";
import { Notice, PageHeading, SectionHeading } from "~/components/ui";
import { importedCounts, importedMessage } from "~/components/template-import-preview";
import { requirePartnerRead, requirePartnerWrite, requireUser } from "~/utils/auth.server";
import { getDb } from "~/utils/db.server";
import { gridOfShape, inventoryGridShape, type GridShape } from "~/utils/grid-shape.server";
import { formatInteger } from "~/utils/format";
import { notFound } from "~/utils/http.server";
import { canWritePartner } from "~/utils/roles";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Bestand ${data.partner.name} – Verbundkauf` : "Bestand – Verbundkauf" },
];

async function partnerOr404(partner: string | undefined): Promise<PartnerInventoryData> {
  const data = await loadPartnerInventory(await getDb(), partner ?? "");
  if (!data) throw notFound();
  return data;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const data = await partnerOr404(params.partner);
  requirePartnerRead(user, data.partner.code);
  const grids = inventoryGridsOf(data);
  const url = new URL(request.url);
  return json({
    partner: data.partner,
    grids,
    totals: sumDemandGrids(grids),
    canEdit: canWritePartner(user, data.partner.code),
    imported: importedCounts(url),
  });
}

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
  // Only the grids' shape: saveInventoryGrid reads the values itself, in its transaction.
  const data = await inventoryGridShape(await getDb(), params.partner ?? "");
  if (!data) throw notFound();
  const partnerCode = data.partner.code;
  requirePartnerWrite(user, partnerCode);
  const form = await request.formData();
  const school = z
    .string()
    .max(100)
    .safeParse(form.get("school") ?? "");
  const schoolCode = school.success && school.data !== "" ? school.data : null;
  const grid = school.success ? gridOfShape(data, schoolCode) : undefined;
  if (form.get("intent") !== "save" || !school.success || !grid)
    return json(
      { intent: "unknown" as const, ok: false, message: "Unbekannte Aktion oder Schule." },
      { status: 400 },
    );
  const key = gridKey(schoolCode);
  const submitted: Record<string, string> = {};
  for (const [name, value] of form)
    if (typeof value === "string" && SUBMITTED_FIELD.test(name)) submitted[name] = value;
  const override = form.get("override");
  const parsed = parseGridForm(
    {
      get: (name: string) =>
        name === "version" && typeof override === "string" && override !== ""
          ? override
          : form.get(name),
    },
    { schoolCode, years: grid.years, categoryCodes: grid.rows.map((r) => r.category.code) },
  );
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
  const db = await getDb();
  const result = await saveInventoryGrid(db, {
    partnerCode,
    schoolCode,
    version: parsed.version,
    baseline: parsed.baseline,
    wanted: parsed.wanted,
    user,
  });
  if (result.kind === "saved") {
    const reply: GridSaveReply = {
      intent: "save",
      school: key,
      status: "saved",
      changed: result.cells + result.notes,
      timeText: berlinTime(result.at),
    };
    return json(reply);
  }
  if (result.kind === "conflict") {
    const latest = inventoryGridsOf((await loadPartnerInventory(db, partnerCode))!).find(
      (g) => g.schoolCode === schoolCode,
    );
    const reply: GridSaveReply = {
      intent: "save",
      school: key,
      status: "conflict",
      conflicts: conflictLabels(data, result.conflicts),
      latestVersion: latest?.version ?? grid.version,
      submitted,
    };
    return json(reply, { status: 409 });
  }
  const reply: GridSaveReply = {
    intent: "save",
    school: key,
    status: "denied",
    message:
      result.kind === "denied"
        ? result.reason
        : `Nicht gespeichert: der Plan wäre danach ungültig. ${result.problems.join(" ")}`,
    submitted,
  };
  return json(reply, { status: result.kind === "denied" ? 403 : 422 });
}

type ActionReply = GridSaveReply | { intent: "unknown"; ok: boolean; message: string };

export default function PartnerInventoryEditor() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>() as ActionReply | undefined;
  const gridReply = actionData?.intent === "save" ? actionData : undefined;
  const partnerPath = `/inventory/${encodeURIComponent(data.partner.code)}`;
  return (
    <>
      <PageHeading caption="Bestand (vorhandene Geräte)">{data.partner.name}</PageHeading>
      {data.imported !== null ? (
        <Notice>{importedMessage(data.imported.imported, data.imported.skipped)}</Notice>
      ) : null}
      {actionData?.intent === "unknown" ? (
        <p role="alert" className="mb-4 font-semibold text-danger">
          {actionData.message}
        </p>
      ) : null}
      <p className="mb-4 max-w-3xl">
        Geräte, die vor oder außerhalb der gemeinsamen Ausschreibungen angeschafft wurden, je
        Schule, Produktgruppe und Anschaffungsjahr. Daraus berechnet Verbundkauf, wann Ersatz fällig
        wird (Nutzungsdauer der Produktgruppe), und wie viel Schul-IT-Support die Geräte brauchen.
        Gesamtbestand: <strong>{formatInteger(data.totals.total)} Geräte</strong>.
      </p>
      <div className="mb-6 flex flex-wrap gap-4">
        <Link to={`/demand/${encodeURIComponent(data.partner.code)}`}>Zur Bedarfsmeldung</Link>
        <Link to="/support">IT-Support</Link>
        {data.canEdit ? (
          <a href={`${partnerPath}/template.xlsx`} download>
            Excel-Vorlage herunterladen
          </a>
        ) : null}
      </div>

      <DemandTotalsTable totals={data.totals} />

      <SectionHeading>Bestand je Schule</SectionHeading>
      <p className="mb-4 text-muted">
        Stückzahlen je Produktgruppe und Anschaffungsjahr (ganze Zahlen von 0 bis 100.000; leer
        heißt 0), in der Spalte „Begründung“ die Quelle (z. B. Inventarliste). Jede Tabelle wird für
        sich gespeichert. Tab springt nach rechts, Enter in die nächste Zeile, Umschalt+Enter
        zurück.
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
          kind="inventory"
          grid={grid}
          editable={data.canEdit}
          reply={gridReply?.school === gridKey(grid.schoolCode) ? gridReply : undefined}
        />
      ))}

      {data.canEdit ? (
        <>
          <SectionHeading>Excel-Vorlage hochladen</SectionHeading>
          <DemandImportUpload partnerCode={data.partner.code} kind="inventory" />
        </>
      ) : null}
    </>
  );
}
