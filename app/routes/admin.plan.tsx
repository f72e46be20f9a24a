// /admin/plan — the coordinator downloads the data as a plan file (plan@2; uploads may be plan@1 or plan@2) or
// replaces it with an uploaded one: upload → every problem listed, or a summary →
// explicit confirmation → importPlan(replace). The uploaded text waits on the server
// (app/utils/plan-upload.server.ts), not in a hidden field.
import {
  json,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { isAwardFrozenError, PLAN_IMPORT_AWARD_FROZEN_MESSAGE } from "../../db/awards";
import { exportPlan, importPlan, type ImportSummary } from "../../db/plan-io";
import type { Plan } from "../../domain/plan";
import { parsePlanText, type PlanProblem } from "../../domain/plan-validation";
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
import { requireRole } from "~/utils/auth.server";
import { getDb } from "~/utils/db.server";
import { formatInteger } from "~/utils/format";
import {
  deletePendingUpload,
  MAX_PLAN_UPLOAD_BYTES,
  readPendingUpload,
  savePendingUpload,
} from "~/utils/plan-upload.server";
import { parseInWorker } from "~/utils/parse-worker.server";
import { checkPlanFile, receiveUpload } from "~/utils/upload.server";

export const meta: MetaFunction = () => [{ title: "Plandatei – Verbundkauf" }];

export interface PlanSummary {
  partners: number;
  schools: number;
  categories: number;
  demandLines: number;
  tenders: { code: string; name: string; years: string; lots: number; commonCosts: number }[];
}

export function summarizePlan(plan: Plan): PlanSummary {
  return {
    partners: plan.partners.length,
    schools: plan.schools?.length ?? 0,
    categories: plan.categories.length,
    demandLines: plan.demand?.length ?? 0,
    tenders: (plan.tenders ?? []).map((t) => ({
      code: t.code,
      name: t.name,
      years:
        t.termYears === 1 ? String(t.startYear) : `${t.startYear}–${t.startYear + t.termYears - 1}`,
      lots: t.lots.length,
      commonCosts: t.commonCosts?.length ?? 0,
    })),
  };
}

type ActionData =
  | { step: "error"; errors: string[] }
  | { step: "invalid"; fileName: string; problems: PlanProblem[] }
  | {
      step: "confirm";
      uploadId: string;
      fileName: string;
      upload: PlanSummary;
      current: PlanSummary;
    }
  | { step: "imported"; fileName: string; summary: ImportSummary };

const TOO_LARGE = `Die Datei ist größer als ${MAX_PLAN_UPLOAD_BYTES / 1024 / 1024} MB.`;
const NO_FILE = "Bitte wählen Sie eine Plandatei (JSON) aus.";

export async function loader({ request }: LoaderFunctionArgs) {
  await requireRole(request, "coordinator");
  return json({ current: summarizePlan(await exportPlan(await getDb())) });
}

function answer(data: ActionData, status = 200) {
  return json<ActionData>(data, { status });
}

async function upload(request: Request, userId: number) {
  // Size limits while reading, then the file type (app/utils/upload.server.ts).
  const received = await receiveUpload(request, {
    field: "plan",
    maxFileBytes: MAX_PLAN_UPLOAD_BYTES,
    tooLargeMessage: TOO_LARGE,
    missingMessage: NO_FILE,
  });
  if (!received.ok) return answer({ step: "error", errors: [received.message] }, received.status);
  if (received.bytes.length === 0) return answer({ step: "error", errors: [NO_FILE] }, 400);
  const checked = checkPlanFile(received.fileName, received.bytes);
  if (!checked.ok) return answer({ step: "error", errors: [checked.message] }, checked.status);
  const file = { name: received.fileName };
  const text = checked.value;
  // In a worker thread with memory and time limits (app/utils/parse-worker.server.ts).
  const parsed = await parseInWorker("planText", text);
  if (!parsed.ok) return answer({ step: "error", errors: [parsed.message] }, parsed.status);
  const validation = parsed.value;
  if (!validation.ok)
    return answer({ step: "invalid", fileName: file.name, problems: validation.problems }, 400);
  const uploadId = await savePendingUpload(userId, file.name, text);
  return answer({
    step: "confirm",
    uploadId,
    fileName: file.name,
    upload: summarizePlan(validation.plan),
    current: summarizePlan(await exportPlan(await getDb())),
  });
}

const EXPIRED =
  "Der hochgeladene Plan liegt nicht mehr vor (abgelaufen oder schon übernommen). Bitte laden Sie ihn erneut hoch.";

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireRole(request, "coordinator");
  if ((request.headers.get("Content-Type") ?? "").startsWith("multipart/form-data"))
    return upload(request, user.id);
  const formData = await request.formData();
  const uploadId = String(formData.get("uploadId") ?? "");
  switch (String(formData.get("intent") ?? "")) {
    case "cancel":
      await deletePendingUpload(uploadId);
      return answer({
        step: "error",
        errors: ["Der Import wurde abgebrochen; die Daten sind unverändert."],
      });
    case "confirm": {
      const pending = await readPendingUpload(uploadId, user.id);
      if (!pending) return answer({ step: "error", errors: [EXPIRED] }, 400);
      const validation = parsePlanText(pending.text);
      if (!validation.ok)
        return answer(
          { step: "invalid", fileName: pending.fileName, problems: validation.problems },
          400,
        );
      let summary: ImportSummary;
      try {
        summary = await importPlan(await getDb(), validation.plan, {
          replace: true,
          userId: user.id,
        });
      } catch (error) {
        if (!isAwardFrozenError(error)) throw error;
        // Awards are permanent, so this upload can never be imported: drop it.
        await deletePendingUpload(uploadId);
        return answer({ step: "error", errors: [PLAN_IMPORT_AWARD_FROZEN_MESSAGE] }, 409);
      }
      await deletePendingUpload(uploadId);
      return answer({ step: "imported", fileName: pending.fileName, summary });
    }
    default:
      return answer({ step: "error", errors: ["Unbekannte Aktion."] }, 400);
  }
}

function SummaryTable({ upload, current }: { upload: PlanSummary; current: PlanSummary }) {
  const rows: [string, number, number][] = [
    ["Partner (Schulträger)", upload.partners, current.partners],
    ["Schulen", upload.schools, current.schools],
    ["Produktgruppen", upload.categories, current.categories],
    ["Bedarfsmeldungen", upload.demandLines, current.demandLines],
    ["Ausschreibungen", upload.tenders.length, current.tenders.length],
  ];
  return (
    <Table caption="Inhalt der Datei im Vergleich zu den aktuellen Daten" className="mb-4">
      <thead>
        <tr>
          <Th>Art</Th>
          <Th numeric>In der Datei</Th>
          <Th numeric>Aktuell gespeichert</Th>
        </tr>
      </thead>
      <tbody>
        {rows.map(([label, inFile, now]) => (
          <tr key={label}>
            <RowTh>{label}</RowTh>
            <Td numeric>{formatInteger(inFile)}</Td>
            <Td numeric>{formatInteger(now)}</Td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}

export default function AdminPlanPage() {
  const { current } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>() as ActionData | undefined;
  const navigation = useNavigation();
  const busy = navigation.state === "submitting";
  return (
    <>
      <PageHeading>Plandatei</PageHeading>
      {data?.step === "error" ? <ErrorSummary errors={data.errors} /> : null}
      {data?.step === "imported" ? (
        <Notice>
          Der Plan aus „{data.fileName}“ wurde übernommen: {formatInteger(data.summary.partners)}{" "}
          Partner, {formatInteger(data.summary.schools)} Schulen,{" "}
          {formatInteger(data.summary.categories)} Produktgruppen,{" "}
          {formatInteger(data.summary.demandLines)} Bedarfsmeldungen,{" "}
          {formatInteger(data.summary.tenders)} Ausschreibungen.
          {data.summary.removedPartners.length
            ? ` Entfernte Partner: ${data.summary.removedPartners.join(", ")}.`
            : ""}
          {data.summary.deactivatedOfficers.length
            ? ` Deaktivierte Zugänge: ${data.summary.deactivatedOfficers.join(", ")}.`
            : ""}
        </Notice>
      ) : null}

      {data?.step === "invalid" ? (
        <div role="alert" className="mb-6 border-4 border-danger p-4" data-testid="plan-problems">
          <h2 className="mb-2 text-xl font-bold">
            „{data.fileName}“ ist kein gültiger Plan (
            {data.problems.length === 1
              ? "1 Problem"
              : `${formatInteger(data.problems.length)} Probleme`}
            )
          </h2>
          <p className="mb-2">
            Die Daten wurden nicht verändert. Bitte korrigieren Sie die Datei und laden Sie sie
            erneut hoch.
          </p>
          <Table>
            <thead>
              <tr>
                <Th>Stelle in der Datei</Th>
                <Th>Problem</Th>
              </tr>
            </thead>
            <tbody>
              {data.problems.map((problem, index) => (
                <tr key={index}>
                  <Td>
                    <code>{problem.path}</code>
                  </Td>
                  <Td>{problem.message}</Td>
                </tr>
              ))}
            </tbody>
          </Table>
        </div>
      ) : null}

      {data?.step === "confirm" ? (
        <section className="mb-8 border-4 border-brand p-4" aria-labelledby="confirm-heading">
          <h2 id="confirm-heading" className="mb-2 text-2xl font-bold">
            „{data.fileName}“ ist gültig. Daten ersetzen?
          </h2>
          <SummaryTable upload={data.upload} current={data.current} />
          {data.upload.tenders.length ? (
            <ul className="mb-4 list-disc pl-6">
              {data.upload.tenders.map((t) => (
                <li key={t.code}>
                  {t.code} „{t.name}“ ({t.years}): {t.lots} Lose, {t.commonCosts} Gemeinkostenposten
                </li>
              ))}
            </ul>
          ) : null}
          <p className="mb-4 font-semibold">
            Alle Plandaten (Partner, Schulen, Produktgruppen, Bedarf, Ausschreibungen,
            Einstellungen) werden durch die Datei ersetzt. Benutzerkonten und das Änderungsprotokoll
            bleiben erhalten.
          </p>
          <div className="flex flex-wrap gap-4">
            <Form method="post">
              <input type="hidden" name="intent" value="confirm" />
              <input type="hidden" name="uploadId" value={data.uploadId} />
              <Button type="submit" variant="danger" disabled={busy}>
                Daten jetzt ersetzen
              </Button>
            </Form>
            <Form method="post">
              <input type="hidden" name="intent" value="cancel" />
              <input type="hidden" name="uploadId" value={data.uploadId} />
              <Button type="submit" variant="secondary" disabled={busy}>
                Abbrechen
              </Button>
            </Form>
          </div>
        </section>
      ) : null}

      <SectionHeading>Plan herunterladen</SectionHeading>
      <p className="mb-2">
        Aktuell gespeichert: {formatInteger(current.partners)} Partner,{" "}
        {formatInteger(current.schools)} Schulen, {formatInteger(current.categories)}{" "}
        Produktgruppen, {formatInteger(current.demandLines)} Bedarfsmeldungen,{" "}
        {formatInteger(current.tenders.length)} Ausschreibungen.
      </p>
      <p className="mb-6">
        <a href="/api/plan?download=1" download>
          Plandatei (JSON, verbundkauf/plan@2) herunterladen
        </a>
      </p>

      <SectionHeading>Plan hochladen</SectionHeading>
      <p className="mb-2">
        Eine Plandatei im Format verbundkauf/plan@2 (oder das ältere verbundkauf/plan@1), höchstens
        20 MB. Sie wird zuerst geprüft; ersetzt werden die Daten erst nach Ihrer Bestätigung.
      </p>
      <Form method="post" encType="multipart/form-data" className="mb-6">
        <label htmlFor="plan-file" className="mb-1 block font-bold">
          Plandatei
        </label>
        <input
          id="plan-file"
          type="file"
          name="plan"
          accept=".json,application/json"
          required
          className="mb-4 block"
        />
        <Button type="submit" disabled={busy}>
          Hochladen und prüfen
        </Button>
      </Form>
    </>
  );
}
