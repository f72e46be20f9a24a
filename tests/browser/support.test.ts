// Installed base and pooled support in a real browser: an officer enters inventory,
// the replacement it makes due appears in the demand editor and can be taken over,
// the coordinator sets the support assumptions, the committee sees solo vs pooled.
import type { Locator } from "playwright-core";
import { DEMO_PLAN } from "../../db/demo";
import { browserTestsEnabled, launchBrowser, setupBrowserApp } from "../helpers/browser";

const schoolName = (code: string) => DEMO_PLAN.schools!.find((s) => s.code === code)!.name;
const category = (code: string) => DEMO_PLAN.categories.find((c) => c.code === code)!;
const cellLabel = (code: string, year: number, school: string) =>
  `${category(code).name} ${year}, ${schoolName(school)}`;

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

describe.skipIf(!browserTestsEnabled())("installed base and pooled support in the browser", () => {
  const { app, signIn } = setupBrowserApp({ pageTimeout: 30_000 });
  const school = "DUE-01";
  const demandYear = DEMO_PLAN.tenders![0].startYear;
  const bought = demandYear - (category("TAB").serviceLifeYears ?? 5);

  it("an officer enters inventory and the replacement shows up in the demand editor", async () => {
    const page = await signIn("beschaffung@duelmen.example");
    await page.getByRole("link", { name: "Bestand", exact: true }).click();
    await page.waitForURL(`${app.url}/inventory/DUE`);
    const cell = page.getByLabel(cellLabel("TAB", bought, school), { exact: true });
    await cell.fill("777");
    const grid = page.locator(`#grid-${school}`);
    await containsText(grid.getByRole("status"), "Ungespeicherte Änderungen (1 Wert)");
    await grid.getByRole("button", { name: /^Speichern/ }).click();
    await containsText(grid.getByRole("status"), /Gespeichert: 1 Wert/);

    await page.goto(`${app.url}/demand/DUE`);
    const demandCell = page.getByLabel(cellLabel("TAB", demandYear, school), { exact: true });
    const hintId = (await demandCell.getAttribute("aria-describedby"))!.split(" ").at(-1)!;
    expect(await page.locator(`#${hintId}`).innerText()).toBe("Ersatz fällig: 777");
    const before = Number((await demandCell.inputValue()).replace(/\./g, "") || "0");
    const demandGrid = page.locator(`#grid-${school}`);
    await demandGrid.getByRole("button", { name: /^Ersatzbedarf übernehmen/ }).click();
    // Taken over as an unsaved change: nothing is saved without the user's click.
    expect(await demandCell.inputValue()).toBe(String(Math.max(before, 777)));
    if (before < 777) {
      expect(await demandCell.getAttribute("data-changed")).toBe("true");
      await containsText(demandGrid.getByRole("status"), "Ungespeicherte Änderungen");
    }
    await page.screenshot({ path: "/tmp/verbundkauf-replacement.png" });
  });

  it("the coordinator sets the assumptions and the committee sees solo against pooled", async () => {
    const coordinator = await signIn("koordination@kreis-coesfeld.example");
    await coordinator.goto(`${app.url}/support`);
    await coordinator.getByLabel("Geräte je Support-Stelle").fill("350");
    await coordinator.getByLabel("Herkunft der Zahlen").fill("Richtwert des Medienzentrums 2026.");
    await coordinator.getByRole("button", { name: /Annahmen (speichern|festlegen)/ }).click();
    await containsText(
      coordinator.getByRole("status").or(coordinator.locator("main")),
      "Die Annahmen wurden gespeichert.",
    );
    await containsText(coordinator.getByTestId("support-note"), "Medienzentrums");

    const committee = await signIn("ausschuss@kreis-coesfeld.example");
    await committee.getByRole("link", { name: "IT-Support" }).click();
    await committee.waitForURL(`${app.url}/support`);
    expect(await committee.getByTestId("support-savings").innerText()).toMatch(/€$/);
    const chart = committee.locator("figure svg[role='img']").first();
    expect(await chart.getAttribute("aria-label")).toContain("allein");
    const rows = committee.getByTestId("support-years").locator("tr");
    await expect.poll(() => rows.count()).toBe(7);
    expect(await committee.getByTestId("support-partners").locator("tr").count()).toBeGreaterThan(
      1,
    );
    // The form is the coordinator's only.
    expect(await committee.getByLabel("Geräte je Support-Stelle").count()).toBe(0);
    await committee.screenshot({ path: "/tmp/verbundkauf-support.png", fullPage: true });

    await committee.goto(`${app.url}/tenders/RV-2027/summary`);
    await containsText(committee.getByTestId("support-summary-savings"), "€");
  });

  it("takes the replacement over without JavaScript as a filled-in form, saving nothing", async () => {
    const noScript = await launchBrowser({ javaScriptEnabled: false });
    try {
      const page = await signIn("beschaffung@duelmen.example", noScript);
      await page.goto(`${app.url}/demand/DUE`);
      const cell = page.getByLabel(cellLabel("TAB", demandYear, school), { exact: true });
      const before = await cell.inputValue();
      await page
        .locator(`#grid-${school}`)
        .getByRole("button", { name: /^Ersatzbedarf übernehmen/ })
        .click();
      await page.waitForLoadState();
      const after = page.getByLabel(cellLabel("TAB", demandYear, school), { exact: true });
      expect(Number(await after.inputValue())).toBeGreaterThanOrEqual(777);
      await containsText(page.locator(`#grid-${school}`), "noch nicht gespeichert");
      // Nothing saved: a fresh load shows the stored value again.
      await page.goto(`${app.url}/demand/DUE`);
      expect(
        await page.getByLabel(cellLabel("TAB", demandYear, school), { exact: true }).inputValue(),
      ).toBe(before);
    } finally {
      await noScript.close();
    }
  });
});
