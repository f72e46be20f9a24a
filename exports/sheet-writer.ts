// A thin layer over one exceljs worksheet (streaming or in memory) that writes rows
// top to bottom: title, header with explanatory notes, body and total rows, each cell
// styled by its column's kind. Rows are committed as soon as they are written, so the
// streaming writer can flush them and memory stays flat.
import type ExcelJS from "exceljs";
import type { FormulaCell } from "./formulas";
import {
  bodyStyle,
  columnLetter,
  HEADER_STYLE,
  headerRowHeight,
  rowHeightForLines,
  TITLE_STYLE,
  wrappedLines,
  totalStyle,
  type CellKind,
  type ColumnSpec,
} from "./workbook-style";

export type CellValue = string | number | boolean | Date | FormulaCell | null;

/** A cell with its own kind (mixed tables) or a note (explanations for auditors). */
export interface StyledCell {
  value: CellValue;
  kind?: CellKind;
  note?: string;
}

export type CellInput = CellValue | StyledCell;

function isStyledCell(input: CellInput): input is StyledCell {
  return (
    typeof input === "object" && input !== null && !(input instanceof Date) && "value" in input
  );
}

/** Rows between two pauses that let the zip stream compress and flush what was written. */
const ROWS_PER_PAUSE = 500;

export class SheetWriter {
  private nextRow = 1;
  private rowsSincePause = 0;
  /** Each column's shared style objects, looked up once instead of per cell. */
  private readonly bodyStyles: Partial<ExcelJS.Style>[];
  private readonly totalStyles: Partial<ExcelJS.Style>[];
  private readonly hasWrapColumn: boolean;

  constructor(
    readonly sheet: ExcelJS.Worksheet,
    private readonly columns: readonly ColumnSpec[],
  ) {
    sheet.columns = columns.map((column) => ({ width: column.width }));
    this.bodyStyles = columns.map((column) => bodyStyle(column.kind));
    this.totalStyles = columns.map((column) => totalStyle(column.kind));
    this.hasWrapColumn = columns.some((column) => column?.kind === "wrap");
  }

  /** The number the next written row will get. */
  get currentRow(): number {
    return this.nextRow;
  }

  title(text: string): number {
    return this.write([text], (cell) => (cell.style = TITLE_STYLE));
  }

  /**
   * Header row; column notes become cell notes so the rule sits next to the figure. The
   * row is as high as its longest wrapped text in the sheet's column widths, so a wrapped
   * header never prints over the first data row. Holes in `columns` leave cells empty.
   */
  header(columns: readonly ColumnSpec[] = this.columns): number {
    const placed = columns.map((column, index) =>
      column ? { header: column.header, width: this.columns[index]?.width ?? column.width } : null,
    );
    return this.write(
      columns.map((c) => c?.header),
      (cell, index) => {
        cell.style = HEADER_STYLE;
        const note = columns[index]?.note;
        if (note) cell.note = note;
      },
      headerRowHeight(placed.filter((p) => p !== null)),
    );
  }

  row(cells: readonly CellInput[], options: { total?: boolean } = {}): number {
    // The hot path of every export (hundreds of thousands of cells at state scale): a
    // plain loop without closures, styles precomputed per column.
    const rowNumber = this.nextRow++;
    this.rowsSincePause++;
    const row = this.sheet.getRow(rowNumber);
    const total = options.total === true;
    const columnStyles = total ? this.totalStyles : this.bodyStyles;
    let styledWrap = false;
    for (let index = 0; index < cells.length; index++) {
      const input = cells[index];
      if (input === undefined) continue;
      const cell = row.getCell(index + 1);
      // Always a shared style object, even the empty one for text: exceljs caches style ids
      // by object identity, while a cell left alone gets a fresh {} that it serializes anew.
      if (isStyledCell(input)) {
        cell.value = input.value as ExcelJS.CellValue;
        cell.style = input.kind
          ? total
            ? totalStyle(input.kind)
            : bodyStyle(input.kind)
          : (columnStyles[index] ?? (total ? totalStyle("text") : bodyStyle("text")));
        if (input.note) cell.note = input.note;
        if (input.kind === "wrap") styledWrap = true;
      } else {
        cell.value = input as ExcelJS.CellValue;
        cell.style = columnStyles[index] ?? (total ? totalStyle("text") : bodyStyle("text"));
      }
    }
    // Wrapped text needs its height (a header or a long name must not print over the next row).
    if (this.hasWrapColumn || styledWrap) {
      const height = this.wrappedHeight(cells);
      if (height !== undefined) row.height = height;
    }
    row.commit();
    return rowNumber;
  }

  /**
   * A line of text across the first `span` columns (merged, wrapped), e.g. the rules on
   * Parameter: long text must wrap within the printed width instead of running off the page.
   */
  paragraph(text: string, span: number, options: { total?: boolean } = {}): number {
    const width = this.columns.slice(0, span).reduce((sum, c) => sum + c.width, 0);
    const rowNumber = this.write(
      [text],
      (cell) => (cell.style = options.total ? totalStyle("wrap") : bodyStyle("wrap")),
      rowHeightForLines(wrappedLines(text, width)),
      () => this.sheet.mergeCells(this.nextRow - 1, 1, this.nextRow - 1, span),
    );
    return rowNumber;
  }

  private kindOf(index: number, input: CellInput | undefined): CellKind {
    return (
      (input !== undefined && isStyledCell(input) && input.kind) ||
      this.columns[index]?.kind ||
      "text"
    );
  }

  /** Height for a row whose wrapped text cells need more than one line; undefined otherwise. */
  private wrappedHeight(cells: readonly CellInput[]): number | undefined {
    let lines = 1;
    cells.forEach((input, index) => {
      if (this.kindOf(index, input) !== "wrap") return;
      const value = isStyledCell(input) ? input.value : input;
      const text =
        typeof value === "object" && value !== null && "formula" in value ? value.result : value;
      if (typeof text !== "string") return;
      lines = Math.max(lines, wrappedLines(text, this.columns[index]?.width ?? 10));
    });
    return lines > 1 ? rowHeightForLines(lines) : undefined;
  }

  /**
   * Gives the event loop a turn every few hundred rows, so that a state-scale export
   * (seconds of work) does not stall every other request of the server meanwhile,
   * and the zip stream gets a chance to compress and flush what was written.
   */
  async pause(): Promise<void> {
    if (this.rowsSincePause < ROWS_PER_PAUSE) return;
    this.rowsSincePause = 0;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  blank(count = 1): void {
    this.nextRow += count;
  }

  /** Autofilter over the header row and the body rows below it. */
  autoFilter(headerRow: number, lastRow: number, columnCount = this.columns.length): void {
    this.sheet.autoFilter = `A${headerRow}:${columnLetter(columnCount)}${Math.max(lastRow, headerRow)}`;
  }

  commit(): void {
    this.sheet.commit?.();
  }

  private write(
    cells: readonly (CellInput | undefined)[],
    decorate: (cell: ExcelJS.Cell, index: number, input: CellInput) => void,
    height?: number,
    beforeCommit?: () => void,
  ): number {
    const rowNumber = this.nextRow++;
    this.rowsSincePause++;
    const row = this.sheet.getRow(rowNumber);
    if (height !== undefined) row.height = height;
    cells.forEach((input, index) => {
      if (input === undefined) return;
      const cell = row.getCell(index + 1);
      const value = isStyledCell(input) ? input.value : input;
      cell.value = value as ExcelJS.CellValue;
      decorate(cell, index, input);
    });
    beforeCommit?.();
    row.commit();
    return rowNumber;
  }
}
