import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import {
  json,
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { writeAudit } from "../../db/audit";
import { listPartners } from "../../db/partner-demand";
import { createUser, isEmailTaken, listUsers } from "../../db/users";
import { SelectField, TextField } from "~/components/fields";
import {
  Button,
  ErrorSummary,
  Notice,
  PageHeading,
  RowTh,
  SectionHeading,
  Table,
  Tag,
  Td,
  Th,
} from "~/components/ui";
import {
  EmailTakenError,
  claimEmailInInstallation,
  emailTakenInInstallation,
  requireRole,
} from "~/utils/auth.server";
import { currentConsortium, getDb } from "~/utils/db.server";
import { EMAIL_TAKEN_MESSAGE, PASSWORD_MIN_LENGTH, createUserSchema } from "~/utils/form-schemas";
import { ROLES, ROLE_LABELS } from "~/utils/roles";

export const meta: MetaFunction = () => [{ title: "Benutzer – Verbundkauf" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireRole(request, "coordinator");
  const db = await getDb();
  return json({ users: await listUsers(db), partners: await listPartners(db) });
}

export async function action({ request }: ActionFunctionArgs) {
  const actor = await requireRole(request, "coordinator");
  const db = await getDb();
  const partners = await listPartners(db);
  const submission = parseWithZod(await request.formData(), {
    schema: createUserSchema(partners.map((p) => p.code)),
  });
  if (submission.status !== "success") {
    return json(submission.reply({ hideFields: ["password"] }), { status: 400 });
  }
  const { name, email, role, partner, password } = submission.value;
  // Emails are unique across the installation: sign-in finds the consortium by them.
  const taken = () =>
    json(
      submission.reply({ fieldErrors: { email: [EMAIL_TAKEN_MESSAGE] }, hideFields: ["password"] }),
      { status: 400 },
    );
  if ((await isEmailTaken(db, email)) || (await emailTakenInInstallation(email))) return taken();
  const consortium = currentConsortium();
  if (!consortium) throw new Error("admin/users: kein Verbund");
  let user;
  try {
    user = await db.transaction().execute(async (trx) => {
      const created = await createUser(trx, {
        name,
        email,
        role,
        partnerCode: partner ?? null,
        password,
      });
      // Installation-wide: refused (and the user rolled back) when another consortium was quicker.
      await claimEmailInInstallation(consortium, created.email);
      await writeAudit(trx, {
        userId: actor.id,
        action: "create",
        entity: "user",
        entityKey: created.email,
        newValue: {
          name: created.name,
          email: created.email,
          role: created.role,
          partner: created.partnerCode,
        },
      });
      return created;
    });
  } catch (error) {
    if (error instanceof EmailTakenError) return taken();
    throw error;
  }
  return redirect(`/admin/users?created=${user.id}`);
}

export default function UsersPage() {
  const { users, partners } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const [searchParams] = useSearchParams();
  const created = users.find((user) => String(user.id) === searchParams.get("created"));
  const partnerNames = new Map(partners.map((p) => [p.code, p.name]));
  const [form, fields] = useForm({
    id: "create-user",
    lastResult,
    // Checked when submitted; a message stays until the next submit, so the button never
    // moves away under the pointer between mousedown and mouseup (the click would be lost).
    shouldValidate: "onSubmit",
    shouldRevalidate: "onSubmit",
    onValidate: ({ formData }) =>
      parseWithZod(formData, { schema: createUserSchema(partners.map((p) => p.code)) }),
  });
  return (
    <>
      <PageHeading>Benutzer</PageHeading>
      {created ? <Notice>Das Konto für {created.name} wurde angelegt.</Notice> : null}
      <Table>
        <thead>
          <tr>
            <Th>Name</Th>
            <Th>E-Mail</Th>
            <Th>Rolle</Th>
            <Th>Schulträger</Th>
            <Th>Status</Th>
            <Th>
              <span className="sr-only">Aktion</span>
            </Th>
          </tr>
        </thead>
        <tbody>
          {users.map((user) => (
            <tr key={user.id}>
              <RowTh>{user.name}</RowTh>
              <Td>{user.email}</Td>
              <Td>{ROLE_LABELS[user.role]}</Td>
              <Td>
                {user.partnerCode ? (partnerNames.get(user.partnerCode) ?? user.partnerCode) : "–"}
              </Td>
              <Td>
                {user.active ? <Tag tone="green">Aktiv</Tag> : <Tag tone="red">Deaktiviert</Tag>}
              </Td>
              <Td>
                <Link to={`/admin/users/${user.id}`}>
                  Bearbeiten<span className="sr-only">: {user.name}</span>
                </Link>
              </Td>
            </tr>
          ))}
        </tbody>
      </Table>

      <SectionHeading id="create-heading">Neues Konto anlegen</SectionHeading>
      <div className="max-w-xl">
        <ErrorSummary errors={form.errors} id={form.errorId} />
        <Form method="post" {...getFormProps(form)} aria-labelledby="create-heading">
          <input type="hidden" name="intent" value="create" />
          <TextField field={fields.name} label="Name" autoComplete="off" />
          <TextField field={fields.email} label="E-Mail" type="email" autoComplete="off" />
          <SelectField
            field={fields.role}
            label="Rolle"
            placeholder="Bitte wählen"
            options={ROLES.map((role) => ({ value: role, label: ROLE_LABELS[role] }))}
          />
          <SelectField
            field={fields.partner}
            label="Schulträger"
            hint="Nur für die Rolle Beschaffung (Schulträger)."
            placeholder="Kein Schulträger"
            options={partners.map((p) => ({ value: p.code, label: p.name }))}
          />
          <TextField
            field={fields.password}
            clearOn={lastResult}
            label="Erstes Passwort"
            type="password"
            autoComplete="new-password"
            hint={`Mindestens ${PASSWORD_MIN_LENGTH} Zeichen. Geben Sie es der Person auf sicherem Weg weiter.`}
          />
          <Button type="submit">Konto anlegen</Button>
        </Form>
      </div>
    </>
  );
}
