// /inventory/:partner/import — upload of a filled-in inventory template: every cell is
// checked (errors with sheet and cell), then a preview of every change, with the values
// someone else changed since the download listed apart as conflicts (applied only when
// ticked one by one), then all or nothing on confirmation. The same grid template and
// pending-import logic as the demand (exports/inventory-template.ts, db/template-imports.ts).
import {
  json,
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import {
  applyPendingInventoryImport,
  createPendingInventoryImport,
  discardPendingInventoryImport,
  getPendingInventoryImport,
  loadPartnerInventory,
  previewInventoryImport,
} from "../../db/inventory";
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
    title: data
      ? `Bestand-Import ${data.partner.name} – Verbundkauf`
      : "Bestand-Import – Verbundkauf",
  },
];

async function authorized(request: Request, partner: string | undefined) {
  const user = await requireUser(request);
  const data = await loadPartnerInventory(await getDb(), partner ?? "");
  if (!data) throw notFound();
  requirePartnerWrite(user, data.partner.code);
  return { user, data };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, data } = await authorized(request, params.partner);
  const db = await getDb();
  const id = new URL(request.url).searchParams.get("id");
  if (!id) return json({ partner: data.partner, preview: null, missing: false });
  const pending = await getPendingInventoryImport(db, id, user, data.partner.code);
  if (!pending) return json({ partner: data.partner, preview: null, missing: true });
  const diff = await previewInventoryImport(db, pending);
  return json({
    partner: data.partner,
    missing: false,
    preview: previewForPage(data, pending, diff),
  });
}

const fileProblem = (message: string, status: number) =>
  json<ImportReply>({ kind: "errors", errors: [{ sheet: "", cell: "", message }] }, { status });

export async function action({ request, params }: ActionFunctionArgs) {
  const { user, data } = await authorized(request, params.partner);
  const db = await getDb();
  const partnerPath = `/inventory/${encodeURIComponent(data.partner.code)}`;
  const contentType = request.headers.get("Content-Type") ?? "";

  if (!contentType.startsWith("multipart/form-data")) {
    const parsed = readConfirmForm(await request.formData());
    if (!parsed.success)
      return json<ImportReply>({ kind: "message", message: "Unbekannte Aktion." }, { status: 400 });
    if (parsed.data.intent === "discard") {
      await discardPendingInventoryImport(db, parsed.data.id, user);
      return redirect(partnerPath);
    }
    const result = await applyPendingInventoryImport(db, {
      id: parsed.data.id,
      partnerCode: data.partner.code,
      user,
      token: parsed.data.token,
      take: parsed.data.take,
    });
    switch (result.kind) {
      case "applied": {
        const skipped = result.skipped > 0 ? `&uebersprungen=${result.skipped}` : "";
        return redirect(`${partnerPath}?importiert=${result.cells + result.notes}${skipped}`);
      }
      case "missing":
        return json<ImportReply>(
          { kind: "message", message: IMPORT_MISSING_MESSAGE },
          { status: 410 },
        );
      case "denied":
        return json<ImportReply>({ kind: "message", message: result.reason }, { status: 403 });
      case "invalid-plan":
        return json<ImportReply>(
          {
            kind: "message",
            message: "Nicht übernommen: der Plan wäre danach ungültig.",
            details: result.problems,
          },
          { status: 422 },
        );
      case "changed":
        return json<ImportReply>(
          {
            kind: "message",
            message:
              "Nicht übernommen: der Bestand wurde seit dem Anzeigen der Vorschau geändert. Die Vorschau unten ist jetzt aktuell; bitte prüfen Sie sie und übernehmen Sie erneut.",
          },
          { status: 409 },
        );
    }
  }

  // Size limits while reading, then type and zip-bomb checks before exceljs (app/utils/upload.server.ts).
  const upload = await receiveUpload(request, {
    field: "file",
    maxFileBytes: MAX_TEMPLATE_BYTES,
    tooLargeMessage: "Die Datei ist größer als 5 MB. Bitte nur die ausgefüllte Vorlage hochladen.",
    missingMessage: "Bitte eine Datei auswählen.",
  });
  if (!upload.ok) return fileProblem(upload.message, upload.status);
  const checked = checkXlsxFile(upload.fileName, upload.bytes);
  if (!checked.ok) return fileProblem(checked.message, checked.status);
  // In a worker thread with memory and time limits (app/utils/parse-worker.server.ts).
  const outcome = await parseInWorker("inventoryTemplate", checked.value, {
    partner: data.partner,
    schoolCodes: new Set(data.schools.map((s) => s.code)),
    categoryCodes: new Set(data.categories.map((c) => c.code)),
    years: data.years,
  });
  if (!outcome.ok) return fileProblem(outcome.message, outcome.status);
  const parsed = outcome.value;
  if (!parsed.ok)
    return json<ImportReply>({ kind: "errors", errors: parsed.errors }, { status: 422 });
  const created = await createPendingInventoryImport(db, {
    partnerCode: data.partner.code,
    user,
    fileName: upload.fileName,
    generatedAt: parsed.generatedAt,
    cells: parsed.cells,
    notes: parsed.notes,
  });
  if (created.kind === "denied") return fileProblem(created.reason, 403);
  if (created.kind === "invalid")
    return fileProblem(
      "Die Vorlage passt nicht mehr zu den Schulen und Produktgruppen. Bitte eine neue Vorlage herunterladen.",
      422,
    );
  return redirect(`${partnerPath}/import?id=${encodeURIComponent(created.id)}`);
}

export default function InventoryImportPage() {
  const data = useLoaderData<typeof loader>();
  const reply = useActionData<typeof action>() as ImportReply | undefined;
  const navigation = useNavigation();
  const partnerPath = `/inventory/${encodeURIComponent(data.partner.code)}`;
  return (
    <>
      <PageHeading caption={data.partner.name}>Bestand aus Excel übernehmen</PageHeading>
      <p className="mb-6">
        <Link to={partnerPath}>Zurück zum Bestand</Link>
      </p>
      {reply?.kind === "errors" ? <TemplateImportErrors errors={reply.errors} /> : null}
      {reply?.kind === "message" ? (
        <ErrorSummary errors={[reply.message, ...(reply.details ?? [])]} />
      ) : null}
      {data.missing ? <ErrorSummary errors={[IMPORT_MISSING_MESSAGE]} /> : null}
      {data.preview ? (
        <TemplateImportPreview
          preview={data.preview}
          canApply
          busy={navigation.state !== "idle"}
          quantitiesCaption="Stückzahlen"
          yearLabel="Anschaffungsjahr"
        />
      ) : (
        <DemandImportUpload partnerCode={data.partner.code} kind="inventory" />
      )}
    </>
  );
}
