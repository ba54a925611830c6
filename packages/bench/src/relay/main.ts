/**
 * `npm run bench:relay`: the relay benchmark. One load generator process
 * (loadgen.ts) drives, in turn, the ceiling (ceiling.ts: a bare `ws` relay
 * speaking Bote's frames, no storage) and the real server (`bote serve` with
 * SQLite in a fresh temporary directory), each in its own process, all on
 * 127.0.0.1. For each it measures
 *   - throughput: entries delivered and acknowledged per second at a fixed
 *     offered load above capacity,
 *   - latency: p50/p99 from send to deliver at a fixed moderate load,
 *   - idle memory: RSS growth of the relay process per idle authenticated
 *     connection (each its own logged-in device on the real server),
 * then prints a table and, as its last line, the relay/ceiling throughput
 * ratio. The full result is written to bench-results/relay-<timestamp>.json.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { LoadResult, LoadSpec } from "./ipc.js";
import { parseOptions, UsageError, type Options } from "./options.js";
import { collectGarbage } from "./inspector.js";
import { Generator, killAll, rssKb, startCeiling, startServer, stop, type RelayProcess } from "./processes.js";
import { withTimeout } from "./time.js";
import { summariseProfile } from "./profile.js";
import { BUSY_WARNING_CORES, describe, machine, mb, report, type IdleResult, type TargetResult } from "./report.js";
import { machineBusySeconds } from "./stats.js";

function loadSpec(o: Options, rate: number, targetPid: number): LoadSpec {
  return {
    rate,
    warmupSeconds: o.warmup,
    seconds: o.seconds,
    window: o.window,
    payloadBytes: o.payload,
    drainSeconds: o.drain,
    targetPid,
  };
}

function log(text: string): void {
  process.stderr.write(`${text}\n`);
}

async function runLoads(gen: Generator, o: Options, wsUrl: string, pid: number) {
  const connect = await gen.request<{ seconds: number }>(
    { op: "connect", wsUrl, count: o.clients, concurrency: o.idleConcurrency },
    120_000,
  );
  log(`  ${o.clients} clients connected in ${connect.seconds.toFixed(1)} s`);
  const loadTimeout = (o.warmup + o.seconds + o.drain) * 1000 + 60_000;
  log(`  throughput: ${o.rate} sends/s offered for ${o.warmup} + ${o.seconds} s`);
  const throughput = await gen.request<LoadResult>({ op: "load", load: loadSpec(o, o.rate, pid) }, loadTimeout);
  log(`    ${describe(throughput)}`);
  await sleep(1000);
  log(`  latency: ${o.latencyRate} sends/s offered for ${o.warmup} + ${o.seconds} s`);
  const latency = await gen.request<LoadResult>({ op: "load", load: loadSpec(o, o.latencyRate, pid) }, loadTimeout);
  log(`    ${describe(latency)}`);
  await gen.request({ op: "disconnect" }, 30_000);
  return { throughput, latency };
}

/**
 * RSS of the relay before and after `o.idle` authenticated connections open,
 * each reading taken after a full GC (through the inspector) and a pause.
 */
async function measureIdle(gen: Generator, o: Options, relay: RelayProcess): Promise<IdleResult> {
  const pid = relay.child.pid!;
  const settle = async () => {
    const memory = relay.inspectorUrl === undefined ? undefined : await collectGarbage(relay.inspectorUrl);
    await sleep(o.settle * 1000);
    return { rssKb: rssKb(pid), heapUsedKb: memory === undefined ? NaN : memory.heapUsed / 1024 };
  };
  const before = await settle();
  const opened = await gen.request<{ opened: number; seconds: number }>(
    { op: "idleOpen", wsUrl: relay.wsUrl, count: o.idle, concurrency: o.idleConcurrency },
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

async function runCeiling(gen: Generator, o: Options): Promise<TargetResult> {
  log("ceiling (bare ws relay, no storage):");
  await gen.request({ op: "ceilingIdentities", count: Math.max(o.clients, o.idle) }, 60_000);
  const ceiling = await startCeiling();
  const loads = await runLoads(gen, o, ceiling.wsUrl, ceiling.child.pid!);
  await stop(ceiling.child);
  let idle: IdleResult | undefined;
  if (o.idle > 0) {
    // A fresh process, so that the heap left by the load runs does not blur the baseline.
    const fresh = await startCeiling({ inspect: true });
    idle = await measureIdle(gen, o, fresh);
    await stop(fresh.child);
  }
  return { ...loads, idle };
}

async function runRelay(gen: Generator, o: Options, profileDir: string | undefined): Promise<TargetResult> {
  log(`relay (bote serve, SQLite synchronous=${o.sqliteSync}):`);
  const dataDir = mkdtempSync(join(tmpdir(), "bote-bench-"));
  tempDirs.add(dataDir);
  try {
    let server = await startServer(dataDir, o.sqliteSync);
    const invite = readFileSync(join(dataDir, "initial-admin-invite"), "utf8").trim();
    const token = new URL(invite).hash.replace(/^#t=/, "");
    const devices = Math.max(o.clients, o.idle);
    log(`  creating ${devices} devices (invite, redeem, challenge, login; ${o.setupConcurrency} at a time)`);
    const setup = await gen.request<{ seconds: number }>(
      {
        op: "relayIdentities",
        baseUrl: server.baseUrl,
        adminInviteToken: token,
        count: devices,
        concurrency: o.setupConcurrency,
      },
      900_000,
    );
    log(`  ${devices} devices in ${setup.seconds.toFixed(1)} s`);
    // Same data, fresh process for the measured runs: the setup's HTTP traffic is not in their heap or profile.
    await stop(server.child);
    server = await startServer(dataDir, o.sqliteSync, { profileDir });
    const loads = await runLoads(gen, o, server.wsUrl, server.child.pid!);
    await stop(server.child);
    let idle: IdleResult | undefined;
    if (o.idle > 0) {
      // Same data, fresh process: the baseline is a server that has served nothing yet.
      server = await startServer(dataDir, o.sqliteSync, { inspect: true });
      idle = await measureIdle(gen, o, server);
      await stop(server.child);
    }
    return { ...loads, idle, setupSeconds: setup.seconds };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    tempDirs.delete(dataDir);
  }
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
  const ceiling = await runCeiling(gen, o);
  const relay = await runRelay(gen, o, serverProfileDir);
  await stop(gen.child);

  const ratio = relay.throughput.deliveredPerSecond / ceiling.throughput.deliveredPerSecond;
  const m = machine();
  console.log(
    `\nmachine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGb} GB, Node ${m.node}, ${m.os}` + report(o, ceiling, relay),
  );
  if (serverProfileDir !== undefined)
    printProfiles(serverProfileDir, "bote serve (connect, throughput and latency runs)");
  if (loadgenProfileDir !== undefined) printProfiles(loadgenProfileDir, "load generator");

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
        ceiling,
        relay,
        ratio,
      },
      null,
      2,
    ) + "\n",
  );
  console.log(`\nresult: ${file}`);
  console.log(`relay/ceiling throughput ratio: ${ratio.toFixed(2)}`);
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

/** Server data directories still to delete, also when the run is cut short. */
const tempDirs = new Set<string>();

process.on("exit", () => {
  killAll();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    killAll();
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
