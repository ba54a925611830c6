/**
 * `npm run bench:relay`: the relay benchmark. One load generator process
 * (loadgen.ts) drives, in turn and each in its own process on 127.0.0.1,
 *   - the ceiling (ceiling.ts): a bare `ws` relay with raw frames, no storage;
 *   - the minimal durable relay (durable.ts): `ws` + SQLite FULL, raw frames,
 *     one transaction per tick;
 *   - Bote (`bote serve` with SQLite in a fresh temporary directory),
 * under the same load, round after round (`--rounds`). For each it measures
 *   - throughput: entries delivered and acknowledged per second in a closed
 *     loop (`--in-flight` sends without result over all clients), and the
 *     server's CPU per message over that window (/proc/PID/stat),
 *   - latency: p50/p99 from send to deliver at fixed offered rates,
 * and, for Bote only, idle memory: RSS growth per idle authenticated
 * connection (each its own logged-in device). It prints a table and, as its
 * last lines, Bote's throughput ratios to the ceiling and to the minimal
 * durable relay. The full result goes to bench-results/relay-<timestamp>.json.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { LoadResult, LoadSpec, WireName } from "./ipc.js";
import { parseOptions, UsageError, type Options, type SystemName } from "./options.js";
import { collectGarbage } from "./inspector.js";
import { Generator, killAll, rssKb, startBaseline, startServer, stop, type RelayProcess } from "./processes.js";
import { withTimeout } from "./time.js";
import { Ejabberd, stopAllEjabberd } from "./ejabberd.js";
import { summariseProfile } from "./profile.js";
import { BUSY_WARNING_CORES, describe, machine, mb, ratios, report, type IdleResult, type Run } from "./report.js";
import { machineBusySeconds } from "./stats.js";

function loadSpec(o: Options, rate: number, targetPid: number, closedLoop: boolean): LoadSpec {
  return {
    rate,
    closedLoop,
    inFlight: o.inFlight,
    window: Math.ceil(o.inFlight / o.clients),
    warmupSeconds: o.warmup,
    seconds: o.seconds,
    payloadBytes: o.payload,
    drainSeconds: o.drain,
    targetPid,
  };
}

function log(text: string): void {
  process.stderr.write(`${text}\n`);
}

/** The 1-, 5- and 15-minute load averages, as `uptime` prints them. */
function load(): string {
  return loadavg()
    .map((x) => x.toFixed(2))
    .join(" ");
}

/** A running system under test: the process whose CPU is measured, where clients connect, how it ends. */
interface Target {
  pid: number;
  wsUrl: string;
  stop(): Promise<void>;
}

/** A system under test: how to start it for a round and how the clients speak to it. */
interface System {
  name: SystemName;
  label: string;
  wire: WireName;
  /** The generator's identity set, for systems that log in. */
  set?: string;
  start(): Promise<Target>;
}

/** A child process as a target: started fresh for every round, stopped after it. */
async function childTarget(started: Promise<RelayProcess>): Promise<Target> {
  const relay = await started;
  return { pid: relay.child.pid!, wsUrl: relay.wsUrl, stop: () => stop(relay.child) };
}

async function measure(gen: Generator, o: Options, system: System, round: number): Promise<Run> {
  const loadBefore = load();
  log(`${system.label}, round ${round} (load before: ${loadBefore}):`);
  const relay = await system.start();
  const pid = relay.pid;
  try {
    const connect = await gen.request<{ seconds: number }>(
      {
        op: "connect",
        wsUrl: relay.wsUrl,
        count: o.clients,
        concurrency: o.idleConcurrency,
        wire: system.wire,
        ...(system.set === undefined ? {} : { set: system.set }),
      },
      120_000,
    );
    log(`  ${o.clients} clients connected in ${connect.seconds.toFixed(1)} s`);
    const loadTimeout = (o.warmup + o.seconds + o.drain) * 1000 + 60_000;
    log(`  throughput: closed loop, ${o.inFlight} in flight, ${o.warmup} + ${o.seconds} s`);
    const throughput = await gen.request<LoadResult>({ op: "load", load: loadSpec(o, 0, pid, true) }, loadTimeout);
    log(`    ${describe(throughput)}`);
    const latency: LoadResult[] = [];
    for (const rate of o.latencyRates) {
      // Lets the previous run's last writes (WAL, socket buffers) settle first.
      await sleep(Math.min(1, o.warmup) * 1000);
      log(`  latency: ${rate} sends/s offered for ${o.warmup} + ${o.seconds} s`);
      latency.push(await gen.request<LoadResult>({ op: "load", load: loadSpec(o, rate, pid, false) }, loadTimeout));
      log(`    ${describe(latency.at(-1)!)}`);
    }
    await gen.request({ op: "disconnect" }, 30_000);
    return { system: system.name, round, loadBefore, throughput, latency };
  } finally {
    await relay.stop();
  }
}

/**
 * RSS of `bote serve` before and after `o.idle` authenticated connections
 * open, each reading taken after a full GC (through the inspector) and a pause.
 */
async function measureIdle(gen: Generator, o: Options, relay: RelayProcess, set: string): Promise<IdleResult> {
  const pid = relay.child.pid!;
  const settle = async () => {
    const memory = relay.inspectorUrl === undefined ? undefined : await collectGarbage(relay.inspectorUrl);
    await sleep(o.settle * 1000);
    return { rssKb: rssKb(pid), heapUsedKb: memory === undefined ? NaN : memory.heapUsed / 1024 };
  };
  const before = await settle();
  const opened = await gen.request<{ opened: number; seconds: number }>(
    { op: "idleOpen", wsUrl: relay.wsUrl, count: o.idle, concurrency: o.idleConcurrency, set },
    300_000,
  );
  const after = await settle();
  const closed = await gen.request<{ stillOpen: number }>({ op: "idleClose" }, 60_000);
  if (opened.opened !== o.idle || closed.stillOpen !== o.idle)
    throw new Error(`idle: ${opened.opened} opened, ${closed.stillOpen} still open at the end, of ${o.idle}`);
  const perConnectionKb = (after.rssKb - before.rssKb) / o.idle;
  const result: IdleResult = {
    connections: o.idle,
    rssBeforeKb: before.rssKb,
    rssAfterKb: after.rssKb,
    perConnectionKb,
    totalMbFor10k: (perConnectionKb * 10_000) / 1024,
    heapPerConnectionKb: (after.heapUsedKb - before.heapUsedKb) / o.idle,
    openSeconds: opened.seconds,
  };
  log(
    `  idle: ${o.idle} connections opened in ${opened.seconds.toFixed(1)} s; ` +
      `RSS ${mb(before.rssKb)} → ${mb(after.rssKb)} MB, ${perConnectionKb.toFixed(2)} KB per connection ` +
      `(JS heap ${result.heapPerConnectionKb.toFixed(2)} KB)`,
  );
  return result;
}

/** A fresh data directory, deleted at the end (also when the run is cut short). */
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

/** Creates Bote's devices once (not measured); every measured run starts a fresh server on the same data. */
async function prepareBote(gen: Generator, o: Options, profileDir: string | undefined) {
  const dataDir = tempDir("bote-bench-");
  const server = await startServer(dataDir, o.sqliteSync);
  const invite = readFileSync(join(dataDir, "initial-admin-invite"), "utf8").trim();
  const token = new URL(invite).hash.replace(/^#t=/, "");
  const devices = Math.max(o.clients, o.idle);
  log(`bote: creating ${devices} devices (invite, redeem, challenge, login; ${o.setupConcurrency} at a time)`);
  const setup = await gen.request<{ seconds: number }>(
    {
      op: "relayIdentities",
      baseUrl: server.baseUrl,
      adminInviteToken: token,
      count: devices,
      concurrency: o.setupConcurrency,
      set: "bote",
    },
    900_000,
  );
  log(`  ${devices} devices in ${setup.seconds.toFixed(1)} s`);
  await stop(server.child);
  const system: System = {
    name: "bote",
    label: `bote serve (SQLite synchronous=${o.sqliteSync})`,
    wire: "bote",
    set: "bote",
    start: () => childTarget(startServer(dataDir, o.sqliteSync, { profileDir })),
  };
  return { system, dataDir, setupSeconds: setup.seconds };
}

async function main(): Promise<number> {
  let o: Options;
  try {
    o = parseOptions(process.argv.slice(2));
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(error.message);
      return 2;
    }
    throw error;
  }
  const started = new Date();
  const profileRoot = o.cpuProf || o.cpuProfLoadgen ? join(o.outDir, `relay-profile-${stamp(started)}`) : undefined;
  const serverProfileDir = o.cpuProf ? join(profileRoot!, "server") : undefined;
  const loadgenProfileDir = o.cpuProfLoadgen ? join(profileRoot!, "loadgen") : undefined;
  const busyBefore = machineBusySeconds();
  await sleep(1000);
  const busy = machineBusySeconds() - busyBefore;
  if (busy > BUSY_WARNING_CORES)
    log(`WARNING: the machine is not idle (${busy.toFixed(2)} cores busy before the start); figures will be low`);
  const gen = new Generator(loadgenProfileDir);
  await withTimeout(gen.ready, 30_000, "load generator start");
  const systems: System[] = [];
  let bote: Awaited<ReturnType<typeof prepareBote>> | undefined;
  let ejabberd: Ejabberd | undefined;
  for (const name of o.systems) {
    if (name === "bote") {
      bote = await prepareBote(gen, o, serverProfileDir);
      systems.push(bote.system);
    } else if (name === "ejabberd") {
      log(`ejabberd: starting it from a temporary config, registering ${o.clients} accounts`);
      const e = (ejabberd = await Ejabberd.start());
      await e.register(o.clients, o.setupConcurrency);
      // One node for all rounds: its accounts live in it.
      const target: Target = { pid: e.pid, wsUrl: e.wsUrl, stop: () => Promise.resolve() };
      systems.push({
        name,
        label: "ejabberd (XMPP over WebSocket)",
        wire: "xmpp",
        start: () => Promise.resolve(target),
      });
    } else {
      const label = name === "ceiling" ? "ceiling (bare ws, raw frames)" : "minimal durable relay (ws + SQLite FULL)";
      const args = name === "durable" ? () => [tempDir("bote-bench-durable-")] : () => [];
      systems.push({ name, label, wire: "raw", start: () => childTarget(startBaseline(name, args())) });
    }
  }
  const runs: Run[] = [];
  for (let round = 1; round <= o.rounds; round++) {
    // Rotated each round, so that a drift of the machine's load does not always hit the same system.
    for (let k = 0; k < systems.length; k++) {
      runs.push(await measure(gen, o, systems[(k + round - 1) % systems.length]!, round));
    }
  }
  let idle: IdleResult | undefined;
  if (bote !== undefined && o.idle > 0) {
    log(`bote serve, idle memory (load before: ${load()}):`);
    // A fresh process on the same data: the baseline is a server that has served nothing yet.
    const server = await startServer(bote.dataDir, o.sqliteSync, { inspect: true });
    idle = await measureIdle(gen, o, server, "bote");
    await stop(server.child);
  }
  ejabberd?.stop();
  await stop(gen.child);

  const m = machine();
  console.log(
    `\nmachine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGb} GB, Node ${m.node}, ${m.os}` + report(o, runs, idle),
  );
  if (serverProfileDir !== undefined)
    printProfiles(serverProfileDir, "bote serve (connect, throughput and latency runs)");
  if (loadgenProfileDir !== undefined) printProfiles(loadgenProfileDir, "load generator");

  const ratio = ratios(runs);
  mkdirSync(o.outDir, { recursive: true });
  const file = join(o.outDir, `relay-${stamp(started)}.json`);
  writeFileSync(
    file,
    JSON.stringify(
      {
        benchmark: "relay",
        startedAt: started.toISOString(),
        command: `npm run bench:relay${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`,
        machine: m,
        options: o,
        runs,
        bote: { idle, setupSeconds: bote?.setupSeconds },
        ratios: ratio,
      },
      null,
      2,
    ) + "\n",
  );
  console.log(`\nresult: ${file}`);
  if (ratio.ejabberd !== undefined) console.log(`relay/ejabberd throughput ratio: ${ratio.ejabberd.median.toFixed(2)}`);
  if (ratio.ceiling !== undefined) console.log(`relay/ceiling throughput ratio: ${ratio.ceiling.median.toFixed(2)}`);
  if (ratio.durable !== undefined) console.log(`relay/minimal-durable ratio: ${ratio.durable.median.toFixed(2)}`);
  return 0;
}

function printProfiles(dir: string, what: string): void {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir).filter((f) => f.endsWith(".cpuprofile"))) {
    console.log(`\nCPU profile of ${what}: ${join(dir, name)}\n${summariseProfile(join(dir, name), 25)}`);
  }
}

function stamp(d: Date): string {
  return d.toISOString().replace(/[:.]/g, "-");
}

/** Data directories still to delete, also when the run is cut short. */
const tempDirs = new Set<string>();

process.on("exit", () => {
  killAll();
  stopAllEjabberd();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    killAll();
    stopAllEjabberd();
    process.exit(130);
  });
}

main().then(
  (code) => {
    killAll();
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    killAll();
    process.exitCode = 1;
  },
);
