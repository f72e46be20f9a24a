// The committee summary in a real browser: charts rendered on the server as SVG with
// text alternatives, the print layout without navigation, and a snapshot made through
// the form and shown with its banner and print stamp.
import { browserTestsEnabled, resultPath, setupBrowserApp } from "../helpers/browser";

const SUMMARY = "/tenders/RV-2027/summary";

describe.skipIf(!browserTestsEnabled())("committee summary in the browser", () => {
  const { app, signIn, withDatabase } = setupBrowserApp();

  it("a committee member sees the key figures and four labelled SVG charts", async () => {
    const page = await signIn("ausschuss@kreis-coesfeld.example");
    const response = await page.goto(`${app.url}${SUMMARY}`);
    expect(response?.status()).toBe(200);
    expect(await page.getByRole("heading", { level: 1 }).innerText()).toContain("Rahmenvertrag");
    expect(await page.locator("main").innerText()).toContain("Auf einen Blick");

    const charts = page.locator('svg[role="img"]');
    await expect.poll(() => charts.count()).toBe(4);
    const labels = await charts.evaluateAll((svgs) =>
      svgs.map((svg) => ({
        label: svg.getAttribute("aria-label"),
        title: svg.querySelector("title")?.textContent ?? "",
        desc: svg.querySelector("desc")?.textContent ?? "",
        bars: svg.querySelectorAll(".recharts-bar-rectangle").length,
      })),
    );
    expect(labels.map((l) => l.label)).toEqual([
      "Ersparnis je Schulträger (brutto, gesamte Laufzeit)",
      "Volumen je Los (netto)",
      "Stückpreis gemeinsam und allein je Produktgruppe (netto)",
      "Gesamtanteil und Eigenanteil je Schulträger (brutto, gesamte Laufzeit)",
    ]);
    for (const chart of labels) {
      expect(chart.title).toBe(chart.label);
      expect(chart.desc).toMatch(/\d,\d\d €/);
      expect(chart.bars).toBeGreaterThan(0);
    }
    // Twelve partners, twelve bars; each chart's figures also as a table.
    expect(labels[0].bars).toBe(12);
    expect(await page.locator("details table").count()).toBe(4);

    await page.screenshot({ path: resultPath("summary-screen.png"), fullPage: true });
    await page.close();
  });

  it("sends each drawing once: hydration keeps the charts, a client navigation brings new ones", async () => {
    const page = await signIn("ausschuss@kreis-coesfeld.example");
    await page.goto(`${app.url}${SUMMARY}`);
    await page.waitForFunction(() => "__remixRouter" in window);
    // The hydration data refers to the drawings instead of repeating them (decision 031).
    const hydrationData = await page.evaluate(() =>
      JSON.stringify((window as unknown as { __remixContext: unknown }).__remixContext),
    );
    expect(hydrationData).toContain("markupRef");
    expect(hydrationData).not.toContain("<svg");
    const firstBars = () =>
      page
        .locator("#chart-savings-per-partner")
        .evaluate((svg) => svg.querySelectorAll(".recharts-bar-rectangle").length);
    // The chart's <desc> lists the partners in the chart's order ("Name: 1.234,56 €; …").
    const firstOrder = () =>
      page
        .locator("#chart-savings-per-partner desc")
        .evaluate((desc) =>
          [...(desc.textContent ?? "").matchAll(/([^.;:]+): -?[\d.]+,\d\d €/g)].map((m) =>
            m[1].trim(),
          ),
        );
    // Hydrated, the server's drawings are still there.
    expect(await page.locator('svg[role="img"]').count()).toBe(4);
    expect(await firstBars()).toBe(12);
    const bySavings = await firstOrder();
    expect(bySavings).toHaveLength(12);

    // Ordered by name through the router: the new data carries the drawing itself.
    await page.getByRole("link", { name: "Name", exact: true }).click();
    await page.waitForURL(/sort=name/);
    const byName = [...bySavings].sort((a, b) => a.localeCompare(b, "de"));
    expect(byName).not.toEqual(bySavings);
    await expect.poll(firstOrder).toEqual(byName);
    expect(await firstBars()).toBe(12);
    expect(await page.locator('svg[role="img"]').count()).toBe(4);
    await page.close();
  });

  it("keeps the drawings when React has to render the page afresh after a hydration error", async () => {
    const page = await signIn("ausschuss@kreis-coesfeld.example");
    // A text the browser's render will not produce: React 18 then renders the whole page
    // again in the browser from the hydration data, which holds only references.
    await page.route(`${app.url}${SUMMARY}`, async (route) => {
      const response = await route.fetch();
      const html = (await response.text()).replace(
        ">Auf einen Blick<",
        ">Auf einen Blick (verändert)<",
      );
      expect(html).toContain("(verändert)");
      await route.fulfill({ response, body: html });
    });
    const errors: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(message.text());
    });
    await page.goto(`${app.url}${SUMMARY}`);
    const heading = page.getByRole("heading", { name: /^Auf einen Blick/ });
    // Rendered afresh: the browser's own text replaced the changed one.
    await expect.poll(() => heading.innerText()).toBe("Auf einen Blick");
    expect(errors.join("\n")).toMatch(/hydrat|425|418|423/i);
    const charts = page.locator('svg[role="img"]');
    expect(await charts.count()).toBe(4);
    const bars = await charts.evaluateAll((svgs) =>
      svgs.map((svg) => svg.querySelectorAll(".recharts-bar-rectangle").length),
    );
    expect(bars[0]).toBe(12);
    expect(bars.every((n) => n > 0)).toBe(true);
    await page.close();
  });

  it("prints on A4 without navigation and with the date and version in the footer", async () => {
    const page = await signIn("ausschuss@kreis-coesfeld.example");
    await page.goto(`${app.url}${SUMMARY}`);
    const navigation = page.getByRole("navigation", { name: "Hauptnavigation" });
    expect(await navigation.isVisible()).toBe(true);
    const watermark = page.locator(".draft-watermark");
    expect(await watermark.isVisible()).toBe(false); // on screen the status box says it

    await page.emulateMedia({ media: "print" });
    expect(await watermark.isVisible()).toBe(true);
    expect(await watermark.innerText()).toBe("ENTWURF");
    expect(await page.getByRole("heading", { name: "Begriffe" }).isVisible()).toBe(true);
    expect(await navigation.isVisible()).toBe(false);
    expect(await page.locator("body > header").isVisible()).toBe(false);
    expect(await page.getByRole("button", { name: "Drucken" }).isVisible()).toBe(false);
    expect(await page.locator('svg[role="img"]').first().isVisible()).toBe(true);
    const footer = page.locator(".print-footer");
    expect(await footer.isVisible()).toBe(true);
    expect(await footer.innerText()).toMatch(
      /^Stand: \d\d\.\d\d\.\d{4} · aktueller Arbeitsstand · Verbundkauf \d+\.\d+\.\d+$/,
    );

    await page.screenshot({ path: resultPath("summary-print.png"), fullPage: true });
    const pdf = await page.pdf({
      format: "A4",
      preferCSSPageSize: true,
      path: resultPath("summary.pdf"),
    });
    const pages = pdf.toString("latin1").match(/\/Type\s*\/Page[^s]/g) ?? [];
    expect(pages.length).toBeGreaterThanOrEqual(2);
    await page.close();
  });

  it("the coordinator freezes a snapshot; its summary carries the banner and the version stamp", async () => {
    const page = await signIn("koordination@kreis-coesfeld.example");
    await page.goto(`${app.url}/tenders/RV-2027/snapshots`);
    await page.getByRole("button", { name: "Beschlussstand speichern" }).click();
    // Empty comment: a German message, nothing stored.
    expect(await page.locator("main").innerText()).toContain("Bitte beschreiben Sie kurz");
    await page.getByLabel("Kommentar").fill("Vorlage Schulausschuss");
    await page.getByRole("button", { name: "Beschlussstand speichern" }).click();
    // Works with and without JavaScript: wait for the confirmation, not for a page load.
    await page
      .getByRole("status")
      .filter({ hasText: "Beschlussstand Version 1 wurde gespeichert" })
      .waitFor();
    expect(page.url()).toMatch(/\/tenders\/RV-2027\/snapshots\?created=1$/);

    await page.getByRole("link", { name: "Zusammenfassung Version 1" }).click();
    const banner = page.getByRole("note").filter({ hasText: "Beschlussstand Version 1 vom" });
    await banner.waitFor();
    expect(await banner.innerText()).toContain("Vorlage Schulausschuss");
    await page.emulateMedia({ media: "print" });
    expect(await page.locator(".print-footer").innerText()).toMatch(
      /· Beschlussstand Version 1 · Verbundkauf/,
    );
    // A decision version prints without the draft watermark.
    expect(await page.locator(".draft-watermark").count()).toBe(0);

    await page.emulateMedia({ media: "screen" });
    await page.goto(`${app.url}/tenders/RV-2027/compare?version=1`);
    expect(await page.getByRole("status").innerText()).toContain("Keine Änderungen");

    // Dülmen orders 60 more devices after the decision: Dülmen's row shows +60 (the
    // others change too, through the volume-keyed common costs).
    await withDatabase(async (db) => {
      const line = await db
        .selectFrom("demand_lines")
        .select(["id", "quantity"])
        .where("partner_code", "=", "DUE")
        .where("year", "=", 2027)
        .where("quantity", ">", 0)
        .orderBy("id")
        .executeTakeFirstOrThrow();
      await db
        .updateTable("demand_lines")
        .set({ quantity: line.quantity + 60 })
        .where("id", "=", line.id)
        .execute();
    });
    await page.reload();
    const partners = page.getByRole("table", { name: /Schulträger mit Änderungen/ });
    const duelmen = partners.locator("tbody tr").filter({ hasText: "Stadt Dülmen" });
    expect(await duelmen.innerText()).toContain("+60");
    expect(await partners.locator("tfoot").innerText()).toContain("+60");
    await page.screenshot({ path: resultPath("compare-changed.png"), fullPage: true });
    await page.close();
  });

  it("a committee member cannot freeze a snapshot: no form, and a POST is refused", async () => {
    const page = await signIn("ausschuss@kreis-coesfeld.example");
    await page.goto(`${app.url}/tenders/RV-2027/snapshots`);
    expect(await page.getByRole("button", { name: "Beschlussstand speichern" }).count()).toBe(0);
    const status = await page.evaluate(async () => {
      const response = await fetch(location.pathname, {
        method: "POST",
        body: new URLSearchParams({ comment: "x" }),
      });
      return response.status;
    });
    expect(status).toBe(403);
    await page.close();
  });
});
