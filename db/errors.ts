// Recognizing constraint violations on both engines: better-sqlite3 sets `code` to
// "SQLITE_CONSTRAINT_<KIND>", pg sets the SQLSTATE ("23505" and friends).

function codeOf(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null || !("code" in error)) return undefined;
  const { code } = error as { code: unknown };
  return typeof code === "string" ? code : undefined;
}

/** A UNIQUE or PRIMARY KEY constraint refused the row. */
export function isUniqueViolation(error: unknown): boolean {
  const code = codeOf(error);
  return (
    code === "SQLITE_CONSTRAINT_UNIQUE" ||
    code === "SQLITE_CONSTRAINT_PRIMARYKEY" ||
    code === "23505"
  );
}

/** A FOREIGN KEY constraint refused the change. */
export function isForeignKeyViolation(error: unknown): boolean {
  const code = codeOf(error);
  return code === "SQLITE_CONSTRAINT_FOREIGNKEY" || code === "23503";
}

/** A CHECK (or NOT NULL) constraint refused the row. */
export function isCheckViolation(error: unknown): boolean {
  const code = codeOf(error);
  return (
    code === "SQLITE_CONSTRAINT_CHECK" ||
    code === "SQLITE_CONSTRAINT_NOTNULL" ||
    code === "23514" ||
    code === "23502"
  );
}
