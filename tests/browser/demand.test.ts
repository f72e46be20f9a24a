// Demand collection in a real browser: entering demand like in a spreadsheet, saving
// in place, submitting, the Excel round trip with a bad and a good file, and saving
// without JavaScript.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import ExcelJS from "exceljs";
import type { Locator, Page } from "playwright-core";
import { DEMO_PLAN } from "../../db/demo";
import { addLot, createTender } from "../../db/tenders";
import { DATA_SHEET, LAYOUT } from "../../exports/demand-template";
import { browserTestsEnabled, launchBrowser, setupBrowserApp } from "../helpers/browser";

const schoolName = (code: string) => DEMO_PLAN.schools!.find((s) => s.code === code)!.name;
const categoryName = (code: string) => DEMO_PLAN.categories.find((c) => c.code === code)!.name;
const cellLabel = (category: string, year: number, school: string) =>
  `${categoryName(category)} ${year}, ${schoolName(school)}`;

describe.skipIf(!browserTestsEnabled())("demand collection in the browser", () => {
  const { app, signIn, withDatabase } = setupBrowserApp({ pageTimeout: 30_000 });
  // The edited workbooks go to a folder of this run's own: another run of this file on
  // the same machine (or another session) must not overwrite them before the upload.
  let scratch = "";
  beforeAll(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "verbundkauf-demand-"));
  });
  afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

  const grid = (page: Page, school: string): Locator => page.locator(`#grid-${school}`);

  it("enter demand like in a spreadsheet, save in place, then submit", async () => {
    const page = await signIn("beschaffung@coesfeld.example");
    await page.goto(`${app.url}/demand/COE`);
    await page.evaluate(() => ((window as unknown as { marker: string }).marker = "no reload"));
    const school = "COE-02";
    const first = page.getByLabel(cellLabel("NB-SUS", 2027, school), { exact: true });
    await first.fill("12");
    expect(await first.getAttribute("data-changed")).toBe("true");
    await containsText(
      grid(page, school).getByRole("status"),
      "Ungespeicherte Änderungen (1 Wert)",
    );

    // Enter moves down to the next category in the same year, Shift+Enter back up.
    await first.press("Enter");
    const below = page.getByLabel(cellLabel("NB-LK", 2027, school), { exact: true });
    expect(await below.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.type("-1");
    expect(await below.getAttribute("aria-invalid")).toBe("true");
    const describedBy = await below.getAttribute("aria-describedby");
    expect(await page.locator(`#${describedBy}`).innerText()).toContain("Keine negativen Mengen");
    await page.keyboard.press("Shift+Enter");
    expect(await first.evaluate((el) => el === document.activeElement)).toBe(true);
    // Tab moves right to the next year.
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.getAttribute("name"))).toBe(
      "qty.2028.NB-SUS",
    );

    // Saving with an invalid cell is blocked on the client; fix it, then save.
    await below.fill("7");
    expect(await below.getAttribute("aria-invalid")).toBeNull();
    await grid(page, school)
      .getByRole("button", { name: /^Speichern/ })
      .click();
    await containsText(
      grid(page, school).getByRole("status"),
      /Gespeichert: 2 Werte, \d\d:\d\d Uhr/,
    );
    expect(await page.evaluate(() => (window as unknown as { marker?: string }).marker)).toBe(
      "no reload",
    );
    expect(await first.getAttribute("data-changed")).toBeNull();
    // The totals follow the values.
    expect(await grid(page, school).getByTestId("year-total-2027").innerText()).toMatch(/\d/);

    await page.screenshot({ path: "/tmp/verbundkauf-demand-editor.png" });
    // The saved values survive a reload.
    await page.reload();
    expect(
      await page.getByLabel(cellLabel("NB-SUS", 2027, school), { exact: true }).inputValue(),
    ).toBe("12");
    expect(
      await page.getByLabel(cellLabel("NB-LK", 2027, school), { exact: true }).inputValue(),
    ).toBe("7");

    // Submit: status changes and the grids become read-only.
    // Submitting asks first (it locks the demand).
    page.once("dialog", (dialog) => void dialog.accept());
    await page.getByRole("button", { name: "Bedarf RV-2027 einreichen" }).click();
    await containsText(page.getByTestId("demand-status"), "Eingereicht");
    await containsText(page.getByTestId("lock-reason"), "eingereicht");
    expect(await page.getByLabel(cellLabel("NB-SUS", 2027, school), { exact: true }).count()).toBe(
      0,
    );

    // The history shows the change with user, cell and old → new.
    await page.getByRole("link", { name: "Verlauf der Änderungen" }).click();
    await page.waitForURL(`${app.url}/demand/COE/history`);
    const history = await page.getByTestId("history-rows").innerText();
    expect(history).toContain("Beschaffung Coesfeld");
    expect(history).toContain(`${schoolName(school)} – ${categoryName("NB-SUS")} 2027`);
    expect(history).toContain("Eingereicht");
    await page.close();
  }, 120_000);

  it("upload an edited template: a bad cell gives errors and no change, a good one a preview and then the change", async () => {
    const page = await signIn("beschaffung@duelmen.example");
    await page.goto(`${app.url}/demand/DUE`);
    const cell = page.getByLabel(cellLabel("NB-SUS", 2027, "DUE-01"), { exact: true });
    const before = await cell.inputValue();
    const downloading = page.waitForEvent("download");
    await page.getByRole("link", { name: "Excel-Vorlage herunterladen" }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toMatch(/^Bedarf-DUE-\d{4}-\d\d-\d\d\.xlsx$/);
    const original = fs.readFileSync((await download.path())!);

    const write = async (
      file: string,
      cells: [row: number, yearIndex: number, value: ExcelJS.CellValue][],
    ) => {
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(original as unknown as ArrayBuffer);
      for (const [row, i, value] of cells)
        wb.getWorksheet(DATA_SHEET)!.getCell(row, LAYOUT.firstYearColumn + i).value = value;
      await wb.xlsx.writeFile(file);
    };
    // Row 5: DUE-01, Schüler-Notebook; column D = 2027.
    const bad = path.join(scratch, "due-bad.xlsx");
    const good = path.join(scratch, "due-good.xlsx");
    await write(bad, [
      [5, 0, 444],
      [9, 1, 3.5],
    ]);
    await write(good, [[5, 0, 444]]);

    await page.getByLabel(/Ausgefüllte Vorlage/).setInputFiles(bad);
    await page.getByRole("button", { name: "Hochladen und prüfen" }).click();
    const errors = page.getByTestId("import-errors");
    await containsText(errors, "es wurde nichts geändert");
    await containsText(errors, "G9");
    await containsText(errors, "Nachkommastellen");
    await page.goto(`${app.url}/demand/DUE`);
    expect(await cell.inputValue()).toBe(before);

    await page.getByLabel(/Ausgefüllte Vorlage/).setInputFiles(good);
    await page.getByRole("button", { name: "Hochladen und prüfen" }).click();
    await page.waitForURL(/\/demand\/DUE\/import\?id=/);
    await containsText(page.getByTestId("import-change-count"), "1 Änderung");
    const preview = await page.getByTestId("import-preview").innerText();
    expect(preview).toContain(schoolName("DUE-01"));
    expect(preview).toContain("444");
    await page.getByRole("button", { name: "Änderungen übernehmen" }).click();
    await page.waitForURL(`${app.url}/demand/DUE?importiert=1`);
    await containsText(
      page.getByRole("status").first(),
      "Excel-Import übernommen: 1 Wert geändert.",
    );
    expect(await cell.inputValue()).toBe("444");
    await page.close();
  }, 120_000);

  it("saves a grid without JavaScript, and reports a conflict instead of overwriting", async () => {
    const noScript = await launchBrowser({ javaScriptEnabled: false });
    try {
      const page = await signIn("beschaffung@senden.example", noScript);
      await page.goto(`${app.url}/demand/SEN`);
      const second = await noScript.context.newPage();
      await second.goto(`${app.url}/demand/SEN`);

      const label = cellLabel("TAB", 2029, "SEN-01");
      await page.getByLabel(label, { exact: true }).fill("31");
      await grid(page, "SEN-01")
        .getByRole("button", { name: /^Speichern/ })
        .click();
      await containsText(grid(page, "SEN-01").getByRole("status"), "Gespeichert: 1 Wert");
      expect(await page.getByLabel(label, { exact: true }).inputValue()).toBe("31");

      // The second tab still holds the old version of the grid.
      await second.getByLabel(label, { exact: true }).fill("29");
      await grid(second, "SEN-01")
        .getByRole("button", { name: /^Speichern/ })
        .click();
      const alert = grid(second, "SEN-01").getByRole("alert");
      await containsText(alert, "Nicht gespeichert");
      await containsText(alert, `${categoryName("TAB")} 2029`);
      expect(await second.getByLabel(label, { exact: true }).inputValue()).toBe("29");
      await page.goto(`${app.url}/demand/SEN`); // not reload(): that would post the form again
      expect(await page.getByLabel(label, { exact: true }).inputValue()).toBe("31");

      // Having seen the conflict, the user saves their value on purpose.
      await grid(second, "SEN-01")
        .getByRole("button", { name: "Meine Werte trotzdem speichern" })
        .click();
      await containsText(grid(second, "SEN-01").getByRole("status"), "Gespeichert: 1 Wert");
      await page.goto(`${app.url}/demand/SEN`);
      expect(await page.getByLabel(label, { exact: true }).inputValue()).toBe("29");
    } finally {
      await noScript.close();
    }
  }, 120_000);

  it("two rounds: submitting RV-2027 locks its cells only, RV-2031 stays open", async () => {
    await withDatabase(async (db) => {
      await createTender(
        db,
        {
          code: "RV-2031",
          name: "Tablets 2031",
          startYear: 2031,
          termYears: 2,
          reserve: "0.1",
          soloProcessCostGrossCents: 0n,
        },
        null,
      );
      await addLot(db, "RV-2031", { code: "L1", name: "Tablets", categories: ["TAB"] }, null);
    });
    const page = await signIn("beschaffung@olfen.example");
    await page.goto(`${app.url}/demand/OLF`);
    const nav = page.getByRole("navigation", { name: "Bedarfsrunden" });
    await containsText(nav, "RV-2031");
    await containsText(page.getByTestId("demand-round"), "RV-2027");
    page.once("dialog", (dialog) => void dialog.accept()); // submitting asks first
    await page.getByRole("button", { name: "Bedarf RV-2027 einreichen" }).click();
    await containsText(page.getByTestId("demand-status"), "Eingereicht");
    await containsText(page.getByTestId("lock-reason"), "RV-2027");

    const school = "OLF-01";
    // RV-2027's cells are shown but locked; RV-2031's stay inputs.
    expect(await page.getByLabel(cellLabel("TAB", 2028, school), { exact: true }).count()).toBe(0);
    expect(await grid(page, school).locator('td[data-locked="true"]').count()).toBeGreaterThan(0);
    const open = page.getByLabel(cellLabel("TAB", 2031, school), { exact: true });
    await open.fill("5");
    await grid(page, school)
      .getByRole("button", { name: /^Speichern/ })
      .click();
    await containsText(grid(page, school).getByRole("status"), "Gespeichert: 1 Wert");

    await nav.getByRole("link", { name: /RV-2031/ }).click();
    await page.waitForURL(`${app.url}/demand/OLF?round=RV-2031`);
    await containsText(page.getByTestId("demand-status"), "Entwurf");
    expect(await page.getByRole("button", { name: "Bedarf RV-2031 einreichen" }).count()).toBe(1);
    // The totals are RV-2031's only: the 5 tablets, nothing of RV-2027.
    await containsText(page.getByTestId("demand-totals"), "Bedarfsrunde RV-2031");
    expect(await page.getByTestId("demand-totals-total").innerText()).toBe("5");
    await page.screenshot({ path: "/tmp/verbundkauf-demand-rounds.png", fullPage: false });
    await page.close();

    // The coordinator: one table per round on the start page, a deadline for RV-2031 only.
    const coordinator = await signIn("koordination@kreis-coesfeld.example");
    await coordinator.goto(`${app.url}/`);
    const olfen2031 = coordinator.locator('[data-round="RV-2031"] [data-partner="OLF"]');
    await containsText(olfen2031, "Entwurf");
    expect(await olfen2031.locator("td").nth(2).innerText()).toBe("5");
    await containsText(
      coordinator.locator('[data-round="RV-2027"] [data-partner="OLF"]'),
      "Eingereicht",
    );
    await coordinator.goto(`${app.url}/demand?round=RV-2031`);
    await coordinator.getByLabel(/Frist der Bedarfsrunde RV-2031/).fill("2099-03-31T18:00");
    await coordinator.getByRole("button", { name: "Frist speichern" }).click();
    await containsText(coordinator.getByTestId("overview-deadline"), "31.03.2099, 18:00 Uhr");
    await coordinator.goto(`${app.url}/demand?round=RV-2027`);
    await containsText(coordinator.getByTestId("overview-deadline"), "Keine Frist gesetzt");
    await coordinator.screenshot({ path: "/tmp/verbundkauf-demand-overview-rounds.png" });
    await coordinator.close();
  }, 120_000);
});

/** Waits until the locator's text contains `text` (vitest's expect does not wait). */
async function containsText(locator: Locator, text: string | RegExp) {
  await locator.first().waitFor();
  const deadline = Date.now() + 30_000;
  for (;;) {
    const content = await locator.first().innerText();
    if (typeof text === "string" ? content.includes(text) : text.test(content)) return;
    if (Date.now() > deadline) throw new Error(`Expected "${content}" to contain ${String(text)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
