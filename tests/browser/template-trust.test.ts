// The Excel template must never silently lose or corrupt what users typed: an old file
// uploaded after someone else changed a value shows that value as a conflict (skipped
// unless ticked), rows are read by their codes however they were sorted, and a file with
// an inserted row is refused naming the row.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import ExcelJS from "exceljs";
import type { Locator, Page } from "playwright-core";
import { DEMO_PLAN } from "../../db/demo";
import { DATA_SHEET, LAYOUT } from "../../exports/demand-template";
import { INVENTORY_SHEET } from "../../exports/inventory-template";
import { browserTestsEnabled, resultPath, setupBrowserApp } from "../helpers/browser";

const schoolName = (code: string) => DEMO_PLAN.schools!.find((s) => s.code === code)!.name;
const categoryName = (code: string) => DEMO_PLAN.categories.find((c) => c.code === code)!.name;
const cellLabel = (category: string, year: number, school: string) =>
  `${categoryName(category)} ${year}, ${schoolName(school)}`;

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

async function downloadTemplate(page: Page, url: string): Promise<Buffer> {
  await page.goto(url);
  const downloading = page.waitForEvent("download");
  await page.getByRole("link", { name: "Excel-Vorlage herunterladen" }).click();
  return fs.readFileSync((await (await downloading).path())!);
}

/** Opens the template, lets `edit` change the data sheet, writes it to `file`. */
async function editTemplate(
  original: Buffer,
  file: string,
  edit: (sheet: ExcelJS.Worksheet) => void,
  sheetName = DATA_SHEET,
): Promise<string> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(original as unknown as ArrayBuffer);
  edit(wb.getWorksheet(sheetName)!);
  await wb.xlsx.writeFile(file);
  return file;
}

/** The sheet row showing these codes (school code "–" for no school). */
function rowOf(sheet: ExcelJS.Worksheet, school: string, category: string): number {
  for (let r = LAYOUT.firstDataRow; r <= sheet.rowCount; r++)
    if (
      sheet.getCell(r, LAYOUT.schoolCodeColumn).value === school &&
      sheet.getCell(r, LAYOUT.categoryCodeColumn).value === category
    )
      return r;
  throw new Error(`no row ${school}/${category}`);
}

const yearColumn = (year: number) => LAYOUT.firstYearColumn + (year - 2027);
const numberIn = (sheet: ExcelJS.Worksheet, r: number, c: number) =>
  Number(sheet.getCell(r, c).value ?? 0);

async function upload(page: Page, url: string, file: string) {
  await page.goto(url);
  await page.getByLabel(/Ausgefüllte Vorlage/).setInputFiles(file);
  await page.getByRole("button", { name: "Hochladen und prüfen" }).click();
}

describe.skipIf(!browserTestsEnabled())("the Excel template keeps what users typed", () => {
  const { app, signIn } = setupBrowserApp({ pageTimeout: 30_000 });
  // The edited workbooks go to a folder of this run's own: another run of this file on
  // the same machine (or another session) must not overwrite them before the upload.
  let scratch = "";
  beforeAll(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "verbundkauf-template-"));
  });
  afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

  it("stale upload: a value changed by someone else is a conflict, skipped unless ticked", async () => {
    const officer = await signIn("beschaffung@coesfeld.example");
    const editorUrl = `${app.url}/demand/COE`;
    const original = await downloadTemplate(officer, editorUrl);
    await officer.close();

    // After the download the coordinator changes NB-LK 2028 of COE-01 to 44 in the editor.
    const coordinator = await signIn("koordination@kreis-coesfeld.example");
    await coordinator.goto(editorUrl);
    await coordinator.getByLabel(cellLabel("NB-LK", 2028, "COE-01"), { exact: true }).fill("44");
    const grid = coordinator.locator("#grid-COE-01");
    await grid.getByRole("button", { name: /^Speichern/ }).click();
    await containsText(grid.getByRole("status"), "Gespeichert: 1 Wert");
    await coordinator.close();

    // The officer edits the old file: NB-SUS 2027 (no conflict) and NB-LK 2028 (conflict).
    let downloadedSus = 0;
    let downloadedLk = 0;
    const file = await editTemplate(original, path.join(scratch, "stale.xlsx"), (sheet) => {
      const sus = rowOf(sheet, "COE-01", "NB-SUS");
      const lk = rowOf(sheet, "COE-01", "NB-LK");
      downloadedSus = numberIn(sheet, sus, yearColumn(2027));
      downloadedLk = numberIn(sheet, lk, yearColumn(2028));
      sheet.getCell(sus, yearColumn(2027)).value = downloadedSus + 5;
      sheet.getCell(lk, yearColumn(2028)).value = 1234;
    });
    expect(downloadedLk).not.toBe(44);

    const page = await signIn("beschaffung@coesfeld.example");
    await upload(page, `${editorUrl}`, file);
    await page.waitForURL(/\/demand\/COE\/import\?id=/);
    await containsText(page.getByTestId("import-change-count"), "1 Änderung wird übernommen");
    await containsText(
      page.getByTestId("import-skipped-count"),
      "1 Wert wurde seit dem Herunterladen von jemand anderem geändert und wird nicht übernommen",
    );
    await page.screenshot({ path: resultPath("template-conflict-preview.png"), fullPage: true });
    const conflicts = await page.getByTestId("import-conflicts").innerText();
    expect(conflicts).toContain(categoryName("NB-LK"));
    expect(conflicts).toContain("44"); // stored now
    expect(conflicts).toContain("1.234"); // in the file, de-DE
    // The old file's value is not listed as a plain change ("44 → …").
    expect(await page.getByTestId("import-preview").innerText()).not.toContain("1.234");

    await page.getByRole("button", { name: "Änderungen übernehmen" }).click();
    await page.waitForURL(`${editorUrl}?importiert=1&uebersprungen=1`);
    await containsText(page.getByRole("status").first(), "1 Wert wurde übersprungen");
    const lk = page.getByLabel(cellLabel("NB-LK", 2028, "COE-01"), { exact: true });
    const sus = page.getByLabel(cellLabel("NB-SUS", 2027, "COE-01"), { exact: true });
    expect(await lk.inputValue()).toBe("44");
    expect(await sus.inputValue()).toBe(String(downloadedSus + 5));

    // The same old file again: now the officer ticks the conflict and their value wins.
    await upload(page, editorUrl, file);
    await page.waitForURL(/\/demand\/COE\/import\?id=/);
    await page.getByLabel(/Meinen Wert \(1\.234\) übernehmen/).check();
    await page.getByRole("button", { name: "Änderungen übernehmen" }).click();
    await page.waitForURL(`${editorUrl}?importiert=1`);
    expect(await lk.inputValue()).toMatch(/^1\.?234$/);
    await page.close();
  }, 180_000);

  it("moved rows: sorted rows are read by their codes; an inserted row is refused naming it", async () => {
    const page = await signIn("beschaffung@duelmen.example");
    const editorUrl = `${app.url}/demand/DUE`;
    const original = await downloadTemplate(page, editorUrl);

    // Sorted descending by product group over all columns, then one value changed.
    let changedTo = 0;
    const sorted = await editTemplate(original, path.join(scratch, "sorted.xlsx"), (sheet) => {
      const first = LAYOUT.firstDataRow;
      let last = first;
      while (sheet.getCell(last + 1, LAYOUT.schoolCodeColumn).value) last++;
      const width = LAYOUT.firstYearColumn + 5;
      const rows: ExcelJS.CellValue[][] = [];
      for (let r = first; r <= last; r++) {
        const values: ExcelJS.CellValue[] = [];
        for (let c = 1; c <= width; c++) values.push(sheet.getCell(r, c).value);
        rows.push(values);
      }
      rows.sort((a, b) =>
        String(b[LAYOUT.categoryColumn - 1]).localeCompare(String(a[LAYOUT.categoryColumn - 1])),
      );
      rows.forEach((values, i) =>
        values.forEach((v, c) => (sheet.getCell(first + i, c + 1).value = v)),
      );
      const r = rowOf(sheet, "DUE-02", "TAB");
      changedTo = numberIn(sheet, r, yearColumn(2030)) + 11;
      sheet.getCell(r, yearColumn(2030)).value = changedTo;
    });
    await upload(page, editorUrl, sorted);
    await page.waitForURL(/\/demand\/DUE\/import\?id=/);
    await containsText(page.getByTestId("import-change-count"), "1 Änderung");
    const preview = await page.getByTestId("import-preview").innerText();
    expect(preview).toContain(schoolName("DUE-02"));
    expect(preview).toContain(categoryName("TAB"));
    expect(preview).toContain("2030");
    await page.getByRole("button", { name: "Verwerfen" }).click();
    await page.waitForURL(editorUrl);

    // A row inserted at 7 (the rows below move down) with a quantity typed into it.
    const before = await page
      .getByLabel(cellLabel("NB-SUS", 2027, "DUE-01"), { exact: true })
      .inputValue();
    const inserted = await editTemplate(original, path.join(scratch, "inserted.xlsx"), (sheet) => {
      sheet.spliceRows(7, 0, []);
      sheet.getCell(7, yearColumn(2027)).value = 99;
      sheet.getCell(LAYOUT.firstDataRow, yearColumn(2027)).value = Number(before || 0) + 1;
    });
    await upload(page, editorUrl, inserted);
    const errors = page.getByTestId("import-errors");
    await containsText(errors, "es wurde nichts geändert");
    await containsText(errors, "Zeile 7 hat keine Kürzel");
    await page.goto(editorUrl);
    expect(
      await page.getByLabel(cellLabel("NB-SUS", 2027, "DUE-01"), { exact: true }).inputValue(),
    ).toBe(before);
    await page.close();
  }, 180_000);

  it("inventory: a stale upload shows the conflict, skips it unless ticked and reverts nothing", async () => {
    const editorUrl = `${app.url}/inventory/COE`;
    const officer = await signIn("beschaffung@coesfeld.example");
    const original = await downloadTemplate(officer, editorUrl);
    await officer.close();
    // The template's newest purchase year, read from its header.
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(original as unknown as ArrayBuffer);
    const header = wb.getWorksheet(INVENTORY_SHEET)!.getRow(LAYOUT.headerRow);
    let column = LAYOUT.firstYearColumn;
    while (/^\d{4}$/.test(String(header.getCell(column + 1).value ?? ""))) column++;
    const year = Number(header.getCell(column).value);

    // After the download the coordinator sets TAB of COE-01 in that year to 44.
    const coordinator = await signIn("koordination@kreis-coesfeld.example");
    await coordinator.goto(editorUrl);
    await coordinator.getByLabel(cellLabel("TAB", year, "COE-01"), { exact: true }).fill("44");
    const grid = coordinator.locator("#grid-COE-01");
    await grid.getByRole("button", { name: /^Speichern/ }).click();
    await containsText(grid.getByRole("status"), "Gespeichert: 1 Wert");
    await coordinator.close();

    // The officer's old file: TAB (conflict) and NB-LK (a plain change) in that year.
    let downloadedLk = 0;
    const file = await editTemplate(
      original,
      path.join(scratch, "inventory-stale.xlsx"),
      (sheet) => {
        const lk = rowOf(sheet, "COE-01", "NB-LK");
        downloadedLk = numberIn(sheet, lk, column);
        sheet.getCell(lk, column).value = downloadedLk + 3;
        sheet.getCell(rowOf(sheet, "COE-01", "TAB"), column).value = 1234;
      },
      INVENTORY_SHEET,
    );

    const page = await signIn("beschaffung@coesfeld.example");
    await upload(page, editorUrl, file);
    await page.waitForURL(/\/inventory\/COE\/import\?id=/);
    await containsText(page.getByTestId("import-change-count"), "1 Änderung wird übernommen");
    await containsText(
      page.getByTestId("import-skipped-count"),
      "1 Wert wurde seit dem Herunterladen von jemand anderem geändert und wird nicht übernommen",
    );
    const conflicts = await page.getByTestId("import-conflicts").innerText();
    expect(conflicts).toContain(categoryName("TAB"));
    expect(conflicts).toContain("44");
    expect(conflicts).toContain("1.234");
    expect(await page.getByTestId("import-preview").innerText()).not.toContain("1.234");

    await page.getByRole("button", { name: "Änderungen übernehmen" }).click();
    await page.waitForURL(`${editorUrl}?importiert=1&uebersprungen=1`);
    await containsText(page.getByRole("status").first(), "1 Wert wurde übersprungen");
    const tab = page.getByLabel(cellLabel("TAB", year, "COE-01"), { exact: true });
    const lk = page.getByLabel(cellLabel("NB-LK", year, "COE-01"), { exact: true });
    expect(await tab.inputValue()).toBe("44");
    expect(await lk.inputValue()).toBe(String(downloadedLk + 3));

    // Again, ticked one by one: now the officer's value wins.
    await upload(page, editorUrl, file);
    await page.waitForURL(/\/inventory\/COE\/import\?id=/);
    await page.getByLabel(/Meinen Wert \(1\.234\) übernehmen/).check();
    await page.getByRole("button", { name: "Änderungen übernehmen" }).click();
    await page.waitForURL(`${editorUrl}?importiert=1`);
    expect(await tab.inputValue()).toMatch(/^1\.?234$/);
    await page.close();
  }, 180_000);
});
