import { useEffect, useRef, type ReactNode } from "react";

// Labelled form fields that show their error next to the input and link it via
// aria-describedby, so they work with and without JavaScript.

interface FieldShellProps {
  id: string;
  label: string;
  hint?: ReactNode;
  errors?: string[];
  errorId: string;
  hintId: string;
  children: ReactNode;
}

function FieldShell({ id, label, hint, errors, errorId, hintId, children }: FieldShellProps) {
  const hasError = Boolean(errors?.length);
  return (
    <div className={`mb-5 ${hasError ? "border-l-4 border-danger pl-3" : ""}`}>
      <label htmlFor={id} className="mb-1 block font-bold">
        {label}
      </label>
      {hint ? (
        <p id={hintId} className="mb-1 text-muted">
          {hint}
        </p>
      ) : null}
      {hasError ? (
        <p id={errorId} className="mb-1 font-semibold text-danger">
          {errors!.join(" ")}
        </p>
      ) : null}
      {children}
    </div>
  );
}

export interface ConformFieldMeta {
  id: string;
  name: string;
  errorId: string;
  descriptionId: string;
  errors?: string[];
  initialValue?: unknown;
}

function describedBy(field: ConformFieldMeta, hint: boolean): string | undefined {
  const ids = [
    hint ? field.descriptionId : null,
    field.errors?.length ? field.errorId : null,
  ].filter(Boolean);
  return ids.length ? ids.join(" ") : undefined;
}

const INPUT_CLASS = "block w-full max-w-md border-2 border-ink px-2 py-1.5 text-lg";

export function TextField({
  field,
  label,
  hint,
  type = "text",
  autoComplete,
  defaultValue,
  clearOn,
}: {
  field: ConformFieldMeta;
  label: string;
  hint?: ReactNode;
  type?: "text" | "email" | "password";
  autoComplete?: string;
  defaultValue?: string;
  /** Empties the input whenever this value changes, e.g. a password after each server answer. */
  clearOn?: unknown;
}) {
  const initial = typeof field.initialValue === "string" ? field.initialValue : defaultValue;
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (clearOn !== undefined && input.current) input.current.value = "";
  }, [clearOn]);
  return (
    <FieldShell
      id={field.id}
      label={label}
      hint={hint}
      errors={field.errors}
      errorId={field.errorId}
      hintId={field.descriptionId}
    >
      <input
        ref={input}
        id={field.id}
        name={field.name}
        type={type}
        autoComplete={autoComplete}
        defaultValue={type === "password" ? undefined : initial}
        aria-invalid={field.errors?.length ? true : undefined}
        aria-describedby={describedBy(field, Boolean(hint))}
        className={`${INPUT_CLASS} ${field.errors?.length ? "border-danger" : ""}`}
      />
    </FieldShell>
  );
}

export function SelectField({
  field,
  label,
  hint,
  options,
  defaultValue,
  placeholder,
}: {
  field: ConformFieldMeta;
  label: string;
  hint?: ReactNode;
  options: { value: string; label: string }[];
  defaultValue?: string;
  placeholder?: string;
}) {
  const initial = typeof field.initialValue === "string" ? field.initialValue : defaultValue;
  return (
    <FieldShell
      id={field.id}
      label={label}
      hint={hint}
      errors={field.errors}
      errorId={field.errorId}
      hintId={field.descriptionId}
    >
      <select
        id={field.id}
        name={field.name}
        defaultValue={initial ?? ""}
        aria-invalid={field.errors?.length ? true : undefined}
        aria-describedby={describedBy(field, Boolean(hint))}
        className={`${INPUT_CLASS} bg-white`}
      >
        {placeholder !== undefined ? <option value="">{placeholder}</option> : null}
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </FieldShell>
  );
}
