import { safeRedirect } from "../../app/utils/http.server";
import { navigationFor, canReadPartner, canWritePartner } from "../../app/utils/roles";
import { isCrossSiteWrite } from "../../app/utils/same-origin";

describe("safeRedirect", () => {
  it("keeps relative paths and refuses everything that could leave the site", () => {
    expect(safeRedirect("/demand/DUE?x=1")).toBe("/demand/DUE?x=1");
    for (const bad of [
      null,
      undefined,
      "",
      "demand",
      "//evil.example",
      "/\\evil.example",
      "https://evil.example",
      "/\tfoo",
      "/x\n",
    ]) {
      expect(safeRedirect(bad)).toBe("/");
    }
    expect(safeRedirect("//x", "/login")).toBe("/login");
  });
});

describe("isCrossSiteWrite", () => {
  const base = {
    method: "POST",
    host: "verbundkauf.example:3000",
    origin: undefined,
    secFetchSite: undefined,
  };
  it("lets reads and same-origin writes through", () => {
    expect(
      isCrossSiteWrite({
        ...base,
        method: "GET",
        origin: "https://evil.example",
        secFetchSite: "cross-site",
      }),
    ).toBe(false);
    expect(
      isCrossSiteWrite({
        ...base,
        origin: "http://verbundkauf.example:3000",
        secFetchSite: "same-origin",
      }),
    ).toBe(false);
    expect(isCrossSiteWrite(base)).toBe(false);
  });
  it("stops writes from other sites", () => {
    expect(isCrossSiteWrite({ ...base, secFetchSite: "cross-site" })).toBe(true);
    expect(isCrossSiteWrite({ ...base, secFetchSite: "same-site" })).toBe(true);
    expect(isCrossSiteWrite({ ...base, origin: "https://evil.example" })).toBe(true);
    expect(isCrossSiteWrite({ ...base, origin: "null" })).toBe(true);
  });
});

describe("navigation and partner rules", () => {
  it("fits the role", () => {
    const labels = (
      role: "coordinator" | "finance" | "committee" | "officer",
      partnerCode: string | null = null,
    ) => navigationFor({ role, partnerCode }).map((item) => `${item.label} ${item.to}`);
    expect(labels("officer", "DUE")).toEqual([
      "Start /",
      "Bedarf /demand/DUE",
      "Bestand /inventory/DUE",
      "Ausschreibungen /tenders",
      "Förderung /funding",
      "IT-Support /support",
    ]);
    expect(labels("coordinator")).toEqual([
      "Start /",
      "Bedarf /demand",
      "Bestand /inventory",
      "Ausschreibungen /tenders",
      "Förderung /funding",
      "IT-Support /support",
      "Produktgruppen /categories",
      "Plandatei /admin/plan",
      "Benutzer /admin/users",
    ]);
    expect(labels("finance")).toEqual([
      "Start /",
      "Ausschreibungen /tenders",
      "Förderung /funding",
      "IT-Support /support",
      "Produktgruppen /categories",
    ]);
    expect(labels("committee")).toEqual([
      "Start /",
      "Ausschreibungen /tenders",
      "Förderung /funding",
      "IT-Support /support",
      "Produktgruppen /categories",
    ]);
  });
  it("binds officers to their partner", () => {
    expect(canReadPartner({ role: "officer", partnerCode: "DUE" }, "COE")).toBe(false);
    expect(canWritePartner({ role: "finance", partnerCode: null }, "COE")).toBe(false);
    expect(canWritePartner({ role: "coordinator", partnerCode: null }, "COE")).toBe(true);
  });
});
