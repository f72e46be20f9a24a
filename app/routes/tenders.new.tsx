// /tenders/new — the coordinator starts a tender; lots and common costs follow on
// the tender's own page.
import {
  json,
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { createTender } from "../../db/tenders";
import { tenderSchema } from "../../domain/tender-form";
import { handleForm, tenderInput } from "~/components/tender-actions.server";
import { replyFor, TenderFieldsForm, type FormReply } from "~/components/tender-forms";
import { PageHeading } from "~/components/ui";
import { requireRole } from "~/utils/auth.server";
import { getDb } from "~/utils/db.server";

export const meta: MetaFunction = () => [{ title: "Neue Ausschreibung – Verbundkauf" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireRole(request, "coordinator");
  // Suggest the year after the last tender ends; the demo's RV-2027 runs to 2030.
  const tenders = await (
    await getDb()
  )
    .selectFrom("tenders")
    .select(["start_year", "term_years"])
    .execute();
  const nextYear = tenders.reduce(
    (year, t) => Math.max(year, t.start_year + t.term_years),
    new Date().getFullYear() + 1,
  );
  return json({ startYear: String(nextYear) });
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireRole(request, "coordinator");
  const formData = await request.formData();
  return handleForm("tender", tenderSchema, formData, async (v) => {
    await createTender(await getDb(), tenderInput(v), user.id);
    return redirect(`/tenders/${encodeURIComponent(v.code)}?notice=created`);
  });
}

export default function NewTenderPage() {
  const { startYear } = useLoaderData<typeof loader>();
  const reply = useActionData<typeof action>() as FormReply | undefined;
  return (
    <>
      <p className="mb-2">
        <Link to="/tenders">Alle Ausschreibungen</Link>
      </p>
      <PageHeading>Neue Ausschreibung</PageHeading>
      <p className="mb-6 max-w-2xl text-lg">
        Ein Rahmenvertrag läuft höchstens 4 Jahre (§ 21 VgV). Lose und Gemeinkosten legen Sie im
        nächsten Schritt an.
      </p>
      <TenderFieldsForm
        defaults={{
          code: "",
          name: "",
          startYear,
          termYears: "4",
          reservePercent: "10",
          soloProcessCostGross: "7.500,00",
        }}
        lastResult={replyFor("tender", reply)}
        submitLabel="Ausschreibung anlegen"
      />
    </>
  );
}
