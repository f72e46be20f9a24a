// Reading a V8 .cpuprofile: self and inclusive time per function and per file, after a
// warm-up. Shared by bench/profile.ts (profiles one run) and bench/read-profile.ts.

export interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount: number;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  /** Samples after the warm-up. */
  total: number;
  nodes: Map<number, ProfileNode>;
  byFunction: Map<string, number>;
  byInclusive: Map<string, number>;
  byFile: Map<string, number>;
  /** The `n` largest entries of a map as "  12.3 %  key" lines. */
  top: (map: Map<string, number>, n: number, filter?: (key: string) => boolean) => string;
}

/** Self samples per node after `skipMicros`, then inclusive time up the tree. */
export function summarizeProfile(profile: CpuProfile, skipMicros: number): ProfileSummary {
  const self = new Map<number, number>();
  let at = 0;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i];
    if (at >= skipMicros) self.set(id, (self.get(id) ?? 0) + 1);
  });
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const inclusive = new Map<number, number>();
  const visit = (node: ProfileNode): number => {
    let sum = self.get(node.id) ?? 0;
    for (const c of node.children ?? []) sum += visit(nodes.get(c)!);
    inclusive.set(node.id, sum);
    return sum;
  };
  visit(profile.nodes[0]);
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const byFunction = new Map<string, number>();
  const byInclusive = new Map<string, number>();
  const byFile = new Map<string, number>();
  const onStack = new Set<string>();
  const keyOf = (node: ProfileNode) => {
    const { functionName, url: source, lineNumber } = node.callFrame;
    const shortFile = source
      .replace(/^.*node_modules\//, "")
      .replace(/^file:\/\/.*?\/(wt-[^/]+\/)?/, "");
    return { key: `${functionName || "(anonymous)"} ${shortFile}:${lineNumber + 1}`, shortFile };
  };
  const walk = (node: ProfileNode) => {
    const { key, shortFile } = keyOf(node);
    const own = self.get(node.id) ?? 0;
    byFunction.set(key, (byFunction.get(key) ?? 0) + own);
    const fileKey = shortFile.split("/").slice(0, 3).join("/") || node.callFrame.functionName;
    byFile.set(fileKey, (byFile.get(fileKey) ?? 0) + own);
    const outer = !onStack.has(key);
    if (outer) {
      byInclusive.set(key, (byInclusive.get(key) ?? 0) + (inclusive.get(node.id) ?? 0));
      onStack.add(key);
    }
    for (const c of node.children ?? []) walk(nodes.get(c)!);
    if (outer) onStack.delete(key);
  };
  walk(profile.nodes[0]);
  const top = (map: Map<string, number>, n: number, filter = (_k: string) => true) =>
    [...map.entries()]
      .filter(([k]) => filter(k))
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => `${((v / total) * 100).toFixed(1).padStart(5)} %  ${k}`)
      .join("\n");
  return { total, nodes, byFunction, byInclusive, byFile, top };
}
