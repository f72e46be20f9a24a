// Kysely table types. Money is integer cents (`*_cents`), rates and weights are
// decimal text, never REAL. `position` keeps the plan's list order so that
// database → plan → database → plan is stable.
import type { Generated } from "kysely";

export type Role = "coordinator" | "finance" | "committee" | "officer";
export const ROLES: readonly Role[] = ["coordinator", "finance", "committee", "officer"];

export interface SettingsTable {
  key: string;
  value: string;
}

export interface PartnersTable {
  code: string;
  name: string;
  population: number;
  position: number;
}

export interface SchoolsTable {
  code: string;
  partner_code: string;
  name: string;
  type: string | null;
  pupils: number;
  position: number;
}

export interface CategoriesTable {
  code: string;
  name: string;
  unit: string | null;
  base_price_cents: number;
  vat_rate: string;
  position: number;
  /** plan@2: years a device stays in use (1–15, default 5). */
  service_life_years: Generated<number>;
  /** plan@2: support units per device, decimal text (default "1"). */
  support_units: Generated<string>;
}

export interface CategoryTiersTable {
  category_code: string;
  min_quantity: number;
  discount: string;
  position: number;
}

export interface DemandLinesTable {
  id: Generated<number>;
  partner_code: string;
  school_code: string | null;
  category_code: string;
  year: number;
  quantity: number;
  justification: string | null;
  position: number;
  updated_at: string;
  updated_by: number | null;
}

export interface TendersTable {
  code: string;
  name: string;
  start_year: number;
  term_years: number;
  reserve: string;
  solo_process_cost_cents: number;
  position: number;
}

export interface LotsTable {
  id: Generated<number>;
  tender_code: string;
  code: string;
  name: string;
  position: number;
}

export interface LotCategoriesTable {
  lot_id: number;
  category_code: string;
  position: number;
}

export interface CommonCostsTable {
  id: Generated<number>;
  tender_code: string;
  label: string;
  amount_cents: number;
  key: string;
  position: number;
}

export interface CommonCostWeightsTable {
  common_cost_id: number;
  partner_code: string;
  weight: string;
  position: number;
}

export interface UsersTable {
  id: Generated<number>;
  email: string;
  name: string;
  password_hash: string;
  role: Role;
  partner_code: string | null;
  active: number;
  created_at: string;
  updated_at: string;
}

export interface SessionsTable {
  id: string;
  user_id: number;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: string;
  user_id: number | null;
  action: string;
  entity: string;
  entity_key: string;
  old_value: string | null;
  new_value: string | null;
  detail: string | null;
}

/** A tender's demand round (migration 011), keyed by the tender code without a foreign key. */
export interface DemandRoundsTable {
  tender_code: string;
  /** Berlin wall-clock time "2027-03-31T18:00", or null while the coordinator set none. */
  deadline: string | null;
  opened_at: string;
  opened_by: number | null;
}

/** A partner's status in a round; no row means "draft". */
export interface DemandRoundStatusTable {
  tender_code: string;
  partner_code: string;
  status: "draft" | "submitted" | "reopened";
  changed_at: string;
  changed_by: number | null;
}

export interface FundingProgrammesTable {
  code: string;
  name: string;
  rate: string;
  from_year: number;
  to_year: number;
  max_per_unit_cents: number | null;
  /** 1 when the programme has budgets (a partner not listed then gets nothing). */
  has_budgets: number;
  position: number;
}

export interface FundingProgrammeCategoriesTable {
  programme_code: string;
  category_code: string;
  position: number;
}

export interface FundingBudgetsTable {
  programme_code: string;
  partner_code: string;
  amount_cents: number;
  position: number;
}

export interface InventoryLinesTable {
  id: Generated<number>;
  partner_code: string;
  school_code: string | null;
  category_code: string;
  /** Purchase year. */
  year: number;
  quantity: number;
  position: number;
  updated_at: string;
  updated_by: number | null;
}

export interface InventoryNotesTable {
  partner_code: string;
  school_code: string | null;
  category_code: string;
  text: string;
  updated_at: string;
  updated_by: number | null;
}

export type SupportKey = "units" | "pupils" | "population" | "equal";

export interface SupportParametersTable {
  id: number;
  from_year: number;
  to_year: number;
  devices_per_fte: string;
  fte_step: string;
  min_fte_per_partner: string;
  pool_overhead_fte: string;
  cost_per_fte_cents: number;
  key: SupportKey;
  /** Where the figures come from (shown on /support). */
  note: string | null;
  updated_at: string;
  updated_by: number | null;
}

export interface DB {
  settings: SettingsTable;
  partners: PartnersTable;
  schools: SchoolsTable;
  categories: CategoriesTable;
  category_tiers: CategoryTiersTable;
  demand_lines: DemandLinesTable;
  tenders: TendersTable;
  lots: LotsTable;
  lot_categories: LotCategoriesTable;
  common_costs: CommonCostsTable;
  common_cost_weights: CommonCostWeightsTable;
  users: UsersTable;
  sessions: SessionsTable;
  audit_log: AuditLogTable;
  demand_rounds: DemandRoundsTable;
  demand_round_status: DemandRoundStatusTable;
  funding_programmes: FundingProgrammesTable;
  funding_programme_categories: FundingProgrammeCategoriesTable;
  funding_budgets: FundingBudgetsTable;
  inventory_lines: InventoryLinesTable;
  inventory_notes: InventoryNotesTable;
  support_parameters: SupportParametersTable;
}
