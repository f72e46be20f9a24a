import { Form, useNavigation } from "@remix-run/react";
import { Button } from "~/components/ui";

// The upload of a filled-in Excel template. It posts to the import route, which shows
// the errors or a preview; nothing is saved before the user confirms the preview.
export function DemandImportUpload({
  partnerCode,
  error,
  kind = "demand",
}: {
  partnerCode: string;
  error?: string;
  /** Which template: the demand's (/demand/…/import) or the inventory's (/inventory/…/import). */
  kind?: "demand" | "inventory";
}) {
  const action = `/${kind}/${encodeURIComponent(partnerCode)}/import`;
  const navigation = useNavigation();
  const busy = navigation.state === "submitting" && navigation.formAction === action;
  return (
    <Form method="post" action={action} encType="multipart/form-data" className="max-w-xl">
      <label htmlFor="demand-template-file" className="mb-1 block font-bold">
        Ausgefüllte Vorlage (.xlsx, höchstens 5 MB)
      </label>
      <p id="demand-template-hint" className="mb-2 text-muted">
        Sie sehen zuerst eine Vorschau aller Änderungen. Gespeichert wird erst nach Ihrer
        Bestätigung.
      </p>
      {error ? (
        <p id="demand-template-error" className="mb-2 font-semibold text-danger">
          {error}
        </p>
      ) : null}
      <input
        id="demand-template-file"
        name="file"
        type="file"
        required
        accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        aria-describedby={
          error ? "demand-template-hint demand-template-error" : "demand-template-hint"
        }
        aria-invalid={error ? true : undefined}
        className="mb-3 block text-lg"
      />
      <Button type="submit" disabled={busy}>
        {busy ? "Prüft …" : "Hochladen und prüfen"}
      </Button>
    </Form>
  );
}
