// /funding/new — the coordinator creates a funding programme (CALCULATION.md §12).
import {
  json,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { listBudgetBases, listCategoryChoices } from "../../db/funding";
import { programmeAction } from "~/components/funding-actions.server";
import { ProgrammeEditor, type ProgrammeActionData } from "~/components/funding-page";
import { PageHeading } from "~/components/ui";
import { requireRole } from "~/utils/auth.server";
import { getDb } from "~/utils/db.server";

export const meta: MetaFunction = () => [{ title: "Neues Förderprogramm – Verbundkauf" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireRole(request, "coordinator");
  const db = await getDb();
  const partners = await listBudgetBases(db);
  return json({
    categories: await listCategoryChoices(db),
    partners: partners.map((p) => ({ code: p.code, name: p.name })),
    defaults: {
      code: "",
      name: "",
      rate: "",
      fromYear: "",
      toYear: "",
      maxPerUnit: "",
      categories: [] as string[],
      hasBudgets: "" as const,
      budgets: partners.map((p) => ({ partner: p.code, amount: "" })),
      formula: "perPupil",
      formulaAmount: "",
    },
  });
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireRole(request, "coordinator");
  return programmeAction(await getDb(), await request.formData(), user.id, null);
}

export default function NewFundingProgrammePage() {
  const { categories, partners, defaults } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>() as ProgrammeActionData;
  return (
    <>
      <PageHeading caption="Förderung">Neues Förderprogramm</PageHeading>
      <ProgrammeEditor
        defaults={defaults}
        categories={categories}
        partners={partners}
        actionData={actionData}
      />
    </>
  );
}
