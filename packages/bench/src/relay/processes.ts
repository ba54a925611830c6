/**
 * The benchmark's child processes: the load generator (over IPC), the
 * ceiling relay and `bote serve`. Every child is tracked so that the
 * orchestrator can kill them all on any exit, and every wait is bounded.
 */
import { fork, spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Command, Reply } from "./ipc.js";
import { BOTE_BIN, here } from "./paths.js";

const children = new Set<ChildProcess>();

export function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}

/** SIGTERM (so a --cpu-prof profile gets written), SIGKILL after `graceMs`. */
export async function stop(child: ChildProcess, graceMs = 20_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

export function killAll(): void {
  for (const child of children) child.kill("SIGKILL");
}

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${Math.round(ms / 1000)} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function rssKb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const m = /^VmRSS:\s+(\d+) kB/m.exec(status);
  if (m === null) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]);
}

function nodeArgs(profile: string | undefined): string[] {
  return profile === undefined ? [] : ["--cpu-prof", "--cpu-prof-dir", profile];
}

export class Generator {
  readonly child: ChildProcess;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  readonly ready: Promise<void>;

  constructor(profileDir: string | undefined) {
    this.child = track(
      fork(join(here, "loadgen.js"), [], {
        execArgv: nodeArgs(profileDir),
        stdio: ["ignore", "inherit", "inherit", "ipc"],
      }),
    );
    let ready: () => void = () => undefined;
    this.ready = new Promise<void>((r) => (ready = r));
    this.child.on("message", (reply: Reply) => {
      if (reply.id === 0) return ready();
      const p = this.pending.get(reply.id);
      if (p === undefined) return;
      this.pending.delete(reply.id);
      if (reply.ok) p.resolve(reply.result);
      else p.reject(new Error(`load generator: ${reply.error}`));
    });
    this.child.once("exit", (code, signal) => {
      for (const p of this.pending.values()) p.reject(new Error(`load generator exited (${code ?? signal})`));
      this.pending.clear();
    });
  }

  request<T>(command: Command, timeoutMs: number): Promise<T> {
    const id = this.nextId++;
    const answer = new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: (v) => resolve(v as T), reject });
    });
    this.child.send({ id, command });
    return withTimeout(answer, timeoutMs, `load generator ${command.op}`);
  }
}

export async function startCeiling(): Promise<{ child: ChildProcess; wsUrl: string }> {
  const child = track(
    fork(join(here, "ceiling.js"), [], { execArgv: [], stdio: ["ignore", "inherit", "inherit", "ipc"] }),
  );
  const port = await withTimeout(
    new Promise<number>((resolve, reject) => {
      child.once("message", (m: { port: number }) => resolve(m.port));
      child.once("exit", (code) => reject(new Error(`ceiling exited with ${code}`)));
    }),
    30_000,
    "ceiling start",
  );
  return { child, wsUrl: `ws://127.0.0.1:${port}/v1/ws` };
}

export interface Server {
  child: ChildProcess;
  baseUrl: string;
  wsUrl: string;
}

export async function startServer(dataDir: string, sync: string, profileDir: string | undefined): Promise<Server> {
  if (!existsSync(BOTE_BIN)) throw new Error(`${BOTE_BIN} is missing; run tsc -b`);
  const env: NodeJS.ProcessEnv = { ...process.env, LANG: "en_US.UTF-8" };
  delete env.LC_ALL;
  delete env.LC_MESSAGES;
  const child = track(
    spawn(
      process.execPath,
      [
        ...nodeArgs(profileDir),
        BOTE_BIN,
        "serve",
        "--data",
        dataDir,
        "--port",
        "0",
        "--host",
        "127.0.0.1",
        "--public-rate-limit",
        "1000000",
        "--log-level",
        "warn",
        "--sqlite-sync",
        sync,
      ],
      { env, stdio: ["ignore", "pipe", "pipe"] },
    ),
  );
  // The server logs (warn and up) as JSON lines on stdout: pass the first few on, keep reading the rest.
  let logLines = 0;
  child.stdout!.setEncoding("utf8").on("data", (text: string) => {
    for (const line of text.split("\n")) {
      if (line.trim() === "") continue;
      if (++logLines <= 20) process.stderr.write(`  server log: ${line.slice(0, 400)}\n`);
    }
  });
  let stderr = "";
  const baseUrl = await withTimeout(
    new Promise<string>((resolve, reject) => {
      child.stderr!.setEncoding("utf8").on("data", (text: string) => {
        stderr += text;
        const m = /(?:running at|läuft auf) (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
        if (m !== null) resolve(m[1]!);
        if (stderr.length > 100_000) stderr = stderr.slice(-10_000);
      });
      child.once("exit", (code) => reject(new Error(`bote serve exited with ${code}:\n${stderr}`)));
    }),
    30_000,
    "bote serve start",
  );
  return { child, baseUrl, wsUrl: `${baseUrl.replace(/^http/, "ws")}/v1/ws` };
}
