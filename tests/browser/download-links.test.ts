// Download links in a real browser: finance finds the cost-split workbook on the tender
// page and the demand exports on its start page, and downloads them; an officer sees
// neither the workbook nor the award link; the summary's link stays off paper.
import type { Page } from "playwright-core";
import { DEMO_PASSWORD } from "../../db/demo";
import { startAppServer, type AppServer } from "../helpers/app-server";
import { browserTestsEnabled, launchBrowser, type LaunchedBrowser } from "../helpers/browser";

const FINANCE = "finanzen@kreis-coesfeld.example";
const COMMITTEE = "ausschuss@kreis-coesfeld.example";
const OFFICER_DUE = "beschaffung@duelmen.example";
const TENDER_PAGE = "/tenders/RV-2027";

describe.skipIf(!browserTestsEnabled())("download links in the browser", () => {
  let app: AppServer;
  let browser: LaunchedBrowser;

  beforeAll(async () => {
    app = await startAppServer();
    browser = await launchBrowser({ acceptDownloads: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  async function signedIn(email: string): Promise<Page> {
    await browser.context.clearCookies();
    const page = await browser.context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${app.url}/login`);
    await page.getByLabel("E-Mail").fill(email);
    await page.getByLabel("Passwort").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "Anmelden" }).click();
    await page.waitForURL(`${app.url}/`);
    return page;
  }

  async function download(page: Page, linkName: string): Promise<string> {
    const [file] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: linkName, exact: true }).click()]);
    expect(await file.failure()).toBeNull();
    return file.suggestedFilename();
  }

  it("finance downloads the demand exports from its start page and the workbook from the tender page", async () => {
    const page = await signedIn(FINANCE);
    expect(await download(page, "Alle Bedarfe als Excel")).toMatch(/^Bedarfsmeldungen-.*\.xlsx$/);
    expect(await download(page, "als CSV")).toMatch(/^Bedarfsmeldungen-.*\.csv$/);
    await page.goto(`${app.url}${TENDER_PAGE}`);
    expect(await page.getByRole("link", { name: "Zuschlag", exact: true }).count()).toBe(1);
    expect(await download(page, "Kostenaufteilung (Excel)")).toBe("Kostenaufteilung-RV-2027.xlsx");
    await page.close();
  });

  it("an officer sees neither the workbook nor the award link", async () => {
    const page = await signedIn(OFFICER_DUE);
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
    const page = await signedIn(COMMITTEE);
    await page.goto(`${app.url}${TENDER_PAGE}/summary`);
    const link = page.getByRole("link", { name: "Kostenaufteilung (Excel)" });
    expect(await link.getAttribute("href")).toBe("/tenders/RV-2027/cost-split.xlsx");
    expect(await link.isVisible()).toBe(true);
    await page.emulateMedia({ media: "print" });
    expect(await link.isVisible()).toBe(false);
    await page.close();
  });
});
