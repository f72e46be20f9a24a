// A grid save reads the partner's values once (decision 027, second round): the save
// actions read only the grids' shape (app/utils/grid-shape.server.ts) to parse the form;
// saveGrid / saveInventoryGrid read the values in their transaction. The shape must be
// what the full load gives, or the form would be read with other columns.
import {
  OperationNodeTransformer,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type TableNode,
  type UnknownRow,
} from "kysely";
import { action as demandAction, loader as demandLoader } from "../../app/routes/demand.$partner";
import {
  action as inventoryAction,
  loader as inventoryLoader,
} from "../../app/routes/inventory.$partner";
import {
  demandGridShape,
  gridOfShape,
  inventoryGridShape,
} from "../../app/utils/grid-shape.server";
import { setDbForTests } from "../../app/utils/db.server";
import { gridsOf, loadPartnerDemand } from "../../db/demand";
import { inventoryGridsOf, loadPartnerInventory } from "../../db/inventory";
import { baselineQuantityField, quantityField } from "../../domain/demand-form";
import type { TestDatabase } from "../helpers/test-database";
import {
  OFFICER_COE,
  makeRequest,
  run,
  setUpAppDatabase,
  signIn,
  tearDownAppDatabase,
} from "./support";

/** Counts the statements that read each table (selects only). */
class TableReads extends OperationNodeTransformer {
  counts = new Map<string, number>();
  protected override transformTable(node: TableNode): TableNode {
    const name = node.table.identifier.name;
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
    return super.transformTable(node);
  }
}

class CountReads implements KyselyPlugin {
  reads = new Map<string, number>();
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    if (args.node.kind === "SelectQueryNode") {
      const tables = new TableReads();
      tables.transformNode(args.node);
      for (const name of tables.counts.keys())
        this.reads.set(name, (this.reads.get(name) ?? 0) + 1);
    }
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}

let testDb: TestDatabase;
let cookie: string;
beforeAll(async () => {
  testDb = await setUpAppDatabase();
  cookie = await signIn(OFFICER_COE);
});
afterAll(async () => tearDownAppDatabase(testDb));
afterEach(() => setDbForTests(testDb.db));

interface Grid {
  schoolCode: string | null;
  years: number[];
  version: string;
  rows: { category: { code: string }; quantities: number[]; justification: string }[];
}

function gridForm(grid: Grid, bump: boolean): Record<string, string> {
  const form: Record<string, string> = {
    intent: "save",
    js: "1",
    school: grid.schoolCode ?? "",
    version: grid.version,
  };
  grid.rows.forEach((row, r) =>
    grid.years.forEach((year, i) => {
      const q = row.quantities[i];
      form[quantityField(year, row.category.code)] = String(bump && r === 0 && i === 0 ? q + 1 : q);
      form[baselineQuantityField(year, row.category.code)] = String(q);
    }),
  );
  return form;
}

describe("the grids' shape", () => {
  it("is the full load's partner, schools, categories and years (demand)", async () => {
    for (const partner of ["COE", "DUE"]) {
      const full = (await loadPartnerDemand(testDb.db, partner))!;
      const shape = (await demandGridShape(testDb.db, partner))!;
      expect(shape).toEqual({
        partner: full.partner,
        schools: full.schools,
        categories: full.categories,
        years: full.years,
      });
      for (const grid of gridsOf(full)) {
        const empty = gridOfShape(shape, grid.schoolCode)!;
        expect(empty.years).toEqual(grid.years);
        expect(empty.rows.map((r) => r.category)).toEqual(grid.rows.map((r) => r.category));
      }
      expect(gridOfShape(shape, "NO-SUCH-SCHOOL")).toBeUndefined();
    }
    expect(await demandGridShape(testDb.db, "NOPE")).toBeUndefined();
  });

  it("is the full load's partner, schools, categories and years (inventory, years from the data)", async () => {
    const full0 = (await loadPartnerInventory(testDb.db, "COE"))!;
    const school = full0.schools[0].code;
    const category = full0.categories[0].code;
    // A purchase long ago and one in the future widen the years on both ends.
    await testDb.db
      .insertInto("inventory_lines")
      .values([
        {
          partner_code: "COE",
          school_code: school,
          category_code: category,
          year: 2001,
          quantity: 1,
          position: 0,
          updated_at: "2026-01-01T00:00:00.000Z",
          updated_by: null,
        },
        {
          partner_code: "COE",
          school_code: school,
          category_code: category,
          year: 2040,
          quantity: 1,
          position: 0,
          updated_at: "2026-01-01T00:00:00.000Z",
          updated_by: null,
        },
      ])
      .execute();
    for (const partner of ["COE", "DUE"]) {
      const full = (await loadPartnerInventory(testDb.db, partner))!;
      const shape = (await inventoryGridShape(testDb.db, partner))!;
      expect(shape).toEqual({
        partner: full.partner,
        schools: full.schools,
        categories: full.categories,
        years: full.years,
      });
      for (const grid of inventoryGridsOf(full))
        expect(gridOfShape(shape, grid.schoolCode)!.years).toEqual(grid.years);
    }
    expect((await inventoryGridShape(testDb.db, "COE"))!.years[0]).toBe(2001);
  });
});

describe("a grid save reads the partner's values once", () => {
  it("demand: one read of the cells and notes, and the save lands", async () => {
    const page = await run(demandLoader, makeRequest("/demand/COE", { cookie }), {
      partner: "COE",
    });
    const grid = ((await page.json()) as { grids: Grid[] }).grids[0];
    const counter = new CountReads();
    setDbForTests(testDb.db.withPlugin(counter));
    const response = await run(
      demandAction,
      makeRequest("/demand/COE", { cookie, form: gridForm(grid, true) }),
      { partner: "COE" },
    );
    expect(response.status).toBe(200);
    expect(((await response.json()) as { status: string }).status).toBe("saved");
    expect(counter.reads.get("demand_notes")).toBe(1);
    expect(counter.reads.get("schools")).toBe(2);
  });

  it("inventory: one read of the cells and notes, and the save lands", async () => {
    const page = await run(inventoryLoader, makeRequest("/inventory/COE", { cookie }), {
      partner: "COE",
    });
    const grid = ((await page.json()) as { grids: Grid[] }).grids[0];
    const counter = new CountReads();
    setDbForTests(testDb.db.withPlugin(counter));
    const response = await run(
      inventoryAction,
      makeRequest("/inventory/COE", { cookie, form: gridForm(grid, true) }),
      { partner: "COE" },
    );
    expect(response.status).toBe(200);
    expect(((await response.json()) as { status: string }).status).toBe("saved");
    expect(counter.reads.get("inventory_notes")).toBe(1);
  });
});
