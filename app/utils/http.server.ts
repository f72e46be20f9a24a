// Thrown responses that the root ErrorBoundary renders as German error pages.

export function forbidden(): Response {
  return new Response("Kein Zugriff", { status: 403, statusText: "Forbidden" });
}

export function notFound(): Response {
  return new Response("Nicht gefunden", { status: 404, statusText: "Not Found" });
}

/** Only same-site relative paths: "/x" but not "//evil.example" or "/\\evil.example". */
export function safeRedirect(
  to: FormDataEntryValue | string | null | undefined,
  fallback = "/",
): string {
  if (typeof to !== "string" || !to.startsWith("/") || to.startsWith("//") || to.startsWith("/\\"))
    return fallback;
  // Control characters (tabs, newlines) could smuggle a different target past the checks.
  if ([...to].some((char) => char.charCodeAt(0) < 0x20)) return fallback;
  return to;
}
