import { getFormProps, getTextareaProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import {
  json,
  redirect,
  type ActionFunctionArgs,
  type LinksFunction,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { freezeTender, listSnapshots, SNAPSHOT_COMMENT_MAX_LENGTH } from "../../db/snapshots";
import { getTenderInputs } from "../../db/tender-inputs";
import { PrintFooter } from "~/components/summary-print-footer";
import { APP_VERSION } from "~/components/summary-data.server";
import {
  Button,
  ErrorSummary,
  Notice,
  PageHeading,
  RowTh,
  SectionHeading,
  Table,
  Td,
  Th,
} from "~/components/ui";
import printStyles from "~/styles/print.css";
import { requireRole, requireUser } from "~/utils/auth.server";
import { getDb } from "~/utils/db.server";
import { formatDateTime } from "~/utils/format";
import { notFound } from "~/utils/http.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: printStyles }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Beschlussstände ${data.code} – Verbundkauf` : "Beschlussstände – Verbundkauf" },
];

const COMMENT_REQUIRED =
  "Bitte beschreiben Sie kurz, wofür dieser Stand festgehalten wird (z. B. Sitzung und Datum).";

const snapshotFormSchema = z.object({
  comment: z
    .string({ error: COMMENT_REQUIRED })
    .trim()
    .min(1, COMMENT_REQUIRED)
    .max(
      SNAPSHOT_COMMENT_MAX_LENGTH,
      `Der Kommentar darf höchstens ${SNAPSHOT_COMMENT_MAX_LENGTH} Zeichen lang sein.`,
    ),
});

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const db = await getDb();
  const code = params.code ?? "";
  const tender = await getTenderInputs(db, code);
  const snapshots = await listSnapshots(db, code);
  // Snapshots of a tender deleted since stay readable.
  if (!tender && snapshots.length === 0) throw notFound();
  return json({
    code,
    tenderName: tender?.name ?? null,
    snapshots,
    canCreate: user.role === "coordinator" && tender !== undefined,
    stamp: { at: new Date().toISOString(), version: null, appVersion: APP_VERSION },
  });
}

// Only the coordinator freezes a state; everybody else gets 403 and nothing is stored.
export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireRole(request, "coordinator");
  const code = params.code ?? "";
  const submission = parseWithZod(await request.formData(), { schema: snapshotFormSchema });
  if (submission.status !== "success") return json(submission.reply(), { status: 400 });
  const outcome = await freezeTender(await getDb(), {
    tenderCode: code,
    comment: submission.value.comment,
    userId: user.id,
  });
  if (!outcome.ok && outcome.reason === "unknown-tender") throw notFound();
  if (!outcome.ok) {
    const problems =
      outcome.reason === "invalid-plan" ? outcome.problems.map((p) => p.message) : [];
    return json(
      submission.reply({
        formErrors: [
          "Der Plan kann so nicht berechnet werden; ein Beschlussstand ist erst danach möglich.",
          ...problems,
        ],
      }),
      { status: 422 },
    );
  }
  return redirect(
    `/tenders/${encodeURIComponent(code)}/snapshots?created=${outcome.snapshot.version}`,
  );
}

export default function SnapshotsPage() {
  const { code, tenderName, snapshots, canCreate, stamp } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const [searchParams] = useSearchParams();
  const created = snapshots.find((s) => String(s.version) === searchParams.get("created"));
  const base = `/tenders/${encodeURIComponent(code)}`;
  const [form, fields] = useForm({
    id: "create-snapshot",
    lastResult,
    shouldValidate: "onBlur",
    // After a failed attempt, clear the error while typing: clearing it on blur moves
    // the button away under the pointer between mousedown and mouseup, and the click is lost.
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: snapshotFormSchema }),
  });
  const commentErrors = fields.comment.errors;
  return (
    <>
      <p className="mb-2 print:hidden">
        <Link to={base}>Zur Ausschreibung</Link> ·{" "}
        <Link to={`${base}/summary`}>Zusammenfassung</Link>
      </p>
      <PageHeading caption={`Ausschreibung ${code}`}>
        Beschlussstände{tenderName ? `: ${tenderName}` : ""}
      </PageHeading>
      {created ? (
        <Notice>Beschlussstand Version {created.version} wurde gespeichert.</Notice>
      ) : null}
      <p className="mb-6 max-w-3xl text-lg">
        Ein Beschlussstand hält Eingaben und Ergebnisse einer Ausschreibung unveränderlich fest –
        etwa den Stand, über den ein Ausschuss beschlossen hat. Spätere Änderungen lassen sich damit
        vergleichen.
      </p>

      {snapshots.length === 0 ? (
        <p className="text-lg">Für diese Ausschreibung ist noch kein Beschlussstand gespeichert.</p>
      ) : (
        <Table caption="Gespeicherte Beschlussstände">
          <thead>
            <tr>
              <Th numeric>Version</Th>
              <Th>Gespeichert am</Th>
              <Th>von</Th>
              <Th>Kommentar</Th>
              <Th className="print:hidden">
                <span className="sr-only">Aktionen</span>
              </Th>
            </tr>
          </thead>
          <tbody>
            {snapshots.map((s) => (
              <tr key={s.version}>
                <RowTh className="text-right tabular-nums">{s.version}</RowTh>
                <Td className="whitespace-nowrap">{formatDateTime(s.createdAt)}</Td>
                <Td>{s.createdBy}</Td>
                <Td className="max-w-md break-words">{s.comment}</Td>
                <Td className="whitespace-nowrap print:hidden">
                  <Link to={`${base}/summary?version=${s.version}`}>
                    Zusammenfassung<span className="sr-only"> Version {s.version}</span>
                  </Link>
                  <br />
                  <Link to={`${base}/compare?version=${s.version}`}>
                    Mit aktuellem Stand vergleichen
                    <span className="sr-only"> (Version {s.version})</span>
                  </Link>
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}

      {canCreate ? (
        <section aria-labelledby="create-heading" className="max-w-2xl print:hidden">
          <SectionHeading id="create-heading">Aktuellen Stand festhalten</SectionHeading>
          <ErrorSummary errors={form.errors} id={form.errorId} />
          <Form method="post" {...getFormProps(form)} aria-labelledby="create-heading">
            <div className={`mb-5 ${commentErrors?.length ? "border-l-4 border-danger pl-3" : ""}`}>
              <label htmlFor={fields.comment.id} className="mb-1 block font-bold">
                Kommentar
              </label>
              <p id={fields.comment.descriptionId} className="mb-1 text-muted">
                Pflichtangabe, höchstens {SNAPSHOT_COMMENT_MAX_LENGTH} Zeichen, z. B. „Vorlage
                Schulausschuss 28.11.2026“.
              </p>
              {commentErrors?.length ? (
                <p id={fields.comment.errorId} className="mb-1 font-semibold text-danger">
                  {commentErrors.join(" ")}
                </p>
              ) : null}
              <textarea
                {...getTextareaProps(fields.comment, {
                  ariaDescribedBy: fields.comment.descriptionId,
                })}
                rows={3}
                maxLength={SNAPSHOT_COMMENT_MAX_LENGTH}
                className={`block w-full border-2 px-2 py-1.5 text-lg ${commentErrors?.length ? "border-danger" : "border-ink"}`}
              />
            </div>
            <Button type="submit">Beschlussstand speichern</Button>
          </Form>
        </section>
      ) : null}

      <PrintFooter stamp={stamp} />
    </>
  );
}
