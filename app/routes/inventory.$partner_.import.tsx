// /inventory/:partner/import — upload of a filled-in inventory template: every cell is
// checked (errors with sheet and cell), then a preview of every change, then all or
// nothing on confirmation. The parsing is the demand template's (exports/inventory-template.ts).
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
  applyPendingInventoryImport,
  createPendingInventoryImport,
  discardPendingInventoryImport,
  getPendingInventoryImport,
  loadPartnerInventory,
  previewInventoryImport,
  type PartnerInventoryData,
} from "../../db/inventory";
import { NO_SCHOOL_TITLE } from "../../domain/demand-grid";
import { MAX_TEMPLATE_BYTES, type TemplateError } from "../../exports/demand-template-import";
import { parseInventoryTemplate } from "../../exports/inventory-template";
import { DemandImportUpload } from "~/components/demand-import-upload";
import {
  Button,
  ErrorSummary,
  PageHeading,
  RowTh,
  SectionHeading,
  Table,
  Td,
  Th,
} from "~/components/ui";
import { requirePartnerWrite, requireUser } from "~/utils/auth.server";
import { getDb } from "~/utils/db.server";
import { formatInteger } from "~/utils/format";
import { notFound } from "~/utils/http.server";
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

function names(data: PartnerInventoryData) {
  return {
    school: (code: string | null) =>
      code === null ? NO_SCHOOL_TITLE : (data.schools.find((s) => s.code === code)?.name ?? code),
    category: (code: string) => data.categories.find((c) => c.code === code)?.name ?? code,
  };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, data } = await authorized(request, params.partner);
  const db = await getDb();
  const id = new URL(request.url).searchParams.get("id");
  if (!id) return json({ partner: data.partner, preview: null, missing: false });
  const pending = await getPendingInventoryImport(db, id, user, data.partner.code);
  if (!pending) return json({ partner: data.partner, preview: null, missing: true });
  const diff = await previewInventoryImport(db, pending);
  const n = names(data);
  return json({
    partner: data.partner,
    missing: false,
    preview: {
      id: pending.id,
      fileName: pending.fileName,
      cells: diff.cells.map((c) => ({
        school: n.school(c.schoolCode),
        category: n.category(c.categoryCode),
        year: c.year,
        oldQuantity: c.oldQuantity,
        newQuantity: c.newQuantity,
      })),
      notes: diff.notes.map((c) => ({
        school: n.school(c.schoolCode),
        category: n.category(c.categoryCode),
        oldText: c.oldText,
        newText: c.newText,
      })),
    },
  });
}

type ImportReply =
  | { kind: "errors"; errors: TemplateError[] }
  | { kind: "message"; message: string; details?: string[] };

const fileProblem = (message: string, status: number) =>
  json<ImportReply>({ kind: "errors", errors: [{ sheet: "", cell: "", message }] }, { status });

const confirmSchema = z.object({
  intent: z.enum(["apply", "discard"]),
  id: z.string().regex(/^[A-Za-z0-9_-]{10,64}$/),
});

export async function action({ request, params }: ActionFunctionArgs) {
  const { user, data } = await authorized(request, params.partner);
  const db = await getDb();
  const partnerPath = `/inventory/${encodeURIComponent(data.partner.code)}`;
  const contentType = request.headers.get("Content-Type") ?? "";

  if (!contentType.startsWith("multipart/form-data")) {
    const parsed = confirmSchema.safeParse(Object.fromEntries(await request.formData()));
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
    });
    switch (result.kind) {
      case "applied":
        return redirect(`${partnerPath}?importiert=${result.cells + result.notes}`);
      case "missing":
        return json<ImportReply>(
          {
            kind: "message",
            message:
              "Dieser Import ist abgelaufen oder wurde schon übernommen. Bitte die Datei erneut hochladen.",
          },
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
      case "conflict": {
        const n = names(data);
        return json<ImportReply>(
          {
            kind: "message",
            message:
              "Nicht übernommen: der Bestand wurde seit dem Hochladen geändert. Bitte eine neue Vorlage herunterladen oder die Datei erneut hochladen.",
            details: result.conflicts.map(
              (c) =>
                `${n.school(c.schoolCode)} – ${n.category(c.categoryCode)} ${c.year ?? "(Begründung)"}: jetzt ${c.theirs || "–"}, in Ihrer Datei ${c.yours || "–"}`,
            ),
          },
          { status: 409 },
        );
      }
    }
  }

  const upload = await receiveUpload(request, {
    field: "file",
    maxFileBytes: MAX_TEMPLATE_BYTES,
    tooLargeMessage: "Die Datei ist größer als 5 MB. Bitte nur die ausgefüllte Vorlage hochladen.",
    missingMessage: "Bitte eine Datei auswählen.",
  });
  if (!upload.ok) return fileProblem(upload.message, upload.status);
  const checked = checkXlsxFile(upload.fileName, upload.bytes);
  if (!checked.ok) return fileProblem(checked.message, checked.status);
  const parsed = await parseInventoryTemplate(checked.value, {
    partner: data.partner,
    schoolCodes: new Set(data.schools.map((s) => s.code)),
    categoryCodes: new Set(data.categories.map((c) => c.code)),
    years: data.years,
  });
  if (!parsed.ok)
    return json<ImportReply>({ kind: "errors", errors: parsed.errors }, { status: 422 });
  const created = await createPendingInventoryImport(db, {
    partnerCode: data.partner.code,
    user,
    fileName: upload.fileName,
    cells: parsed.cells.map(({ schoolCode, categoryCode, year, quantity }) => ({
      schoolCode,
      categoryCode,
      year,
      quantity,
    })),
    notes: parsed.notes.map(({ schoolCode, categoryCode, text }) => ({
      schoolCode,
      categoryCode,
      text,
    })),
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
  const busy = navigation.state !== "idle";
  const preview = data.preview;
  const changeCount = preview ? preview.cells.length + preview.notes.length : 0;
  return (
    <>
      <PageHeading caption={data.partner.name}>Bestand aus Excel übernehmen</PageHeading>
      <p className="mb-6">
        <Link to={partnerPath}>Zurück zum Bestand</Link>
      </p>
      {reply?.kind === "errors" ? (
        <div role="alert" className="mb-6 border-4 border-danger p-4" data-testid="import-errors">
          <h2 className="mb-2 text-xl font-bold">
            Die Datei wurde nicht übernommen – es wurde nichts geändert
          </h2>
          <Table>
            <thead>
              <tr>
                <Th>Blatt</Th>
                <Th>Zelle</Th>
                <Th>Fehler</Th>
              </tr>
            </thead>
            <tbody>
              {reply.errors.slice(0, 200).map((e, i) => (
                <tr key={i}>
                  <Td>{e.sheet || "–"}</Td>
                  <Td className="font-mono">{e.cell || "–"}</Td>
                  <Td>{e.message}</Td>
                </tr>
              ))}
            </tbody>
          </Table>
          {reply.errors.length > 200 ? (
            <p className="mt-2">… und {reply.errors.length - 200} weitere.</p>
          ) : null}
        </div>
      ) : null}
      {reply?.kind === "message" ? (
        <ErrorSummary errors={[reply.message, ...(reply.details ?? [])]} />
      ) : null}
      {data.missing ? (
        <ErrorSummary
          errors={[
            "Dieser Import ist abgelaufen oder wurde schon übernommen. Bitte die Datei erneut hochladen.",
          ]}
        />
      ) : null}
      {preview ? (
        <section aria-labelledby="preview-title">
          <SectionHeading id="preview-title">Vorschau: {preview.fileName}</SectionHeading>
          {changeCount === 0 ? (
            <p className="mb-4 text-lg" data-testid="import-no-changes">
              Die Datei enthält keine Änderungen gegenüber dem gespeicherten Bestand.
            </p>
          ) : (
            <p className="mb-4 text-lg" data-testid="import-change-count">
              {changeCount} {changeCount === 1 ? "Änderung wird" : "Änderungen werden"} übernommen:
            </p>
          )}
          {preview.cells.length > 0 ? (
            <Table caption="Stückzahlen" className="mb-6">
              <thead>
                <tr>
                  <Th>Schule</Th>
                  <Th>Produktgruppe</Th>
                  <Th numeric>Anschaffungsjahr</Th>
                  <Th numeric>Bisher</Th>
                  <Th numeric>Neu</Th>
                </tr>
              </thead>
              <tbody data-testid="import-preview">
                {preview.cells.map((c) => (
                  <tr key={`${c.school}|${c.category}|${c.year}`}>
                    <RowTh>{c.school}</RowTh>
                    <Td>{c.category}</Td>
                    <Td numeric>{c.year}</Td>
                    <Td numeric>{formatInteger(c.oldQuantity)}</Td>
                    <Td numeric className="font-bold">
                      {formatInteger(c.newQuantity)}
                    </Td>
                  </tr>
                ))}
              </tbody>
            </Table>
          ) : null}
          {preview.notes.length > 0 ? (
            <Table caption="Begründungen" className="mb-6">
              <thead>
                <tr>
                  <Th>Schule</Th>
                  <Th>Produktgruppe</Th>
                  <Th>Bisher</Th>
                  <Th>Neu</Th>
                </tr>
              </thead>
              <tbody>
                {preview.notes.map((c) => (
                  <tr key={`${c.school}|${c.category}`}>
                    <RowTh>{c.school}</RowTh>
                    <Td>{c.category}</Td>
                    <Td>{c.oldText || "–"}</Td>
                    <Td>{c.newText || "–"}</Td>
                  </tr>
                ))}
              </tbody>
            </Table>
          ) : null}
          <Form method="post" className="flex flex-wrap gap-4">
            <input type="hidden" name="id" value={preview.id} />
            {changeCount > 0 ? (
              <Button type="submit" name="intent" value="apply" disabled={busy}>
                Änderungen übernehmen
              </Button>
            ) : null}
            <Button type="submit" name="intent" value="discard" variant="secondary" disabled={busy}>
              Verwerfen
            </Button>
          </Form>
        </section>
      ) : (
        <DemandImportUpload partnerCode={data.partner.code} kind="inventory" />
      )}
    </>
  );
}
