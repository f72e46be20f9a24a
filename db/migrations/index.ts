import type { Migration } from "kysely";
import * as m001 from "./001-initial";
import * as m003 from "./003-snapshots";
import * as m004 from "./004-demand-workflow";
import * as m005 from "./005-awards-call-offs";
import * as m006 from "./006-security";
import * as m007 from "./007-funding-support";
import * as m008 from "./008-call-off-storno";
import * as m010 from "./010-inventory-imports";
import * as m011 from "./011-demand-rounds";
import * as m012 from "./012-data-version";
import * as m013 from "./013-pg-foreign-key-indexes";
import * as m014 from "./014-pg-set-based-line-references";
import * as m015 from "./015-pg-session-ends-change-data-version";

// Ordered migrations, imported statically so they work in the Remix server bundle
// and under tsx alike. Add new ones at the end; never edit a released one.
export const migrations: Record<string, Migration> = {
  "001-initial": m001,
  "003-snapshots": m003,
  "004-demand-workflow": m004,
  "005-awards-call-offs": m005,
  "006-security": m006,
  "007-funding-support": m007,
  "008-call-off-storno": m008,
  "010-inventory-imports": m010,
  "011-demand-rounds": m011,
  "012-data-version": m012,
  "013-pg-foreign-key-indexes": m013,
  "014-pg-set-based-line-references": m014,
  "015-pg-session-ends-change-data-version": m015,
};
