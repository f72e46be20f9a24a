import {
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form } from "@remix-run/react";
import { Button, PageHeading } from "~/components/ui";
import { getUser, signOut } from "~/utils/auth.server";

export const meta: MetaFunction = () => [{ title: "Abmelden – Verbundkauf" }];

/** Signing out changes state, so it is a POST; a GET only offers the button. */
export async function loader({ request }: LoaderFunctionArgs) {
  if (!(await getUser(request))) throw redirect("/login");
  return null;
}

export async function action({ request }: ActionFunctionArgs) {
  return signOut(request);
}

export default function LogoutPage() {
  return (
    <>
      <PageHeading>Abmelden</PageHeading>
      <p className="mb-6 text-lg">Möchten Sie sich abmelden?</p>
      <Form method="post">
        <Button type="submit">Abmelden</Button>
      </Form>
    </>
  );
}
