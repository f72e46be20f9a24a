// /tenders/:code — one tender: its fields, lots and common costs (editable by the
// coordinator, read-only for finance and committee) and the live results of the
// engine for the data as stored.
import {
  json,
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import type { PlanCalculation } from "../../domain/calculation";
import {
  decimalToGermanInput,
  centsToGermanInput,
  fractionToGermanPercentInput,
} from "../../domain/german-input";
import type { Plan } from "../../domain/plan";
import {
  commonCostIdSchema,
  commonCostSchema,
  COST_KEY_LABELS,
  customWeights,
  lotIdSchema,
  lotSchema,
  newCommonCostSchema,
  newLotSchema,
  tenderSchema,
} from "../../domain/tender-form";
import { overlappingYears } from "../../domain/tender-rules";
import {
  addCommonCost,
  addLot,
  deleteCommonCost,
  deleteLot,
  deleteTender,
  updateCommonCost,
  updateLot,
  updateTender,
} from "../../db/tenders";
import { getTenderForEditing, type TenderRecord } from "../../db/tender-inputs";
import { listSnapshots } from "../../db/snapshots";
import { AWARDED_LOT_LOCKED_MESSAGE, awardedLotCodes, reserveFrozenMessage } from "../../db/awards";
import { CostSplitLink } from "~/components/download-links";
import { useUnsavedChangesPrompt } from "~/components/unsaved-changes";
import { TenderResultTables, tenderResultView } from "~/components/result-tables";
import { handleForm, refuseForm, tenderInput } from "~/components/tender-actions.server";
import {
  ActionButtonForm,
  CONFIRM_FIRST,
  CostForm,
  LotForm,
  replyFor,
  TenderFieldsForm,
  type CategoryChoice,
  type FormReply,
} from "~/components/tender-forms";
import {
  DescriptionList,
  ErrorSummary,
  Notice,
  PageHeading,
  SectionHeading,
  Tag,
} from "~/components/ui";
import { requireRole, requireUser } from "~/utils/auth.server";
import { currentPlanCalculation } from "~/utils/current-plan-cache.server";
import { getDb } from "~/utils/db.server";
import { formatPercent, formatDecimal } from "~/utils/format";
import { notFound } from "~/utils/http.server";
import { canDownloadCostSplit, canReadAward } from "~/utils/roles";
import { formatEuro } from "../../domain/money";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `${data.tender.name} – Verbundkauf` : "Ausschreibung – Verbundkauf" },
];

const NOTICES: Record<string, string> = {
  created: "Die Ausschreibung wurde angelegt.",
  saved: "Die Eckdaten wurden gespeichert.",
  "lot-added": "Das Los wurde hinzugefügt.",
  "lot-saved": "Das Los wurde gespeichert.",
  "lot-deleted": "Das Los wurde gelöscht.",
  "cost-added": "Der Kostenposten wurde hinzugefügt.",
  "cost-saved": "Der Kostenposten wurde gespeichert.",
  "cost-deleted": "Der Kostenposten wurde gelöscht.",
};

function yearsText(startYear: number, termYears: number): string {
  return termYears === 1 ? String(startYear) : `${startYear}–${startYear + termYears - 1}`;
}

/** Each category with the places it already stands in during this tender's years. */
function categoryChoices(plan: Plan, tender: TenderRecord): CategoryChoice[] {
  return plan.categories.map((category) => {
    const usedElsewhere: string[] = [];
    for (const other of plan.tenders ?? []) {
      for (const lot of other.lots) {
        if (!lot.categories.includes(category.code)) continue;
        if (other.code === tender.code) usedElsewhere.push(`Los ${lot.code}`);
        else if (overlappingYears(tender, other)) {
          usedElsewhere.push(`${other.code} (${yearsText(other.startYear, other.termYears)})`);
        }
      }
    }
    return { code: category.code, name: category.name, usedElsewhere };
  });
}

function participantsOf(calculation: PlanCalculation | undefined, code: string) {
  return calculation?.tenders.find((t) => t.code === code)?.participants ?? [];
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const db = await getDb();
  const tender = await getTenderForEditing(db, params.code ?? "");
  if (!tender) throw notFound();
  const current = await currentPlanCalculation(db); // cached per data version, in a worker
  const calculation = current.ok ? current.calculation : undefined;
  const tenderCalculation = calculation?.tenders.find((t) => t.code === tender.code);
  const participants = participantsOf(calculation, tender.code);
  const partnerNames = new Map(current.plan.partners.map((p) => [p.code, p.name]));
  const awardedLots = await awardedLotCodes(db, tender.code);
  return json({
    /** Lots with an award: what the award froze is locked (docs/decisions/015-…). */
    awardedLots,
    reserveLocked: awardedLots.length ? reserveFrozenMessage(awardedLots) : null,
    canEdit: user.role === "coordinator",
    // Links only to pages the role may open (officers get 403 at the award and the workbook).
    canReadAward: canReadAward(user),
    canDownloadCostSplit: canDownloadCostSplit(user),
    hasSnapshots: (await listSnapshots(db, tender.code)).length > 0,
    tender: {
      code: tender.code,
      name: tender.name,
      years: yearsText(tender.startYear, tender.termYears),
      termYears: tender.termYears,
      reserve: formatPercent(tender.reserve),
      soloProcessCost: formatEuro(BigInt(tender.soloProcessCostGrossCents)),
    },
    tenderDefaults: {
      code: tender.code,
      name: tender.name,
      startYear: String(tender.startYear),
      termYears: String(tender.termYears),
      reservePercent: fractionToGermanPercentInput(tender.reserve),
      soloProcessCostGross: centsToGermanInput(tender.soloProcessCostGrossCents),
    },
    lots: tender.lots,
    choices: categoryChoices(current.plan, tender),
    categoryNames: Object.fromEntries(current.plan.categories.map((c) => [c.code, c.name])),
    participants: participants.map(({ code, name }) => ({ code, name })),
    costs: tender.commonCosts.map((cost) => ({
      id: cost.id,
      label: cost.label,
      keyLabel: COST_KEY_LABELS[cost.key],
      amount: formatEuro(BigInt(cost.amountGrossCents)),
      weightsText: Object.entries(cost.weights).map(
        ([partner, weight]) => `${partnerNames.get(partner) ?? partner}: ${formatDecimal(weight)}`,
      ),
      defaults: {
        id: cost.id,
        label: cost.label,
        amountGross: centsToGermanInput(cost.amountGrossCents),
        key: cost.key,
        weights: participants.map((p) => ({
          partner: p.code,
          weight:
            cost.weights[p.code] !== undefined ? decimalToGermanInput(cost.weights[p.code]) : "",
        })),
      },
    })),
    result: tenderCalculation ? tenderResultView(tenderCalculation) : null,
    problems: current.ok ? [] : current.problems.map((p) => `${p.path}: ${p.message}`),
  });
}

function tenderUrl(code: string, notice?: string): string {
  return `/tenders/${encodeURIComponent(code)}${notice ? `?notice=${notice}` : ""}`;
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireRole(request, "coordinator");
  const db = await getDb();
  const code = params.code ?? "";
  const formData = await request.formData();
  const intent = String(formData.get("intent") ?? "");
  switch (intent) {
    case "tender":
      return handleForm("tender", tenderSchema, formData, async (v) => {
        await updateTender(db, code, tenderInput(v), user.id);
        return redirect(tenderUrl(v.code, "saved"));
      });
    case "delete-tender":
      if (formData.get("confirm") !== "yes")
        return refuseForm("delete-tender", "Bitte bestätigen Sie das Löschen mit dem Häkchen.");
      return handleForm("delete-tender", z.object({}), formData, async () => {
        await deleteTender(db, code, user.id);
        return redirect("/tenders?notice=deleted");
      });
    case "add-lot":
      return handleForm("new-lot", newLotSchema, formData, async (v) => {
        await addLot(db, code, v, user.id);
        return redirect(tenderUrl(code, "lot-added"));
      });
    case "update-lot": {
      const formId = `lot-${String(formData.get("lotId") ?? "")}`;
      return handleForm(formId, lotSchema, formData, async ({ lotId, ...lot }) => {
        await updateLot(db, code, lotId, lot, user.id);
        return redirect(tenderUrl(code, "lot-saved"));
      });
    }
    case "delete-lot": {
      const formId = `delete-lot-${String(formData.get("lotId") ?? "")}`;
      // Asked first: a dialog with JavaScript, this second step without it.
      if (formData.get("confirm") !== "yes") return refuseForm(formId, CONFIRM_FIRST);
      return handleForm(formId, lotIdSchema, formData, async ({ lotId }) => {
        await deleteLot(db, code, lotId, user.id);
        return redirect(tenderUrl(code, "lot-deleted"));
      });
    }
    case "add-cost":
      return handleForm("new-cost", newCommonCostSchema, formData, async (v) => {
        await addCommonCost(
          db,
          code,
          {
            label: v.label,
            amountGrossCents: v.amountGross,
            key: v.key,
            weights: customWeights(v),
          },
          user.id,
        );
        return redirect(tenderUrl(code, "cost-added"));
      });
    case "update-cost": {
      const formId = `cost-${String(formData.get("costId") ?? "")}`;
      return handleForm(formId, commonCostSchema, formData, async (v) => {
        await updateCommonCost(
          db,
          code,
          v.costId,
          {
            label: v.label,
            amountGrossCents: v.amountGross,
            key: v.key,
            weights: customWeights(v),
          },
          user.id,
        );
        return redirect(tenderUrl(code, "cost-saved"));
      });
    }
    case "delete-cost": {
      const formId = `delete-cost-${String(formData.get("costId") ?? "")}`;
      if (formData.get("confirm") !== "yes") return refuseForm(formId, CONFIRM_FIRST);
      return handleForm(formId, commonCostIdSchema, formData, async ({ costId }) => {
        await deleteCommonCost(db, code, costId, user.id);
        return redirect(tenderUrl(code, "cost-deleted"));
      });
    }
    default:
      return json({ error: "Unbekannte Aktion." }, { status: 400 });
  }
}

function AwardedBadge({ awarded }: { awarded: boolean }) {
  return awarded ? (
    <span data-awarded="true">
      <Tag tone="blue">vergeben</Tag>
    </span>
  ) : (
    <Tag tone="grey">noch nicht vergeben</Tag>
  );
}

export default function TenderPage() {
  useUnsavedChangesPrompt();
  const data = useLoaderData<typeof loader>();
  const reply = useActionData<typeof action>() as FormReply | undefined;
  const [searchParams] = useSearchParams();
  const notice = NOTICES[searchParams.get("notice") ?? ""];
  const { tender, canEdit } = data;
  const awarded = new Set(data.awardedLots);
  const base = `/tenders/${encodeURIComponent(tender.code)}`;
  // A key per saved state: forms start again from the stored values after each save.
  const version = JSON.stringify([
    data.tenderDefaults,
    data.lots,
    data.costs.map((c) => c.defaults),
  ]);
  return (
    <>
      <p className="mb-2">
        <Link to="/tenders">Alle Ausschreibungen</Link>
        {" · "}
        <Link to={`${base}/summary`}>Zusammenfassung für Gremien</Link>
        {" · "}
        <Link to={`${base}/snapshots`}>Beschlussstände</Link>
        {data.hasSnapshots ? (
          <>
            {" · "}
            <Link to={`${base}/compare`}>Vergleich mit dem letzten Beschlussstand</Link>
          </>
        ) : null}
        {data.canReadAward ? (
          <>
            {" · "}
            <Link to={`${base}/award`}>Zuschlag</Link>
          </>
        ) : null}
        {" · "}
        <Link to={`${base}/call-offs`}>Abrufe</Link>
        {" · "}
        <Link to={`${base}/plan-vs-actual`}>Plan-Ist</Link>
        {data.canDownloadCostSplit ? (
          <>
            {" · "}
            <CostSplitLink code={tender.code} />
          </>
        ) : null}
      </p>
      <PageHeading caption={`Ausschreibung ${tender.code} · ${tender.years}`}>
        {tender.name}
      </PageHeading>
      {notice ? <Notice>{notice}</Notice> : null}
      <ErrorSummary
        errors={
          data.problems.length
            ? ["Der gespeicherte Plan ist ungültig:", ...data.problems]
            : undefined
        }
      />

      <SectionHeading id="eckdaten">Eckdaten</SectionHeading>
      {canEdit ? (
        <TenderFieldsForm
          key={`tender-${version}`}
          intent="tender"
          defaults={data.tenderDefaults}
          lastResult={replyFor("tender", reply)}
          submitLabel="Eckdaten speichern"
          reserveLocked={data.reserveLocked ?? undefined}
        />
      ) : (
        <DescriptionList
          items={[
            {
              term: "Laufzeit",
              value: `${tender.termYears === 1 ? "1 Jahr" : `${tender.termYears} Jahre`} (${tender.years})`,
            },
            { term: "Reserve auf die Höchstmenge", value: tender.reserve },
            {
              term: "Kosten eines eigenen Vergabeverfahrens (brutto)",
              value: tender.soloProcessCost,
            },
          ]}
        />
      )}

      <SectionHeading id="ergebnis">Ergebnis (live aus den gespeicherten Daten)</SectionHeading>
      {data.result ? (
        <>
          <p className="mb-4">
            {data.result.participants === 1
              ? "1 teilnehmender Partner"
              : `${data.result.participants} teilnehmende Partner`}
            , Laufzeit {data.result.years}.
          </p>
          <TenderResultTables view={data.result} />
        </>
      ) : (
        <p className="text-lg">Ohne gültigen Plan lassen sich keine Zahlen berechnen.</p>
      )}

      <SectionHeading id="lose">Lose</SectionHeading>
      {data.lots.length === 0 ? (
        <p className="mb-4 text-lg">Diese Ausschreibung hat noch keine Lose.</p>
      ) : null}
      {data.lots.map((lot) =>
        canEdit ? (
          <section
            key={lot.id}
            className="mb-6 border-2 border-line p-4"
            aria-labelledby={`lot-${lot.id}-heading`}
          >
            <h3 id={`lot-${lot.id}-heading`} className="mb-3 text-xl font-bold">
              Los {lot.code}: {lot.name} <AwardedBadge awarded={awarded.has(lot.code)} />
            </h3>
            <LotForm
              key={`lot-${lot.id}-${version}`}
              lot={lot}
              choices={data.choices}
              lastResult={replyFor(`lot-${lot.id}`, reply)}
              locked={awarded.has(lot.code) ? AWARDED_LOT_LOCKED_MESSAGE : undefined}
            />
            {awarded.has(lot.code) ? (
              <p className="mb-2 text-muted">Ein vergebenes Los kann nicht gelöscht werden.</p>
            ) : (
              <ActionButtonForm
                formId={`delete-lot-${lot.id}`}
                intent="delete-lot"
                hidden={{ lotId: lot.id }}
                label={`Los ${lot.code} löschen`}
                confirmQuestion={`Los ${lot.code} („${lot.name}“) wirklich löschen? Seine Zuordnung der Produktgruppen geht verloren.`}
                lastResult={replyFor(`delete-lot-${lot.id}`, reply)}
              />
            )}
          </section>
        ) : (
          <section key={lot.id} className="mb-4">
            <h3 className="text-xl font-bold">
              Los {lot.code}: {lot.name} <AwardedBadge awarded={awarded.has(lot.code)} />
            </h3>
            <p>
              {lot.categories.map((c) => `${data.categoryNames[c] ?? c} (${c})`).join(", ") ||
                "keine Produktgruppen"}
            </p>
          </section>
        ),
      )}
      {canEdit ? (
        <section
          className="mb-6 border-2 border-dashed border-line p-4"
          aria-labelledby="new-lot-heading"
        >
          <h3 id="new-lot-heading" className="mb-3 text-xl font-bold">
            Neues Los
          </h3>
          <LotForm
            key={`new-lot-${version}`}
            lot={{ code: "", name: "", categories: [] }}
            choices={data.choices}
            lastResult={replyFor("new-lot", reply)}
          />
        </section>
      ) : null}

      <SectionHeading id="gemeinkosten">Gemeinkosten</SectionHeading>
      {data.costs.length === 0 ? <p className="mb-4 text-lg">Keine Gemeinkosten erfasst.</p> : null}
      {data.costs.map((cost) =>
        canEdit ? (
          <section
            key={cost.id}
            className="mb-6 border-2 border-line p-4"
            aria-labelledby={`cost-${cost.id}-heading`}
          >
            <h3 id={`cost-${cost.id}-heading`} className="mb-3 text-xl font-bold">
              {cost.label}
            </h3>
            <CostForm
              key={`cost-${cost.id}-${version}`}
              cost={cost.defaults}
              participants={data.participants}
              lastResult={replyFor(`cost-${cost.id}`, reply)}
            />
            <ActionButtonForm
              formId={`delete-cost-${cost.id}`}
              intent="delete-cost"
              hidden={{ costId: cost.id }}
              label={`Kostenposten „${cost.label}“ löschen`}
              confirmQuestion={`Kostenposten „${cost.label}“ (${cost.amount}) wirklich löschen?`}
              lastResult={replyFor(`delete-cost-${cost.id}`, reply)}
            />
          </section>
        ) : (
          <section key={cost.id} className="mb-4">
            <h3 className="text-xl font-bold">{cost.label}</h3>
            <p>
              {cost.amount}, Schlüssel: {cost.keyLabel}
              {cost.weightsText.length ? ` (${cost.weightsText.join("; ")})` : ""}
            </p>
          </section>
        ),
      )}
      {canEdit ? (
        <>
          <section
            className="mb-6 border-2 border-dashed border-line p-4"
            aria-labelledby="new-cost-heading"
          >
            <h3 id="new-cost-heading" className="mb-3 text-xl font-bold">
              Neuer Kostenposten
            </h3>
            <CostForm
              key={`new-cost-${version}`}
              cost={{
                label: "",
                amountGross: "",
                key: "",
                weights: data.participants.map((p) => ({ partner: p.code, weight: "" })),
              }}
              participants={data.participants}
              lastResult={replyFor("new-cost", reply)}
            />
          </section>
          <SectionHeading id="loeschen">Ausschreibung löschen</SectionHeading>
          <ActionButtonForm
            formId="delete-tender"
            intent="delete-tender"
            hidden={{}}
            label={`Ausschreibung ${tender.code} löschen`}
            confirmLabel="Ja, diese Ausschreibung mit allen Losen und Gemeinkosten löschen."
            lastResult={replyFor("delete-tender", reply)}
          />
        </>
      ) : null}
    </>
  );
}
