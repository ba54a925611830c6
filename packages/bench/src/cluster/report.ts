/** The cluster benchmark's figures: median and spread over the rounds, and each setup's ratio to SQLite. */
import type { LoadResult } from "../relay/ipc.js";

export type SetupName = "sqlite" | "postgres" | "cluster" | "baseline";

export interface RoundResult {
  throughput: LoadResult;
  latency: LoadResult;
  /** Per node, over the throughput run (warm-up and drain included): CPU µs per entry the whole setup delivered. */
  cpuMicrosPerEntry: number[];
}

export interface Spread {
  median: number;
  min: number;
  max: number;
}

export interface SetupSummary {
  name: SetupName;
  label: string;
  /** Entries delivered and acknowledged per second, at the offered load above capacity. */
  throughput: Spread;
  /** p99 from send to deliver in ms, at the moderate load. */
  p99: Spread;
  /** Failed, misrouted, bad or undelivered messages over all runs: must be 0. */
  faults: number;
  /** CPU µs of all its nodes together per delivered entry, in the throughput runs. */
  cpuMicrosPerEntry: Spread;
}

function spread(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted.at(-1)! };
}

export function summarise(name: SetupName, label: string, rounds: readonly RoundResult[]): SetupSummary {
  const faults = (r: LoadResult) => r.sendFailed + r.misrouted + r.badPayload + r.undelivered;
  return {
    name,
    label,
    throughput: spread(rounds.map((r) => r.throughput.deliveredPerSecond)),
    p99: spread(rounds.map((r) => r.latency.latencyMs.p99)),
    faults: rounds.reduce((sum, r) => sum + faults(r.throughput) + faults(r.latency), 0),
    cpuMicrosPerEntry: spread(rounds.map((r) => r.cpuMicrosPerEntry.reduce((a, b) => a + b, 0))),
  };
}

/** Spread as ± half the range, in % of the median. */
function plusMinus(s: Spread): string {
  return `±${(((s.max - s.min) / 2 / s.median) * 100).toFixed(0)}%`;
}

export function table(summaries: readonly SetupSummary[]): string {
  const base = summaries[0]!;
  const rows = [
    ["setup", "msg/s", "spread", "ratio", "p99 ms", "spread", "ratio", "node CPU µs/msg"],
    ...summaries.map((s) => [
      s.label,
      s.throughput.median.toFixed(0),
      `${s.throughput.min.toFixed(0)}–${s.throughput.max.toFixed(0)} (${plusMinus(s.throughput)})`,
      (s.throughput.median / base.throughput.median).toFixed(2),
      s.p99.median.toFixed(1),
      `${s.p99.min.toFixed(1)}–${s.p99.max.toFixed(1)} (${plusMinus(s.p99)})`,
      (s.p99.median / base.p99.median).toFixed(2),
      `${s.cpuMicrosPerEntry.median.toFixed(0)} (${s.cpuMicrosPerEntry.min.toFixed(0)}–${s.cpuMicrosPerEntry.max.toFixed(0)})`,
    ]),
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows
    .map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("   "))
    .join("\n");
}
