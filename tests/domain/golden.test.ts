import fs from "node:fs";
import path from "node:path";
import { calculatePlan } from "../../domain/calculate";
import { toResultFile } from "../../domain/serialize";
import { validatePlan } from "../../domain/plan-validation";
import { calculatePlanText } from "../../domain/plan-pipeline";

const dir = path.resolve(__dirname, "../fixtures/examples");
const examples = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith(".plan.json"))
  .sort();

/** Every leaf of a JSON value with its path: `tenders[0].partners[3].ownGross`. */
function leaves(value: unknown, at = "$", out = new Map<string, unknown>()): Map<string, unknown> {
  if (Array.isArray(value)) {
    out.set(`${at}.length`, value.length);
    value.forEach((item, i) => leaves(item, `${at}[${i}]`, out));
  } else if (typeof value === "object" && value !== null) {
    out.set(`${at}.keys`, Object.keys(value).sort().join(","));
    for (const [key, item] of Object.entries(value)) leaves(item, `${at}.${key}`, out);
  } else out.set(at, value);
  return out;
}

describe("golden examples (CALCULATION.md §10, §14)", () => {
  it("finds the four examples", () => {
    expect(examples).toEqual([
      "01-three-partners.plan.json",
      "02-edge-cases.plan.json",
      "03-kreis-coesfeld.plan.json",
      "04-funding-support.plan.json",
    ]);
  });

  for (const file of examples) {
    it(`${file} is valid and gives its result file, field by field`, () => {
      const text = fs.readFileSync(path.join(dir, file), "utf8");
      const validation = validatePlan(JSON.parse(text));
      if (!validation.ok) expect(validation.problems).toEqual([]);
      expect(validation.ok).toBe(true);
      if (!validation.ok) return;
      const expected: unknown = JSON.parse(
        fs.readFileSync(path.join(dir, file.replace(".plan.", ".result.")), "utf8"),
      );
      const actual = toResultFile(calculatePlan(validation.plan));
      // Field by field first (readable failures), then the whole value.
      const want = leaves(expected);
      const got = leaves(actual);
      const wrong = [...want].filter(([key, value]) => got.get(key) !== value).slice(0, 20);
      expect(wrong.map(([key, value]) => [key, value, got.get(key)])).toEqual([]);
      expect(got.size).toBe(want.size);
      expect(actual).toStrictEqual(expected);
      // The command line path gives the same file.
      const piped = calculatePlanText(text);
      expect(piped.ok && JSON.parse(piped.json)).toStrictEqual(expected);
    });
  }

  it("example 04 is plan@2 and gives result@2; the others stay plan@1 and result@1", () => {
    for (const file of examples) {
      const plan = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")) as { format: string };
      const result = JSON.parse(
        fs.readFileSync(path.join(dir, file.replace(".plan.", ".result.")), "utf8"),
      ) as { format: string };
      expect(result.format).toBe(plan.format.replace("plan@", "result@"));
    }
  });
});
