import { getFormProps, useForm, type SubmissionResult } from "@conform-to/react";
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
import { deleteAllSessionsForUser, deleteOtherSessionsForUser } from "../../db/sessions";
import { getUserById, setPassword, updateUser, type User } from "../../db/users";
import { SelectField, TextField } from "~/components/fields";
import {
  Button,
  DescriptionList,
  ErrorSummary,
  Notice,
  PageHeading,
  SectionHeading,
  Tag,
} from "~/components/ui";
import { currentSessionId, requireRole } from "~/utils/auth.server";
import { getDb } from "~/utils/db.server";
import {
  PASSWORD_MIN_LENGTH,
  SELF_LOCKOUT_MESSAGE,
  passwordResetSchema,
  updateUserSchema,
} from "~/utils/form-schemas";
import { forbidden, notFound } from "~/utils/http.server";
import { ROLES, ROLE_LABELS } from "~/utils/roles";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `${data.user.name} – Benutzer – Verbundkauf` : "Benutzer – Verbundkauf" },
];

const NOTICES: Record<string, string> = {
  updated: "Die Änderungen wurden gespeichert.",
  password: "Das Passwort wurde neu gesetzt. Bestehende Anmeldungen dieses Kontos wurden beendet.",
  deactivated: "Das Konto wurde deaktiviert und alle Anmeldungen wurden beendet.",
  reactivated: "Das Konto wurde wieder aktiviert.",
};

/** Only the canonical form of a positive id ("12", not "012", "1e1", "0x1", "1.0" or " 1"). */
const CANONICAL_ID = /^[1-9][0-9]{0,15}$/;

async function loadTarget(id: string | undefined): Promise<User> {
  const numericId = id !== undefined && CANONICAL_ID.test(id) ? Number(id) : NaN;
  const user = Number.isSafeInteger(numericId)
    ? await getUserById(await getDb(), numericId)
    : undefined;
  if (!user) throw notFound();
  return user;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const actor = await requireRole(request, "coordinator");
  const user = await loadTarget(params.id);
  return json({ user, isSelf: actor.id === user.id, partners: await listPartners(await getDb()) });
}

type ActionData = { intent: "update" | "reset-password"; result: SubmissionResult<string[]> };

function auditedUser(user: User) {
  return { name: user.name, role: user.role, partner: user.partnerCode, active: user.active };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const actor = await requireRole(request, "coordinator");
  const target = await loadTarget(params.id);
  const db = await getDb();
  const formData = await request.formData();
  const intent = formData.get("intent");
  const isSelf = actor.id === target.id;
  const back = (notice: string) => redirect(`/admin/users/${target.id}?saved=${notice}`);

  if (intent === "update") {
    const partners = await listPartners(db);
    const submission = parseWithZod(formData, {
      schema: updateUserSchema(partners.map((p) => p.code)),
    });
    if (submission.status !== "success") {
      return json<ActionData>({ intent, result: submission.reply() }, { status: 400 });
    }
    const { name, role, partner } = submission.value;
    if (isSelf && role !== target.role) {
      return json<ActionData>(
        { intent, result: submission.reply({ formErrors: [SELF_LOCKOUT_MESSAGE] }) },
        { status: 400 },
      );
    }
    await db.transaction().execute(async (trx) => {
      const updated = await updateUser(trx, target.id, {
        name,
        role,
        partnerCode: partner ?? null,
      });
      await writeAudit(trx, {
        userId: actor.id,
        action: "update",
        entity: "user",
        entityKey: target.email,
        oldValue: auditedUser(target),
        newValue: auditedUser(updated),
      });
    });
    return back("updated");
  }

  if (intent === "reset-password") {
    const submission = parseWithZod(formData, { schema: passwordResetSchema });
    if (submission.status !== "success") {
      return json<ActionData>(
        { intent, result: submission.reply({ hideFields: ["password", "confirmPassword"] }) },
        { status: 400 },
      );
    }
    await setPassword(db, target.id, submission.value.password);
    // A new password ends every session that knew the old one; changing one's own keeps
    // only the session that changed it.
    if (isSelf) await deleteOtherSessionsForUser(db, target.id, await currentSessionId(request));
    else await deleteAllSessionsForUser(db, target.id);
    await writeAudit(db, {
      userId: actor.id,
      action: "reset-password",
      entity: "user",
      entityKey: target.email,
    });
    return back("password");
  }

  if (intent === "deactivate" || intent === "reactivate") {
    if (isSelf) throw forbidden();
    const active = intent === "reactivate";
    await db.transaction().execute(async (trx) => {
      const updated = await updateUser(trx, target.id, { active });
      if (!active) await deleteAllSessionsForUser(trx, target.id);
      await writeAudit(trx, {
        userId: actor.id,
        action: intent,
        entity: "user",
        entityKey: target.email,
        oldValue: auditedUser(target),
        newValue: auditedUser(updated),
      });
    });
    return back(active ? "reactivated" : "deactivated");
  }

  throw new Response("Unbekannte Aktion", { status: 400 });
}

export default function UserPage() {
  const { user, isSelf, partners } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [searchParams] = useSearchParams();
  const notice = NOTICES[searchParams.get("saved") ?? ""];
  const partnerCodes = partners.map((p) => p.code);
  const [updateForm, updateFields] = useForm({
    id: "update-user",
    lastResult: actionData?.intent === "update" ? actionData.result : undefined,
    // Checked when submitted; a message stays until the next submit, so the button never
    // moves away under the pointer between mousedown and mouseup (the click would be lost).
    shouldValidate: "onSubmit",
    shouldRevalidate: "onSubmit",
    onValidate: ({ formData }) =>
      parseWithZod(formData, { schema: updateUserSchema(partnerCodes) }),
  });
  const [passwordForm, passwordFields] = useForm({
    id: "reset-password",
    lastResult: actionData?.intent === "reset-password" ? actionData.result : undefined,
    // Checked when submitted; a message stays until the next submit, so the button never
    // moves away under the pointer between mousedown and mouseup (the click would be lost).
    shouldValidate: "onSubmit",
    shouldRevalidate: "onSubmit",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: passwordResetSchema }),
  });
  return (
    <>
      <p className="mb-2">
        <Link to="/admin/users">Alle Benutzer</Link>
      </p>
      <PageHeading caption="Benutzer">{user.name}</PageHeading>
      {notice ? <Notice>{notice}</Notice> : null}
      <DescriptionList
        items={[
          { term: "E-Mail", value: user.email },
          { term: "Rolle", value: ROLE_LABELS[user.role] },
          {
            term: "Status",
            value: user.active ? <Tag tone="green">Aktiv</Tag> : <Tag tone="red">Deaktiviert</Tag>,
          },
        ]}
      />

      <div className="max-w-xl">
        <SectionHeading id="update-heading">Name, Rolle und Schulträger</SectionHeading>
        <ErrorSummary errors={updateForm.errors} id={updateForm.errorId} />
        <Form method="post" {...getFormProps(updateForm)} aria-labelledby="update-heading">
          <input type="hidden" name="intent" value="update" />
          <TextField
            field={updateFields.name}
            label="Name"
            autoComplete="off"
            defaultValue={user.name}
          />
          <SelectField
            field={updateFields.role}
            label="Rolle"
            hint={isSelf ? "Ihre eigene Rolle können Sie nicht ändern." : undefined}
            options={ROLES.map((role) => ({ value: role, label: ROLE_LABELS[role] }))}
            defaultValue={user.role}
          />
          <SelectField
            field={updateFields.partner}
            label="Schulträger"
            hint="Nur für die Rolle Beschaffung (Schulträger)."
            placeholder="Kein Schulträger"
            options={partners.map((p) => ({ value: p.code, label: p.name }))}
            defaultValue={user.partnerCode ?? ""}
          />
          <Button type="submit">Änderungen speichern</Button>
        </Form>

        <SectionHeading id="password-heading">Passwort neu setzen</SectionHeading>
        <ErrorSummary errors={passwordForm.errors} id={passwordForm.errorId} />
        <Form method="post" {...getFormProps(passwordForm)} aria-labelledby="password-heading">
          <input type="hidden" name="intent" value="reset-password" />
          <TextField
            field={passwordFields.password}
            clearOn={actionData}
            label="Neues Passwort"
            type="password"
            autoComplete="new-password"
            hint={`Mindestens ${PASSWORD_MIN_LENGTH} Zeichen.`}
          />
          <TextField
            field={passwordFields.confirmPassword}
            clearOn={actionData}
            label="Neues Passwort wiederholen"
            type="password"
            autoComplete="new-password"
          />
          <Button type="submit" variant="secondary">
            Passwort setzen
          </Button>
        </Form>

        <SectionHeading id="status-heading">Zugang</SectionHeading>
        {isSelf ? (
          <p className="text-lg">Ihr eigenes Konto können Sie nicht deaktivieren.</p>
        ) : user.active ? (
          <Form method="post" aria-labelledby="status-heading">
            <p className="mb-4 text-lg">
              Ein deaktiviertes Konto kann sich nicht mehr anmelden; laufende Anmeldungen enden
              sofort.
            </p>
            <input type="hidden" name="intent" value="deactivate" />
            <Button type="submit" variant="danger">
              Konto deaktivieren
            </Button>
          </Form>
        ) : (
          <Form method="post" aria-labelledby="status-heading">
            <input type="hidden" name="intent" value="reactivate" />
            <Button type="submit">Konto wieder aktivieren</Button>
          </Form>
        )}
      </div>
    </>
  );
}
