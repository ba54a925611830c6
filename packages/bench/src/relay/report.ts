/** The machine description and the result table. */
import { readFileSync } from "node:fs";
import { availableParallelism, cpus, freemem, release, totalmem } from "node:os";
import type { LoadResult } from "./ipc.js";
import type { Options } from "./options.js";

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

export interface TargetResult {
  throughput: LoadResult;
  latency: LoadResult;
  idle: IdleResult | undefined;
  setupSeconds?: number;
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

export function report(o: Options, ceiling: TargetResult, relay: TargetResult): string {
  const n = (x: number) => Math.round(x).toLocaleString("en-US");
  const ms = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : "–");
  const ratio = (a: number, b: number) => (Number.isFinite(a / b) ? (a / b).toFixed(2) : "–");
  const [ct, rt, cl, rl] = [ceiling.throughput, relay.throughput, ceiling.latency, relay.latency];
  const rows: string[][] = [
    ["", "ceiling (ws)", `relay (SQLite ${o.sqliteSync})`, "relay/ceiling"],
    [`throughput, ${n(o.rate)} sends/s offered`, "", "", ""],
    [
      "  delivered+acked msg/s",
      n(ct.deliveredPerSecond),
      n(rt.deliveredPerSecond),
      ratio(rt.deliveredPerSecond, ct.deliveredPerSecond),
    ],
    ["  sends written msg/s", n(ct.sentPerSecond), n(rt.sentPerSecond), ""],
    ["  p50 / p99 ms (saturated)", latencyPair(ct, ms), latencyPair(rt, ms), ""],
    ["  CPU relay / generator / others (cores)", cpuPair(ct), cpuPair(rt), ""],
    [`latency, ${n(o.latencyRate)} sends/s offered`, "", "", ""],
    ["  delivered+acked msg/s", n(cl.deliveredPerSecond), n(rl.deliveredPerSecond), ""],
    ["  p50 ms", ms(cl.latencyMs.p50), ms(rl.latencyMs.p50), ratio(rl.latencyMs.p50, cl.latencyMs.p50)],
    ["  p99 ms", ms(cl.latencyMs.p99), ms(rl.latencyMs.p99), ratio(rl.latencyMs.p99, cl.latencyMs.p99)],
    ["  CPU relay / generator / others (cores)", cpuPair(cl), cpuPair(rl), ""],
  ];
  if (ceiling.idle !== undefined && relay.idle !== undefined) {
    const [ci, ri] = [ceiling.idle, relay.idle];
    rows.push(
      [`idle, ${n(o.idle)} authenticated connections`, "", "", ""],
      ["  RSS before → after MB", rssPair(ci), rssPair(ri), ""],
      [
        "  KB RSS per connection",
        ci.perConnectionKb.toFixed(2),
        ri.perConnectionKb.toFixed(2),
        ratio(ri.perConnectionKb, ci.perConnectionKb),
      ],
      ["  of which JS heap, KB", ci.heapPerConnectionKb.toFixed(2), ri.heapPerConnectionKb.toFixed(2), ""],
      ["  MB for 10,000", ci.totalMbFor10k.toFixed(1), ri.totalMbFor10k.toFixed(1), ""],
    );
  }
  const runs = [ct, cl, rt, rl];
  const problems = runs.map((r) => r.sendFailed + r.misrouted + r.badPayload + r.undelivered).reduce((a, b) => a + b);
  const others = Math.max(...runs.map((r) => r.cpu.others));
  return (
    `\n${o.clients} clients, ${o.payload}-byte payloads to random other clients, ` +
    `window ${o.window} sends per client, ${o.warmup} s warm-up + ${o.seconds} s measured per run\n\n` +
    table(rows) +
    (problems > 0 ? `\n\nWARNING: failed, misrouted, malformed or undelivered messages — see the JSON result` : "") +
    (others > BUSY_WARNING_CORES
      ? `\n\nWARNING: other processes used up to ${others.toFixed(2)} cores during a measured run: the figures are low`
      : "")
  );

  function latencyPair(r: LoadResult, f: (x: number) => string) {
    return `${f(r.latencyMs.p50)} / ${f(r.latencyMs.p99)}`;
  }
  function cpuPair(r: LoadResult) {
    return `${r.cpu.target.toFixed(2)} / ${r.cpu.generator.toFixed(2)} / ${r.cpu.others.toFixed(2)}`;
  }
  function rssPair(i: IdleResult) {
    return `${mb(i.rssBeforeKb)} → ${mb(i.rssAfterKb)}`;
  }
}
