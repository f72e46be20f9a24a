// The real app in a real browser: sign-in, role-fitting start pages, refused access,
// keyboard use and a form that works without JavaScript.
import type { Page } from "playwright-core";
import { DEMO_PASSWORD, DEMO_PLAN, DEMO_USERS, type DemoUser } from "../../db/demo";
import {
  browserTestsEnabled,
  launchBrowser,
  setupBrowserApp,
  submitSignInForm,
} from "../helpers/browser";

const ROLE_LABELS = {
  coordinator: "Koordination",
  finance: "Finanzen",
  committee: "Ausschuss",
  officer: "Beschaffung (Schulträger)",
} as const;

const partnerName = (code: string | null) =>
  DEMO_PLAN.partners.find((p) => p.code === code)?.name ?? "";

describe.skipIf(!browserTestsEnabled())("sign-in in the browser", () => {
  const { app, browser, newPage: freshPage } = setupBrowserApp();

  async function signIn(page: Page, email: string, password = DEMO_PASSWORD) {
    await page.goto(`${app.url}/login`);
    await submitSignInForm(page, email, password);
  }

  it("the Dülmen officer signs in, sees Dülmen's demand and is refused Coesfeld's", async () => {
    const page = await freshPage();
    await signIn(page, "beschaffung@duelmen.example");
    await page.waitForURL(`${app.url}/`);
    await expectText(page.locator("header"), "Beschaffung Dülmen");

    await page.getByRole("link", { name: "Bedarf", exact: true }).click();
    await page.waitForURL(`${app.url}/demand/DUE`);
    await page.getByRole("heading", { level: 1, name: /Dülmen/ }).waitFor();

    const refused = await page.goto(`${app.url}/demand/COE`);
    expect(refused?.status()).toBe(403);
    expect(await page.getByRole("heading", { level: 1 }).innerText()).toBe("Kein Zugriff");
    expect(await page.locator("main").innerText()).not.toContain("Stadt Coesfeld");
    await page.close();
  });

  it("every demo user signs in and gets a start page fitting the role", async () => {
    const page = await freshPage();
    for (const user of DEMO_USERS) {
      await browser.context.clearCookies();
      await signIn(page, user.email);
      await page.waitForURL(`${app.url}/`);
      // Client-side navigation may update the URL a moment before the page renders.
      await page
        .getByRole("heading", { level: 1, name: `Guten Tag, ${user.name}`, exact: true })
        .waitFor();
      const header = await page.locator("header").innerText();
      expect(header).toContain(ROLE_LABELS[user.role]);
      const main = await page.locator("main").innerText();
      const nav = await page.getByRole("navigation", { name: "Hauptnavigation" }).innerText();
      expectStartPage(user, main, nav);
    }
    await page.close();
  }, 120_000);

  it("rejects a wrong password with the German message and keeps the email", async () => {
    const page = await freshPage();
    await signIn(page, "beschaffung@duelmen.example", "falsches-passwort");
    await expectText(page.getByRole("alert"), "E-Mail oder Passwort ist falsch.");
    await page.waitForFunction(
      () => (document.querySelector("input[name=password]") as HTMLInputElement).value === "",
    );
    expect(await page.getByLabel("E-Mail").inputValue()).toBe("beschaffung@duelmen.example");
    expect(await page.getByLabel("Passwort").inputValue()).toBe("");
    expect(page.url()).toContain("/login");
    await page.close();
  });

  it("the sign-in page can be used with the keyboard alone", async () => {
    const page = await freshPage();
    await page.goto(`${app.url}/login`);
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe(
      "Zum Inhalt springen",
    );
    // Every input has a label that names it.
    expect(await page.getByLabel("E-Mail").getAttribute("type")).toBe("email");
    expect(await page.getByLabel("Passwort").getAttribute("type")).toBe("password");
    // Following the skip link puts the focus on the main content; the next Tab reaches the form.
    await page.keyboard.press("Enter");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("main");
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.getAttribute("name"))).toBe("email");
    await page.keyboard.type("koordination@kreis-coesfeld.example");
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.getAttribute("name"))).toBe(
      "password",
    );
    await page.keyboard.type(DEMO_PASSWORD);
    await page.keyboard.press("Enter");
    await page.waitForURL(`${app.url}/`);
    // The address changes before the start page has replaced the form (a flake under load).
    await page.locator("main").getByText("Stand der Bedarfsmeldungen").first().waitFor();
    await expectText(page.locator("main"), "Stand der Bedarfsmeldungen");
    await page.close();
  });

  it("signs in and out without JavaScript", async () => {
    const noScript = await launchBrowser({ javaScriptEnabled: false });
    try {
      const page = await noScript.context.newPage();
      await page.goto(`${app.url}/tenders`);
      expect(page.url()).toBe(`${app.url}/login?redirectTo=%2Ftenders`);
      await submitSignInForm(page, "finanzen@kreis-coesfeld.example");
      await page.waitForURL(`${app.url}/tenders`);
      await expectText(page.locator("main"), "RV-2027");
      await page.getByRole("button", { name: "Abmelden" }).click();
      await page.waitForURL(`${app.url}/login`);
      const back = await page.goto(`${app.url}/tenders`);
      expect(back?.url()).toContain("/login?redirectTo=");
    } finally {
      await noScript.close();
    }
  });

  it("shows the coordinator's start page (screenshot for a visual check)", async () => {
    const page = await freshPage();
    await signIn(page, "koordination@kreis-coesfeld.example");
    await page.waitForURL(`${app.url}/`);
    await expectText(
      page.getByRole("complementary", { name: "Demodaten" }),
      "Demodaten, gerundet — keine echten Schulen",
    );
    const rows = page.locator("main table tbody tr");
    await expect.poll(() => rows.count()).toBe(DEMO_PLAN.partners.length);
    // Numbers are right-aligned.
    const align = await rows
      .first()
      .locator("td")
      .nth(1)
      .evaluate((cell) => getComputedStyle(cell).textAlign);
    expect(align).toBe("right");
    await page.screenshot({ path: "/tmp/verbundkauf-coordinator-start.png", fullPage: true });
    await page.close();
  });
});

async function expectText(locator: import("playwright-core").Locator, text: string) {
  await locator.first().waitFor();
  expect(await locator.first().innerText()).toContain(text);
}

function expectStartPage(user: DemoUser, main: string, nav: string) {
  switch (user.role) {
    case "officer":
      expect(main).toContain(`Bedarfsmeldung ${partnerName(user.partner)}`);
      expect(main).toContain("Keine Frist gesetzt");
      expect(nav).toContain("Ausschreibungen");
      expect(nav).not.toContain("Benutzer");
      expect(nav).not.toContain("Produktgruppen");
      break;
    case "coordinator":
      expect(main).toContain("Stand der Bedarfsmeldungen");
      expect(nav).toContain("Benutzer");
      break;
    default:
      expect(main).toContain("Ausschreibungen");
      expect(main).toContain("RV-2027");
      expect(nav).not.toContain("Benutzer");
      expect(nav).not.toContain("Bedarf");
  }
}
