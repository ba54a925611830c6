/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time by package
 * and by function, and total (inclusive) time by function. Time in native
 * code called from JavaScript (SQLite, syscalls) counts as the caller's self
 * time; a thread blocked in fsync counts as busy.
 */
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** Where a script belongs: an npm package, a workspace package, Node itself, or V8's pseudo-frames. */
function packageOf(url: string, functionName: string): string {
  if (url === "") return functionName.startsWith("(") ? functionName : "(native)";
  if (url.startsWith("node:")) return "node internals";
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm !== null) return nm[1]!;
  const ws = /packages\/([^/]+)\/dist\/(?:src\/)?(.+)$/.exec(url);
  if (ws !== null) return `@bote/${ws[1]} ${ws[2]!.split("/").slice(0, -1).join("/") || "."}`;
  return url;
}

function add(map: Map<string, number>, key: string, us: number): void {
  map.set(key, (map.get(key) ?? 0) + us);
}

export function summariseProfile(file: string, top: number): string {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const keyOf = (id: number) => {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const short = url.replace(/^file:\/\/.*?\/(node_modules|packages)\//, "$1/");
    return `${functionName || "(anonymous)"}  ${short}${url === "" ? "" : `:${lineNumber + 1}`}`;
  };

  const selfByFunction = new Map<string, number>();
  const selfByPackage = new Map<string, number>();
  const total = new Map<string, number>();
  profile.samples.forEach((leaf, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    const { functionName, url } = byId.get(leaf)!.callFrame;
    add(selfByFunction, keyOf(leaf), us);
    add(selfByPackage, packageOf(url, functionName), us);
    // Every function on the stack, once per sample even when recursive.
    const seen = new Set<string>();
    for (let id: number | undefined = leaf; id !== undefined; id = parent.get(id)) seen.add(keyOf(id));
    for (const key of seen) add(total, key, us);
  });

  const wall = profile.endTime - profile.startTime;
  const idle = selfByPackage.get("(idle)") ?? 0;
  const pct = (us: number) => `${((100 * us) / wall).toFixed(1).padStart(5)} %`;
  const list = (map: Map<string, number>, n: number) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, us]) => `  ${pct(us)}  ${k}`);
  return [
    `profiled ${(wall / 1e6).toFixed(1)} s, busy ${(((wall - idle) / wall) * 100).toFixed(0)} %`,
    "self time by package:",
    ...list(selfByPackage, 15),
    "self time by function:",
    ...list(selfByFunction, top),
    "total time (with callees) by function, main thread:",
    ...list(new Map([...total].filter(([k]) => !k.startsWith("(root)") && !k.startsWith("(idle)"))), top),
  ].join("\n");
}

// `node profile.js FILE [TOP]` prints the summary of one profile.
if (process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const file = process.argv[2];
  if (file === undefined) {
    console.error("usage: node profile.js FILE.cpuprofile [TOP]");
    process.exitCode = 2;
  } else console.log(summariseProfile(file, Number(process.argv[3] ?? 40)));
}
