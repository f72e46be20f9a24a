// /categories — categories (Produktgruppen) with base price, VAT rate, unit and
// volume tiers. The coordinator edits; finance and committee read.
import {
  json,
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import {
  createCategory,
  deleteCategory,
  listCategoriesForEditing,
  updateCategory,
  type CategoryInput,
} from "../../db/categories";
import {
  centsToGermanInput,
  decimalToGermanInput,
  fractionToGermanPercentInput,
} from "../../domain/german-input";
import { formatEuro } from "../../domain/money";
import {
  categoryCodeSchema,
  categorySchema,
  type CategoryFormValues,
} from "../../domain/tender-form";
import { CategoryForm } from "~/components/tender-category-form";
import { awardedCategoryPlaces, categoryPriceFrozenMessage } from "../../db/awards";
import { handleForm } from "~/components/tender-actions.server";
import { ActionButtonForm, replyFor, type FormReply } from "~/components/tender-forms";
import { Notice, PageHeading, RowTh, SectionHeading, Table, Td, Th } from "~/components/ui";
import { requireRole } from "~/utils/auth.server";
import { getDb } from "~/utils/db.server";
import { formatInteger, formatPercent } from "~/utils/format";
import { useUnsavedChangesPrompt } from "~/components/unsaved-changes";

export const meta: MetaFunction = () => [{ title: "Produktgruppen – Verbundkauf" }];

const NOTICES: Record<string, string> = {
  created: "Die Produktgruppe wurde angelegt.",
  saved: "Die Produktgruppe wurde gespeichert.",
  deleted: "Die Produktgruppe wurde gelöscht.",
};

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireRole(request, "coordinator", "finance", "committee");
  const db = await getDb();
  const categories = await listCategoriesForEditing(db);
  const awardedIn = await awardedCategoryPlaces(db);
  return json({
    canEdit: user.role === "coordinator",
    categories: categories.map((c) => ({
      code: c.code,
      name: c.name,
      unit: c.unit ?? "",
      basePrice: formatEuro(BigInt(c.basePriceNetCents)),
      vatRate: formatPercent(c.vatRate),
      serviceLifeYears: c.serviceLifeYears,
      supportUnits: decimalToGermanInput(c.supportUnits),
      tiersText: c.tiers.map(
        (t) => `ab ${formatInteger(t.minQuantity)}: −${formatPercent(t.discount)}`,
      ),
      usage: [
        ...c.lots.map((l) => `Los ${l}`),
        ...(c.demandLines ? [`${formatInteger(c.demandLines)} Bedarfsmeldungen`] : []),
      ],
      /** Why price and tiers cannot change (the category is in an awarded lot). */
      priceLocked: awardedIn[c.code]?.length ? categoryPriceFrozenMessage(awardedIn[c.code]) : null,
      defaults: {
        originalCode: c.code,
        code: c.code,
        name: c.name,
        unit: c.unit ?? "",
        basePriceNet: centsToGermanInput(c.basePriceNetCents),
        vatPercent: fractionToGermanPercentInput(c.vatRate),
        serviceLifeYears: String(c.serviceLifeYears),
        supportUnits: decimalToGermanInput(c.supportUnits),
        tiers: c.tiers.map((t) => ({
          minQuantity: String(t.minQuantity),
          discountPercent: fractionToGermanPercentInput(t.discount),
        })),
      },
    })),
  });
}

function toInput(v: CategoryFormValues): CategoryInput {
  return {
    code: v.code,
    name: v.name,
    unit: v.unit,
    basePriceNetCents: v.basePriceNet,
    vatRate: v.vatPercent,
    tiers: v.tiers.map((t) => ({ minQuantity: t.minQuantity, discount: t.discountPercent })),
    serviceLifeYears: v.serviceLifeYears,
    supportUnits: v.supportUnits,
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireRole(request, "coordinator");
  const db = await getDb();
  const formData = await request.formData();
  const originalCode = String(formData.get("originalCode") ?? "");
  switch (String(formData.get("intent") ?? "")) {
    case "add-category":
      return handleForm("new-category", categorySchema, formData, async (v) => {
        await createCategory(db, toInput(v), user.id);
        return redirect("/categories?notice=created");
      });
    case "update-category":
      return handleForm(`category-${originalCode}`, categorySchema, formData, async (v) => {
        await updateCategory(db, originalCode, toInput(v), user.id);
        return redirect("/categories?notice=saved");
      });
    case "delete-category":
      return handleForm(
        `delete-category-${String(formData.get("code") ?? "")}`,
        categoryCodeSchema,
        formData,
        async ({ code }) => {
          await deleteCategory(db, code, user.id);
          return redirect("/categories?notice=deleted");
        },
      );
    default:
      return json({ error: "Unbekannte Aktion." }, { status: 400 });
  }
}

export default function CategoriesPage() {
  useUnsavedChangesPrompt();
  const { canEdit, categories } = useLoaderData<typeof loader>();
  const reply = useActionData<typeof action>() as FormReply | undefined;
  const [searchParams] = useSearchParams();
  const notice = NOTICES[searchParams.get("notice") ?? ""];
  const version = JSON.stringify(categories.map((c) => c.defaults));
  return (
    <>
      <p className="mb-2">
        <Link to="/tenders">Ausschreibungen</Link>
      </p>
      <PageHeading>Produktgruppen und Staffeln</PageHeading>
      {notice ? <Notice>{notice}</Notice> : null}
      <Table caption="Übersicht" className="mb-8">
        <thead>
          <tr>
            <Th>Produktgruppe</Th>
            <Th>Einheit</Th>
            <Th numeric>Grundpreis (netto)</Th>
            <Th numeric>USt.</Th>
            <Th>Staffeln</Th>
            <Th numeric>Nutzungsdauer</Th>
            <Th numeric>Support-Einheiten je Gerät</Th>
            <Th>Verwendet in</Th>
          </tr>
        </thead>
        <tbody>
          {categories.map((c) => (
            <tr key={c.code} data-category={c.code}>
              <RowTh>
                {c.name} <span className="text-muted">({c.code})</span>
              </RowTh>
              <Td>{c.unit || "–"}</Td>
              <Td numeric>{c.basePrice}</Td>
              <Td numeric>{c.vatRate}</Td>
              <Td>{c.tiersText.join("; ") || "keine"}</Td>
              <Td numeric>{c.serviceLifeYears} Jahre</Td>
              <Td numeric>{c.supportUnits}</Td>
              <Td>{c.usage.join(", ") || "–"}</Td>
            </tr>
          ))}
        </tbody>
      </Table>
      {canEdit ? (
        <>
          {categories.map((c) => (
            <section
              key={c.code}
              className="mb-6 border-2 border-line p-4"
              aria-labelledby={`category-${c.code}-heading`}
            >
              <SectionHeading id={`category-${c.code}-heading`}>
                {c.name} ({c.code})
              </SectionHeading>
              <CategoryForm
                key={`${c.code}-${version}`}
                category={c.defaults}
                lastResult={replyFor(`category-${c.code}`, reply)}
                priceLocked={c.priceLocked ?? undefined}
              />
              <ActionButtonForm
                formId={`delete-category-${c.code}`}
                intent="delete-category"
                hidden={{ code: c.code }}
                label={`Produktgruppe ${c.code} löschen`}
                lastResult={replyFor(`delete-category-${c.code}`, reply)}
              />
            </section>
          ))}
          <section
            className="mb-6 border-2 border-dashed border-line p-4"
            aria-labelledby="new-category-heading"
          >
            <SectionHeading id="new-category-heading">Neue Produktgruppe</SectionHeading>
            <CategoryForm
              key={`new-${version}`}
              category={{
                code: "",
                name: "",
                unit: "Stück",
                basePriceNet: "",
                vatPercent: "19",
                tiers: [],
                serviceLifeYears: "5",
                supportUnits: "1",
              }}
              lastResult={replyFor("new-category", reply)}
            />
          </section>
        </>
      ) : null}
    </>
  );
}
