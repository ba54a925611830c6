/** Figures of one run and the aligned table they are printed as. */
import { availableParallelism, cpus } from "node:os";

export interface RateFigure {
  messages: number;
  seconds: number;
  /** Bytes of one message on the wire (MLSMessage); undefined for the floor. */
  wireBytes?: number;
}

export interface CommitRow {
  label: string;
  commitMs: number;
  /** Process CPU time of creating the commit (Node only). */
  commitCpuMs?: number;
  processMs: number;
  processLabel: string;
  commitBytes: number;
  welcomeBytes: number;
}

/** A floor's figure with its row label. */
export type FloorFigure = RateFigure & { label: string };

export interface CryptoResult {
  /**
   * The platform's native primitives; every "/ floor" divides by the first.
   * On Node node:crypto called synchronously, then WebCrypto; in a browser WebCrypto alone.
   */
  floors: FloorFigure[];
  oneToOne: RateFigure;
  group: RateFigure & { size: number };
  commits: CommitRow[];
}

export const perSecond = (r: RateFigure) => r.messages / r.seconds;
/** Microseconds per message. */
export const cost = (r: RateFigure) => (r.seconds * 1e6) / r.messages;

const int = (n: number) => Math.round(n).toLocaleString("en-US");
const ms = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));

export function machineLine(): string {
  const model = cpus()[0]?.model ?? "unknown CPU";
  return `${availableParallelism()} cores (${model}), Node ${process.version}`;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? "").length)));
  const line = (cells: string[]) =>
    cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

/** The table; the last line is the 1:1 ratio, which scripts read. */
export function report(result: CryptoResult): string {
  const floorUs = cost(result.floors[0]!);
  const messageRow = (label: string, r: RateFigure) => [
    label,
    int(perSecond(r)),
    cost(r).toFixed(0),
    r.wireBytes === undefined ? "" : int(r.wireBytes),
    (cost(r) / floorUs).toFixed(1),
  ];
  const messages = table(
    ["per message (encrypt + decrypt)", "msg/s", "µs/msg", "bytes", "/ floor"],
    [
      ...result.floors.map((floor) => messageRow(floor.label, floor)),
      messageRow("1:1", result.oneToOne),
      messageRow(`group of ${result.group.size}`, result.group),
    ],
  );
  const commits = table(
    ["commit", "create ms", "CPU ms", "/ floor", "process ms", "/ floor", "commit B", "welcome B"],
    result.commits.map((c) => [
      c.label,
      ms(c.commitMs),
      c.commitCpuMs === undefined ? "" : ms(c.commitCpuMs),
      int((c.commitMs * 1000) / floorUs),
      `${ms(c.processMs)} (${c.processLabel})`,
      int((c.processMs * 1000) / floorUs),
      int(c.commitBytes),
      c.welcomeBytes === 0 ? "" : int(c.welcomeBytes),
    ]),
  );
  return [
    messages,
    "",
    commits,
    '(commit rows: "/ floor" is the time in floor messages; CPU ms is the process\'s, all threads, Node only)',
    "",
    `1:1 message cost / floor: ${(cost(result.oneToOne) / floorUs).toFixed(1)}`,
  ].join("\n");
}
