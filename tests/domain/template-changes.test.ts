import { fc, test as fcTest } from "@fast-check/vitest";
import { classifyTemplateValues } from "../../domain/template-changes";

const stored = (values: Record<string, number>) => (key: string) => values[key] ?? 0;

test("each value is decided by download, stored and file", () => {
  const result = classifyTemplateValues(
    [
      { key: "untouched", downloaded: 10, file: 10 }, // stored 44 since: must not revert
      { key: "mine", downloaded: 3, file: 7 },
      { key: "both-same", downloaded: 1, file: 5 },
      { key: "conflict", downloaded: 10, file: 12 },
    ],
    stored({ untouched: 44, mine: 3, "both-same": 5, conflict: 44 }),
  );
  expect(result).toEqual({
    changes: [{ key: "mine", stored: 3, file: 7 }],
    conflicts: [{ key: "conflict", downloaded: 10, stored: 44, file: 12 }],
  });
});

test("text values (justifications) compare as text", () => {
  const result = classifyTemplateValues(
    [{ key: "n", downloaded: "alt", file: "meins" }],
    () => "deren",
  );
  expect(result.conflicts).toEqual([
    { key: "n", downloaded: "alt", stored: "deren", file: "meins" },
  ]);
});

fcTest.prop([fc.nat(5), fc.nat(5), fc.nat(5)])(
  "never writes a value the user did not change, never overwrites others silently",
  (downloaded, now, file) => {
    const { changes, conflicts } = classifyTemplateValues(
      [{ key: "k", downloaded, file }],
      () => now,
    );
    if (file === downloaded) expect(changes.length + conflicts.length).toBe(0);
    for (const c of changes) expect(c.stored).toBe(downloaded);
    for (const c of conflicts)
      expect([c.stored !== downloaded, c.stored !== file]).toEqual([true, true]);
  },
);
