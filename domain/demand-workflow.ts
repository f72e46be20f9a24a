// Who may read, edit, submit and reopen a partner's demand, and when. Pure rules: the
// caller passes role, status, deadline and the current time.

export type DemandRole = "coordinator" | "finance" | "committee" | "officer";
export type DemandStatus = "draft" | "submitted" | "reopened";

export const DEMAND_STATUS_LABEL: Record<DemandStatus, string> = {
  draft: "Entwurf",
  submitted: "Eingereicht",
  reopened: "Wieder geöffnet",
};

export interface DemandActor {
  role: DemandRole;
  /** Set for officers only: the partner they work for. */
  partnerCode: string | null;
}

export interface DemandState {
  status: DemandStatus;
  /** The deadline as an instant, or null when the coordinator has set none. */
  deadline: Date | null;
}

export type Decision = { allowed: true } | { allowed: false; reason: string };

const allow: Decision = { allowed: true };
const deny = (reason: string): Decision => ({ allowed: false, reason });

const ownPartner = (actor: DemandActor, partnerCode: string): boolean =>
  actor.role === "officer" && actor.partnerCode === partnerCode;

/** The deadline has passed from its very minute on (a deadline of 18:00 ends at 18:00:00). */
export const deadlinePassed = (deadline: Date | null, now: Date): boolean =>
  deadline !== null && now.getTime() >= deadline.getTime();

/** Everyone but an officer of another partner may read. */
export function canReadDemand(actor: DemandActor, partnerCode: string): boolean {
  return actor.role !== "officer" || actor.partnerCode === partnerCode;
}

/**
 * The coordinator may always edit. An officer edits its own partner's demand while it
 * is not submitted and the deadline has not passed. Finance and committee only read.
 */
export function canEditDemand(
  actor: DemandActor,
  partnerCode: string,
  state: DemandState,
  now: Date,
): Decision {
  if (actor.role === "coordinator") return allow;
  if (!ownPartner(actor, partnerCode))
    return deny("Sie dürfen den Bedarf dieses Partners nicht ändern.");
  if (state.status === "submitted") {
    return deny(
      "Der Bedarf ist eingereicht und gesperrt. Die Koordination kann ihn wieder öffnen.",
    );
  }
  if (deadlinePassed(state.deadline, now)) {
    return deny("Die Frist ist abgelaufen. Änderungen nimmt nur noch die Koordination vor.");
  }
  return allow;
}

/**
 * Submitting follows the editing rule (an officer before the deadline, or the
 * coordinator on the partner's behalf), and only from draft or reopened.
 */
export function canSubmitDemand(
  actor: DemandActor,
  partnerCode: string,
  state: DemandState,
  now: Date,
): Decision {
  if (state.status === "submitted") return deny("Der Bedarf ist bereits eingereicht.");
  return canEditDemand(actor, partnerCode, state, now);
}

/** Only the coordinator reopens, and only a submitted demand. */
export function canReopenDemand(actor: DemandActor, state: DemandState): Decision {
  if (actor.role !== "coordinator")
    return deny("Nur die Koordination kann eine Bedarfsmeldung wieder öffnen.");
  if (state.status !== "submitted")
    return deny("Nur eingereichte Bedarfsmeldungen können wieder geöffnet werden.");
  return allow;
}

export function canSetDeadline(actor: DemandActor): Decision {
  return actor.role === "coordinator" ? allow : deny("Nur die Koordination legt die Frist fest.");
}

/** "noch 3 Tage 4 Stunden", "noch 5 Stunden 12 Minuten", "noch 7 Minuten", "Frist abgelaufen". */
export function formatTimeLeft(deadline: Date, now: Date): string {
  const ms = deadline.getTime() - now.getTime();
  if (ms <= 0) return "Frist abgelaufen";
  const minutesLeft = Math.floor(ms / 60_000);
  const days = Math.floor(minutesLeft / 1440);
  const hours = Math.floor((minutesLeft % 1440) / 60);
  const minutes = minutesLeft % 60;
  const unit = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  if (days > 0) return `noch ${unit(days, "Tag", "Tage")} ${unit(hours, "Stunde", "Stunden")}`;
  if (hours > 0)
    return `noch ${unit(hours, "Stunde", "Stunden")} ${unit(minutes, "Minute", "Minuten")}`;
  if (minutes > 0) return `noch ${unit(minutes, "Minute", "Minuten")}`;
  return "noch weniger als 1 Minute";
}
