// The upload result of a grid template (demand and inventory): the file's errors with
// sheet and cell, or the preview of what would change, with the values someone else
// changed since the download listed apart as conflicts, each with a checkbox (no JS
// needed) to take the file's value knowingly. See docs/decisions/014.
import { Form } from "@remix-run/react";
import { z } from "zod";
import type { ImportPreview, PendingImport } from "../../db/template-imports";
import { NO_SCHOOL_TITLE } from "../../domain/demand-grid";
import { formatBerlinDateTime } from "../../domain/demand-deadline";
import type { TemplateError } from "../../exports/grid-template";
import { Button, RowTh, SectionHeading, Table, Td, Th } from "~/components/ui";
import { formatInteger } from "~/utils/format";

export type ImportReply =
  | { kind: "errors"; errors: TemplateError[] }
  | { kind: "message"; message: string; details?: string[] };

export const IMPORT_MISSING_MESSAGE =
  "Dieser Import ist abgelaufen oder wurde schon übernommen. Bitte die Datei erneut hochladen.";

/** The confirmation form: apply (with the preview's token and the ticked conflicts) or discard. */
export const confirmSchema = z.object({
  intent: z.enum(["apply", "discard"]),
  id: z.string().regex(/^[A-Za-z0-9_-]{10,64}$/),
  token: z.string().max(64).default(""),
  /** Conflicts the user picked one by one (checkbox values "q:…" / "n:…"). */
  take: z.array(z.string().max(200)).max(100_000).default([]),
});

export function readConfirmForm(form: FormData) {
  return confirmSchema.safeParse({
    intent: form.get("intent"),
    id: form.get("id"),
    token: form.get("token") ?? undefined,
    take: form.getAll("take"),
  });
}

interface Named {
  schools: readonly { code: string; name: string }[];
  categories: readonly { code: string; name: string }[];
}

/** The preview as the page shows it: names instead of codes, plain data for the loader. */
export function previewForPage(data: Named, pending: PendingImport, diff: ImportPreview) {
  const school = (code: string | null) =>
    code === null ? NO_SCHOOL_TITLE : (data.schools.find((s) => s.code === code)?.name ?? code);
  const category = (code: string) => data.categories.find((c) => c.code === code)?.name ?? code;
  return {
    id: pending.id,
    fileName: pending.fileName,
    downloadedAt: formatBerlinDateTime(new Date(pending.generatedAt)),
    token: diff.token,
    cells: diff.cells.map((c) => ({
      school: school(c.schoolCode),
      category: category(c.categoryCode),
      year: c.year,
      oldQuantity: c.oldQuantity,
      newQuantity: c.newQuantity,
    })),
    notes: diff.notes.map((c) => ({
      school: school(c.schoolCode),
      category: category(c.categoryCode),
      oldText: c.oldText,
      newText: c.newText,
    })),
    conflicts: diff.conflicts.map((c) => ({
      key: c.key,
      school: school(c.schoolCode),
      category: category(c.categoryCode),
      year: c.year,
      downloaded: c.downloaded,
      stored: c.stored,
      file: c.file,
    })),
  };
}

export type PagePreview = ReturnType<typeof previewForPage>;

/** The file's errors: one message, or a table of sheet, cell and message. */
export function TemplateImportErrors({ errors }: { errors: TemplateError[] }) {
  return (
    <div role="alert" className="mb-6 border-4 border-danger p-4" data-testid="import-errors">
      <h2 className="mb-2 text-xl font-bold">
        Die Datei wurde nicht übernommen – es wurde nichts geändert
      </h2>
      {errors.length === 1 && errors[0].cell === "" ? (
        <p className="font-semibold text-danger">{errors[0].message}</p>
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
              {errors.slice(0, 200).map((e, i) => (
                <tr key={i}>
                  <Td>{e.sheet || "–"}</Td>
                  <Td className="font-mono">{e.cell || "–"}</Td>
                  <Td>{e.message}</Td>
                </tr>
              ))}
            </tbody>
          </Table>
          {errors.length > 200 ? (
            <p className="mt-2">… und {errors.length - 200} weitere.</p>
          ) : null}
        </>
      )}
    </div>
  );
}

export function TemplateImportPreview({
  preview,
  canApply,
  busy,
  quantitiesCaption,
  yearLabel,
}: {
  preview: PagePreview;
  /** False when a lock refuses every change (the reason is shown by the page). */
  canApply: boolean;
  busy: boolean;
  /** "Mengen", "Stückzahlen". */
  quantitiesCaption: string;
  /** "Jahr", "Anschaffungsjahr". */
  yearLabel: string;
}) {
  const changeCount = preview.cells.length + preview.notes.length;
  const conflictCount = preview.conflicts.length;
  return (
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
            {changeCount} {changeCount === 1 ? "Änderung wird" : "Änderungen werden"} übernommen:
          </p>
        ) : null}
        {preview.cells.length > 0 ? (
          <Table caption={quantitiesCaption} className="mb-2">
            <thead>
              <tr>
                <Th>Schule</Th>
                <Th>Produktgruppe</Th>
                <Th numeric>{yearLabel}</Th>
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
          <ConflictTable conflicts={preview.conflicts} yearLabel={yearLabel} />
        ) : null}
        <div className="flex flex-wrap gap-4">
          {changeCount + conflictCount > 0 && canApply ? (
            <Button type="submit" name="intent" value="apply" disabled={busy}>
              Änderungen übernehmen
            </Button>
          ) : null}
          <Button type="submit" name="intent" value="discard" variant="secondary" disabled={busy}>
            Verwerfen
          </Button>
        </div>
      </Form>
    </section>
  );
}

function ConflictTable({
  conflicts,
  yearLabel,
}: {
  conflicts: PagePreview["conflicts"];
  yearLabel: string;
}) {
  const count = conflicts.length;
  return (
    <div className="border-4 border-danger p-4" data-testid="import-conflicts">
      <h3 className="mb-2 text-lg font-bold" data-testid="import-skipped-count">
        {count === 1
          ? "1 Wert wurde seit dem Herunterladen von jemand anderem geändert und wird nicht übernommen"
          : `${count} Werte wurden seit dem Herunterladen von jemand anderem geändert und werden nicht übernommen`}
      </h3>
      <p className="mb-2">
        Ihre Datei enthält hier einen anderen Wert als den jetzt gespeicherten. Es bleibt beim
        gespeicherten Wert – außer Sie wählen Ihren Wert unten einzeln aus.
      </p>
      <Table caption="Konflikte">
        <thead>
          <tr>
            <Th>Schule</Th>
            <Th>Produktgruppe</Th>
            <Th numeric>{yearLabel}</Th>
            <Th numeric>Beim Herunterladen</Th>
            <Th numeric>Jetzt gespeichert</Th>
            <Th numeric>In Ihrer Datei</Th>
            <Th>Übernehmen?</Th>
          </tr>
        </thead>
        <tbody>
          {conflicts.map((c) => {
            const shown = (v: string) => (c.year === null ? v || "–" : formatInteger(BigInt(v)));
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
                  <input type="checkbox" name="take" value={c.key} id={id} className="h-5 w-5" />{" "}
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
  );
}

/** After applying: how many values changed and how many conflicts were skipped. */
export function importedMessage(imported: number, skipped: number): string {
  const changed = `Excel-Import übernommen: ${imported} ${imported === 1 ? "Wert" : "Werte"} geändert.`;
  if (skipped <= 0) return changed;
  const one = skipped === 1;
  return `${changed} ${skipped} ${one ? "Wert wurde" : "Werte wurden"} übersprungen, weil ${one ? "er" : "sie"} inzwischen von jemand anderem geändert ${one ? "wurde" : "wurden"}.`;
}

/** The counts of the redirect after applying (`?importiert=n&uebersprungen=m`). */
export function importedCounts(url: URL): { imported: number; skipped: number } | null {
  const imported = Number(url.searchParams.get("importiert"));
  if (!url.searchParams.has("importiert") || !Number.isInteger(imported) || imported < 0)
    return null;
  return {
    imported,
    skipped: Math.max(0, Math.trunc(Number(url.searchParams.get("uebersprungen")) || 0)),
  };
}
