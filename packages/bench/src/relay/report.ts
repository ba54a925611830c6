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
  const rows: string[][] = [
    ["", "ceiling (ws)", `relay (SQLite ${o.sqliteSync})`],
    [`throughput, ${n(o.rate)} sends/s offered`, "", ""],
    ["  delivered+acked msg/s", n(ceiling.throughput.deliveredPerSecond), n(relay.throughput.deliveredPerSecond)],
    ["  sends written msg/s", n(ceiling.throughput.sentPerSecond), n(relay.throughput.sentPerSecond)],
    ["  p50 / p99 ms (saturated)", latencyPair(ceiling.throughput, ms), latencyPair(relay.throughput, ms)],
    ["  CPU relay / generator / others (cores)", cpuPair(ceiling.throughput), cpuPair(relay.throughput)],
    [`latency, ${n(o.latencyRate)} sends/s offered`, "", ""],
    ["  delivered+acked msg/s", n(ceiling.latency.deliveredPerSecond), n(relay.latency.deliveredPerSecond)],
    ["  p50 ms", ms(ceiling.latency.latencyMs.p50), ms(relay.latency.latencyMs.p50)],
    ["  p99 ms", ms(ceiling.latency.latencyMs.p99), ms(relay.latency.latencyMs.p99)],
    ["  CPU relay / generator / others (cores)", cpuPair(ceiling.latency), cpuPair(relay.latency)],
  ];
  if (ceiling.idle !== undefined && relay.idle !== undefined) {
    rows.push(
      [`idle, ${n(o.idle)} authenticated connections`, "", ""],
      ["  RSS before → after MB", rssPair(ceiling.idle), rssPair(relay.idle)],
      ["  KB per connection", ceiling.idle.perConnectionKb.toFixed(2), relay.idle.perConnectionKb.toFixed(2)],
      ["  MB for 10,000", ceiling.idle.totalMbFor10k.toFixed(1), relay.idle.totalMbFor10k.toFixed(1)],
    );
  }
  const problems = [ceiling.throughput, ceiling.latency, relay.throughput, relay.latency]
    .map((r) => r.sendFailed + r.misrouted + r.badPayload + r.undelivered)
    .reduce((a, b) => a + b, 0);
  return (
    `\n${o.clients} clients, ${o.payload}-byte payloads to random other clients, ` +
    `window ${o.window} sends per client, ${o.warmup} s warm-up + ${o.seconds} s measured per run\n\n` +
    table(rows) +
    (problems > 0 ? `\n\nWARNING: failed, misrouted, malformed or undelivered messages — see the JSON result` : "")
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
