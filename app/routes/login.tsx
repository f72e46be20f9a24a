import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import {
  json,
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, useActionData, useNavigation, useSearchParams } from "@remix-run/react";
import { TextField } from "~/components/fields";
import { Button, ErrorSummary, PageHeading } from "~/components/ui";
import { createUserSession, getUser, verifyLoginInInstallation } from "~/utils/auth.server";
import { getInstallation } from "~/utils/db.server";
import { LOGIN_FAILED_MESSAGE, loginSchema } from "~/utils/form-schemas";
import { safeRedirect } from "~/utils/http.server";
import { claimSignInAttempt, recordSignInSuccess } from "~/utils/throttle.server";

export const meta: MetaFunction = () => [{ title: "Anmelden – Verbundkauf" }];

export async function loader({ request }: LoaderFunctionArgs) {
  if (await getUser(request)) {
    throw redirect(safeRedirect(new URL(request.url).searchParams.get("redirectTo")));
  }
  return json({});
}

export async function action({ request, context }: ActionFunctionArgs) {
  const formData = await request.formData();
  const submission = parseWithZod(formData, { schema: loginSchema });
  if (submission.status !== "success") {
    return json(submission.reply({ hideFields: ["password"] }), { status: 400 });
  }
  const { email, password, redirectTo } = submission.value;
  // The throttle is installation-wide: the consortium is not known before sign-in.
  const db = await (await getInstallation()).throttleDatabase();
  // Throttled per account and per address, and counted, before the password is hashed.
  const attempt = { email, address: context.clientAddress };
  const throttle = await claimSignInAttempt(db, attempt);
  if (throttle.limited) {
    return json(submission.reply({ formErrors: [throttle.message], hideFields: ["password"] }), {
      status: 429,
      headers: { "Retry-After": String(throttle.retryAfterSeconds) },
    });
  }
  const found = await verifyLoginInInstallation(email, password);
  if (!found) {
    // Counted already when claimed.
    // One message for unknown email, wrong password and inactive account: no enumeration.
    return json(
      submission.reply({ formErrors: [LOGIN_FAILED_MESSAGE], hideFields: ["password"] }),
      { status: 400 },
    );
  }
  await recordSignInSuccess(db, throttle.claim);
  return createUserSession(request, found.user, redirectTo, found.consortium);
}

export default function LoginPage() {
  const lastResult = useActionData<typeof action>();
  const [searchParams] = useSearchParams();
  const navigation = useNavigation();
  const [form, fields] = useForm({
    id: "login",
    lastResult,
    shouldValidate: "onSubmit",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: loginSchema }),
  });
  const redirectTo = searchParams.get("redirectTo") ?? "";
  return (
    <div className="max-w-xl">
      <PageHeading>Anmelden</PageHeading>
      <p className="mb-6 text-lg">
        Melden Sie sich mit Ihrer dienstlichen E-Mail-Adresse und Ihrem Passwort an.
      </p>
      <ErrorSummary errors={form.errors} id={form.errorId} />
      <Form method="post" {...getFormProps(form)}>
        <input type="hidden" name="redirectTo" value={redirectTo} />
        <TextField field={fields.email} label="E-Mail" type="email" autoComplete="username" />
        <TextField
          field={fields.password}
          clearOn={lastResult}
          label="Passwort"
          type="password"
          autoComplete="current-password"
        />
        <Button type="submit" disabled={navigation.state === "submitting"}>
          Anmelden
        </Button>
      </Form>
    </div>
  );
}
