/**
 * `bote serve` processes on fixed ports, so that one can be killed and
 * started again under the same address: a single SQLite node, or nodes on
 * one PostgreSQL database that wake each other through NATS. The crash
 * tests and `npm run bench:cluster` start their servers here, as an
 * operator would (docs/OPERATIONS.md, "PostgreSQL and several nodes").
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { BOTE_BIN } from "../relay/paths.js";
import { track } from "../relay/processes.js";
import { withTimeout } from "../relay/time.js";

/** Where a node keeps its data: SQLite in its data directory, or a shared PostgreSQL database and NATS. */
export type Backing =
  | { readonly kind: "sqlite"; readonly sqliteSync: "full" | "normal" }
  | {
      readonly kind: "postgres";
      readonly databaseUrl: string;
      /** Absent for a single node: it needs no bus. */
      readonly nats?: { readonly url: string; readonly prefix: string };
      /** The secrets file every node of the cluster shares. */
      readonly secretsFile: string;
    };

export class BoteNode {
  private child: ChildProcess | undefined;
  private stderr = "";
  /** How often this node was killed with SIGKILL. */
  kills = 0;

  constructor(
    readonly name: string,
    readonly dataDir: string,
    readonly port: number,
    private readonly backing: Backing,
    /** The `bote` entry point: another build's to compare against (`--baseline`). */
    private readonly bin = BOTE_BIN,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}/v1/ws`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** What the node printed on stderr since its last start. */
  get output(): string {
    return this.stderr;
  }

  /** Starts the process; resolves once it says where it listens. */
  async start(): Promise<void> {
    if (this.running) throw new Error(`${this.name} is already running`);
    if (!existsSync(this.bin)) throw new Error(`${this.bin} is missing; run tsc -b`);
    const b = this.backing;
    const storage =
      b.kind === "sqlite"
        ? ["--sqlite-sync", b.sqliteSync]
        : [
            ...["--database", b.databaseUrl, "--secrets", b.secretsFile],
            ...(b.nats === undefined ? [] : ["--nats", b.nats.url, "--nats-prefix", b.nats.prefix]),
          ];
    const env: NodeJS.ProcessEnv = { ...process.env, LANG: "en_US.UTF-8" };
    delete env.LC_ALL;
    delete env.LC_MESSAGES;
    const child = track(
      spawn(
        process.execPath,
        [
          this.bin,
          ...["serve", "--host", "127.0.0.1", "--port", String(this.port), "--data", this.dataDir],
          ...["--public-url", this.url, "--log-level", "warn", "--org-name", "Bench", ...storage],
          // Every client of a test or benchmark comes from 127.0.0.1.
          ...["--public-rate-limit", "1000000", "--max-sockets-per-address", "1000000"],
          ...["--max-sockets-awaiting-hello", "1000000"],
          // For the CPU each node spends per delivered entry (bench:cluster).
          "--metrics",
        ],
        { env, stdio: ["ignore", "ignore", "pipe"] },
      ),
    );
    this.child = child;
    this.stderr = "";
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        child.stderr!.setEncoding("utf8").on("data", (text: string) => {
          this.stderr += text;
          if (/(?:running at|läuft auf) https?:/.test(this.stderr)) resolve();
        });
        child.once("exit", (code, signal) =>
          reject(new Error(`${this.name} exited with ${code ?? signal} while starting:\n${this.stderr}`)),
        );
      }),
      // A node starts in about a second; a machine shared with other builds can take many times that.
      60_000,
      `${this.name} start`,
    );
  }

  /** The node's CPU seconds, delivered entries and batch commits so far, from its /metrics. */
  async usage(): Promise<{ cpuSeconds: number; delivered: number; commits: number }> {
    const text = await (await fetch(`${this.url}/metrics`)).text();
    const value = (name: string) => Number(new RegExp(`^${name} ([0-9.e+]+)$`, "m").exec(text)?.[1] ?? NaN);
    return {
      cpuSeconds: value("process_cpu_seconds_total"),
      delivered: value("bote_deliveries_total"),
      commits: value("bote_batch_commit_seconds_count"),
    };
  }

  /** `kill -9`: no drain, no clean close of sockets or database. */
  async kill(): Promise<void> {
    const child = this.child;
    if (child === undefined || !this.running) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGKILL");
    this.kills++;
    await exited;
  }

  /** SIGTERM, as an operator stops a node; SIGKILL after `graceMs`. */
  async stop(graceMs = 20_000): Promise<void> {
    const child = this.child;
    if (child === undefined || !this.running) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    await exited;
    clearTimeout(timer);
  }

  /** The first administrator's invitation token, which the first start of an organisation writes. */
  async adminInvitationToken(): Promise<string> {
    const file = join(this.dataDir, "initial-admin-invite");
    for (let waited = 0; waited < 10_000; waited += 50) {
      if (existsSync(file)) {
        const link = readFileSync(file, "utf8").trim();
        if (link.includes("/join#t=")) return new URL(link).hash.replace(/^#t=/, "");
      }
      await sleep(50);
    }
    throw new Error(`no invitation in ${file}`);
  }
}
