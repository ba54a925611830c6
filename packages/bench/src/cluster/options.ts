/** The command line of `npm run bench:cluster`, parsed and bounded before anything starts. */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { repoRoot } from "../relay/paths.js";

export interface Options {
  clients: number;
  rate: number;
  latencyRate: number;
  seconds: number;
  warmup: number;
  rounds: number;
  window: number;
  payload: number;
  drain: number;
  sqliteSync: "full" | "normal";
  postgres: string;
  nats: string;
  outDir: string;
  /** Another checkout's root (built): its two nodes run as a fourth setup, to compare builds in one run. */
  baseline: string | undefined;
}

export const USAGE = `usage: npm run bench:cluster -- [options]
  --clients N        WebSocket clients, spread over the nodes of a setup (200)
  --rate N           offered sends/s for the throughput run, above capacity (40000)
  --latency-rate N   offered sends/s for the latency run, below capacity (500)
  --seconds S        measured seconds per run (5)
  --warmup S         warm-up seconds before each measured window (1)
  --rounds N         rounds of A B C (SQLite, PostgreSQL, two nodes), interleaved (3)
  --window K         sends without SendResult per client at most (32)
  --payload BYTES    payload size (200)
  --drain S          at most this long for in-flight messages after a run (15)
  --sqlite-sync MODE full | normal, for the SQLite node (full)
  --postgres URL     a PostgreSQL role that may create databases (postgres://postgres@127.0.0.1:5432/postgres)
  --nats URL         the NATS server of the two-node setup (nats://127.0.0.1:4222)
  --out-dir DIR      where the JSON result goes (bench-results)
  --baseline DIR     also run two nodes of the built checkout in DIR (e.g. main) in every round`;

export class UsageError extends Error {}

export function parseOptions(argv: string[]): Options {
  const o: Options = {
    clients: 200,
    rate: 40_000,
    latencyRate: 500,
    seconds: 5,
    warmup: 1,
    rounds: 3,
    window: 32,
    payload: 200,
    drain: 15,
    sqliteSync: "full",
    postgres: process.env.BOTE_TEST_POSTGRES ?? "postgres://postgres@127.0.0.1:5432/postgres",
    nats: process.env.BOTE_TEST_NATS ?? "nats://127.0.0.1:4222",
    outDir: join(repoRoot, "bench-results"),
    baseline: undefined,
  };
  const numeric: Record<string, [keyof Options, number, number, boolean]> = {
    "--clients": ["clients", 2, 20_000, true],
    "--rate": ["rate", 1, 10_000_000, false],
    "--latency-rate": ["latencyRate", 1, 10_000_000, false],
    "--seconds": ["seconds", 0.1, 600, false],
    "--warmup": ["warmup", 0, 600, false],
    "--rounds": ["rounds", 1, 100, true],
    "--window": ["window", 1, 100_000, true],
    "--payload": ["payload", 20, 1_000_000, true],
    "--drain": ["drain", 0, 600, false],
  };
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i]!;
    let value: string | undefined;
    const eq = arg.indexOf("=");
    if (eq > 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    const take = () => {
      if (value !== undefined) return value;
      const next = argv[++i];
      if (next === undefined) throw new UsageError(`${arg} needs a value`);
      return next;
    };
    if (arg === "--help" || arg === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else if (arg === "--out-dir") o.outDir = resolve(take());
    else if (arg === "--postgres") o.postgres = take();
    else if (arg === "--baseline") {
      o.baseline = resolve(take());
      if (!existsSync(baselineBin(o.baseline)))
        throw new UsageError(`--baseline: ${baselineBin(o.baseline)} is missing`);
    } else if (arg === "--nats") o.nats = take();
    else if (arg === "--sqlite-sync") {
      const v = take();
      if (v !== "full" && v !== "normal") throw new UsageError(`--sqlite-sync must be full or normal, not ${v}`);
      o.sqliteSync = v;
    } else if (arg in numeric) {
      const [key, min, max, integer] = numeric[arg]!;
      const text = take();
      const v = Number(text);
      if (!Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v)))
        throw new UsageError(
          `${arg} must be ${integer ? "an integer" : "a number"} from ${min} to ${max}, not ${text}`,
        );
      (o as unknown as Record<string, number>)[key] = v;
    } else throw new UsageError(`unknown option ${arg}\n${USAGE}`);
  }
  return o;
}

/** The `bote` entry point of a built checkout. */
export function baselineBin(root: string): string {
  return join(root, "packages/cli/dist/src/bin.js");
}
