// Reads an uploaded demand template (see demand-template.ts) back into cells. Rows are
// found by the codes they show (grid-template.ts); every cell is checked; any error means
// no values at all, only the list of errors with sheet, cell reference and a German
// message. Pure (bytes and plain data in, plain data out), so it can run in a worker.
import { columnLetter, DEMAND_TEMPLATE, LAYOUT } from "./demand-template";
import { readGridTemplate, type GridTemplateKind, type TemplateError } from "./grid-template";

export { looksLikeXlsx, MAX_TEMPLATE_BYTES, NOT_EXCEL, type TemplateError } from "./grid-template";

export interface TemplateCell {
  schoolCode: string | null;
  categoryCode: string;
  year: number;
  /** The value in the uploaded file. */
  quantity: number;
  /** The value the template was downloaded with. */
  downloaded: number;
  /** Where it came from, for messages ("F7"). */
  ref: string;
}

export interface TemplateNote {
  schoolCode: string | null;
  categoryCode: string;
  text: string;
  downloaded: string;
  ref: string;
}

export type TemplateParseResult =
  | { ok: true; generatedAt: string; cells: TemplateCell[]; notes: TemplateNote[] }
  | { ok: false; errors: TemplateError[] };

/** What the upload must match: the partner and its current schools, categories and years. */
export interface TemplateExpectation {
  partner: { code: string; name: string };
  schoolCodes: ReadonlySet<string>;
  categoryCodes: ReadonlySet<string>;
  years: readonly number[];
}

export async function parseDemandTemplate(
  bytes: Uint8Array,
  expected: TemplateExpectation,
  kind: GridTemplateKind = DEMAND_TEMPLATE,
): Promise<TemplateParseResult> {
  const read = await readGridTemplate(kind, bytes, {
    code: expected.partner.code,
    wrongOwner: (found) =>
      `Diese Vorlage gehört zu einem anderen Schulträger (${found || "unbekannt"}), nicht zu ${expected.partner.name}. Es wurde nichts geändert.`,
  });
  if (!read.ok) return read;

  const errors: TemplateError[] = [];
  const error = (cell: string, message: string) =>
    errors.push({ sheet: kind.dataSheet, cell, message });
  // The years must still be planned (the header itself was checked by the reader).
  read.columns.forEach((year, i) => {
    if (!expected.years.includes(year))
      error(
        `${columnLetter(LAYOUT.firstYearColumn + i)}${LAYOUT.headerRow}`,
        `Das Jahr ${year} gehört nicht mehr zum Planungszeitraum. Bitte eine neue Vorlage herunterladen.`,
      );
  });

  const cells: TemplateCell[] = [];
  const notes: TemplateNote[] = [];
  for (const line of read.lines) {
    const [school, category] = line.codes;
    const codeRef = `${columnLetter(LAYOUT.schoolCodeColumn)}${line.row}`;
    if (school !== "" && !expected.schoolCodes.has(school)) {
      error(
        codeRef,
        `Die Schule dieser Zeile (${school}) gehört nicht (mehr) zu ${expected.partner.name}. Bitte eine neue Vorlage herunterladen.`,
      );
      continue;
    }
    if (!expected.categoryCodes.has(category)) {
      error(
        codeRef,
        `Die Produktgruppe dieser Zeile (${category}) gibt es nicht mehr. Bitte eine neue Vorlage herunterladen.`,
      );
      continue;
    }
    const schoolCode = school === "" ? null : school;
    read.columns.forEach((year, i) =>
      cells.push({
        schoolCode,
        categoryCode: category,
        year,
        quantity: line.values[i],
        downloaded: line.downloaded[i],
        ref: line.valueRefs[i],
      }),
    );
    notes.push({
      schoolCode,
      categoryCode: category,
      text: line.note ?? "",
      downloaded: line.downloadedNote ?? "",
      ref: line.noteRef ?? "",
    });
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, generatedAt: read.generatedAt, cells, notes };
}
