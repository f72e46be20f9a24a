// /funding/:code — the coordinator edits or deletes one funding programme. Deleting
// asks first: the delete button answers with a confirmation step (works without
// JavaScript); only the confirmation's own button deletes.
import {
  json,
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useEffect, useRef } from "react";
import {
  deleteFundingProgramme,
  getFundingProgramme,
  listBudgetBases,
  listCategoryChoices,
} from "../../db/funding";
import { refusalAsFormErrors } from "../../db/tenders";
import { centsToGermanInput, fractionToGermanPercentInput } from "../../domain/german-input";
import { programmeAction } from "~/components/funding-actions.server";
import { ProgrammeEditor, type ProgrammeActionData } from "~/components/funding-page";
import { Button, ErrorSummary, PageHeading } from "~/components/ui";
import { requireRole } from "~/utils/auth.server";
import { getDb } from "~/utils/db.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `Förderprogramm ${data?.code ?? ""} – Verbundkauf` },
];

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireRole(request, "coordinator");
  const db = await getDb();
  const programme = await getFundingProgramme(db, params.code ?? "");
  if (!programme) throw new Response("Förderprogramm nicht gefunden", { status: 404 });
  const partners = await listBudgetBases(db);
  const budgets = new Map(programme.budgets?.map((b) => [b.partner, b.amountCents]) ?? []);
  return json({
    code: programme.code,
    name: programme.name,
    categories: await listCategoryChoices(db),
    partners: partners.map((p) => ({ code: p.code, name: p.name })),
    defaults: {
      originalCode: programme.code,
      code: programme.code,
      name: programme.name,
      rate: `${fractionToGermanPercentInput(programme.rate)} %`,
      fromYear: String(programme.fromYear),
      toYear: String(programme.toYear),
      maxPerUnit:
        programme.maxPerUnitCents === null ? "" : centsToGermanInput(programme.maxPerUnitCents),
      categories: programme.categories,
      hasBudgets: programme.budgets ? ("on" as const) : ("" as const),
      budgets: partners.map((p) => {
        const amount = budgets.get(p.code);
        return { partner: p.code, amount: amount === undefined ? "" : centsToGermanInput(amount) };
      }),
      formula: "perPupil",
      formulaAmount: "",
    },
  });
}

type DeleteData = { deleteStep: "confirm" } | { deleteErrors: string[] };

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireRole(request, "coordinator");
  const db = await getDb();
  const code = params.code ?? "";
  const formData = await request.formData();
  if (formData.get("intent") === "delete") {
    if (!(await getFundingProgramme(db, code))) {
      throw new Response("Förderprogramm nicht gefunden", { status: 404 });
    }
    if (formData.get("confirm") !== "yes") return json<DeleteData>({ deleteStep: "confirm" });
    try {
      await deleteFundingProgramme(db, code, user.id);
    } catch (error) {
      const refusal = refusalAsFormErrors(error);
      if (!refusal) throw error;
      const messages = [
        ...(refusal.formErrors ?? []),
        ...Object.values(refusal.fieldErrors ?? {}).flat(),
      ];
      return json<DeleteData>({ deleteErrors: messages }, { status: 400 });
    }
    return redirect("/funding?notice=deleted");
  }
  return programmeAction(db, formData, user.id, code);
}

function DeleteConfirmation({ code, name }: { code: string; name: string }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <section
      className="mb-8 border-4 border-danger p-4"
      aria-labelledby="delete-confirm-heading"
      role="alertdialog"
    >
      <h2
        id="delete-confirm-heading"
        ref={heading}
        tabIndex={-1}
        className="mb-2 text-2xl font-bold"
      >
        Förderprogramm {code} wirklich löschen?
      </h2>
      <p className="mb-4">
        „{name}“ wird mit seinen förderfähigen Produktgruppen und Budgets gelöscht. Die Förderung
        fällt in allen Ausschreibungen weg; die Eigenanteile steigen entsprechend.
      </p>
      <Form method="post" className="flex flex-wrap items-center gap-4">
        <input type="hidden" name="intent" value="delete" />
        <input type="hidden" name="confirm" value="yes" />
        <Button type="submit" variant="danger">
          Ja, Förderprogramm {code} löschen
        </Button>
        <Link to={`/funding/${encodeURIComponent(code)}`}>Abbrechen</Link>
      </Form>
    </section>
  );
}

export default function FundingProgrammePage() {
  const { code, name, categories, partners, defaults } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>() as ProgrammeActionData | DeleteData;
  const deleting = actionData && "deleteStep" in actionData;
  const deleteErrors =
    actionData && "deleteErrors" in actionData ? actionData.deleteErrors : undefined;
  return (
    <>
      <PageHeading caption="Förderprogramm bearbeiten">
        {name} ({code})
      </PageHeading>
      {deleting ? <DeleteConfirmation code={code} name={name} /> : null}
      <ErrorSummary errors={deleteErrors} />
      <ProgrammeEditor
        defaults={defaults}
        categories={categories}
        partners={partners}
        actionData={deleting || deleteErrors ? undefined : (actionData as ProgrammeActionData)}
      />
      <section className="mt-8 border-t-2 border-line pt-4" aria-labelledby="delete-heading">
        <h2 id="delete-heading" className="mb-2 text-xl font-bold">
          Löschen
        </h2>
        <Form method="post">
          <input type="hidden" name="intent" value="delete" />
          <Button type="submit" variant="danger">
            Förderprogramm {code} löschen
          </Button>
        </Form>
      </section>
    </>
  );
}
