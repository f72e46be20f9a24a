import { Form, Link } from "@remix-run/react";
import { formatDateTime } from "~/utils/format";

export interface SnapshotBannerData {
  version: number;
  comment: string;
  createdAt: string;
  createdBy: string;
}

/** "Beschlussstand Version N vom …": the page shows a frozen state, not the working state. */
export function SnapshotBanner({
  snapshot,
  matchesStoredResult,
  currentHref,
}: {
  snapshot: SnapshotBannerData;
  matchesStoredResult: boolean;
  currentHref: string;
}) {
  return (
    <div role="note" className="mb-6 border-l-8 border-brand bg-[#d2e2f1] p-4 break-inside-avoid">
      <p className="text-lg font-bold">
        Beschlussstand Version {snapshot.version} vom {formatDateTime(snapshot.createdAt)}
      </p>
      <p>
        Festgehalten von {snapshot.createdBy}: „{snapshot.comment}“
      </p>
      {matchesStoredResult ? null : (
        <p className="mt-2 font-semibold text-danger">
          Achtung: Die heutige Berechnung des gespeicherten Plans weicht vom gespeicherten Ergebnis
          ab. Angezeigt werden die neu berechneten Zahlen.
        </p>
      )}
      <p className="mt-2 print:hidden">
        <Link to={currentHref}>Zum aktuellen Arbeitsstand</Link>
      </p>
    </div>
  );
}

export interface VersionOption {
  version: number;
  createdAt: string;
}

/** A GET form: choose the working state or one snapshot (works without JavaScript). */
export function VersionPicker({
  versions,
  selected,
  label = "Stand",
  allowCurrent = true,
}: {
  versions: VersionOption[];
  selected: number | null;
  label?: string;
  allowCurrent?: boolean;
}) {
  if (versions.length === 0) return null;
  return (
    <Form method="get" className="flex flex-wrap items-end gap-2 print:hidden">
      <label className="flex flex-col font-semibold">
        {label}
        <select
          name="version"
          defaultValue={selected === null ? "" : String(selected)}
          className="mt-1 border-2 border-ink px-2 py-1 font-normal"
        >
          {allowCurrent ? <option value="">Aktueller Arbeitsstand</option> : null}
          {versions.map((v) => (
            <option key={v.version} value={v.version}>
              Beschlussstand Version {v.version} vom {formatDateTime(v.createdAt)}
            </option>
          ))}
        </select>
      </label>
      <button
        type="submit"
        className="cursor-pointer bg-soft px-4 py-1.5 font-semibold shadow-[0_2px_0_#929191]"
      >
        Anzeigen
      </button>
    </Form>
  );
}
