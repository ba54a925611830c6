/**
 * `npm run bench:cluster`: what distributed mode costs. The same load (the
 * relay benchmark's load generator, loadgen.ts) against three setups of
 * `bote serve`, all on 127.0.0.1:
 *   A  one node on SQLite,
 *   B  one node on PostgreSQL,
 *   C  two nodes on one PostgreSQL database, waking each other through NATS,
 *      the clients spread over both (every other message crosses nodes).
 * Each round runs A B C in turn (throughput at an offered load above
 * capacity, then latency at a moderate one), so that a change of the
 * machine's load hits all three alike; the report gives per setup the
 * median over the rounds, the spread (min–max), and the ratio to A. The
 * load average is printed before and after each round. The full result is
 * written to bench-results/cluster-<timestamp>.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import type { LoadResult, LoadSpec } from "../relay/ipc.js";
import { Generator, killAll } from "../relay/processes.js";
import { describe, machine } from "../relay/report.js";
import { withTimeout } from "../relay/time.js";
import { freePort } from "../boteServe.js";
import { BoteNode } from "./nodes.js";
import { baselineBin, parseOptions, UsageError, type Options } from "./options.js";
import { summarise, table, type RoundResult, type SetupName } from "./report.js";

interface Setup {
  readonly name: SetupName;
  readonly label: string;
  readonly nodes: BoteNode[];
}

function log(text: string): void {
  process.stderr.write(`${text}\n`);
}

function loadAverage(): string {
  const [one, five] = loadavg();
  return `load average ${one!.toFixed(2)} (1 min), ${five!.toFixed(2)} (5 min) on ${availableParallelism()} cores`;
}

/** Databases and directories to remove, also when the run is cut short. */
const databases: string[] = [];
const tempDirs = new Set<string>();

async function createDatabase(adminUrl: string): Promise<string> {
  const name = `bote_bench_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  databases.push(name);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function dropDatabases(adminUrl: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    for (const name of databases.splice(0)) await admin.query(`drop database if exists ${name} with (force)`);
  } finally {
    await admin.end();
  }
}

async function startSetups(o: Options, root: string): Promise<Setup[]> {
  const sqlite = new BoteNode("A sqlite", join(root, "a"), await freePort(), {
    kind: "sqlite",
    sqliteSync: o.sqliteSync,
  });
  mkdirSync(join(root, "b-shared"));
  const postgres = new BoteNode("B postgres", join(root, "b"), await freePort(), {
    kind: "postgres",
    databaseUrl: await createDatabase(o.postgres),
    secretsFile: join(root, "b-shared", "server-secrets.json"),
  });
  mkdirSync(join(root, "c-shared"));
  const clusterBacking = {
    kind: "postgres" as const,
    databaseUrl: await createDatabase(o.postgres),
    nats: { url: o.nats, prefix: `bote-bench-${randomBytes(6).toString("hex")}` },
    secretsFile: join(root, "c-shared", "server-secrets.json"),
  };
  const cluster = [
    new BoteNode("C node 1", join(root, "c1"), await freePort(), clusterBacking),
    new BoteNode("C node 2", join(root, "c2"), await freePort(), clusterBacking),
  ];
  const setups: Setup[] = [
    { name: "sqlite", label: `1 node, SQLite (synchronous=${o.sqliteSync})`, nodes: [sqlite] },
    { name: "postgres", label: "1 node, PostgreSQL", nodes: [postgres] },
    { name: "cluster", label: "2 nodes, PostgreSQL + NATS", nodes: cluster },
  ];
  if (o.baseline !== undefined) {
    mkdirSync(join(root, "d-shared"));
    const backing = {
      ...clusterBacking,
      databaseUrl: await createDatabase(o.postgres),
      nats: { url: o.nats, prefix: `bote-bench-${randomBytes(6).toString("hex")}` },
      secretsFile: join(root, "d-shared", "server-secrets.json"),
    };
    const bin = baselineBin(o.baseline);
    const nodes: BoteNode[] = [];
    for (const n of [1, 2])
      nodes.push(new BoteNode(`D node ${n}`, join(root, `d${n}`), await freePort(), backing, bin));
    setups.push({ name: "baseline", label: "2 nodes, baseline build", nodes });
  }
  return setups;
}

/** Starts a setup's nodes and makes its devices: the first node makes the organisation, the others join it. */
async function prepare(gen: Generator, o: Options, setup: Setup): Promise<void> {
  const [first, ...others] = setup.nodes;
  await first!.start();
  const setupTimeout = 60_000 + o.clients * 500;
  const made = await gen.request<{ seconds: number }>(
    {
      op: "relayIdentities",
      baseUrl: first!.url,
      adminInviteToken: await first!.adminInvitationToken(),
      count: o.clients,
      concurrency: 10,
      set: setup.name,
    },
    setupTimeout,
  );
  for (const node of others) await node.start();
  log(`  ${setup.label}: ${o.clients} devices in ${made.seconds.toFixed(1)} s`);
}

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

async function runSetup(gen: Generator, o: Options, setup: Setup): Promise<RoundResult> {
  const wsUrls = setup.nodes.map((n) => n.wsUrl);
  await gen.request(
    { op: "connect", wsUrl: wsUrls[0]!, wsUrls, count: o.clients, concurrency: 50, set: setup.name },
    120_000,
  );
  // CPU of the first node only: on the two-node setup the other one is busy alike.
  const pid = setup.nodes[0]!.pid!;
  const loadTimeout = (o.warmup + o.seconds + o.drain) * 1000 + 60_000;
  const before = await Promise.all(setup.nodes.map((n) => n.usage()));
  const throughput = await gen.request<LoadResult>({ op: "load", load: loadSpec(o, o.rate, pid) }, loadTimeout);
  const after = await Promise.all(setup.nodes.map((n) => n.usage()));
  const delivered = after.reduce((sum, a, i) => sum + a.delivered - before[i]!.delivered, 0);
  const cpuMicrosPerEntry = after.map((a, i) => ((a.cpuSeconds - before[i]!.cpuSeconds) / delivered) * 1e6);
  const commits = after.reduce((sum, a, i) => sum + a.commits - before[i]!.commits, 0);
  log(`    ${setup.name} throughput: ${describe(throughput)}`);
  log(
    `      node CPU per delivered entry: ${cpuMicrosPerEntry.map((c) => `${c.toFixed(0)} µs`).join(" + ")}; ` +
      `${(delivered / commits).toFixed(1)} entries per batch commit`,
  );
  await sleep(500);
  const latency = await gen.request<LoadResult>({ op: "load", load: loadSpec(o, o.latencyRate, pid) }, loadTimeout);
  log(`    ${setup.name} latency:    ${describe(latency)}`);
  await gen.request({ op: "disconnect" }, 30_000);
  await sleep(500);
  return { throughput, latency, cpuMicrosPerEntry };
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
  const loadBefore = loadavg();
  log(`before the start: ${loadAverage()}`);
  if (loadBefore[0]! > availableParallelism() / 2)
    log("WARNING: the machine is busy; figures will be low and spread wide");
  const root = mkdtempSync(join(tmpdir(), "bote-bench-cluster-"));
  tempDirs.add(root);
  const gen = new Generator(undefined);
  await withTimeout(gen.ready, 30_000, "load generator start");
  const setups = await startSetups(o, root);
  const rounds: Record<SetupName, RoundResult[]> = { sqlite: [], postgres: [], cluster: [], baseline: [] };
  const loads: number[][] = [];
  try {
    log("setting up:");
    for (const setup of setups) await prepare(gen, o, setup);
    for (let round = 1; round <= o.rounds; round++) {
      log(`round ${round} of ${o.rounds} (${loadAverage()}):`);
      loads.push(loadavg());
      for (const setup of setups) rounds[setup.name].push(await runSetup(gen, o, setup));
    }
    loads.push(loadavg());
  } finally {
    for (const setup of setups) for (const node of setup.nodes) await node.stop();
    await dropDatabases(o.postgres);
  }
  await gen.request({ op: "disconnect" }, 30_000).catch(() => undefined);

  const summaries = setups.map((s) => summarise(s.name, s.label, rounds[s.name]));
  const m = machine();
  const ratio = summaries[2]!.throughput.median / summaries[0]!.throughput.median;
  console.log(`\nmachine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGb} GB, Node ${m.node}, ${m.os}`);
  console.log(
    `load: ${o.clients} clients, ${o.payload}-byte payloads, window ${o.window}; throughput offered ${o.rate}/s, ` +
      `latency at ${o.latencyRate}/s; ${o.warmup} + ${o.seconds} s per run; ${o.rounds} rounds of A B C${o.baseline === undefined ? "" : ` D (baseline ${o.baseline})`}`,
  );
  console.log(
    `load average (1 min) before the start ${loadBefore[0]!.toFixed(2)}; at each round ` +
      `${loads.map((l) => l[0]!.toFixed(2)).join(", ")}\n`,
  );
  console.log(table(summaries));
  // A setup that delivered what was offered has more to give: its ratio says too little.
  for (const s of summaries) {
    if (s.throughput.max >= 0.95 * o.rate)
      console.log(`\nWARNING: ${s.label} reached the offered ${o.rate}/s; raise --rate to see its capacity`);
  }
  const failures = summaries.reduce((sum, s) => sum + s.faults, 0);
  if (failures > 0) console.log(`\nWARNING: ${failures} failed, misrouted, bad or undelivered messages`);

  mkdirSync(o.outDir, { recursive: true });
  const file = join(o.outDir, `cluster-${started.toISOString().replace(/[:.]/g, "-")}.json`);
  writeFileSync(
    file,
    JSON.stringify(
      {
        benchmark: "cluster",
        startedAt: started.toISOString(),
        command: `npm run bench:cluster${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`,
        machine: m,
        options: o,
        loadAverages: { before: loadBefore, rounds: loads },
        setups: summaries,
        rounds,
        ratio,
      },
      null,
      2,
    ) + "\n",
  );
  console.log(`\nresult: ${file}`);
  console.log(`cluster/sqlite throughput ratio: ${ratio.toFixed(2)}`);
  return failures > 0 ? 1 : 0;
}

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
