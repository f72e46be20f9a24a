import type { ComponentPropsWithoutRef, ReactNode } from "react";

// Small building blocks with the app's sober look. Numbers in tables are right-aligned.

export function PageHeading({ children, caption }: { children: ReactNode; caption?: ReactNode }) {
  return (
    <div className="mb-6">
      {caption ? <p className="text-lg text-muted">{caption}</p> : null}
      <h1 className="text-3xl font-bold sm:text-4xl">{children}</h1>
    </div>
  );
}

export function SectionHeading({ children, id }: { children: ReactNode; id?: string }) {
  return (
    <h2 id={id} className="mb-3 mt-8 text-2xl font-bold">
      {children}
    </h2>
  );
}

export function Table({
  children,
  caption,
  className = "",
}: {
  children: ReactNode;
  caption?: ReactNode;
  className?: string;
}) {
  return (
    // Focusable, so keyboard users can scroll a table wider than a phone (axe:
    // scrollable-region-focusable).
    <div className="overflow-x-auto" tabIndex={0}>
      <table className={`w-full text-left ${className}`}>
        {caption ? <caption className="mb-2 text-left text-lg font-bold">{caption}</caption> : null}
        {children}
      </table>
    </div>
  );
}

export function Th({
  numeric,
  className = "",
  ...props
}: ComponentPropsWithoutRef<"th"> & { numeric?: boolean }) {
  return (
    <th
      scope="col"
      {...props}
      className={`border-b-2 border-ink px-2 py-2 align-bottom font-bold ${numeric ? "text-right" : ""} ${className}`}
    />
  );
}

export function Td({
  numeric,
  className = "",
  ...props
}: ComponentPropsWithoutRef<"td"> & { numeric?: boolean }) {
  return (
    <td
      {...props}
      className={`border-b border-line px-2 py-2 align-top ${numeric ? "whitespace-nowrap text-right tabular-nums" : ""} ${className}`}
    />
  );
}

export function RowTh({ className = "", ...props }: ComponentPropsWithoutRef<"th">) {
  return (
    <th
      scope="row"
      {...props}
      className={`border-b border-line px-2 py-2 text-left align-top font-normal ${className}`}
    />
  );
}

export function Button({
  variant = "primary",
  className = "",
  ...props
}: ComponentPropsWithoutRef<"button"> & { variant?: "primary" | "secondary" | "danger" }) {
  const colours = {
    primary: "bg-ok text-white shadow-[0_2px_0_#002d18] hover:bg-[#005a30]",
    secondary: "bg-soft text-ink shadow-[0_2px_0_#929191] hover:bg-[#dbdad9]",
    danger: "bg-danger text-white shadow-[0_2px_0_#55070f] hover:bg-[#8e0b18]",
  }[variant];
  return (
    <button
      {...props}
      className={`cursor-pointer px-4 py-2 font-semibold ${colours} ${className}`}
    />
  );
}

export function Tag({
  children,
  tone = "grey",
}: {
  children: ReactNode;
  tone?: "grey" | "green" | "blue" | "yellow" | "red";
}) {
  const colours = {
    grey: "bg-[#e5e6e7] text-[#2e3133]",
    green: "bg-[#cce2d8] text-[#005a30]",
    blue: "bg-[#d2e2f1] text-[#0c2d4a]",
    yellow: "bg-[#fff7bf] text-[#594d00]",
    red: "bg-[#f4cdc6] text-[#2a0b06]",
  }[tone];
  return (
    <strong className={`inline-block px-2 py-0.5 text-sm font-semibold ${colours}`}>
      {children}
    </strong>
  );
}

/** Form-level errors, announced to screen readers. */
export function ErrorSummary({ errors, id }: { errors: string[] | undefined; id?: string }) {
  if (!errors?.length) return null;
  return (
    <div id={id} role="alert" className="mb-6 border-4 border-danger p-4">
      <h2 className="mb-2 text-xl font-bold">Es gibt ein Problem</h2>
      <ul className="list-none font-semibold text-danger">
        {errors.map((error) => (
          <li key={error}>{error}</li>
        ))}
      </ul>
    </div>
  );
}

export function Notice({ children }: { children: ReactNode }) {
  return (
    <div role="status" className="mb-6 border-l-8 border-ok bg-[#e6f2ec] p-4 font-semibold">
      {children}
    </div>
  );
}

export function DescriptionList({ items }: { items: { term: ReactNode; value: ReactNode }[] }) {
  return (
    <dl className="grid grid-cols-1 gap-x-6 sm:grid-cols-[max-content_1fr]">
      {items.map((item, index) => (
        <div key={index} className="contents">
          <dt className="border-b border-line py-2 font-bold">{item.term}</dt>
          <dd className="border-b border-line py-2">{item.value}</dd>
        </div>
      ))}
    </dl>
  );
}
