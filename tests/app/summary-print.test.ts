import { cssString, stampText } from "~/components/summary-print-footer";

test("the stamp names date, state and app version", () => {
  expect(stampText({ at: "2026-11-28T10:00:00Z", version: 2, appVersion: "0.1.0" })).toBe(
    "Stand: 28.11.2026 · Beschlussstand Version 2 · Verbundkauf 0.1.0",
  );
  // Late evening UTC is already the next day in Germany.
  expect(stampText({ at: "2026-11-28T23:30:00Z", version: null, appVersion: "1.2.3" })).toBe(
    "Stand: 29.11.2026 · aktueller Arbeitsstand · Verbundkauf 1.2.3",
  );
});

test("cssString escapes everything that could end the string or the style element", () => {
  expect(cssString("Stand: 1.2 · x")).toBe('"Stand: 1.2 \\b7  x"');
  const hostile = cssString('a"b\\c</style><script>');
  expect(hostile).not.toMatch(/[<>]|(?<!^)"(?!$)/);
  expect(hostile.startsWith('"') && hostile.endsWith('"')).toBe(true);
  expect(hostile).toContain("\\22 ");
  expect(hostile).toContain("\\5c ");
});
