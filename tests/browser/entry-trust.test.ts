// Entry that never silently loses or doubles what a user typed (issue 14), in a real
// browser: a double click stores one call-off, the first click after a validation
// error submits, leaving a page with unsaved edits asks first, and on a 390 px phone no
// page scrolls sideways and axe finds no violations.
import fs from "node:fs";
import { createRequire } from "node:module";
import type { Page } from "playwright-core";
import { awardLot } from "../../db/awards";
import { browserTestsEnabled, setupBrowserApp } from "../helpers/browser";

const COORDINATOR = "koordination@kreis-coesfeld.example";
const FINANCE = "finanzen@kreis-coesfeld.example";
const COMMITTEE = "ausschuss@kreis-coesfeld.example";
const OFFICER_DUE = "beschaffung@duelmen.example";
const OFFICER_COE = "beschaffung@coesfeld.example";

const AXE_SOURCE = fs.readFileSync(
  createRequire(import.meta.url).resolve("axe-core/axe.min.js"),
  "utf8",
);

interface AxeViolation {
  id: string;
  help: string;
  nodes: { target: string[] }[];
}

/** A click as a person makes it: press, a moment, release (Playwright's own click is instant). */
async function humanClick(page: Page, target: ReturnType<Page["getByRole"]>): Promise<void> {
  await target.scrollIntoViewIfNeeded();
  const box = await target.boundingBox();
  if (!box) throw new Error("The button is not visible.");
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.waitForTimeout(150);
  await page.mouse.up();
}

async function axeViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol: the app's Content Security Policy forbids
  // inline scripts, rightly.
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document) => Promise<unknown> } }).axe;
    const result = (await axe.run(document)) as { violations: AxeViolation[] };
    return result.violations.map((v) => ({
      id: v.id,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target })),
    }));
  });
  return violations.map(
    (v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`,
  );
}

describe.skipIf(!browserTestsEnabled())("entry that never loses or doubles input", () => {
  const { app, signIn, query } = setupBrowserApp({
    // Lot L1 of the demo tender is awarded, so partners can call off.
    prepare: async (db) => {
      const { id: userId } = await db
        .selectFrom("users")
        .select("id")
        .where("email", "=", COORDINATOR)
        .executeTakeFirstOrThrow();
      const categories = await db
        .selectFrom("lot_categories as lc")
        .innerJoin("lots as l", "l.id", "lc.lot_id")
        .select("lc.category_code")
        .where("l.tender_code", "=", "RV-2027")
        .where("l.code", "=", "L1")
        .execute();
      const outcome = await awardLot(db, {
        tenderCode: "RV-2027",
        lotCode: "L1",
        supplier: "Muster IT GmbH",
        awardDate: "2026-11-02",
        pricesCents: Object.fromEntries(categories.map((c) => [c.category_code, 39_990n])),
        userId,
        today: "2026-11-28",
      });
      if (!outcome.ok) throw new Error(JSON.stringify(outcome.fieldErrors));
    },
  });

  it("a double click on „Abruf speichern“ stores one call-off and clears the form", async () => {
    const page = await signIn(OFFICER_DUE);
    await page.goto(`${app.url}/tenders/RV-2027/call-offs`);
    const form = page.getByRole("form", { name: "Abruf erfassen" });
    // The date starts inside the term (today, or its first day before it begins).
    const date = await form.getByLabel("Abrufdatum").inputValue();
    expect(date >= "2027-01-01" && date <= "2030-12-31").toBe(true);
    await form.getByLabel("Produktgruppe").selectOption("NB-SUS");
    await form.getByLabel("Menge").fill("1");
    await form.getByLabel("Bestellnummer").fill("DOPPELT-1");
    await form.getByRole("button", { name: "Abruf speichern" }).dblclick();
    await expect
      .poll(() => page.locator("main").innerText())
      .toMatch(/Der Abruf (wurde|war bereits) gespeichert/);
    await expect.poll(() => form.getByLabel("Bestellnummer").inputValue()).toBe("");
    expect(await form.getByLabel("Menge").inputValue()).toBe("");
    // Let any second request finish before counting.
    await page.waitForLoadState("networkidle");
    const rows = await query<{ n: number }>(
      "select count(*) as n from call_offs where order_number = 'DOPPELT-1'",
    );
    expect(Number(rows[0].n)).toBe(1);
    await page.close();
  });

  it("the officer cancels a call-off with a reason; it stays listed as cancelled", async () => {
    const page = await signIn(OFFICER_DUE);
    await page.goto(`${app.url}/tenders/RV-2027/call-offs`);
    const newForm = page.getByRole("form", { name: "Abruf erfassen" });
    await newForm.getByLabel("Produktgruppe").selectOption("NB-SUS");
    await newForm.getByLabel("Menge").fill("1");
    await newForm.getByLabel("Bestellnummer").fill("STORNO-1");
    await newForm.getByRole("button", { name: "Abruf speichern" }).click();
    await expect
      .poll(() => page.locator("main").innerText())
      .toContain("Der Abruf wurde gespeichert.");
    const link = page.getByRole("link", {
      name: /Stornieren oder korrigieren\s*:\s*Abruf STORNO-1\s/,
    });
    await expect.poll(() => link.count()).toBe(1);
    await link.click();
    const form = page.getByRole("form", {
      name: /Abruf STORNO-1 vom .* stornieren oder korrigieren/,
    });
    await form.getByLabel("Grund der Stornierung").fill("Doppelt erfasst");
    await form.getByRole("button", { name: /^Abruf STORNO-1 vom .* stornieren$/ }).click();
    await expect
      .poll(() => page.locator("main").innerText())
      .toContain("Der Abruf wurde storniert; die Menge ist wieder verfügbar.");
    expect(await page.locator("main").innerText()).toContain("Doppelt erfasst");
    const rows = await query<{ reason: string }>(
      "select x.reason from call_off_cancellations x join call_offs c on c.id = x.call_off_id where c.order_number = 'STORNO-1'",
    );
    expect(rows).toEqual([{ reason: "Doppelt erfasst" }]);
    await page.close();
  });

  it("the first click after a validation error submits (/admin/users)", async () => {
    const page = await signIn(COORDINATOR);
    await page.goto(`${app.url}/admin/users`);
    const form = page.locator("form", { has: page.getByRole("button", { name: "Konto anlegen" }) });
    await form.getByLabel("Name").fill("Neue Kollegin");
    await form.getByLabel("E-Mail").fill(FINANCE); // taken: only the server knows
    await form.getByLabel("Rolle").selectOption("finance");
    await form.getByLabel("Erstes Passwort").fill("ein-sicheres-passwort-1");
    await form.getByRole("button", { name: "Konto anlegen" }).click();
    await expect.poll(() => form.innerText()).toContain("bereits");
    const button = page.getByRole("button", { name: "Konto anlegen" });
    const before = await button.boundingBox();
    // Fix the field with the error last and leave it, as a click on the button does: the
    // message stays until the next submit, so the button does not move under the pointer.
    await form.getByLabel("Erstes Passwort").fill("ein-sicheres-passwort-1");
    await form.getByLabel("E-Mail").fill("neue.kollegin@kreis-coesfeld.example");
    await page.keyboard.press("Tab");
    await page.waitForTimeout(200);
    expect(await form.innerText()).toContain("bereits");
    expect((await button.boundingBox())?.y).toBe(before?.y);
    await humanClick(page, button);
    await page.waitForURL(/\/admin\/users\?created=\d+/);
    const rows = await query<{ n: number }>(
      "select count(*) as n from users where email = 'neue.kollegin@kreis-coesfeld.example'",
    );
    expect(Number(rows[0].n)).toBe(1);
    await page.close();
  });

  it("leaving the tender page with unsaved edits asks first", async () => {
    const page = await signIn(COORDINATOR);
    await page.goto(`${app.url}/tenders/RV-2027`);
    await page.getByLabel("Bezeichnung", { exact: true }).first().fill("Halb getippt");
    const dialogs: string[] = [];
    page.once("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await page.getByRole("link", { name: "Alle Ausschreibungen" }).click();
    await expect.poll(() => dialogs.length).toBe(1);
    expect(dialogs[0]).toContain("ungespeicherte Änderungen");
    expect(new URL(page.url()).pathname).toBe("/tenders/RV-2027");
    expect(await page.getByLabel("Bezeichnung", { exact: true }).first().inputValue()).toBe(
      "Halb getippt",
    );
    page.once("dialog", (dialog) => void dialog.accept());
    await page.getByRole("link", { name: "Alle Ausschreibungen" }).click();
    await page.waitForURL(`${app.url}/tenders`);
    await page.close();
  });

  it("deleting a lot asks first and the button names the lot", async () => {
    const page = await signIn(COORDINATOR);
    await page.goto(`${app.url}/tenders/RV-2027`);
    const button = page.getByRole("button", { name: "Los L2 löschen" });
    await expect.poll(() => button.count()).toBe(1);
    // The awarded lot L1 cannot be deleted and is marked as awarded.
    expect(await page.getByRole("button", { name: "Los L1 löschen" }).count()).toBe(0);
    expect(await page.locator("[data-awarded]").count()).toBeGreaterThan(0);
    let asked = "";
    page.once("dialog", (dialog) => {
      asked = dialog.message();
      void dialog.dismiss();
    });
    await button.click();
    await expect.poll(() => asked).toContain("Los L2");
    const lots = await query<{ n: number }>(
      "select count(*) as n from lots where tender_code = 'RV-2027' and code = 'L2'",
    );
    expect(Number(lots[0].n)).toBe(1);
    await page.close();
  });

  const PHONE_PAGES: { who: string; paths: string[] }[] = [
    {
      who: COORDINATOR,
      paths: [
        "/",
        "/tenders",
        "/tenders/RV-2027",
        "/tenders/RV-2027/summary",
        "/tenders/RV-2027/call-offs",
        "/demand",
        "/categories",
        "/admin/users",
      ],
    },
    { who: OFFICER_COE, paths: ["/", "/demand/COE", "/tenders/RV-2027/call-offs"] },
    { who: FINANCE, paths: ["/"] },
    { who: COMMITTEE, paths: ["/", "/tenders/RV-2027/summary"] },
  ];

  it("on a 390 px phone no main page scrolls sideways, and axe finds no violations", async () => {
    const problems: string[] = [];
    for (const { who, paths } of PHONE_PAGES) {
      const page = await signIn(who);
      await page.setViewportSize({ width: 390, height: 844 });
      for (const path of paths) {
        await page.goto(`${app.url}${path}`);
        await page.waitForLoadState("networkidle");
        const width = await page.evaluate(() => document.scrollingElement!.scrollWidth);
        if (width > 390) {
          // Name the elements that stick out, innermost first, to find the cause.
          const culprits = await page.evaluate(() =>
            [...document.querySelectorAll("body *")]
              .filter((el) => el.getBoundingClientRect().right > 391)
              .filter((el) => ![...el.children].some((c) => c.getBoundingClientRect().right > 391))
              .slice(0, 3)
              .map((el) => `${el.tagName.toLowerCase()}.${el.className}`.slice(0, 80)),
          );
          problems.push(`${who} ${path}: scrollWidth ${width} (${culprits.join(" | ")})`);
        }
        // Chart labels stay readable: not scaled below 11 px (the chart scrolls in its box).
        const smallest = await page.evaluate(() =>
          Math.min(
            ...[...document.querySelectorAll(".recharts-wrapper text")].map(
              (t) => t.getBoundingClientRect().height,
            ),
          ),
        );
        if (Number.isFinite(smallest) && smallest < 11)
          problems.push(`${who} ${path}: chart label ${smallest.toFixed(1)} px high`);
        for (const violation of await axeViolations(page))
          problems.push(`${who} ${path}: ${violation}`);
      }
      await page.close();
    }
    expect(problems).toEqual([]);
  }, 180_000);

  it("on a phone the demand editor shows one school at a time, chosen from a list", async () => {
    const page = await signIn(OFFICER_COE);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${app.url}/demand/COE`);
    const chooser = page.getByLabel("Schule wählen");
    const options = await chooser.locator("option").allTextContents();
    expect(options.length).toBeGreaterThan(1);
    const visibleGrids = () =>
      page
        .locator("section[id^='grid-']")
        .evaluateAll((els) =>
          els.filter((el) => (el as HTMLElement).offsetParent !== null).map((el) => el.id),
        );
    expect(await visibleGrids()).toHaveLength(1);
    const second = await chooser.locator("option").nth(1).getAttribute("value");
    await chooser.selectOption(second!);
    await expect.poll(visibleGrids).toEqual([`grid-${second}`]);
    await page.close();
  });
});
