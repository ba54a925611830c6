/** The command line of `npm run bench:relay`, parsed and bounded before anything starts. */
import { join, resolve } from "node:path";
import { repoRoot } from "./paths.js";

/** The systems one run compares, in this order within a round. */
export const SYSTEMS = ["ceiling", "durable", "bote"] as const;
/** Peers measured only when asked for (`--peer`), since they must be installed. */
export const PEERS = ["ejabberd"] as const;
export type SystemName = (typeof SYSTEMS)[number] | (typeof PEERS)[number];

export interface Options {
  clients: number;
  inFlight: number;
  latencyRates: number[];
  rounds: number;
  systems: SystemName[];
  seconds: number;
  warmup: number;
  payload: number;
  idle: number;
  sqliteSync: "full" | "normal";
  setupConcurrency: number;
  idleConcurrency: number;
  settle: number;
  drain: number;
  cpuProf: boolean;
  cpuProfLoadgen: boolean;
  outDir: string;
}

export const USAGE = `usage: npm run bench:relay -- [options]
Systems, each under the same load in its own process (all by default):
  ceiling   bare ws relay, raw frames, forwards at once, stores nothing
  durable   minimal durable relay: ws + SQLite (WAL, synchronous=FULL), raw frames, one transaction per tick
  bote      bote serve with SQLite in a fresh directory
Options:
  --systems LIST         comma-separated subset of ceiling,durable,bote (all)
  --peer ejabberd        also Debian's ejabberd (apt install ejabberd), started from a config in a
                         temporary directory; XMPP over WebSocket with stream-management acks
  --rounds N             rounds; each runs every system once, interleaved (1)
  --clients N            WebSocket clients under load (1000)
  --in-flight N          sends without result in the closed loop, over all clients (2000)
  --latency-rates LIST   offered sends/s of the fixed-rate latency runs (2000,5000)
  --seconds S            measured seconds per run (8)
  --warmup S             warm-up seconds before each measured window (2)
  --payload BYTES        payload size (200)
  --idle N               idle authenticated connections on bote serve for the memory run; 0 skips (10000)
  --sqlite-sync MODE     full | normal, passed to bote serve (full)
  --setup-concurrency N  parallel account enrolments (20)
  --idle-concurrency N   parallel idle connection handshakes (200)
  --settle S             pause before each RSS reading (5)
  --drain S              at most this long for in-flight messages after a run (30)
  --cpu-prof             run the measured bote serve with --cpu-prof; prints its top functions
  --cpu-prof-loadgen     the same for the load generator
  --out-dir DIR          where the JSON result goes (bench-results)`;

export class UsageError extends Error {}

export function parseOptions(argv: string[]): Options {
  const o: Options = {
    clients: 1000,
    inFlight: 2000,
    latencyRates: [2000, 5000],
    rounds: 1,
    systems: [...SYSTEMS],
    seconds: 8,
    warmup: 2,
    payload: 200,
    idle: 10_000,
    sqliteSync: "full",
    setupConcurrency: 20,
    idleConcurrency: 200,
    settle: 5,
    drain: 30,
    cpuProf: false,
    cpuProfLoadgen: false,
    outDir: join(repoRoot, "bench-results"),
  };
  const numeric: Record<string, [keyof Options, number, number, boolean]> = {
    "--clients": ["clients", 2, 20_000, true],
    "--in-flight": ["inFlight", 1, 1_000_000, true],
    "--rounds": ["rounds", 1, 100, true],
    "--seconds": ["seconds", 0.1, 600, false],
    "--warmup": ["warmup", 0, 600, false],
    "--payload": ["payload", 20, 1_000_000, true],
    "--idle": ["idle", 0, 50_000, true],
    "--setup-concurrency": ["setupConcurrency", 1, 1000, true],
    "--idle-concurrency": ["idleConcurrency", 1, 10_000, true],
    "--settle": ["settle", 0, 600, false],
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
    } else if (arg === "--cpu-prof") o.cpuProf = true;
    else if (arg === "--cpu-prof-loadgen") o.cpuProfLoadgen = true;
    else if (arg === "--out-dir") o.outDir = resolve(take());
    else if (arg === "--sqlite-sync") {
      const v = take();
      if (v !== "full" && v !== "normal") throw new UsageError(`--sqlite-sync must be full or normal, not ${v}`);
      o.sqliteSync = v;
    } else if (arg === "--systems") {
      const names = take().split(",");
      const unknown = names.filter((n) => !(SYSTEMS as readonly string[]).includes(n));
      if (unknown.length > 0 || names.length === 0)
        throw new UsageError(`--systems takes a list of ${SYSTEMS.join(", ")}, not ${unknown.join(", ")}`);
      o.systems = [...SYSTEMS.filter((n) => names.includes(n)), ...o.systems.filter((n) => n === "ejabberd")];
    } else if (arg === "--peer") {
      const v = take();
      if (v !== "ejabberd") throw new UsageError(`--peer must be ejabberd, not ${v}`);
      if (!o.systems.includes(v)) o.systems.push(v);
    } else if (arg === "--latency-rates") {
      const text = take();
      const rates = text.split(",").map(Number);
      if (!rates.every((r) => Number.isFinite(r) && r >= 1 && r <= 10_000_000))
        throw new UsageError(`--latency-rates takes sends/s from 1 to 10000000, comma-separated, not ${text}`);
      o.latencyRates = rates;
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
