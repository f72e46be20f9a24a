// Funding in a real browser: the coordinator creates a programme with budgets computed
// from a formula (and one edited), the Dülmen officer sees the own Eigenanteil on the
// tender page and only the own row on /funding, finance downloads the workbook with
// the sheet Förderung. Figures are compared with the engine's, not hard-coded.
import ExcelJS from "exceljs";
import fs from "node:fs";
import { calculateCurrentPlan } from "../../db/tenders";
import { formatEuro } from "../../domain/money";
import { browserTestsEnabled, launchBrowser, setupBrowserApp } from "../helpers/browser";

const COORDINATOR = "koordination@kreis-coesfeld.example";
const FINANCE = "finanzen@kreis-coesfeld.example";
const OFFICER_DUE = "beschaffung@duelmen.example";
const TENDER_PAGE = "/tenders/RV-2027";

describe.skipIf(!browserTestsEnabled())("funding in the browser", () => {
  const { app, signIn, withDatabase } = setupBrowserApp({
    launch: { acceptDownloads: true },
    // The demo brings its own programmes; this story starts without any.
    prepare: async (db) => {
      await db.deleteFrom("funding_programmes").execute();
    },
  });

  it("the coordinator creates a programme with budgets from a formula, edited before saving", async () => {
    const page = await signIn(COORDINATOR);
    await page.getByRole("link", { name: "Förderung", exact: true }).click();
    await page.getByRole("heading", { name: "Förderprogramme", level: 1 }).waitFor();
    await page.getByRole("link", { name: "Neues Förderprogramm anlegen" }).click();
    await page.getByLabel("Kürzel").fill("DP2");
    await page.getByLabel("Bezeichnung").fill("DigitalPakt Schule 2.0");
    await page.getByLabel("Fördersatz").fill("90 %");
    await page.getByLabel("Förderfähig ab Jahr").fill("2027");
    await page.getByLabel("Förderfähig bis Jahr").fill("2029");
    await page.getByLabel("Schüler-Notebook (NB-SUS)").check();
    await page.getByLabel("Berechnungsart").selectOption("perPupil");
    await page.getByLabel("Betrag für die Formel").fill("35");
    await page.getByRole("button", { name: "Budgets berechnen" }).click();
    await page.getByText("Die Budgets wurden berechnet.").waitFor();
    // The typed fields came back; the budgets are filled and editable.
    expect(await page.getByLabel("Kürzel").inputValue()).toBe("DP2");
    expect(await page.getByLabel("Schüler-Notebook (NB-SUS)").isChecked()).toBe(true);
    const krs = page.getByLabel("Budget Kreis Coesfeld (KRS)");
    expect(await krs.inputValue()).toMatch(/^\d{1,3}(\.\d{3})*,\d{2}$/);
    await page.getByLabel("Budget Stadt Dülmen (DUE)").fill("20.000,00");
    await page.getByRole("button", { name: "Förderprogramm anlegen" }).click();
    await page.getByText("Das Förderprogramm wurde angelegt.").waitFor();
    const row = page.locator('[data-programme="DP2"] tr[data-partner="DUE"]');
    await expect(row.textContent()).resolves.toContain("20.000,00 €");
    await page.close();
  });

  it("the officer sees the own Eigenanteil on the tender page and only the own row on /funding", async () => {
    const expected = await withDatabase(async (db) => {
      const current = await calculateCurrentPlan(db);
      if (!current.ok) throw new Error("plan invalid");
      const tender = current.calculation.tenders.find((t) => t.code === "RV-2027")!;
      return tender.partners.find((p) => p.code === "DUE")!;
    });
    expect(expected.fundingGross, "the stored programme funds Dülmen").toBeGreaterThan(0n);
    const page = await signIn(OFFICER_DUE);
    await page.goto(`${app.url}${TENDER_PAGE}`);
    const row = page.locator('tr[data-partner="DUE"]');
    expect(await row.locator('[data-field="fundingGross"]').textContent()).toBe(
      formatEuro(expected.fundingGross),
    );
    expect(await row.locator('[data-field="ownGross"]').textContent()).toBe(
      formatEuro(expected.ownGross),
    );
    await page.getByRole("link", { name: "Förderung", exact: true }).click();
    await page.getByRole("heading", { name: /DigitalPakt Schule 2\.0/ }).waitFor();
    const partnerRows = page.locator('[data-programme="DP2"] tbody tr');
    await expect.poll(() => partnerRows.count()).toBe(1);
    expect(await partnerRows.first().getAttribute("data-partner")).toBe("DUE");
    expect(await page.getByRole("link", { name: /bearbeiten/ }).count()).toBe(0);
    await page.close();
  });

  it("finance downloads the workbook with the sheet Förderung", async () => {
    const page = await signIn(FINANCE);
    await page.goto(`${app.url}${TENDER_PAGE}`);
    const [file] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Kostenaufteilung (Excel)", exact: true }).click(),
    ]);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(fs.readFileSync((await file.path())!) as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet("Förderung");
    expect(sheet).toBeDefined();
    const partners: unknown[] = [];
    sheet!.eachRow((row, n) => {
      if (n > 2 && typeof row.getCell(1).value === "string") partners.push(row.getCell(1).value);
    });
    expect(partners).toContain("DUE");
    await page.close();
  });

  it("works without JavaScript: budgets are computed by a round trip, errors show at the field, delete asks first", async () => {
    const withoutScripts = await launchBrowser({ javaScriptEnabled: false });
    const page = await signIn(COORDINATOR, withoutScripts);
    await page.goto(`${app.url}/funding/new`);
    await page.getByLabel("Kürzel").fill("MED");
    await page.getByLabel("Bezeichnung").fill("Medienprogramm");
    await page.getByLabel("Fördersatz").fill("0,5");
    await page.getByLabel("Förderfähig ab Jahr").fill("2030");
    await page.getByLabel("Förderfähig bis Jahr").fill("2029");
    await page.getByLabel("Dokumentenkamera (DOKU)").check();
    await page.getByLabel("Berechnungsart").selectOption("fixed");
    await page.getByLabel("Betrag für die Formel").fill("1.500");
    await page.getByRole("button", { name: "Budgets berechnen" }).click();
    await page.getByText("Die Budgets wurden berechnet.").waitFor();
    expect(await page.getByLabel("Budget Stadt Dülmen (DUE)").inputValue()).toBe("1.500,00");
    expect(await page.getByLabel("Dokumentenkamera (DOKU)").isChecked()).toBe(true);
    await page.getByRole("button", { name: "Förderprogramm anlegen" }).click();
    await page.waitForLoadState("load");
    // The server's answer: the message next to the field.
    const toYear = page.getByLabel("Förderfähig bis Jahr");
    expect(await toYear.getAttribute("aria-invalid")).toBe("true");
    expect(await page.getByRole("form", { name: "Neues Förderprogramm" }).innerText()).toContain(
      "Das letzte Jahr darf nicht vor dem ersten liegen.",
    );
    await toYear.fill("2031");
    await page.getByRole("button", { name: "Förderprogramm anlegen" }).click();
    await page.waitForURL(/notice=created/);
    expect(
      await page.locator('[data-programme="MED"] tr[data-partner="DUE"]').innerText(),
    ).toContain("1.500,00 €");

    await page.getByRole("link", { name: "Förderprogramm MED bearbeiten" }).click();
    await page.getByRole("button", { name: "Förderprogramm MED löschen" }).click();
    await page.getByRole("heading", { name: "Förderprogramm MED wirklich löschen?" }).waitFor();
    expect(
      await withDatabase((db) =>
        db.selectFrom("funding_programmes").select("code").where("code", "=", "MED").execute(),
      ),
    ).toHaveLength(1);
    await page.getByRole("button", { name: "Ja, Förderprogramm MED löschen" }).click();
    await page.waitForURL(/notice=deleted/);
    expect(await page.locator('[data-programme="MED"]').count()).toBe(0);
    await withoutScripts.close();
  });
});
