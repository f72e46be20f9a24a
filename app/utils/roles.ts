import type { Role } from "../../db/schema";

// Roles and what each may see; shared by server checks and the navigation.
export type { Role };
export const ROLES: readonly Role[] = ["coordinator", "finance", "committee", "officer"];

export const ROLE_LABELS: Record<Role, string> = {
  coordinator: "Koordination",
  finance: "Finanzen",
  committee: "Ausschuss",
  officer: "Beschaffung (Schulträger)",
};

/** The part of a user that permissions depend on. */
export interface Actor {
  role: Role;
  partnerCode: string | null;
}

/** Officers read only their own partner's demand; every other role reads all. */
export function canReadPartner(actor: Actor, partnerCode: string): boolean {
  return actor.role === "officer" ? actor.partnerCode === partnerCode : true;
}

/** Officers write only their own partner's demand; the coordinator writes all; finance and committee nothing. */
export function canWritePartner(actor: Actor, partnerCode: string): boolean {
  if (actor.role === "coordinator") return true;
  return actor.role === "officer" && actor.partnerCode === partnerCode;
}

/** The finance workbook of a tender (/tenders/:code/cost-split.xlsx); officers get 403. */
export const COST_SPLIT_ROLES: readonly Role[] = ["coordinator", "finance", "committee"];
/** Reading the award page (/tenders/:code/award); officers get 403. */
export const AWARD_READ_ROLES: readonly Role[] = ["coordinator", "finance", "committee"];
/** The exports of all partners' demand (/demand/export.xlsx, /demand/export.csv). */
export const DEMAND_EXPORT_ROLES: readonly Role[] = ["coordinator", "finance"];

export function canDownloadCostSplit(actor: Actor): boolean {
  return COST_SPLIT_ROLES.includes(actor.role);
}

export function canReadAward(actor: Actor): boolean {
  return AWARD_READ_ROLES.includes(actor.role);
}

export function canExportDemand(actor: Actor): boolean {
  return DEMAND_EXPORT_ROLES.includes(actor.role);
}

export function canManageUsers(actor: Actor): boolean {
  return actor.role === "coordinator";
}

export interface NavItem {
  to: string;
  label: string;
}

export function navigationFor(actor: Actor): NavItem[] {
  const items: NavItem[] = [{ to: "/", label: "Start" }];
  if (actor.role === "officer") {
    if (actor.partnerCode) {
      items.push({ to: `/demand/${actor.partnerCode}`, label: "Bedarf" });
      items.push({ to: `/inventory/${actor.partnerCode}`, label: "Bestand" });
    }
    items.push({ to: "/tenders", label: "Ausschreibungen" });
    items.push({ to: "/funding", label: "Förderung" });
    items.push({ to: "/support", label: "IT-Support" });
    return items;
  }
  if (actor.role === "coordinator") {
    items.push({ to: "/demand", label: "Bedarf" });
    items.push({ to: "/inventory", label: "Bestand" });
  }
  items.push({ to: "/tenders", label: "Ausschreibungen" });
  items.push({ to: "/funding", label: "Förderung" });
  items.push({ to: "/support", label: "IT-Support" });
  items.push({ to: "/categories", label: "Produktgruppen" });
  if (canManageUsers(actor)) {
    items.push({ to: "/admin/plan", label: "Plandatei" });
    items.push({ to: "/admin/users", label: "Benutzer" });
  }
  return items;
}
