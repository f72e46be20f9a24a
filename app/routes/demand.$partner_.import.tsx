import {
  json,
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import {
  applyPendingImport,
  createPendingImport,
  discardPendingImport,
  demandEditDecision,
  importLockDecision,
  getPendingImport,
  loadPartnerDemand,
  previewImport,
} from "../../db/demand";
import { MAX_TEMPLATE_BYTES } from "../../exports/demand-template-import";
import { DemandImportUpload } from "~/components/demand-import-upload";
import {
  IMPORT_MISSING_MESSAGE,
  previewForPage,
  readConfirmForm,
  TemplateImportErrors,
  TemplateImportPreview,
  type ImportReply,
} from "~/components/template-import-preview";
import { ErrorSummary, PageHeading } from "~/components/ui";
import { requirePartnerWrite, requireUser } from "~/utils/auth.server";
import { getDb } from "~/utils/db.server";
import { notFound } from "~/utils/http.server";
import { parseInWorker } from "~/utils/parse-worker.server";
import { checkXlsxFile, receiveUpload } from "~/utils/upload.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  {
    title: data ? `Excel-Import ${data.partner.name} – Verbundkauf` : "Excel-Import – Verbundkauf",
  },
];

const TOO_BIG = "Die Datei ist größer als 5 MB. Bitte nur die ausgefüllte Vorlage hochladen.";

async function authorized(request: Request, partner: string | undefined) {
  const user = await requireUser(request);
  const data = await loadPartnerDemand(await getDb(), partner ?? "");
  if (!data) throw notFound();
  requirePartnerWrite(user, data.partner.code);
  return { user, data };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, data } = await authorized(request, params.partner);
  const db = await getDb();
  const id = new URL(request.url).searchParams.get("id");
  const edit = await demandEditDecision(db, user, data.partner.code);
  if (!id)
    return json({
      partner: data.partner,
      lockReason: edit.allowed ? null : edit.reason,
      preview: null,
      missing: false,
    });
  const pending = await getPendingImport(db, id, user, data.partner.code);
  if (!pending)
    return json({
      partner: data.partner,
      lockReason: edit.allowed ? null : edit.reason,
      preview: null,
      missing: true,
    });
  const diff = await previewImport(db, pending);
  // A change in a submitted or overdue demand round would be refused: say so now.
  const lock = edit.allowed ? await importLockDecision(db, user, pending) : edit;
  return json({
    partner: data.partner,
    lockReason: lock.allowed ? null : lock.reason,
    missing: false,
    preview: previewForPage(data, pending, diff),
  });
}

const fileProblem = (message: string, status: number) =>
  json<ImportReply>({ kind: "errors", errors: [{ sheet: "", cell: "", message }] }, { status });

export async function action({ request, params }: ActionFunctionArgs) {
  const { user, data } = await authorized(request, params.partner);
  const db = await getDb();
  const partnerPath = `/demand/${encodeURIComponent(data.partner.code)}`;
  const contentType = request.headers.get("Content-Type") ?? "";

  if (!contentType.startsWith("multipart/form-data")) {
    const parsed = readConfirmForm(await request.formData());
    if (!parsed.success)
      return json<ImportReply>({ kind: "message", message: "Unbekannte Aktion." }, { status: 400 });
    if (parsed.data.intent === "discard") {
      await discardPendingImport(db, parsed.data.id, user);
      return redirect(partnerPath);
    }
    const result = await applyPendingImport(db, {
      id: parsed.data.id,
      partnerCode: data.partner.code,
      user,
      token: parsed.data.token,
      take: parsed.data.take,
    });
    if (result.kind === "applied") {
      const skipped = result.skipped > 0 ? `&uebersprungen=${result.skipped}` : "";
      return redirect(`${partnerPath}?importiert=${result.cells + result.notes}${skipped}`);
    }
    if (result.kind === "missing") {
      return json<ImportReply>(
        { kind: "message", message: IMPORT_MISSING_MESSAGE },
        { status: 410 },
      );
    }
    if (result.kind === "denied")
      return json<ImportReply>({ kind: "message", message: result.reason }, { status: 403 });
    return json<ImportReply>(
      {
        kind: "message",
        message:
          "Nicht übernommen: der Bedarf wurde seit dem Anzeigen der Vorschau geändert. Die Vorschau unten ist jetzt aktuell; bitte prüfen Sie sie und übernehmen Sie erneut.",
      },
      { status: 409 },
    );
  }

  // Refuse early: neither a locked demand nor an oversized body is read at all.
  const edit = await demandEditDecision(db, user, data.partner.code);
  if (!edit.allowed) return fileProblem(edit.reason, 403);
  // Size limits while reading, then type and zip-bomb checks before exceljs (app/utils/upload.server.ts).
  const upload = await receiveUpload(request, {
    field: "file",
    maxFileBytes: MAX_TEMPLATE_BYTES,
    tooLargeMessage: TOO_BIG,
    missingMessage: "Bitte eine Datei auswählen.",
  });
  if (!upload.ok) return fileProblem(upload.message, upload.status);
  const checked = checkXlsxFile(upload.fileName, upload.bytes);
  if (!checked.ok) return fileProblem(checked.message, checked.status);
  const bytes = checked.value;
  // In a worker thread with memory and time limits (app/utils/parse-worker.server.ts).
  const outcome = await parseInWorker("demandTemplate", bytes, {
    partner: data.partner,
    schoolCodes: new Set(data.schools.map((s) => s.code)),
    categoryCodes: new Set(data.categories.map((c) => c.code)),
    years: data.years,
  });
  if (!outcome.ok) return fileProblem(outcome.message, outcome.status);
  const parsed = outcome.value;
  if (!parsed.ok)
    return json<ImportReply>({ kind: "errors", errors: parsed.errors }, { status: 422 });
  const created = await createPendingImport(db, {
    partnerCode: data.partner.code,
    user,
    fileName: upload.fileName,
    generatedAt: parsed.generatedAt,
    cells: parsed.cells.map(({ schoolCode, categoryCode, year, quantity, downloaded }) => ({
      schoolCode,
      categoryCode,
      year,
      quantity,
      downloaded,
    })),
    notes: parsed.notes.map(({ schoolCode, categoryCode, text, downloaded }) => ({
      schoolCode,
      categoryCode,
      text,
      downloaded,
    })),
  });
  if (created.kind === "denied") return fileProblem(created.reason, 403);
  if (created.kind === "invalid")
    return fileProblem(
      "Die Vorlage passt nicht mehr zu den Schulen und Jahren. Bitte eine neue Vorlage herunterladen.",
      422,
    );
  return redirect(`${partnerPath}/import?id=${encodeURIComponent(created.id)}`);
}

export default function DemandImportPage() {
  const data = useLoaderData<typeof loader>();
  const reply = useActionData<typeof action>() as ImportReply | undefined;
  const navigation = useNavigation();
  const partnerPath = `/demand/${encodeURIComponent(data.partner.code)}`;
  const busy = navigation.state !== "idle";
  const preview = data.preview;
  return (
    <>
      <PageHeading caption={data.partner.name}>Excel-Vorlage übernehmen</PageHeading>
      <p className="mb-6">
        <Link to={partnerPath}>Zurück zur Bedarfsmeldung</Link>
      </p>
      {reply?.kind === "errors" ? <TemplateImportErrors errors={reply.errors} /> : null}
      {reply?.kind === "message" ? <ErrorSummary errors={[reply.message]} /> : null}
      {data.lockReason ? <ErrorSummary errors={[data.lockReason]} /> : null}
      {data.missing ? <ErrorSummary errors={[IMPORT_MISSING_MESSAGE]} /> : null}

      {preview ? (
        <TemplateImportPreview
          preview={preview}
          canApply={!data.lockReason}
          busy={busy}
          quantitiesCaption="Mengen"
          yearLabel="Jahr"
        />
      ) : data.lockReason ? null : (
        <DemandImportUpload partnerCode={data.partner.code} />
      )}
    </>
  );
}
