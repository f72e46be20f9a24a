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
  applyPendingImport,
  createPendingImport,
  discardPendingImport,
  demandEditDecision,
  importLockDecision,
  getPendingImport,
  loadPartnerDemand,
  previewImport,
  type PartnerDemandData,
} from "../../db/demand";
import { NO_SCHOOL_TITLE } from "../../domain/demand-grid";
import { formatBerlinDateTime } from "../../domain/demand-deadline";
import { MAX_TEMPLATE_BYTES, type TemplateError } from "../../exports/demand-template-import";
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

function names(data: PartnerDemandData) {
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
  const n = names(data);
  return json({
    partner: data.partner,
    lockReason: lock.allowed ? null : lock.reason,
    missing: false,
    preview: {
      id: pending.id,
      fileName: pending.fileName,
      downloadedAt: formatBerlinDateTime(new Date(pending.generatedAt)),
      token: diff.token,
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
      conflicts: diff.conflicts.map((c) => ({
        key: c.key,
        school: n.school(c.schoolCode),
        category: n.category(c.categoryCode),
        year: c.year,
        downloaded: c.downloaded,
        stored: c.stored,
        file: c.file,
      })),
    },
  });
}

type ImportReply =
  { kind: "errors"; errors: TemplateError[] } | { kind: "message"; message: string };

const fileProblem = (message: string, status: number) =>
  json<ImportReply>({ kind: "errors", errors: [{ sheet: "", cell: "", message }] }, { status });

const confirmSchema = z.object({
  intent: z.enum(["apply", "discard"]),
  id: z.string().regex(/^[A-Za-z0-9_-]{10,64}$/),
  token: z.string().max(64).default(""),
  /** Conflicts the user picked one by one (checkbox values "q:…" / "n:…"). */
  take: z.array(z.string().max(200)).max(100_000).default([]),
});

export async function action({ request, params }: ActionFunctionArgs) {
  const { user, data } = await authorized(request, params.partner);
  const db = await getDb();
  const partnerPath = `/demand/${encodeURIComponent(data.partner.code)}`;
  const contentType = request.headers.get("Content-Type") ?? "";

  if (!contentType.startsWith("multipart/form-data")) {
    const form = await request.formData();
    const parsed = confirmSchema.safeParse({
      intent: form.get("intent"),
      id: form.get("id"),
      token: form.get("token") ?? undefined,
      take: form.getAll("take"),
    });
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
        {
          kind: "message",
          message:
            "Dieser Import ist abgelaufen oder wurde schon übernommen. Bitte die Datei erneut hochladen.",
        },
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
  const changeCount = preview ? preview.cells.length + preview.notes.length : 0;
  const conflictCount = preview ? preview.conflicts.length : 0;
  return (
    <>
      <PageHeading caption={data.partner.name}>Excel-Vorlage übernehmen</PageHeading>
      <p className="mb-6">
        <Link to={partnerPath}>Zurück zur Bedarfsmeldung</Link>
      </p>
      {reply?.kind === "errors" ? (
        <div role="alert" className="mb-6 border-4 border-danger p-4" data-testid="import-errors">
          <h2 className="mb-2 text-xl font-bold">
            Die Datei wurde nicht übernommen – es wurde nichts geändert
          </h2>
          {reply.errors.length === 1 && reply.errors[0].cell === "" ? (
            <p className="font-semibold text-danger">{reply.errors[0].message}</p>
          ) : (
            <>
              <p className="mb-2">
                Bitte korrigieren Sie diese Zellen und laden Sie die Datei erneut hoch:
              </p>
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
                      <Td>{e.sheet}</Td>
                      <Td className="font-mono">{e.cell}</Td>
                      <Td>{e.message}</Td>
                    </tr>
                  ))}
                </tbody>
              </Table>
              {reply.errors.length > 200 ? (
                <p className="mt-2">… und {reply.errors.length - 200} weitere.</p>
              ) : null}
            </>
          )}
        </div>
      ) : null}
      {reply?.kind === "message" ? <ErrorSummary errors={[reply.message]} /> : null}
      {data.lockReason ? <ErrorSummary errors={[data.lockReason]} /> : null}
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
          <p className="mb-4">Die Vorlage wurde am {preview.downloadedAt} heruntergeladen.</p>
          {changeCount === 0 && conflictCount === 0 ? (
            <p className="mb-4 text-lg" data-testid="import-no-changes">
              Die Datei enthält keine Änderungen gegenüber der heruntergeladenen Vorlage.
            </p>
          ) : null}
          <Form method="post" className="flex flex-col gap-4">
            <input type="hidden" name="id" value={preview.id} />
            <input type="hidden" name="token" value={preview.token} />
            {changeCount > 0 ? (
              <p className="text-lg" data-testid="import-change-count">
                {changeCount} {changeCount === 1 ? "Änderung wird" : "Änderungen werden"}{" "}
                übernommen:
              </p>
            ) : null}
            {preview.cells.length > 0 ? (
              <Table caption="Mengen" className="mb-2">
                <thead>
                  <tr>
                    <Th>Schule</Th>
                    <Th>Produktgruppe</Th>
                    <Th numeric>Jahr</Th>
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
              <Table caption="Begründungen" className="mb-2">
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
            {conflictCount > 0 ? (
              <div className="border-4 border-danger p-4" data-testid="import-conflicts">
                <h3 className="mb-2 text-lg font-bold" data-testid="import-skipped-count">
                  {conflictCount === 1
                    ? "1 Wert wurde seit dem Herunterladen von jemand anderem geändert und wird nicht übernommen"
                    : `${conflictCount} Werte wurden seit dem Herunterladen von jemand anderem geändert und werden nicht übernommen`}
                </h3>
                <p className="mb-2">
                  Ihre Datei enthält hier einen anderen Wert als den jetzt gespeicherten. Es bleibt
                  beim gespeicherten Wert – außer Sie wählen Ihren Wert unten einzeln aus.
                </p>
                <Table caption="Konflikte">
                  <thead>
                    <tr>
                      <Th>Schule</Th>
                      <Th>Produktgruppe</Th>
                      <Th numeric>Jahr</Th>
                      <Th numeric>Beim Herunterladen</Th>
                      <Th numeric>Jetzt gespeichert</Th>
                      <Th numeric>In Ihrer Datei</Th>
                      <Th>Übernehmen?</Th>
                    </tr>
                  </thead>
                  <tbody>
                    {preview.conflicts.map((c) => {
                      const shown = (v: string) =>
                        c.year === null ? v || "–" : formatInteger(BigInt(v));
                      const id = `take-${c.key}`;
                      return (
                        <tr key={c.key}>
                          <RowTh>{c.school}</RowTh>
                          <Td>{c.category}</Td>
                          <Td numeric>{c.year ?? "Begründung"}</Td>
                          <Td numeric>{shown(c.downloaded)}</Td>
                          <Td numeric className="font-bold">
                            {shown(c.stored)}
                          </Td>
                          <Td numeric>{shown(c.file)}</Td>
                          <Td>
                            <input
                              type="checkbox"
                              name="take"
                              value={c.key}
                              id={id}
                              className="h-5 w-5"
                            />{" "}
                            <label htmlFor={id}>
                              Meinen Wert ({shown(c.file)}) übernehmen
                              <span className="sr-only">
                                {" "}
                                für {c.school}, {c.category} {c.year ?? "Begründung"}
                              </span>
                            </label>
                          </Td>
                        </tr>
                      );
                    })}
                  </tbody>
                </Table>
              </div>
            ) : null}
            <div className="flex flex-wrap gap-4">
              {changeCount + conflictCount > 0 && !data.lockReason ? (
                <Button type="submit" name="intent" value="apply" disabled={busy}>
                  Änderungen übernehmen
                </Button>
              ) : null}
              <Button
                type="submit"
                name="intent"
                value="discard"
                variant="secondary"
                disabled={busy}
              >
                Verwerfen
              </Button>
            </div>
          </Form>
        </section>
      ) : data.lockReason ? null : (
        <DemandImportUpload partnerCode={data.partner.code} />
      )}
    </>
  );
}
