/** Real `bote` processes for end-to-end tests: a server on a fixed port (so it can restart) and client commands. */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

export const bin = fileURLToPath(new URL("../../src/bin.js", import.meta.url));

export interface RunningServer {
  readonly child: ChildProcess;
  /** The public URL the server printed (by default http://localhost:PORT). */
  readonly url: string;
  stderr(): string;
  /** The server's JSON log lines. */
  stdout(): string;
}

export { freePort } from "@bote/testing";

/**
 * `bote serve` on 127.0.0.1 with `args`; resolves once it prints its public URL. Tests run it at
 * `warn` unless they are about the log; `logLevel` null leaves the default.
 */
export function spawnServer(
  args: readonly string[],
  lang = "de_DE.UTF-8",
  logLevel: string | null = "warn",
): Promise<RunningServer> {
  const level = logLevel === null ? [] : ["--log-level", logLevel];
  const child = spawn(process.execPath, [bin, "serve", "--host", "127.0.0.1", ...level, ...args], {
    env: { ...process.env, LANG: lang, LC_ALL: "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let err = "";
  let out = "";
  // Read, so the pipe never fills, and kept for the tests that audit what the server logged.
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve, reject) => {
    // About a second on an idle machine; a CI runner shared with other jobs can take many times that.
    const timer = setTimeout(() => {
      // Not left running: an orphan holds the test file open until CI's limit.
      child.kill("SIGKILL");
      reject(new Error(`no start within 60 s: ${err}`));
    }, 60_000);
    child.stderr.on("data", (chunk: Buffer) => {
      err += chunk.toString();
      const m = /(?:läuft auf|running at) (https?:\/\/\S+)/.exec(err);
      if (m !== null) {
        clearTimeout(timer);
        resolve({ child, url: m[1]!, stderr: () => err, stdout: () => out });
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code}: ${err}`));
    });
  });
}

/**
 * The server for client tests, on a fixed port so it can restart under the
 * same address. It keeps the default public rate limit (30 a minute): the
 * client commands reuse their session token, so dozens of commands a
 * minute log in only once per profile.
 */
export function startServer(dataDir: string, port: number, extraArgs: readonly string[] = []): Promise<RunningServer> {
  return spawnServer(["--data", dataDir, "--port", String(port), ...extraArgs]);
}

/** SIGTERM; resolves with the exit code (null after the SIGKILL that ends a stop stuck for 30 s). */
export function stopServer(server: RunningServer): Promise<number | null> {
  if (server.child.exitCode !== null) return Promise.resolve(server.child.exitCode);
  return new Promise((resolve) => {
    const kill = setTimeout(() => server.child.kill("SIGKILL"), 30_000);
    server.child.once("exit", (code) => {
      clearTimeout(kill);
      resolve(code);
    });
    server.child.kill("SIGTERM");
  });
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout parsed as JSON lines (for --json runs). */
  readonly lines: Record<string, unknown>[];
}

/** Runs one `bote …` client command as its own process and waits for it. */
export function bote(
  args: readonly string[],
  options: { lang?: string; timeoutMs?: number; input?: string } = {},
): Promise<CliResult> {
  const child = spawn(process.execPath, [bin, ...args], {
    env: { ...process.env, LANG: options.lang ?? "de_DE.UTF-8", LC_ALL: "", BOTE_PROFILE: "" },
    stdio: ["pipe", "pipe", "pipe"],
  });
  // An empty stdin unless the test gives one, as /dev/null would be.
  child.stdin.end(options.input ?? "");
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`bote ${args.join(" ")} took over ${options.timeoutMs ?? 60_000} ms: ${stderr}`));
    }, options.timeoutMs ?? 60_000);
    child.once("exit", (code) => {
      clearTimeout(timer);
      const lines = stdout
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      resolve({ code, stdout, stderr, lines });
    });
  });
}

/** The error code a `--json` run printed on stderr. */
export const errorOf = (result: CliResult): string =>
  (JSON.parse(result.stderr) as { error: { code: string } }).error.code;

/** Like `bote`, but fails the test with the command's stderr unless it exits 0. */
export async function boteOk(args: readonly string[], options?: { lang?: string; input?: string }): Promise<CliResult> {
  const result = await bote(args, options);
  if (result.code !== 0) {
    throw new Error(`bote ${args.join(" ")} exited ${result.code}:\n${result.stderr}\n${result.stdout}`);
  }
  return result;
}
