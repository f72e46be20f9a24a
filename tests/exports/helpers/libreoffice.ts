// LibreOffice Calc (headless) as an independent reader of our workbooks: it prints them
// to PDF the way a finance clerk would, and recalculates every formula.
//
// What works on LibreOffice 7.4 (Debian's libreoffice-calc-nogui):
// - Each run gets its own profile (-env:UserInstallation=file:///tmp/lo-<random>), so
//   parallel test files do not fight over one profile lock.
// - LibreOffice keeps the cached values of an .xlsx on load unless told otherwise; the
//   profile's registrymodifications.xcu sets Calc/Formula/Load/OOXMLRecalcMode = 0
//   ("always recalculate"), the same as Tools › Options › Formula › Recalculation on load.
// - `--convert-to 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1'`
//   writes every sheet (token 12 = -1) as `<name>-<sheet>.csv`, UTF-8 (76), raw values
//   rather than as shown (token 9 = false).
// - `--convert-to pdf` prints with the sheets' page setup; the PDF's text operators carry
//   the effective font size (`/F1 9.5 Tf` = 10 pt at 95 % scale), so the smallest font of
//   every page is read from the content streams directly; `pdftotext -bbox` (poppler-utils)
//   gives every word's box for the overlap check.
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import zlib from "node:zlib";

const run = promisify(execFile);

export const SOFFICE = "/usr/bin/soffice";

export function hasLibreOffice(): boolean {
  return fs.existsSync(SOFFICE) && fs.existsSync("/usr/bin/pdftotext");
}

const RECALC_ALWAYS = `<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
`;

const CSV_ALL_SHEETS =
  "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1";

/** A scratch folder with a fresh LibreOffice profile that recalculates on load. */
export function makeScratch(): { dir: string; profile: string; cleanUp: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lo-"));
  const profile = path.join(dir, "profile");
  fs.mkdirSync(path.join(profile, "user"), { recursive: true });
  fs.writeFileSync(path.join(profile, "user", "registrymodifications.xcu"), RECALC_ALWAYS);
  return { dir, profile, cleanUp: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

async function convert(files: string[], target: string, outDir: string, profile: string) {
  await run(
    SOFFICE,
    [
      `-env:UserInstallation=file://${profile}`,
      "--headless",
      "--norestore",
      "--convert-to",
      target,
      "--outdir",
      outDir,
      ...files,
    ],
    { timeout: 180_000 },
  );
}

/** Converts the .xlsx files to PDF in one LibreOffice run; returns the PDF paths. */
export async function convertToPdf(files: string[], outDir: string, profile: string) {
  await convert(files, "pdf", outDir, profile);
  return files.map((file) => path.join(outDir, `${path.basename(file, ".xlsx")}.pdf`));
}

/** Recalculates the workbooks in one LibreOffice run and writes every sheet as CSV to `outDir`. */
export async function recalculateToCsv(files: string[], outDir: string, profile: string) {
  await convert(files, CSV_ALL_SHEETS, outDir, profile);
}

/** The sheets of a workbook recalculated by recalculateToCsv, as rows of raw cell text. */
export function readRecalculated(
  file: string,
  sheetNames: string[],
  outDir: string,
): Record<string, string[][]> {
  const base = path.basename(file, ".xlsx");
  const sheets: Record<string, string[][]> = {};
  for (const name of sheetNames) {
    const csv = fs.readFileSync(path.join(outDir, `${base}-${name}.csv`), "utf8");
    sheets[name] = parseCsv(csv);
  }
  return sheets;
}

/** RFC 4180 CSV with "," and '"' as LibreOffice writes it. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      row.push(field);
      field = "";
    } else if (ch === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else if (ch !== "\r") field += ch;
  }
  if (field !== "" || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** The font sizes used on each page of a PDF written by LibreOffice (one content stream per page). */
export function fontSizesPerPage(pdfFile: string): number[][] {
  const buffer = fs.readFileSync(pdfFile);
  const text = buffer.toString("latin1");
  const pages: number[][] = [];
  const streamStart = /stream\r?\n/g;
  let match: RegExpExecArray | null;
  while ((match = streamStart.exec(text))) {
    const start = match.index + match[0].length;
    const end = text.indexOf("endstream", start);
    let content: string;
    try {
      content = zlib.inflateSync(buffer.subarray(start, end)).toString("latin1");
    } catch {
      continue; // fonts and images: not a content stream
    }
    if (!/\bBT\b/.test(content)) continue;
    const sizes = [...content.matchAll(/\/F\d+ ([\d.]+) Tf/g)].map((m) => Number(m[1]));
    if (sizes.length > 0) pages.push(sizes);
  }
  return pages;
}

export interface Word {
  page: number;
  text: string;
  xMin: number;
  yMin: number;
  xMax: number;
  yMax: number;
}

/** Every word with its box (pdftotext -bbox). */
export async function wordsOf(pdfFile: string): Promise<Word[]> {
  const { stdout } = await run("pdftotext", ["-bbox", pdfFile, "-"], {
    maxBuffer: 200 * 1024 * 1024,
  });
  const words: Word[] = [];
  let page = 0;
  for (const line of stdout.split("\n")) {
    if (line.includes("<page ")) page++;
    const m =
      /<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*)<\/word>/.exec(
        line,
      );
    if (m)
      words.push({
        page,
        text: m[5],
        xMin: Number(m[1]),
        yMin: Number(m[2]),
        xMax: Number(m[3]),
        yMax: Number(m[4]),
      });
  }
  return words;
}

/**
 * Pairs of words on the same page whose boxes overlap: text printed over text, such as a
 * wrapped header line running into the first data row. The boxes include the font's full
 * ascent and descent, so consecutive lines of one wrapped cell touch by a point or two;
 * text over text overlaps by more than a third of the line height.
 */
export function overlappingWords(words: readonly Word[], slack = 1): [Word, Word][] {
  const found: [Word, Word][] = [];
  const byPage = new Map<number, Word[]>();
  for (const word of words) byPage.set(word.page, [...(byPage.get(word.page) ?? []), word]);
  for (const pageWords of byPage.values()) {
    const sorted = [...pageWords].sort((a, b) => a.yMin - b.yMin);
    for (let i = 0; i < sorted.length; i++) {
      for (let j = i + 1; j < sorted.length && sorted[j].yMin < sorted[i].yMax - slack; j++) {
        const a = sorted[i];
        const b = sorted[j];
        const xOverlap = Math.min(a.xMax, b.xMax) - Math.max(a.xMin, b.xMin);
        const yOverlap = Math.min(a.yMax, b.yMax) - Math.max(a.yMin, b.yMin);
        const height = Math.min(a.yMax - a.yMin, b.yMax - b.yMin);
        if (xOverlap > slack && yOverlap > Math.max(slack, height * 0.35)) found.push([a, b]);
      }
    }
  }
  return found;
}
