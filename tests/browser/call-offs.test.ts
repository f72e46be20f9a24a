// After the award in a real browser: the coordinator awards lot L1 of the demo tender;
// the officer of Dülmen calls off, runs into the maximum and sees the refusal with
// the units left; the database holds exactly what was accepted.
import { browserTestsEnabled, setupBrowserApp } from "../helpers/browser";

const COORDINATOR = "koordination@kreis-coesfeld.example";
const OFFICER_DUE = "beschaffung@duelmen.example";

describe.skipIf(!browserTestsEnabled())("call-offs in the browser", () => {
  const { app, signIn, query } = setupBrowserApp();

  it("the coordinator awards a lot, the officer calls off up to the limit and is refused beyond it", async () => {
    const coordinator = await signIn(COORDINATOR);
    await coordinator.goto(`${app.url}/tenders/RV-2027/award`);
    const awardForm = coordinator.getByRole("form", { name: "Zuschlag Los L1" });
    await awardForm.getByLabel("Auftragnehmer").fill("Muster IT GmbH");
    await awardForm.getByLabel("Zuschlagsdatum").fill("2026-11-02");
    const prices = awardForm.locator('input[name^="price_"]');
    await expect.poll(() => prices.count()).toBe(4);
    for (let i = 0; i < 4; i++) await prices.nth(i).fill("399,90");
    await awardForm.getByRole("button", { name: "Zuschlag für Los L1 erfassen" }).click();
    await expect
      .poll(() => coordinator.locator("main").innerText())
      .toContain("Der Zuschlag wurde gespeichert");
    await coordinator.close();

    const [{ max_quantity: max }] = await query<{ max_quantity: number }>(
      "select max_quantity from award_categories where category_code = 'NB-SUS'",
    );
    expect(max).toBeGreaterThan(12);

    const officer = await signIn(OFFICER_DUE);
    // Officers do not see the tenders list: the start page links to the awarded framework.
    await officer.getByRole("link", { name: /Rahmenvertrag .*\(RV-2027\)/ }).click();
    await officer.waitForURL(`${app.url}/tenders/RV-2027/call-offs`);
    const form = officer.getByRole("form", { name: "Abruf erfassen" });
    const callOff = async (quantity: number, orderNumber: string) => {
      await form.getByLabel("Produktgruppe").selectOption("NB-SUS");
      await form.getByLabel("Abrufdatum").fill("2027-02-01");
      await form.getByLabel("Menge").fill(String(quantity));
      await form.getByLabel("Bestellnummer").fill(orderNumber);
      await form.getByRole("button", { name: "Abruf speichern" }).click();
    };

    await callOff(max - 12, "DUE-2027-001");
    // Far beyond Dülmen's own planned share: a warning first, nothing stored yet.
    await expect
      .poll(() => officer.locator("main").innerText())
      .toContain("Mehr als der eigene Anteil");
    expect(await query("select id from call_offs")).toEqual([]);
    await form.getByRole("button", { name: "Trotzdem abrufen" }).click();
    await expect
      .poll(() => officer.locator("main").innerText())
      .toContain("Der Abruf wurde gespeichert.");
    await expect
      .poll(() => officer.locator('tr[data-category="NB-SUS"] [data-remaining]').innerText())
      .toMatch(/^12\sStück$/);

    await callOff(13, "DUE-2027-002");
    const quantityField = form.getByLabel("Menge");
    await expect
      .poll(() => officer.locator("main").innerText())
      .toContain("Abruf überschreitet die Höchstmenge: noch 12 Stück verfügbar.");
    expect(await quantityField.getAttribute("aria-invalid")).toBe("true");

    const rows = await query<{ partner_code: string; quantity: number }>(
      "select partner_code, quantity from call_offs",
    );
    expect(rows).toEqual([{ partner_code: "DUE", quantity: max - 12 }]);
    await officer.close();
  }, 60_000);
});
