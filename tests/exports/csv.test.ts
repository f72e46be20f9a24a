import {
  csvField,
  csvLine,
  formatDecimalComma,
  neutralizeFormula,
  toCsv,
  UTF8_BOM,
} from "../../exports/csv";

describe("neutralizeFormula (CSV injection guard)", () => {
  it.each([
    ["=SUM(A1:A2)", "'=SUM(A1:A2)"],
    ["+49 2541 1234", "'+49 2541 1234"],
    ["-2+3", "'-2+3"],
    ["@SUM(A1)", "'@SUM(A1)"],
    ["\tTab am Anfang", "'\tTab am Anfang"],
    ["\rWagenrücklauf", "'\rWagenrücklauf"],
    ["\n=1+1", "'\n=1+1"],
    ["\r\n=1+1", "'\r\n=1+1"],
    [" =1+1", "' =1+1"],
    ["   +cmd|' /C calc'!A0", "'   +cmd|' /C calc'!A0"],
    ["\u00a0=1+1", "'\u00a0=1+1"],
    ["\u3000=1+1", "'\u3000=1+1"],
    ['＝HYPERLINK("http://x")', '\'＝HYPERLINK("http://x")'],
    ["＋1+1", "'＋1+1"],
    ["－1+1", "'－1+1"],
    ["＠SUM(A1)", "'＠SUM(A1)"],
    [" ＝1+1", "' ＝1+1"],
    ["﹦1+1", "'﹦1+1"],
    ["\u22121+1", "'\u22121+1"],
  ])("prefixes %j with an apostrophe", (input, expected) => {
    expect(neutralizeFormula(input)).toBe(expected);
  });

  it.each(["Stadt Coesfeld", "a=b", "1+1", "", "'already quoted", " 1+1", "Text ＝ Text"])(
    "leaves %j alone",
    (input) => {
      expect(neutralizeFormula(input)).toBe(input);
    },
  );
});

describe("csvField", () => {
  it("quotes fields with separator, quote or line breaks (RFC 4180)", () => {
    expect(csvField("Müller; Schmidt")).toBe('"Müller; Schmidt"');
    expect(csvField('Display 75"')).toBe('"Display 75"""');
    expect(csvField("zwei\nZeilen")).toBe('"zwei\nZeilen"');
    expect(csvField("zwei\r\nZeilen")).toBe('"zwei\r\nZeilen"');
    expect(csvField("ohne Sonderzeichen")).toBe("ohne Sonderzeichen");
  });

  it("guards first, then quotes: an injected formula with a separator stays one quoted text field", () => {
    expect(csvField('=HYPERLINK("http://x";"y")')).toBe('"\'=HYPERLINK(""http://x"";""y"")"');
    expect(csvField("\rx")).toBe('"\'\rx"');
  });

  it("writes whole numbers plainly and decimals with a decimal comma, unguarded", () => {
    expect(csvField(2027)).toBe("2027");
    expect(csvField(-5)).toBe("-5");
    expect(csvField({ decimal: "1234.56" })).toBe("1234,56");
    expect(csvField({ decimal: "-0.05" })).toBe("-0,05");
    expect(csvField(null)).toBe("");
    expect(csvField(undefined)).toBe("");
  });

  it("refuses floats and malformed decimals instead of printing them imprecisely", () => {
    expect(() => csvField(0.1)).toThrow();
    expect(() => formatDecimalComma("1e5")).toThrow();
    expect(() => formatDecimalComma("1.234,5")).toThrow();
  });
});

describe("toCsv", () => {
  it("starts with a BOM, separates with ';' and ends every line with CRLF", () => {
    const text = toCsv(
      ["Partner", "Menge"],
      [
        ["COE", 40],
        ["=1+1", 3],
      ],
    );
    expect(text.startsWith(UTF8_BOM)).toBe(true);
    expect(text.slice(1)).toBe("Partner;Menge\r\nCOE;40\r\n'=1+1;3\r\n");
    expect(csvLine(["a", "b"])).toBe("a;b\r\n");
  });

  it("encodes to UTF-8 bytes with EF BB BF first", () => {
    const bytes = Buffer.from(toCsv(["Schulträger"], []), "utf8");
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.subarray(3).toString("utf8")).toBe("Schulträger\r\n");
  });
});
