// Child process for the durability test: imports a generated plan with 200,000
// demand lines into the database given as argument, announcing each step on stdout,
// so the parent can SIGKILL it in the middle of the write.
import { openDatabase } from "../../db/database";
import { importPlan } from "../../db/plan-io";
import { generatePlan } from "../db/plan-fixtures";

const file = process.argv[2];
if (!file) throw new Error("usage: import-child.ts DATABASE");
const { db } = openDatabase(file);
// 20 partners × 10 schools × 50 categories × 20 years = 200,000 lines.
const plan = generatePlan({ partners: 20, schoolsPerPartner: 10, categories: 50, years: 20 });
process.stdout.write("importing\n");
await importPlan(db, plan, { replace: true });
process.stdout.write("committed\n");
// Stay alive with the connection open (nothing checkpointed) until killed.
setInterval(() => {}, 1000);
