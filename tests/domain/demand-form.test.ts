import {
  baselineNoteField,
  baselineQuantityField,
  noteField,
  parseGridForm,
  quantityField,
} from "../../domain/demand-form";
import { cellKey, lineKey } from "../../domain/demand-grid";

const layout = { schoolCode: "S1", years: [2027, 2028], categoryCodes: ["NB", "TAB"] };
const form = (entries: Record<string, string>) => {
  const f = new FormData();
  for (const [k, v] of Object.entries(entries)) f.set(k, v);
  return f;
};

test("reads quantities, notes and baseline of the layout's fields only", () => {
  const r = parseGridForm(
    form({
      version: "0123456789abcdef",
      [quantityField(2027, "NB")]: "12",
      [baselineQuantityField(2027, "NB")]: "10",
      [quantityField(2028, "NB")]: "",
      [noteField("NB")]: "  Ersatz\r\nalt ",
      [baselineNoteField("NB")]: "",
      [quantityField(2031, "NB")]: "99", // not in the layout
    }),
    layout,
  );
  expect(r.ok).toBe(true);
  if (!r.ok) return;
  expect([...r.wanted.quantities]).toEqual([
    [cellKey("S1", "NB", 2027), 12],
    [cellKey("S1", "NB", 2028), 0],
  ]);
  expect([...r.baseline.quantities]).toEqual([[cellKey("S1", "NB", 2027), 10]]);
  expect(r.wanted.notes.get(lineKey("S1", "NB"))).toBe("Ersatz\nalt");
});

test("invalid cells give German messages keyed by field name", () => {
  const r = parseGridForm(
    form({
      version: "0123456789abcdef",
      [quantityField(2027, "TAB")]: "-3",
      [quantityField(2028, "TAB")]: "x",
    }),
    layout,
  );
  expect(r.ok).toBe(false);
  if (r.ok) return;
  expect(r.fieldErrors[quantityField(2027, "TAB")]).toMatch(/negativ/);
  expect(r.fieldErrors[quantityField(2028, "TAB")]).toMatch(/ganze Zahl/);
});

test("a missing or forged version is rejected", () => {
  const r = parseGridForm(form({ version: "nope" }), layout);
  expect(r.ok).toBe(false);
  if (!r.ok) expect(r.fieldErrors.version).toMatch(/neu laden/);
});
