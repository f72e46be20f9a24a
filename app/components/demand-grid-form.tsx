import { useFetcher, useLocation } from "@remix-run/react";
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from "react";
import {
  baselineNoteField,
  baselineQuantityField,
  noteField,
  quantityField,
} from "../../domain/demand-form";
import { MAX_JUSTIFICATION_LENGTH, parseQuantityText } from "../../domain/demand-grid";
import { fillDueQuantities } from "../../domain/replacement";
import { lockKey } from "../../domain/demand-rounds";
import { Button } from "~/components/ui";
import { formatInteger } from "~/utils/format";
import { DemandYearHeaderCells } from "./demand-year-header";

// One grid of the demand editor (a school, or demand without a school) as a form of
// its own. Without JavaScript it is a plain POST; with JavaScript a fetcher saves it
// in place, changed cells are highlighted and Enter moves down like a spreadsheet.

export interface EditorGrid {
  schoolCode: string | null;
  title: string;
  years: number[];
  rows: {
    category: { code: string; name: string; unit: string | null };
    quantities: number[];
    total: number;
    justification: string;
  }[];
  yearTotals: number[];
  total: number;
  version: string;
}

/** The action's answer to a grid save; `school` is the grid key ("" = without a school). */
export type GridSaveReply =
  | { intent: "save"; school: string; status: "saved"; changed: number; timeText: string }
  | {
      intent: "save";
      school: string;
      status: "invalid";
      message: string;
      fieldErrors: Record<string, string>;
      submitted: Record<string, string>;
    }
  | {
      intent: "save";
      school: string;
      status: "conflict";
      conflicts: { label: string; theirs: string; yours: string }[];
      latestVersion: string;
      submitted: Record<string, string>;
    }
  | {
      intent: "save";
      school: string;
      status: "denied";
      message: string;
      submitted: Record<string, string>;
    }
  | {
      /** Without JavaScript: due replacements filled in, shown as unsaved changes. */
      intent: "save";
      school: string;
      status: "prefilled";
      changed: number;
      submitted: Record<string, string>;
    };

/** Which grid the form edits: demand per year, or the installed base per purchase year. */
export type GridKind = "demand" | "inventory";

const GRID_CAPTION: Record<GridKind, string> = {
  demand: "Bedarf",
  inventory: "Bestand",
};

export const gridKey = (schoolCode: string | null): string => schoolCode ?? "";
export const gridDomId = (schoolCode: string | null): string =>
  `grid-${schoolCode ?? "ohne-schule"}`;

interface FormState {
  version: string;
  /** Field name (qty.* / note.*) → text, as loaded: the baseline. */
  base: Record<string, string>;
}

function fromGrid(grid: EditorGrid): FormState {
  const base: Record<string, string> = {};
  for (const row of grid.rows) {
    grid.years.forEach((year, i) => {
      const q = row.quantities[i];
      base[quantityField(year, row.category.code)] = q === 0 ? "" : String(q);
    });
    base[noteField(row.category.code)] = row.justification;
  }
  return { version: grid.version, base };
}

/** Rebuilds the state of a form that came back from a no-JavaScript POST. */
function fromSubmitted(
  grid: EditorGrid,
  submitted: Record<string, string>,
): { state: FormState; values: Record<string, string> } {
  const loaded = fromGrid(grid);
  const base: Record<string, string> = {};
  const values: Record<string, string> = {};
  for (const row of grid.rows) {
    const code = row.category.code;
    grid.years.forEach((year) => {
      const name = quantityField(year, code);
      const was = submitted[baselineQuantityField(year, code)];
      base[name] = was === undefined ? loaded.base[name] : was === "0" ? "" : was;
      values[name] = submitted[name] ?? base[name];
    });
    const name = noteField(code);
    base[name] = submitted[baselineNoteField(code)] ?? loaded.base[name];
    values[name] = submitted[name] ?? base[name];
  }
  return { state: { version: submitted.version ?? grid.version, base }, values };
}

const normalizeQuantity = (text: string): string => {
  const parsed = parseQuantityText(text);
  return parsed.ok ? String(parsed.value) : text.trim();
};

function sameValues(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) {
    const x = a[key] ?? "";
    const y = b[key] ?? "";
    if (
      key.startsWith("qty.") ? normalizeQuantity(x) !== normalizeQuantity(y) : x.trim() !== y.trim()
    )
      return false;
  }
  return true;
}

export function DemandGridForm({
  grid,
  editable,
  lockedCells = {},
  lockedNotes = {},
  reply,
  hiddenOnPhone = false,
  kind = "demand",
  replacement,
}: {
  grid: EditorGrid;
  editable: boolean;
  /** On a phone only the chosen school's table shows (the page's school chooser). */
  hiddenOnPhone?: boolean;
  /** Cells ("CATEGORY|YEAR") of a submitted or overdue demand round, with the reason. */
  lockedCells?: Readonly<Record<string, string>>;
  /** Justifications (by category) locked because all their cells are. */
  lockedNotes?: Readonly<Record<string, string>>;
  /** The action's answer after a POST without JavaScript, if it was for this grid. */
  reply?: GridSaveReply;
  kind?: GridKind;
  /** Devices due for replacement per quantity field (qty.year.category), shown as hints. */
  replacement?: Record<string, number>;
}) {
  const key = gridKey(grid.schoolCode);
  const fetcher = useFetcher<GridSaveReply>({ key: `${kind}-grid-${key}` });
  const result = fetcher.data ?? reply;
  const initial = useMemo(
    () =>
      reply && reply.status !== "saved"
        ? fromSubmitted(grid, reply.submitted)
        : { state: fromGrid(grid), values: fromGrid(grid).base },
    // Only the first render: later loader data is merged in the effect below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [],
  );
  const [state, setState] = useState<FormState>(initial.state);
  const [values, setValues] = useState<Record<string, string>>(initial.values);
  const current = useRef({ state, values });
  current.current = { state, values };
  /** The values of the last save sent from this form, to recognise our own save in new loader data. */
  const sent = useRef<Record<string, string> | null>(null);

  // New loader data (after our save or someone else's): take it over unless the user
  // has unsaved edits, which must never be dropped silently. Edits typed while our own
  // save was on its way stay, on top of the newly saved version.
  useEffect(() => {
    const fresh = fromGrid(grid);
    const { state: s, values: v } = current.current;
    if (fresh.version === s.version) return;
    if (sameValues(v, s.base) || sameValues(v, fresh.base)) {
      setState(fresh);
      setValues(fresh.base);
    } else if (sent.current && sameValues(sent.current, fresh.base)) {
      setState(fresh);
    }
    sent.current = null;
  }, [grid]);

  const title = grid.title;
  const dirtyNames = Object.keys(values).filter(
    (name) => !sameValues({ [name]: values[name] }, { [name]: state.base[name] ?? "" }),
  );
  const errorOf = (name: string): string | undefined => {
    if (name.startsWith("qty.")) {
      const parsed = parseQuantityText(values[name] ?? "");
      if (!parsed.ok) return parsed.message;
    } else if ((values[name] ?? "").length > MAX_JUSTIFICATION_LENGTH) {
      return `Höchstens ${formatInteger(MAX_JUSTIFICATION_LENGTH)} Zeichen.`;
    }
    if (result?.status === "invalid" && result.submitted[name] === values[name])
      return result.fieldErrors[name];
    return undefined;
  };
  const quantityOf = (name: string): number => {
    const parsed = parseQuantityText(values[name] ?? "");
    return parsed.ok ? parsed.value : 0;
  };
  const rowTotal = (code: string) =>
    grid.years.reduce((s, y) => s + quantityOf(quantityField(y, code)), 0);
  const yearTotal = (year: number) =>
    grid.rows.reduce((s, r) => s + quantityOf(quantityField(year, r.category.code)), 0);
  const total = grid.years.reduce((s, y) => s + yearTotal(y), 0);
  const busy = fetcher.state !== "idle";
  const domId = gridDomId(grid.schoolCode);
  const { pathname } = useLocation();
  // Only with JavaScript: the fetcher shows the answer in place. Without it, the action
  // redirects back to this table (#fragment), or its answer page scrolls to it.
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  const hasErrors = Object.keys(values).some((name) => errorOf(name) !== undefined);

  function onKeyDown(event: KeyboardEvent<HTMLTableSectionElement>) {
    const target = event.target as HTMLInputElement;
    if (
      event.key !== "Enter" ||
      !target.dataset.row ||
      event.altKey ||
      event.ctrlKey ||
      event.metaKey
    )
      return;
    event.preventDefault(); // Enter moves instead of submitting, as in a spreadsheet
    const row = Number(target.dataset.row) + (event.shiftKey ? -1 : 1);
    const next = target.form?.querySelector<HTMLInputElement>(
      `input[data-row="${row}"][data-col="${target.dataset.col}"]`,
    );
    if (next) {
      next.focus();
      next.select();
    }
  }

  const yearHeader = (
    <thead>
      <tr>
        <DemandYearHeaderCells years={grid.years} />
        <th scope="col" className="border-b-2 border-ink px-2 py-2 text-left align-bottom">
          Begründung <span className="font-normal text-muted">(optional)</span>
        </th>
      </tr>
    </thead>
  );

  const footer = (
    <tfoot>
      <tr>
        <th scope="row" className="border-t-2 border-ink px-2 py-2 text-left">
          Summe
        </th>
        {grid.years.map((y) => (
          <td
            key={y}
            className="border-t-2 border-ink px-2 py-2 text-right font-bold tabular-nums"
            data-testid={`year-total-${y}`}
          >
            {formatInteger(yearTotal(y))}
          </td>
        ))}
        <td
          className="border-t-2 border-ink px-2 py-2 text-right font-bold tabular-nums"
          data-testid="grid-total"
        >
          {formatInteger(total)}
        </td>
        <td className="border-t-2 border-ink" />
      </tr>
    </tfoot>
  );

  if (!editable) {
    return (
      <section
        aria-labelledby={`${domId}-title`}
        id={domId}
        className={`mb-10 ${hiddenOnPhone ? "max-sm:hidden" : ""}`}
      >
        <h3 id={`${domId}-title`} className="mb-2 text-xl font-bold">
          {title}
        </h3>
        <div className="overflow-x-auto" tabIndex={0}>
          <table className="w-full text-left">
            {yearHeader}
            <tbody>
              {grid.rows.map((row) => (
                <tr key={row.category.code}>
                  <th scope="row" className="border-b border-line px-2 py-2 text-left font-normal">
                    {row.category.name}
                  </th>
                  {row.quantities.map((q, i) => (
                    <td
                      key={grid.years[i]}
                      className="border-b border-line px-2 py-2 text-right tabular-nums"
                    >
                      {q === 0 ? <span aria-label="0">–</span> : formatInteger(q)}
                    </td>
                  ))}
                  <td className="border-b border-line px-2 py-2 text-right font-semibold tabular-nums">
                    {formatInteger(row.total)}
                  </td>
                  <td className="border-b border-line px-2 py-2">{row.justification}</td>
                </tr>
              ))}
            </tbody>
            {footer}
          </table>
        </div>
      </section>
    );
  }

  return (
    <section
      aria-labelledby={`${domId}-title`}
      id={domId}
      className={`mb-10 ${hiddenOnPhone ? "max-sm:hidden" : ""}`}
    >
      <h3 id={`${domId}-title`} className="mb-2 text-xl font-bold">
        {title}
      </h3>
      <fetcher.Form
        method="post"
        action={`${pathname}#${domId}`}
        data-unsaved={dirtyNames.length > 0 ? "true" : undefined}
        noValidate
        onSubmit={(event) => {
          if (hasErrors) {
            event.preventDefault();
            event.currentTarget.querySelector<HTMLInputElement>('[aria-invalid="true"]')?.focus();
          } else {
            sent.current = { ...values };
          }
        }}
      >
        <input type="hidden" name="intent" value="save" />
        {hydrated ? <input type="hidden" name="js" value="1" /> : null}
        <input type="hidden" name="school" value={key} />
        <input type="hidden" name="version" value={state.version} />
        {Object.entries(state.base).map(([name, text]) => (
          <input
            key={name}
            type="hidden"
            name={name.startsWith("qty.") ? `was.${name.slice(4)}` : `wasnote.${name.slice(5)}`}
            value={name.startsWith("qty.") ? normalizeQuantity(text) : text}
          />
        ))}
        <div className="overflow-x-auto" tabIndex={0}>
          <table className="w-full text-left">
            <caption className="sr-only">
              {GRID_CAPTION[kind]} {title}: Stückzahl je Produktgruppe und Jahr. Enter springt in
              die nächste Zeile.
            </caption>
            {yearHeader}
            <tbody onKeyDown={onKeyDown}>
              {grid.rows.map((row, r) => {
                const code = row.category.code;
                const note = noteField(code);
                const noteError = errorOf(note);
                return (
                  <tr key={code}>
                    <th
                      scope="row"
                      className="border-b border-line px-2 py-1 text-left font-normal"
                    >
                      {row.category.name}
                    </th>
                    {grid.years.map((year, c) => {
                      const name = quantityField(year, code);
                      const id = `${domId}-${code}-${year}`;
                      const lock = lockedCells[lockKey(code, year)];
                      if (lock !== undefined) {
                        // A locked round's cell: shown, not sent (a missing field changes nothing).
                        const q = quantityOf(name);
                        return (
                          <td
                            key={year}
                            className="border-b border-line bg-soft px-2 py-1 text-right tabular-nums"
                            title={lock}
                            data-locked="true"
                          >
                            {q === 0 ? <span aria-hidden="true">–</span> : formatInteger(q)}
                            <span className="sr-only">
                              {q === 0 ? "0" : ""} ({row.category.name} {year}, gesperrt: {lock})
                            </span>
                          </td>
                        );
                      }
                      const error = errorOf(name);
                      const dirty = dirtyNames.includes(name);
                      const due = replacement?.[name] ?? 0;
                      const described = [
                        error ? `${id}-error` : "",
                        due > 0 ? `${id}-due` : "",
                      ].join(" ");
                      return (
                        <td
                          key={year}
                          className={`border-b border-line px-1 py-1 text-right align-top ${dirty ? "bg-[#fff7bf]" : ""}`}
                        >
                          <label htmlFor={id} className="sr-only">
                            {row.category.name} {year}, {title}
                          </label>
                          <input
                            id={id}
                            name={name}
                            type="text"
                            inputMode="numeric"
                            autoComplete="off"
                            value={values[name] ?? ""}
                            onChange={(e) => setValues((v) => ({ ...v, [name]: e.target.value }))}
                            data-row={r}
                            data-col={c}
                            data-changed={dirty ? "true" : undefined}
                            aria-invalid={error ? true : undefined}
                            aria-describedby={described.trim() || undefined}
                            className={`w-20 border-2 px-1 py-0.5 text-right tabular-nums ${error ? "border-danger" : "border-ink"} ${dirty ? "font-bold" : ""}`}
                          />
                          {error ? (
                            <p
                              id={`${id}-error`}
                              className="mt-1 max-w-40 text-left text-sm font-semibold text-danger"
                            >
                              {error}
                            </p>
                          ) : null}
                          {due > 0 ? (
                            <p
                              id={`${id}-due`}
                              className="mt-1 text-left text-sm text-muted"
                              data-testid="replacement-due"
                            >
                              Ersatz fällig: {formatInteger(due)}
                            </p>
                          ) : null}
                        </td>
                      );
                    })}
                    <td className="border-b border-line px-2 py-1 text-right font-semibold tabular-nums">
                      {formatInteger(rowTotal(code))}
                    </td>
                    <td
                      className={`border-b border-line px-1 py-1 align-top ${dirtyNames.includes(note) ? "bg-[#fff7bf]" : ""}`}
                    >
                      <label htmlFor={`${domId}-${code}-note`} className="sr-only">
                        Begründung {row.category.name}, {title}
                      </label>
                      <input
                        id={`${domId}-${code}-note`}
                        name={note}
                        type="text"
                        autoComplete="off"
                        value={values[note] ?? ""}
                        onChange={(e) => setValues((v) => ({ ...v, [note]: e.target.value }))}
                        readOnly={lockedNotes[code] !== undefined}
                        title={lockedNotes[code]}
                        aria-invalid={noteError ? true : undefined}
                        aria-describedby={noteError ? `${domId}-${code}-note-error` : undefined}
                        className={`w-full min-w-48 border-2 px-1 py-0.5 ${noteError ? "border-danger" : "border-ink"}`}
                      />
                      {noteError ? (
                        <p
                          id={`${domId}-${code}-note-error`}
                          className="mt-1 text-sm font-semibold text-danger"
                        >
                          {noteError}
                        </p>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
            {footer}
          </table>
        </div>
        <GridReplyMessage result={result} busy={busy} />
        <div className="mt-3 flex flex-wrap items-center gap-4">
          <Button type="submit" disabled={busy}>
            {busy ? "Speichert …" : "Speichern"}
            <span className="sr-only"> ({title})</span>
          </Button>
          {replacement && Object.keys(replacement).length > 0 ? (
            <Button
              type="submit"
              name="fill"
              value="replacement"
              variant="secondary"
              disabled={busy}
              onClick={(event) => {
                // With JavaScript the due quantities become unsaved edits right here;
                // without it the server sends the form back filled in (nothing is saved).
                event.preventDefault();
                setValues((v) => fillDueQuantities(v, replacement).values);
              }}
            >
              Ersatzbedarf übernehmen
              <span className="sr-only"> ({title})</span>
            </Button>
          ) : null}
          {result?.status === "conflict" ? (
            <Button
              type="submit"
              name="override"
              value={result.latestVersion}
              variant="danger"
              disabled={busy}
            >
              Meine Werte trotzdem speichern
            </Button>
          ) : null}
          {result?.status === "conflict" ? (
            <Button
              type="button"
              variant="secondary"
              onClick={() => {
                const fresh = fromGrid(grid);
                setState(fresh);
                setValues(fresh.base);
              }}
            >
              Meine Änderungen verwerfen
            </Button>
          ) : null}
          <p role="status" className="font-semibold" data-testid={`${domId}-status`}>
            {dirtyNames.length > 0 ? (
              <span className="bg-[#fff7bf] px-2 py-1">
                Ungespeicherte Änderungen ({dirtyNames.length}{" "}
                {dirtyNames.length === 1 ? "Wert" : "Werte"})
              </span>
            ) : result?.status === "saved" ? (
              result.changed === 0 ? (
                "Keine Änderungen zu speichern."
              ) : (
                `Gespeichert: ${result.changed} ${result.changed === 1 ? "Wert" : "Werte"}, ${result.timeText}`
              )
            ) : null}
          </p>
        </div>
      </fetcher.Form>
    </section>
  );
}

function GridReplyMessage({ result, busy }: { result: GridSaveReply | undefined; busy: boolean }) {
  if (!result || busy) return null;
  if (result.status === "prefilled") {
    return (
      <div role="status" className="mt-3 border-l-8 border-ink bg-soft p-3 font-semibold">
        {result.changed === 0
          ? "Der fällige Ersatz ist schon eingetragen."
          : `Ersatzbedarf in ${result.changed} ${result.changed === 1 ? "Feld" : "Felder"} eingetragen – noch nicht gespeichert. Bitte prüfen und speichern.`}
      </div>
    );
  }
  if (result.status === "denied" || result.status === "invalid") {
    return (
      <div role="alert" className="mt-3 border-l-8 border-danger p-3 font-semibold text-danger">
        {result.message}
      </div>
    );
  }
  if (result.status !== "conflict") return null;
  return (
    <div role="alert" className="mt-3 border-4 border-danger p-4">
      <h4 className="mb-2 text-lg font-bold">
        Nicht gespeichert: jemand hat diese Tabelle inzwischen geändert
      </h4>
      <p className="mb-2">
        Ihre Eingaben sind noch da. Vergleichen Sie die Werte und speichern Sie dann bewusst Ihre
        Werte oder verwerfen Sie Ihre Änderungen.
      </p>
      <table className="text-left">
        <thead>
          <tr>
            <th scope="col" className="border-b-2 border-ink px-2 py-1">
              Feld
            </th>
            <th scope="col" className="border-b-2 border-ink px-2 py-1 text-right">
              Jetzt gespeichert
            </th>
            <th scope="col" className="border-b-2 border-ink px-2 py-1 text-right">
              Ihr Wert
            </th>
          </tr>
        </thead>
        <tbody>
          {result.conflicts.map((c) => (
            <tr key={c.label}>
              <th scope="row" className="border-b border-line px-2 py-1 font-normal">
                {c.label}
              </th>
              <td className="border-b border-line px-2 py-1 text-right">
                {c.theirs === "" ? "–" : c.theirs}
              </td>
              <td className="border-b border-line px-2 py-1 text-right">
                {c.yours === "" ? "–" : c.yours}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
