import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import {
  json,
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, useActionData } from "@remix-run/react";
import { writeAudit } from "../../db/audit";
import { countUsers, createUser } from "../../db/users";
import { TextField } from "~/components/fields";
import { Button, ErrorSummary, PageHeading } from "~/components/ui";
import { claimEmailInInstallation, createUserSession } from "~/utils/auth.server";
import { ensureFirstConsortium, getInstallation, installationHasNoUsers } from "~/utils/db.server";
import { PASSWORD_MIN_LENGTH, setupSchema } from "~/utils/form-schemas";

export const meta: MetaFunction = () => [{ title: "Einrichtung – Verbundkauf" }];

// First start without demo data: the only page until the coordinator account exists.
export async function loader(_args: LoaderFunctionArgs) {
  if (!(await installationHasNoUsers())) throw redirect("/login");
  return json({});
}

export async function action({ request }: ActionFunctionArgs) {
  if (!(await installationHasNoUsers())) throw redirect("/login");
  // An empty installation's first coordinator belongs to consortium KC (Kreis Coesfeld);
  // more consortia come from `npm run admin -- consortium create`.
  const consortium = await ensureFirstConsortium();
  const db = await (await getInstallation()).database(consortium);
  const submission = parseWithZod(await request.formData(), { schema: setupSchema });
  if (submission.status !== "success") {
    return json(submission.reply({ hideFields: ["password", "confirmPassword"] }), { status: 400 });
  }
  const { name, email, password } = submission.value;
  const user = await db.transaction().execute(async (trx) => {
    // Two first visitors at once: only the first one becomes coordinator.
    if ((await countUsers(trx)) > 0) return null;
    const created = await createUser(trx, { name, email, password, role: "coordinator" });
    await claimEmailInInstallation(consortium, created.email);
    await writeAudit(trx, {
      userId: created.id,
      action: "create",
      entity: "user",
      entityKey: created.email,
      newValue: { name: created.name, email: created.email, role: created.role },
      detail: "Einrichtung: erstes Koordinationskonto",
    });
    return created;
  });
  if (!user) throw redirect("/login");
  return createUserSession(request, user, "/", consortium);
}

export default function SetupPage() {
  const lastResult = useActionData<typeof action>();
  const [form, fields] = useForm({
    id: "setup",
    lastResult,
    // Checked when submitted; a message stays until the next submit, so the button never
    // moves away under the pointer between mousedown and mouseup (the click would be lost).
    shouldValidate: "onSubmit",
    shouldRevalidate: "onSubmit",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: setupSchema }),
  });
  return (
    <div className="max-w-xl">
      <PageHeading caption="Einrichtung">Koordinationskonto anlegen</PageHeading>
      <p className="mb-6 text-lg">
        Es gibt noch kein Benutzerkonto. Legen Sie das Konto der Koordination an; damit verwalten
        Sie danach alle weiteren Benutzer.
      </p>
      <ErrorSummary errors={form.errors} id={form.errorId} />
      <Form method="post" {...getFormProps(form)}>
        <TextField field={fields.name} label="Name" autoComplete="name" />
        <TextField field={fields.email} label="E-Mail" type="email" autoComplete="username" />
        <TextField
          field={fields.password}
          clearOn={lastResult}
          label="Passwort"
          type="password"
          autoComplete="new-password"
          hint={`Mindestens ${PASSWORD_MIN_LENGTH} Zeichen.`}
        />
        <TextField
          field={fields.confirmPassword}
          clearOn={lastResult}
          label="Passwort wiederholen"
          type="password"
          autoComplete="new-password"
        />
        <Button type="submit">Konto anlegen und anmelden</Button>
      </Form>
    </div>
  );
}
