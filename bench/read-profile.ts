// Reads a .cpuprofile (from `LOAD_CPU_PROF=DIR npm run bench:load` or node --cpu-prof):
//   tsx bench/read-profile.ts FILE [skipSeconds]
// prints the functions with the most self time, the files with the most self time and
// the app's functions with the most inclusive time (where the main thread's time went).
import fs from "node:fs";
import { summarizeProfile, type CpuProfile } from "./cpu-profile";

const [file, skipSeconds = "0"] = process.argv.slice(2);
const profile = JSON.parse(fs.readFileSync(file, "utf8")) as CpuProfile;
const skipMicros = Number(skipSeconds) * 1e6;
const { total, nodes, byFunction, byInclusive, byFile, top } = summarizeProfile(
  profile,
  skipMicros,
);
console.log(`samples: ${total}`);
console.log(`\nself time by function:\n${top(byFunction, 30)}\n\nby file:\n${top(byFile, 20)}`);
console.log(`\ninclusive, app code:\n${top(byInclusive, 50, (k) => k.includes("build/"))}`);

// Busy stretches: consecutive samples that are not idle, i.e. one hold of the event
// loop (one or more callbacks back to back). The longest, with the app functions and
// the route modules seen most in them.
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const c of node.children ?? []) parent.set(c, node.id);
const appFrames = (id: number): string[] => {
  const names: string[] = [];
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const frame = nodes.get(at)!.callFrame;
    if (frame.url.includes("build/") || frame.url.includes("/app/") || frame.url.includes("/db/"))
      names.push(frame.functionName || "(anonymous)");
  }
  return names;
};
interface Stretch {
  startMs: number;
  ms: number;
  frames: Map<string, number>;
}
const stretches: Stretch[] = [];
let current: Stretch | null = null;
let clock = 0;
profile.samples.forEach((id, i) => {
  clock += profile.timeDeltas[i];
  const idle = nodes.get(id)!.callFrame.functionName === "(idle)";
  if (idle || clock < skipMicros) {
    if (current) stretches.push(current);
    current = null;
    return;
  }
  current ??= { startMs: clock / 1000, ms: 0, frames: new Map() };
  current.ms += profile.timeDeltas[i] / 1000;
  for (const name of new Set(appFrames(id)))
    current.frames.set(name, (current.frames.get(name) ?? 0) + 1);
});
const longest = stretches.sort((a, b) => b.ms - a.ms).slice(0, Number(process.env.STRETCHES ?? 15));
console.log("\nlongest busy stretches (ms at start, length, app functions by samples):");
for (const s of longest) {
  const top5 = [...s.frames.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8);
  console.log(
    `${s.startMs.toFixed(0).padStart(7)} ms  ${s.ms.toFixed(0).padStart(5)} ms  ${top5.map(([k, v]) => `${k}×${v}`).join(", ")}`,
  );
}
const over = stretches.filter((s) => s.ms > 50);
console.log(
  `\nstretches > 50 ms: ${over.length}, total ${over.reduce((a, s) => a + s.ms, 0).toFixed(0)} ms`,
);
