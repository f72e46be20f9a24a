import fs from "node:fs";
import path from "node:path";
import { calculatePlan } from "../../domain/calculate";
import { toResultFile } from "../../domain/serialize";
import type { Plan } from "../../domain/plan";

const dir = path.resolve(__dirname, "../fixtures/examples");
const examples = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith(".plan.json"))
  .sort();

describe("golden examples (CALCULATION.md §10)", () => {
  it("finds the three examples", () => {
    expect(examples).toHaveLength(3);
  });

  for (const file of examples) {
    it(`${file} gives its result file, field by field`, () => {
      const plan = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")) as Plan;
      const expected = JSON.parse(
        fs.readFileSync(path.join(dir, file.replace(".plan.", ".result.")), "utf8"),
      );
      expect(toResultFile(calculatePlan(plan))).toStrictEqual(expected);
    });
  }
});
