/**
 * A real `bote serve` process for browser tests, on 127.0.0.1 with a fresh
 * data folder. The web package does not depend on the server, so it runs the
 * CLI's launcher as a process, as an operator would.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { freePort } from "@bote/testing";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packageDir } from "./browserPage.js";

export { freePort };

const launcher = join(packageDir, "..", "cli", "bin", "bote.js");

export interface BoteServerOptions {
  /**
   * The origin browsers use (it may open the WebSocket); default: the server's own address.
   * `null` passes no `--public-url`, as `npm start` does: the server's default then holds.
   */
  readonly publicUrl?: string | null;
  readonly orgName?: string;
  /** The built web app to serve at `/`; default: the CLI's default. */
  readonly webRoot?: string;
  /** The port to listen on; default: a free one. */
  readonly port?: number;
  /** More `bote serve` flags (e.g. --domain and its ACME flags). */
  readonly extraArgs?: readonly string[];
}

export interface BoteServer {
  /** Where the server listens. */
  readonly url: string;
  /** The server's data directory: SQLite database, blobs, secrets. */
  readonly dataDir: string;
  /** The first admin's invitation link (on the public URL). */
  readonly adminInvitation: string;
  /** Everything the server printed. */
  logs(): string;
  /** Stops the process and keeps its data, as a restart or an outage would. */
  pause(): Promise<void>;
  /** Starts it again on the same port with the same data. */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Runs a `bote` client command (`join`, `contact-point create`, …) as a person at a terminal
 * would, for a setup the test is not about; resolves with its output, rejects on a non-zero exit.
 */
export function runBote(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [launcher, ...args],
      { env: { ...process.env, LANG: "de_DE.UTF-8" } },
      (error, stdout, stderr) =>
        error === null ? resolve(stdout) : reject(new Error(`bote ${args.join(" ")}: ${stderr}`, { cause: error })),
    );
  });
}

export async function startBoteServer(options: BoteServerOptions = {}): Promise<BoteServer> {
  const dataDir = mkdtempSync(join(tmpdir(), "bote-web-"));
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const args = [
    ...["serve", "--host", "127.0.0.1", "--port", String(port), "--data", dataDir],
    ...(options.publicUrl === null ? [] : ["--public-url", options.publicUrl ?? url]),
    ...["--org-name", options.orgName ?? "Bote", "--log-level", "warn"],
    ...(options.webRoot === undefined ? [] : ["--web-root", options.webRoot]),
    ...(options.extraArgs ?? []),
  ];
  let output = "";
  const log = (text: string) => (output += text);
  let child: ChildProcess;
  try {
    child = await spawnServer(args, log);
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const adminInvitation = await firstInvitation(join(dataDir, "initial-admin-invite"));
  return {
    url,
    dataDir,
    adminInvitation,
    logs: () => output,
    pause: () => stopChild(child),
    resume: async () => {
      child = await spawnServer(args, log);
    },
    stop: async () => {
      await stopChild(child);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Resolves once the server says where it listens. */
async function spawnServer(args: readonly string[], log: (text: string) => void): Promise<ChildProcess> {
  const child = spawn(process.execPath, [launcher, ...args], {
    env: { ...process.env, LANG: "de_DE.UTF-8", LC_ALL: "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.on("data", (chunk: Buffer) => log(chunk.toString()));
  let err = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      // Not left running: an orphan holds the test process open (and the port) until CI's limit.
      child.kill("SIGKILL");
      reject(new Error(`bote serve did not start within 30 s: ${err}`));
    }, 30_000);
    child.stderr.on("data", (chunk: Buffer) => {
      err += chunk.toString();
      log(chunk.toString());
      if (/(?:läuft auf|running at) https?:/.test(err)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`bote serve exited with ${code}: ${err}`));
    });
  });
  return child;
}

/** The first start writes the admin invitation right after it says where it listens. */
async function firstInvitation(path: string): Promise<string> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (existsSync(path)) {
      const link = readFileSync(path, "utf8").trim();
      if (link.includes("/join#t=")) return link;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no invitation in ${path}`);
}

/** SIGTERM, as an operator stops it; SIGKILL if it has not exited after 30 s, so a stuck stop fails no later test. */
function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => {
      console.log("# bote serve did not stop within 30 s of SIGTERM: killed");
      child.kill("SIGKILL");
    }, 30_000);
    child.once("exit", () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill("SIGTERM");
  });
}
