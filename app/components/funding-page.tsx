// The editing page body shared by /funding/new and /funding/:code: the form, fed by
// the loader's defaults or, after "Budgets berechnen", by the computed values.
import { Link } from "@remix-run/react";
import type { Choice, FundingProgrammeDefaults } from "~/components/funding-form";
import { FundingProgrammeForm } from "~/components/funding-form";
import { replyFor, type FormReply } from "~/components/tender-forms";
import { Notice } from "~/components/ui";

export type ProgrammeActionData = FormReply | { computed: FundingProgrammeDefaults } | undefined;

export function ProgrammeEditor({
  defaults,
  categories,
  partners,
  actionData,
}: {
  defaults: FundingProgrammeDefaults;
  categories: Choice[];
  partners: Choice[];
  actionData: ProgrammeActionData;
}) {
  const computed = actionData && "computed" in actionData ? actionData.computed : undefined;
  const reply = actionData && "formId" in actionData ? actionData : undefined;
  return (
    <>
      {computed ? (
        <Notice>
          Die Budgets wurden berechnet. Bitte prüfen und mit „Speichern“ übernehmen — noch ist
          nichts gespeichert.
        </Notice>
      ) : null}
      <FundingProgrammeForm
        // A new key after computing: the form starts again from the computed values.
        key={computed ? JSON.stringify(computed) : "loaded"}
        programme={computed ?? defaults}
        categories={categories}
        partners={partners}
        lastResult={computed ? undefined : replyFor("programme", reply)}
      />
      <p className="mt-6">
        <Link to="/funding">Zurück zu den Förderprogrammen</Link>
      </p>
    </>
  );
}
