// Download links in a real browser: finance finds the cost-split workbook on the tender
// page and the demand exports on its start page, and downloads them; an officer sees
// neither the workbook nor the award link; the summary's link stays off paper.
import type { Page } from "playwright-core";
import { browserTestsEnabled, setupBrowserApp } from "../helpers/browser";

const FINANCE = "finanzen@kreis-coesfeld.example";
const COMMITTEE = "ausschuss@kreis-coesfeld.example";
const OFFICER_DUE = "beschaffung@duelmen.example";
const TENDER_PAGE = "/tenders/RV-2027";

describe.skipIf(!browserTestsEnabled())("download links in the browser", () => {
  const { app, signIn } = setupBrowserApp({ launch: { acceptDownloads: true } });

  async function download(page: Page, linkName: string): Promise<string> {
    const [file] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: linkName, exact: true }).click(),
    ]);
    expect(await file.failure()).toBeNull();
    return file.suggestedFilename();
  }

  it("finance downloads the demand exports from its start page and the workbook from the tender page", async () => {
    const page = await signIn(FINANCE);
    expect(await download(page, "Alle Bedarfe als Excel")).toMatch(/^Bedarfsmeldungen-.*\.xlsx$/);
    expect(await download(page, "als CSV")).toMatch(/^Bedarfsmeldungen-.*\.csv$/);
    await page.goto(`${app.url}${TENDER_PAGE}`);
    expect(await page.getByRole("link", { name: "Zuschlag", exact: true }).count()).toBe(1);
    expect(await download(page, "Kostenaufteilung (Excel)")).toBe("Kostenaufteilung-RV-2027.xlsx");
    await page.close();
  });

  it("an officer sees neither the workbook nor the award link", async () => {
    const page = await signIn(OFFICER_DUE);
    expect(await page.getByRole("link", { name: "Alle Bedarfe als Excel" }).count()).toBe(0);
    await page.goto(`${app.url}${TENDER_PAGE}`);
    await page.getByRole("link", { name: "Abrufe", exact: true }).waitFor();
    expect(await page.getByRole("link", { name: "Zuschlag", exact: true }).count()).toBe(0);
    expect(await page.getByRole("link", { name: "Kostenaufteilung (Excel)" }).count()).toBe(0);
    await page.goto(`${app.url}${TENDER_PAGE}/summary`);
    await page.getByRole("heading", { level: 1 }).waitFor();
    expect(await page.getByRole("link", { name: "Kostenaufteilung (Excel)" }).count()).toBe(0);
    await page.close();
  });

  it("the committee's summary links the workbook on screen, not on paper", async () => {
    const page = await signIn(COMMITTEE);
    await page.goto(`${app.url}${TENDER_PAGE}/summary`);
    const link = page.getByRole("link", { name: "Kostenaufteilung (Excel)" });
    expect(await link.getAttribute("href")).toBe("/tenders/RV-2027/cost-split.xlsx");
    expect(await link.isVisible()).toBe(true);
    await page.emulateMedia({ media: "print" });
    expect(await link.isVisible()).toBe(false);
    await page.close();
  });
});
