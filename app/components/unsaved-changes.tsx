// Asks before leaving a page with unsaved edits: the browser's own prompt when the tab
// is closed or reloaded (beforeunload), and a confirm dialog for links inside the app
// (Remix's useBlocker). A form takes part by carrying `data-unsaved-guard`; typing in it
// marks the page dirty, submitting it clears that (the save is on its way). A component
// that tracks its own edits (the demand grid) marks itself `data-unsaved="true"` instead.
// Call the hook once per page (in the route component: a router has one blocker).
// Without JavaScript nothing asks; the forms still work.
import { useBeforeUnload, useBlocker } from "@remix-run/react";
import { useCallback, useEffect, useRef } from "react";

export const UNSAVED_MESSAGE =
  "Es gibt ungespeicherte Änderungen. Seite trotzdem verlassen? Die Änderungen gehen verloren.";

/** Props for a form whose edits should not be lost silently. */
export const guardedForm = { "data-unsaved-guard": "" } as const;

function guardedFormOf(target: EventTarget | null): HTMLFormElement | null {
  if (!(target instanceof Element)) return null;
  const form = target instanceof HTMLFormElement ? target : target.closest("form");
  return form?.hasAttribute("data-unsaved-guard") ? form : null;
}

export function useUnsavedChangesPrompt(): void {
  const dirty = useRef(new Set<HTMLFormElement>());

  useEffect(() => {
    const onEdit = (event: Event) => {
      const form = guardedFormOf(event.target);
      if (form) dirty.current.add(form);
    };
    const onSubmit = (event: Event) => {
      const form = guardedFormOf(event.target);
      if (form) dirty.current.delete(form);
    };
    const onReset = onSubmit;
    document.addEventListener("input", onEdit, true);
    document.addEventListener("change", onEdit, true);
    document.addEventListener("submit", onSubmit, true);
    document.addEventListener("reset", onReset, true);
    return () => {
      document.removeEventListener("input", onEdit, true);
      document.removeEventListener("change", onEdit, true);
      document.removeEventListener("submit", onSubmit, true);
      document.removeEventListener("reset", onReset, true);
    };
  }, []);

  const isDirty = () => {
    // A form that left the page (saved and re-rendered) no longer counts.
    for (const form of dirty.current) if (!form.isConnected) dirty.current.delete(form);
    return dirty.current.size > 0 || document.querySelector('[data-unsaved="true"]') !== null;
  };

  useBeforeUnload(
    useCallback((event: BeforeUnloadEvent) => {
      if (!isDirty()) return;
      event.preventDefault();
      // Older browsers show the prompt only with a returnValue.
      event.returnValue = UNSAVED_MESSAGE;
    }, []),
  );

  const blocker = useBlocker(
    ({ currentLocation, nextLocation, historyAction }) =>
      isDirty() &&
      // Submitting a form navigates too; the submit listener has cleared its form already.
      (currentLocation.pathname !== nextLocation.pathname ||
        currentLocation.search !== nextLocation.search ||
        historyAction === "POP"),
  );
  useEffect(() => {
    if (blocker.state !== "blocked") return;
    if (window.confirm(UNSAVED_MESSAGE)) {
      dirty.current.clear();
      blocker.proceed();
    } else {
      blocker.reset();
    }
  }, [blocker]);
}
