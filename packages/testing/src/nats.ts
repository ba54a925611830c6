/**
 * Whether NATS answers for the distributed-mode tests (under CI=true it
 * must), and a private nats-server for the tests that take NATS down.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { connect } from "node:net";
import { freePort } from "./freePort.js";

export const natsUrl = process.env.BOTE_TEST_NATS ?? "nats://127.0.0.1:4222";

let reachable: Promise<string | undefined> | undefined;

/** undefined when NATS answers; otherwise the reason to skip (printed). */
export function natsSkipReason(): Promise<string | undefined> {
  reachable ??= new Promise<string | undefined>((resolve, reject) => {
    const url = new URL(natsUrl);
    const socket = connect({ host: url.hostname, port: Number(url.port || 4222) });
    const timer = setTimeout(() => fail("no answer within 2 s"), 2000);
    socket.once("data", (chunk) => {
      clearTimeout(timer);
      socket.destroy();
      if (chunk.toString().startsWith("INFO")) resolve(undefined);
      else fail("not a NATS server");
    });
    socket.once("error", (error) => {
      clearTimeout(timer);
      fail(error.message);
    });
    function fail(why: string) {
      socket.destroy();
      const reason = `NATS not reachable at ${natsUrl}: ${why}`;
      if (process.env.CI === "true") return reject(new Error(`${reason} (CI=true: NATS tests must run)`));
      console.log(`# skipping NATS tests: ${reason}`);
      resolve(reason);
    }
  });
  return reachable;
}

export const NATS_SERVER = "/usr/sbin/nats-server";

/** A nats-server of the test's own, which the test may kill and start again on the same port. */
export interface NatsServer {
  readonly url: string;
  /** Kills the server at once (SIGKILL): its clients see their connections drop, as in a crash. */
  kill(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** undefined when nats-server is installed; otherwise the reason to skip (printed). */
export function natsServerSkipReason(): string | undefined {
  if (existsSync(NATS_SERVER)) return undefined;
  const reason = `${NATS_SERVER} missing (apt-get install -y --no-install-recommends nats-server)`;
  if (process.env.CI === "true") throw new Error(`${reason} (CI=true: the NATS outage tests must run)`);
  console.log(`# skipping NATS outage tests: ${reason}`);
  return reason;
}

/** Starts a private nats-server on a free port of 127.0.0.1 and waits until it answers. */
export async function startNatsServer(): Promise<NatsServer> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    if (child !== undefined) return;
    const started = spawn(NATS_SERVER, ["-a", "127.0.0.1", "-p", String(port)], { stdio: "ignore" });
    child = started;
    started.once("exit", () => {
      if (child === started) child = undefined;
    });
    await answers(port, 5000);
  };
  const kill = async () => {
    const running = child;
    if (running === undefined) return;
    child = undefined;
    const exited = new Promise((resolve) => running.once("exit", resolve));
    running.kill("SIGKILL");
    await exited;
  };
  await start();
  return { url: `nats://127.0.0.1:${port}`, kill, start, stop: kill };
}

/** Resolves once something on the port greets with NATS's INFO line. */
async function answers(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const greeted = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: "127.0.0.1", port });
      socket.once("data", (chunk) => {
        socket.destroy();
        resolve(chunk.toString().startsWith("INFO"));
      });
      socket.once("error", () => resolve(false));
    });
    if (greeted) return;
    if (Date.now() > deadline) throw new Error(`nats-server on port ${port} did not answer within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
