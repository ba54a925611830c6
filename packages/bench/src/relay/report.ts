/** The machine description and the result table. */
import { readFileSync } from "node:fs";
import { availableParallelism, cpus, freemem, release, totalmem } from "node:os";
import type { LoadResult } from "./ipc.js";
import { PEERS, SYSTEMS, type Options, type SystemName } from "./options.js";

export interface IdleResult {
  connections: number;
  rssBeforeKb: number;
  rssAfterKb: number;
  perConnectionKb: number;
  totalMbFor10k: number;
  /** Growth of the JS heap (process.memoryUsage().heapUsed) per connection; the rest of RSS is native. */
  heapPerConnectionKb: number;
  openSeconds: number;
}

/** One system's measured runs in one round. */
export interface Run {
  system: SystemName;
  round: number;
  /** The load averages (1, 5, 15 min) just before the system started. */
  loadBefore: string;
  /** Closed loop at saturation. */
  throughput: LoadResult;
  /** One per offered rate of Options.latencyRates, in order. */
  latency: LoadResult[];
}

/** The median of some figures and their range. */
export interface Spread {
  median: number;
  min: number;
  max: number;
}

export function spread(values: number[]): Spread {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return { median: NaN, min: NaN, max: NaN };
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted.at(-1)! };
}

/** Server CPU per delivered message over the measured window, in µs. */
export function cpuMicrosPerMessage(r: LoadResult): number {
  return (r.cpu.target * 1e6) / r.deliveredPerSecond;
}

/** Bote's throughput over each baseline's, per round (the systems of a round ran back to back). */
export function ratios(runs: Run[]): { ceiling?: Spread; durable?: Spread; ejabberd?: Spread } {
  const of = (baseline: SystemName) => {
    const values: number[] = [];
    for (const b of runs.filter((r) => r.system === "bote")) {
      const base = runs.find((r) => r.system === baseline && r.round === b.round);
      if (base !== undefined) values.push(b.throughput.deliveredPerSecond / base.throughput.deliveredPerSecond);
    }
    return values.length === 0 ? undefined : spread(values);
  };
  const [ceiling, durable, ejabberd] = [of("ceiling"), of("durable"), of("ejabberd")];
  return { ...(ceiling && { ceiling }), ...(durable && { durable }), ...(ejabberd && { ejabberd }) };
}

export function describe(r: LoadResult): string {
  return (
    `${Math.round(r.deliveredPerSecond)} delivered+acked/s, ${Math.round(r.sentPerSecond)} sent/s, ` +
    `p50 ${r.latencyMs.p50.toFixed(2)} ms, p99 ${r.latencyMs.p99.toFixed(2)} ms, ` +
    `cpu relay ${r.cpu.target.toFixed(2)} / generator ${r.cpu.generator.toFixed(2)} / others ${r.cpu.others.toFixed(2)} cores` +
    (r.sendFailed + r.misrouted + r.badPayload + r.undelivered > 0
      ? `, FAILED ${r.sendFailed} MISROUTED ${r.misrouted} BAD ${r.badPayload} UNDELIVERED ${r.undelivered}`
      : "")
  );
}

/** Other processes' CPU use (in cores) above which a run is called disturbed. */
export const BUSY_WARNING_CORES = 0.25;

export const mb = (kb: number) => (kb / 1024).toFixed(1);

export function machine() {
  const cpuinfo = readFileSync("/proc/cpuinfo", "utf8");
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? cpus()[0]?.model ?? "unknown";
  let os = `Linux ${release()}`;
  try {
    const pretty = /^PRETTY_NAME="?([^"\n]+)"?/m.exec(readFileSync("/etc/os-release", "utf8"))?.[1];
    if (pretty !== undefined) os = `${pretty}, Linux ${release()}`;
  } catch {
    // keep the kernel release alone
  }
  return {
    cpus: availableParallelism(),
    cpuModel: model,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    freeMemoryGb: Math.round(freemem() / 2 ** 30),
    node: process.version,
    os,
  };
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows
    .map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("   "))
    .join("\n");
}

const COLUMNS: Record<SystemName, string> = {
  ceiling: "ceiling (ws, raw)",
  durable: "minimal durable",
  bote: "bote serve",
  ejabberd: "ejabberd",
};

export function report(o: Options, runs: Run[], idle: IdleResult | undefined): string {
  const systems = [...SYSTEMS, ...PEERS].filter((s) => runs.some((r) => r.system === s));
  const n = (x: number) => (Number.isFinite(x) ? Math.round(x).toLocaleString("en-US") : "–");
  const ms = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : "–");
  const several = o.rounds > 1;
  /** The median over the rounds, with the range when there were several. */
  const cell = (values: number[], f: (x: number) => string) => {
    const s = spread(values);
    return several ? `${f(s.median)} (${f(s.min)}–${f(s.max)})` : f(s.median);
  };
  const row = (label: string, pick: (r: Run) => number, f: (x: number) => string) => [
    label,
    ...systems.map((s) => cell(runs.filter((r) => r.system === s).map(pick), f)),
  ];
  const rows: string[][] = [
    ["", ...systems.map((s) => COLUMNS[s])],
    [`throughput, closed loop, ${n(o.inFlight)} in flight`, ...systems.map(() => "")],
    row("  delivered+acked msg/s", (r) => r.throughput.deliveredPerSecond, n),
    row(
      "  server CPU µs/msg",
      (r) => cpuMicrosPerMessage(r.throughput),
      (x) => x.toFixed(1),
    ),
    row(
      "  server CPU cores",
      (r) => r.throughput.cpu.target,
      (x) => x.toFixed(2),
    ),
    row(
      "  generator CPU cores",
      (r) => r.throughput.cpu.generator,
      (x) => x.toFixed(2),
    ),
    row("  p50 ms", (r) => r.throughput.latencyMs.p50, ms),
    row("  p99 ms", (r) => r.throughput.latencyMs.p99, ms),
  ];
  o.latencyRates.forEach((rate, i) => {
    rows.push(
      [`latency, ${n(rate)} sends/s offered`, ...systems.map(() => "")],
      row("  delivered+acked msg/s", (r) => r.latency[i]!.deliveredPerSecond, n),
      row("  p50 ms", (r) => r.latency[i]!.latencyMs.p50, ms),
      row("  p99 ms", (r) => r.latency[i]!.latencyMs.p99, ms),
      row(
        "  server CPU µs/msg",
        (r) => cpuMicrosPerMessage(r.latency[i]!),
        (x) => x.toFixed(1),
      ),
    );
  });
  const all = runs.flatMap((r) => [r.throughput, ...r.latency]);
  const problems = all.map((r) => r.sendFailed + r.misrouted + r.badPayload + r.undelivered).reduce((a, b) => a + b, 0);
  const others = spread(all.map((r) => r.cpu.others));
  const load1 = spread(runs.map((r) => Number(r.loadBefore.split(" ")[0])));
  const ratio = ratios(runs);
  const ratioLine = (what: string, s: Spread | undefined) =>
    s === undefined
      ? ""
      : `\nbote/${what} throughput: ${s.median.toFixed(2)}${several ? ` (${s.min.toFixed(2)}–${s.max.toFixed(2)})` : ""}`;
  return (
    `\n${o.clients} clients, ${o.payload}-byte payloads to random other clients, ` +
    `${o.warmup} s warm-up + ${o.seconds} s measured per run, ${o.rounds} round(s)` +
    (several ? "; median (min–max) over the rounds" : "") +
    `\nload average before the runs ${ms(load1.min)}–${ms(load1.max)}; ` +
    `other processes' CPU during the runs ${ms(others.min)}–${ms(others.max)} cores\n\n` +
    table(rows) +
    "\n" +
    ratioLine("ceiling", ratio.ceiling) +
    ratioLine("minimal durable", ratio.durable) +
    ratioLine("ejabberd", ratio.ejabberd) +
    (idle === undefined
      ? ""
      : `\n\nbote serve, ${n(idle.connections)} idle authenticated connections: RSS ${mb(idle.rssBeforeKb)} → ` +
        `${mb(idle.rssAfterKb)} MB, ${idle.perConnectionKb.toFixed(2)} KB per connection ` +
        `(JS heap ${idle.heapPerConnectionKb.toFixed(2)} KB), ${idle.totalMbFor10k.toFixed(1)} MB for 10,000`) +
    (problems > 0 ? `\n\nWARNING: failed, misrouted, malformed or undelivered messages — see the JSON result` : "") +
    (others.max > BUSY_WARNING_CORES
      ? `\n\nWARNING: other processes used up to ${others.max.toFixed(2)} cores during a measured run: the figures are low`
      : "")
  );
}
