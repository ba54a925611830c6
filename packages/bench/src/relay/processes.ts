/**
 * The benchmark's child processes: the load generator (over IPC), the
 * raw-frame baselines and `bote serve`. Every child is tracked so that the
 * orchestrator can kill them all on any exit, and every wait is bounded.
 */
import { fork, spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Command, Reply } from "./ipc.js";
import { BOTE_BIN, here } from "./paths.js";
import { inspectorUrlIn } from "./inspector.js";
import { withTimeout } from "./time.js";

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

export function rssKb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const m = /^VmRSS:\s+(\d+) kB/m.exec(status);
  if (m === null) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]);
}

export interface ChildOptions {
  /** Directory for a `--cpu-prof` profile, written when the process exits. */
  profileDir?: string | undefined;
  /** Starts the inspector on a random 127.0.0.1 port, for collectGarbage. */
  inspect?: boolean;
}

function nodeArgs(o: ChildOptions): string[] {
  return [
    ...(o.profileDir === undefined ? [] : ["--cpu-prof", "--cpu-prof-dir", o.profileDir]),
    ...(o.inspect === true ? ["--inspect=127.0.0.1:0"] : []),
  ];
}

/** A relay under test: a baseline or `bote serve`. */
export interface RelayProcess {
  child: ChildProcess;
  wsUrl: string;
  /** The inspector's WebSocket URL when started with `inspect`. */
  inspectorUrl: string | undefined;
}

/**
 * Reads a child's stderr until `ready` finds what it waits for (and the
 * inspector URL, when one is expected), passing on what is not Node's
 * inspector chatter.
 */
/** Start-up and shutdown chatter of Node's inspector and of `bote serve` (whose first-admin link is no use here). */
const BENIGN =
  /^(Debugger (listening|ending) on|For help, see:|Debugger attached|Waiting for the debugger|Invitation for the first administrator|\s+http:\/\/\S+\/join#t=|Also saved in |Stopping Bote)/;

function awaitStart(
  child: ChildProcess,
  o: ChildOptions,
  what: string,
  ready: RegExp,
): Promise<[string, string | undefined]> {
  let stderr = "";
  let found: string | undefined;
  return withTimeout(
    new Promise((resolve, reject) => {
      child.stderr!.setEncoding("utf8").on("data", (text: string) => {
        if (found === undefined) stderr += text;
        for (const line of text.split("\n")) {
          if (line.trim() === "" || BENIGN.test(line)) continue;
          if (found !== undefined) process.stderr.write(`  ${what}: ${line}\n`);
        }
        if (found === undefined) found = ready.exec(stderr)?.[1];
        const inspector = inspectorUrlIn(stderr);
        if (found !== undefined && (o.inspect !== true || inspector !== undefined)) resolve([found, inspector]);
      });
      child.once("exit", (code) => reject(new Error(`${what} exited with ${code}:\n${stderr}`)));
    }),
    30_000,
    `${what} start`,
  );
}

export class Generator {
  readonly child: ChildProcess;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  readonly ready: Promise<void>;

  constructor(profileDir: string | undefined) {
    this.child = track(
      fork(join(here, "loadgen.js"), [], {
        execArgv: nodeArgs({ profileDir }),
        stdio: ["ignore", "inherit", "inherit", "ipc"],
        // JSON would turn a run's NaN (no latency samples) into null, on which the report's toFixed throws.
        serialization: "advanced",
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

/** One of the raw-frame baselines (ceiling.js, durable.js), with its command-line arguments. */
export async function startBaseline(
  name: "ceiling" | "durable",
  args: string[],
  o: ChildOptions = {},
): Promise<RelayProcess> {
  const child = track(
    fork(join(here, `${name}.js`), args, { execArgv: nodeArgs(o), stdio: ["ignore", "inherit", "pipe", "ipc"] }),
  );
  const [port, inspectorUrl] = await awaitStart(child, o, name, new RegExp(`^${name} listening on (\\d+)$`, "m"));
  return { child, wsUrl: `ws://127.0.0.1:${port}/v1/ws`, inspectorUrl };
}

export interface Server extends RelayProcess {
  baseUrl: string;
}

export async function startServer(dataDir: string, sync: string, o: ChildOptions = {}): Promise<Server> {
  if (!existsSync(BOTE_BIN)) throw new Error(`${BOTE_BIN} is missing; run tsc -b`);
  const env: NodeJS.ProcessEnv = { ...process.env, LANG: "en_US.UTF-8" };
  delete env.LC_ALL;
  delete env.LC_MESSAGES;
  const child = track(
    spawn(
      process.execPath,
      [
        ...nodeArgs(o),
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
        // Every load client comes from 127.0.0.1.
        "--max-sockets-per-address",
        "1000000",
        "--max-sockets-awaiting-hello",
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
  // It announces its public URL (http://localhost:PORT); the load goes to the address it listens on.
  const [port, inspectorUrl] = await awaitStart(
    child,
    o,
    "bote serve",
    /(?:running at|läuft auf) http:\/\/localhost:(\d+)/,
  );
  const baseUrl = `http://127.0.0.1:${port}`;
  return { child, baseUrl, wsUrl: `${baseUrl.replace(/^http/, "ws")}/v1/ws`, inspectorUrl };
}
