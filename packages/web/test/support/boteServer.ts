/**
 * A real `bote serve` process for browser tests, on 127.0.0.1 and a free
 * port, with a fresh data folder. The web package does not depend on the
 * server, so it runs the CLI's launcher as a process, as an operator would.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packageDir } from "./browserPage.js";

const launcher = join(packageDir, "..", "cli", "bin", "bote.js");

export interface BoteServer {
  /** Where the server listens. */
  readonly url: string;
  /** The first admin's invitation link (on the public URL). */
  readonly adminInvitation: string;
  stop(): Promise<void>;
}

/** Starts `bote serve`; `publicUrl` is the origin browsers use (its origin may open the WebSocket). */
export async function startBoteServer(publicUrl: string): Promise<BoteServer> {
  const dataDir = await mkdtemp(join(tmpdir(), "bote-web-"));
  const child = spawn(
    process.execPath,
    [launcher, "serve", "--host", "127.0.0.1", "--port", "0", "--data", dataDir, "--public-url", publicUrl],
    { env: { ...process.env, LANG: "en_US.UTF-8", LC_ALL: "" }, stdio: ["ignore", "ignore", "pipe"] },
  );
  try {
    const url = await listening(child);
    const adminInvitation = (await readFile(join(dataDir, "initial-admin-invite"), "utf8")).trim();
    return {
      url,
      adminInvitation,
      async stop() {
        await stopChild(child);
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await stopChild(child);
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}

function listening(child: ChildProcess): Promise<string> {
  let err = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bote serve did not start within 15 s: ${err}`)), 15_000);
    child.stderr!.on("data", (chunk: Buffer) => {
      err += chunk.toString();
      const m = /(?:läuft auf|running at) (http:\/\/\S+)/.exec(err);
      // The invitation is written right after the address is printed.
      if (m !== null && err.includes("/join#t=")) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`bote serve exited with ${code}: ${err}`));
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}
